/**
 * Charts and tables for the notebooks: Plotly figure builders (plain `{ data, layout }` specs) and
 * their display in Jupyter (tslab), including live charts that redraw in place.
 *
 * Modules: spec (the Figure type, shared options, palette), curves (line charts, learning curves),
 * heatmap and policy_arrows (grid maps, sharing grid), bars (histograms, bar charts), common
 * (internal helpers), display and tslab_display (showing figures and tables in a notebook).
 *
 * @example
 * import { plot } from "rl-course";
 * plot.display(plot.learningCurve(runs, { window: 20, band: "std", yTitle: "return" }));
 * plot.display(plot.policyArrows(Q, { rows: 4, cols: 4, desc: env.unwrapped.desc, values: V }));
 * const live = plot.liveChart(plot.lineChart([]));  // then live.update(fig) while training
 */
export {
  type Datum,
  type PlotlyTitle,
  type PlotlyTrace,
  type PlotlyAxis,
  type PlotlyAnnotation,
  type PlotlyLayout,
  type Figure,
  type ChartOptions,
  PALETTE,
  isFigure,
} from "./spec";
export {
  type LineSeries,
  type LineChartOptions,
  type BandKind,
  type BandStats,
  type CurveGroup,
  type LearningCurveOptions,
  movingAverage,
  bandStats,
  lineChart,
  learningCurve,
  learningCurves,
} from "./curves";
export { type Colorscale, type CellText } from "./grid";
export { type HeatmapOptions, heatmap } from "./heatmap";
export {
  type Direction,
  type PolicyArrowsOptions,
  FROZEN_LAKE_DIRECTIONS,
  CLIFF_WALKING_ACTIONS,
  policyArrows,
} from "./policy_arrows";
export {
  type HistogramOptions,
  type HistogramSample,
  type BarGroup,
  type BarChartOptions,
  histogram,
  barChart,
} from "./bars";
export {
  type MimeBundle,
  type DataFrameLike,
  type TableRecord,
  type Displayable,
  type DisplayOptions,
  type FigureBundleOptions,
  type LiveChart,
  PLOTLY_MIME,
  PLOTLY_CONFIG,
  display,
  liveChart,
  figureBundle,
  tableBundle,
  describeFigure,
  formatCell,
  isDataFrameLike,
  isRecordArray,
  newDisplayId,
  plotlyLoaderHtml,
  resetPlotlyEmbedding,
  setDisplayWriter,
} from "./display";
export {
  type DisplayMessage,
  type DisplayWriter,
  SUPPORTED_TSLAB_VERSIONS,
  checkTslabVersion,
} from "./tslab_display";
