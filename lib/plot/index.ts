/**
 * Charts and tables for the notebooks: Plotly figure builders (plain `{ data, layout }` specs) and
 * their display in Jupyter (tslab), including live charts that redraw in place.
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
  type LineSeries,
  type LineChartOptions,
  type BandKind,
  type BandStats,
  type CurveGroup,
  type LearningCurveOptions,
  type Colorscale,
  type CellText,
  type HeatmapOptions,
  type Direction,
  type PolicyArrowsOptions,
  type HistogramOptions,
  type HistogramSample,
  type BarGroup,
  type BarChartOptions,
  PALETTE,
  FROZEN_LAKE_ACTIONS,
  CLIFF_WALKING_ACTIONS,
  isFigure,
  movingAverage,
  bandStats,
  lineChart,
  learningCurve,
  learningCurves,
  heatmap,
  policyArrows,
  histogram,
  barChart,
} from "./figures";
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
