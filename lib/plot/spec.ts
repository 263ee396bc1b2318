/**
 * The Plotly spec every builder returns: a {@link Figure} is a plain `{ data, layout }` made of JSON
 * values only (numbers, strings, booleans, `null`, arrays, objects: no functions, no typed arrays, no
 * NaN), so a figure can be displayed with {@link display}, saved with `JSON.stringify`, or handed to
 * `Plotly.newPlot(div, fig.data, fig.layout)` in a browser. Also the options every builder shares
 * and the colour cycle.
 */

// ---------------------------------------------------------------------------------------------
// Minimal Plotly types
// ---------------------------------------------------------------------------------------------

/** One value on a Plotly axis: a number, a category label, or `null` for a gap. */
export type Datum = number | string | null;

/** An axis title or a figure title, in Plotly's object form. */
export interface PlotlyTitle {
  text: string;
  [key: string]: unknown;
}

/**
 * A Plotly trace (only the fields this module writes are typed; any other Plotly attribute may be
 * added). `type` is the Plotly trace type: `"scatter"`, `"heatmap"`, `"bar"`, `"histogram"`, …
 */
export interface PlotlyTrace {
  type: string;
  name?: string;
  x?: Datum[];
  y?: Datum[];
  /** Heatmap values, `z[row][col]`; `null` leaves a cell blank. */
  z?: (number | null)[][];
  text?: string | string[] | string[][];
  customdata?: unknown[];
  mode?: string;
  line?: Record<string, unknown>;
  marker?: Record<string, unknown>;
  fill?: string;
  fillcolor?: string;
  opacity?: number;
  showlegend?: boolean;
  legendgroup?: string;
  hoverinfo?: string;
  hovertemplate?: string;
  [key: string]: unknown;
}

/** A Plotly axis (`layout.xaxis` / `layout.yaxis`). */
export interface PlotlyAxis {
  title?: PlotlyTitle;
  type?: string;
  exponentformat?: "none" | "e" | "E" | "power" | "SI" | "B";
  autorange?: boolean | "reversed";
  range?: number[];
  [key: string]: unknown;
}

/** A Plotly annotation: text and/or an arrow placed in data or paper coordinates. */
export interface PlotlyAnnotation {
  x?: Datum;
  y?: Datum;
  text?: string;
  showarrow?: boolean;
  [key: string]: unknown;
}

/** A Plotly layout; every field is optional. */
export interface PlotlyLayout {
  title?: PlotlyTitle;
  xaxis?: PlotlyAxis;
  yaxis?: PlotlyAxis;
  annotations?: PlotlyAnnotation[];
  height?: number;
  width?: number;
  showlegend?: boolean;
  margin?: { l?: number; r?: number; t?: number; b?: number; pad?: number };
  [key: string]: unknown;
}

/**
 * A chart: a plain Plotly spec. Build one with the functions of this module (or by hand) and show
 * it with {@link display}.
 *
 * @example
 * const fig: Figure = { data: [{ type: "scatter", y: [1, 3, 2] }], layout: { title: { text: "Demo" } } };
 */
export interface Figure {
  data: PlotlyTrace[];
  layout: Partial<PlotlyLayout>;
}

/** True when `x` looks like a {@link Figure}: an object with a `data` array and an object `layout` (or none). */
export function isFigure(x: unknown): x is Figure {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const f = x as { data?: unknown; layout?: unknown };
  return (
    Array.isArray(f.data) &&
    f.data.every((t) => typeof t === "object" && t !== null && !Array.isArray(t)) &&
    (f.layout === undefined || (typeof f.layout === "object" && f.layout !== null && !Array.isArray(f.layout)))
  );
}

// ---------------------------------------------------------------------------------------------
// Shared options and colours
// ---------------------------------------------------------------------------------------------

/** Options shared by every builder. */
export interface ChartOptions {
  /** Figure title. */
  title?: string;
  /** Title of the x axis. */
  xTitle?: string;
  /** Title of the y axis. */
  yTitle?: string;
  /** Height in pixels (default: Plotly's 450, or a size fitted to the grid for maps). */
  height?: number;
  /** Width in pixels (default: the width of the notebook output). */
  width?: number;
}

/** Plotly's default colour cycle (the D3 category10 palette); series `i` gets `PALETTE[i % 10]`. */
export const PALETTE: readonly string[] = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];
