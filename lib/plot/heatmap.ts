/**
 * {@link heatmap}: a value table drawn on its grid map (state `s = row * cols + col`, row 0 at the
 * top; see ./grid).
 */

import { ChartOptions, Figure, PlotlyAnnotation, PlotlyTrace } from "./spec";
import { describe, inkOn, numbers, positiveInt } from "./common";
import { CellText, Colorscale, cellTexts, colorAt, escapeHtml, finiteRange, formatValue, gridLayout, resolveScale, stateGrid, toGrid } from "./grid";

/** Options of {@link heatmap}. */
export interface HeatmapOptions extends ChartOptions {
  /** Number of grid rows. */
  rows: number;
  /** Number of grid columns. */
  cols: number;
  /** Cell annotations (see {@link CellText}), e.g. the map letters S/F/H/G. */
  text?: CellText;
  /** Also print each value in its cell: `true` (2 decimals) or the number of decimals. Default: false. */
  showValues?: boolean | number;
  /** Colour scale (default `"viridis"`). */
  colorscale?: Colorscale;
  /** Value at the low end of the colour scale (default: the smallest value). */
  zmin?: number;
  /** Value at the high end of the colour scale (default: the largest value). */
  zmax?: number;
  /** Show the colour bar (default true). */
  showScale?: boolean;
  /** Title of the colour bar. */
  colorbarTitle?: string;
}

/**
 * A value table drawn on its grid map: cell (row, col) shows `values[row * cols + col]`, row 0 at the
 * top, as Gymnasium's FrozenLake / CliffWalking number their states. NaN leaves a cell blank.
 *
 * @param values length rows·cols, row-major (`number[]` or `Float64Array`), e.g. a state-value table V.
 * @example
 * const env = make("FrozenLake-v1");
 * const V = policyEvaluation(env.unwrapped.P, policy, 0.99);           // Float64Array(16)
 * display(heatmap(V, { rows: 4, cols: 4, text: env.unwrapped.desc, showValues: true, title: "V^π" }));
 */
export function heatmap(values: ArrayLike<number>, options: HeatmapOptions): Figure {
  const fn = "heatmap";
  if (typeof options !== "object" || options === null) throw new TypeError(`plot.${fn}: options { rows, cols } is required`);
  const rows = positiveInt(fn, "options.rows", options.rows);
  const cols = positiveInt(fn, "options.cols", options.cols);
  const vs = numbers(fn, "values", values, true);
  if (vs.length !== rows * cols) {
    throw new RangeError(`plot.${fn}: values has length ${vs.length} but rows × cols = ${rows} × ${cols} = ${rows * cols}`);
  }
  const texts = options.text === undefined ? undefined : cellTexts(fn, "options.text", options.text, rows, cols);
  const scale = resolveScale(fn, options.colorscale ?? "viridis");
  const [zmin, zmax] = finiteRange(vs, options.zmin, options.zmax);
  const digits = options.showValues === true ? 2 : typeof options.showValues === "number" ? options.showValues : undefined;
  if (digits !== undefined && (!Number.isInteger(digits) || digits < 0 || digits > 10)) {
    throw new RangeError(`plot.${fn}: options.showValues must be true or a number of decimals in 0…10, got ${describe(options.showValues)}`);
  }
  const trace: PlotlyTrace = {
    type: "heatmap",
    z: toGrid(vs, rows, cols),
    customdata: stateGrid(rows, cols),
    colorscale: scale.stops,
    zmin,
    zmax,
    xgap: 1,
    ygap: 1,
    showscale: options.showScale ?? true,
    hovertemplate: "state %{customdata} (row %{y}, col %{x})<br>value %{z:.4g}<extra></extra>",
  };
  if (options.colorbarTitle !== undefined) trace.colorbar = { title: { text: String(options.colorbarTitle) } };
  const annotations: PlotlyAnnotation[] = [];
  if (texts || digits !== undefined) {
    for (let s = 0; s < vs.length; s++) {
      const parts: string[] = [];
      if (texts && texts[s] !== "") parts.push(escapeHtml(texts[s]));
      if (digits !== undefined && !Number.isNaN(vs[s])) parts.push(formatValue(vs[s], digits));
      if (parts.length === 0) continue;
      const v = vs[s];
      const ink = Number.isNaN(v) ? "#111111" : inkOn(colorAt(scale, zmax > zmin ? (v - zmin) / (zmax - zmin) : 0.5));
      annotations.push({
        x: s % cols,
        y: Math.floor(s / cols),
        xref: "x",
        yref: "y",
        text: parts.join("<br>"),
        showarrow: false,
        font: { color: ink, size: 12 },
      });
    }
  }
  const layout = gridLayout(fn, options, rows, cols, trace.showscale === true);
  if (annotations.length > 0) layout.annotations = annotations;
  return { data: [trace], layout };
}
