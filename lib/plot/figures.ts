/**
 * Figure builders: each returns a plain Plotly spec `{ data, layout }` made of JSON values only
 * (numbers, strings, booleans, `null`, arrays, objects: no functions, no typed arrays, no NaN), so
 * a figure can be displayed with {@link display}, saved with `JSON.stringify`, or handed to
 * `Plotly.newPlot(div, fig.data, fig.layout)` in a browser.
 *
 * Grids follow Gymnasium's toy-text convention: a `rows × cols` map is flattened in row-major order,
 * state `s = row * cols + col`, and row 0 is drawn at the top (as `env.render()` prints it).
 *
 * Inputs are validated; errors are `TypeError` (wrong kind of value) or `RangeError` (wrong length,
 * NaN, out of range) whose message starts with `plot.<builder>:` and names the argument.
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
// Shared options, colours and validation
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

type Rgb = [number, number, number];

/** Parses `#rgb`, `#rrggbb`, `rgb(r,g,b)` and `rgba(r,g,b,a)`; `null` for anything else (e.g. "red"). */
function parseColor(color: string): Rgb | null {
  const c = color.trim();
  let m = /^#([0-9a-f]{6})$/i.exec(c);
  if (m) {
    const n = parseInt(m[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(c);
  if (m) return [parseInt(m[1] + m[1], 16), parseInt(m[2] + m[2], 16), parseInt(m[3] + m[3], 16)];
  m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*[\d.]+\s*)?\)$/i.exec(c);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return null;
}

/** `color` with opacity `alpha` as `rgba(...)`, or `null` when the colour cannot be parsed. */
function withAlpha(color: string, alpha: number): string | null {
  const rgb = parseColor(color);
  return rgb ? `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${alpha})` : null;
}

/** WCAG relative luminance in [0, 1]. */
function luminance([r, g, b]: Rgb): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** A dark or a light ink colour, whichever reads better on `background`. */
function inkOn(background: Rgb): string {
  return luminance(background) > 0.3 ? "#111111" : "#ffffff";
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === "string") return JSON.stringify(v.length > 20 ? v.slice(0, 20) + "…" : v);
  if (typeof v === "object") return (v as object).constructor?.name ?? "an object";
  return `${typeof v} ${String(v)}`;
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/**
 * Checks that `v` is an array (or typed array) of numbers and copies it into a plain `number[]`.
 * NaN is rejected unless `allowNaN`; ±Infinity is always rejected.
 */
function numbers(fn: string, name: string, v: unknown, allowNaN = false): number[] {
  if (!isArrayLike(v)) {
    throw new TypeError(`plot.${fn}: ${name} must be an array of numbers (number[] or Float64Array), got ${describe(v)}`);
  }
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== "number") throw new TypeError(`plot.${fn}: ${name}[${i}] is ${describe(x)}, not a number`);
    if (Number.isNaN(x)) {
      if (!allowNaN) throw new RangeError(`plot.${fn}: ${name}[${i}] is NaN`);
    } else if (!Number.isFinite(x)) {
      throw new RangeError(`plot.${fn}: ${name}[${i}] is ${x}; charts need finite numbers`);
    }
    out[i] = x;
  }
  return out;
}

/** NaN → null, so that the figure is plain JSON (Plotly draws `null` as a gap). */
function nanToNull(xs: readonly number[]): (number | null)[] {
  return xs.map((x) => (Number.isNaN(x) ? null : x));
}

function positiveInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`plot.${fn}: ${name} must be a positive integer, got ${describe(v)}`);
  }
  return v;
}

function optionalPositive(fn: string, name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    throw new RangeError(`plot.${fn}: ${name} must be a positive number, got ${describe(v)}`);
  }
  return v;
}

function nonEmptyArray<T>(fn: string, name: string, v: unknown): readonly T[] {
  if (!Array.isArray(v)) throw new TypeError(`plot.${fn}: ${name} must be an array, got ${describe(v)}`);
  if (v.length === 0) throw new RangeError(`plot.${fn}: ${name} is empty`);
  return v as readonly T[];
}

/** The layout every builder starts from: titles, size and margins. */
function baseLayout(fn: string, o: ChartOptions): Partial<PlotlyLayout> {
  const layout: Partial<PlotlyLayout> = {
    margin: { l: 60, r: 20, t: o.title ? 50 : 20, b: 50 },
  };
  if (o.title !== undefined) layout.title = { text: String(o.title) };
  if (o.xTitle !== undefined) layout.xaxis = { title: { text: String(o.xTitle) } };
  if (o.yTitle !== undefined) layout.yaxis = { title: { text: String(o.yTitle) } };
  const height = optionalPositive(fn, "options.height", o.height);
  const width = optionalPositive(fn, "options.width", o.width);
  if (height !== undefined) layout.height = height;
  if (width !== undefined) layout.width = width;
  return layout;
}

// ---------------------------------------------------------------------------------------------
// Numeric helpers
// ---------------------------------------------------------------------------------------------

/**
 * Trailing moving average: `out[i]` is the mean of the finite values among
 * `y[max(0, i − window + 1)] … y[i]`. The first `window − 1` points average over the shorter
 * prefix (so the curve starts at `y[0]`, not after a gap); NaN inputs are skipped, and a point whose
 * window holds no finite value is NaN. `window = 1` returns a copy.
 *
 * @param y the raw series, length n.
 * @param window positive integer.
 * @returns a new array of length n.
 * @example
 * movingAverage([1, 2, 3, 4, 5], 3); // [1, 1.5, 2, 3, 4]
 */
export function movingAverage(y: ArrayLike<number>, window: number): number[] {
  const ys = numbers("movingAverage", "y", y, true);
  positiveInt("movingAverage", "window", window);
  const out = new Array<number>(ys.length);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < ys.length; i++) {
    if (!Number.isNaN(ys[i])) {
      sum += ys[i];
      count++;
    }
    const j = i - window;
    if (j >= 0 && !Number.isNaN(ys[j])) {
      sum -= ys[j];
      count--;
    }
    // Re-sum now and then, so that round-off of the running sum cannot build up over long runs.
    if (i % 1024 === 1023) {
      sum = 0;
      for (let k = Math.max(0, i - window + 1); k <= i; k++) if (!Number.isNaN(ys[k])) sum += ys[k];
    }
    out[i] = count > 0 ? sum / count : NaN;
  }
  return out;
}

/** How a band around the mean of several runs is drawn: min…max, mean ± one standard deviation, or no band. */
export type BandKind = "minmax" | "std" | "none";

/** Per-step statistics of several runs, each array of length n (steps). */
export interface BandStats {
  mean: number[];
  /** Lower edge of the band (min, or mean − std; equals `mean` for `"none"`). */
  lower: number[];
  /** Upper edge of the band (max, or mean + std; equals `mean` for `"none"`). */
  upper: number[];
}

/**
 * Per-step mean and band of several runs of equal length (one run per seed). The standard deviation
 * is the population one (divide by the number of runs, like `numpy.std`).
 *
 * @param runs `k × n`: k runs (seeds), each n steps; no NaN.
 * @param band `"minmax"` (default), `"std"` or `"none"`.
 * @example
 * bandStats([[0, 2], [2, 6]], "minmax"); // { mean: [1, 4], lower: [0, 2], upper: [2, 6] }
 * bandStats([[0, 2], [2, 6]], "std");    // { mean: [1, 4], lower: [0, 2], upper: [2, 6] }
 */
export function bandStats(runs: readonly ArrayLike<number>[], band: BandKind = "minmax"): BandStats {
  const rs = checkRuns("bandStats", "runs", runs);
  checkBand("bandStats", band);
  return bandOf(rs, band);
}

function checkBand(fn: string, band: unknown): asserts band is BandKind {
  if (band !== "minmax" && band !== "std" && band !== "none") {
    throw new RangeError(`plot.${fn}: band must be "minmax", "std" or "none", got ${describe(band)}`);
  }
}

function checkRuns(fn: string, name: string, runs: unknown): number[][] {
  const list = nonEmptyArray<unknown>(fn, name, runs);
  const rs = list.map((r, i) => numbers(fn, `${name}[${i}]`, r));
  const n = rs[0].length;
  if (n === 0) throw new RangeError(`plot.${fn}: ${name}[0] is empty`);
  rs.forEach((r, i) => {
    if (r.length !== n) {
      throw new RangeError(
        `plot.${fn}: ${name}[${i}] has length ${r.length} but ${name}[0] has length ${n}; all runs must have ` +
          `the same length (truncate them to the shortest, e.g. runs.map(r => r.slice(0, n)))`,
      );
    }
  });
  return rs;
}

function bandOf(rs: number[][], band: BandKind): BandStats {
  const k = rs.length;
  const n = rs[0].length;
  const mean = new Array<number>(n);
  const lower = new Array<number>(n);
  const upper = new Array<number>(n);
  for (let t = 0; t < n; t++) {
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < k; i++) {
      const v = rs[i][t];
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const m = sum / k;
    mean[t] = m;
    if (band === "minmax") {
      lower[t] = lo;
      upper[t] = hi;
    } else if (band === "std") {
      let ss = 0;
      for (let i = 0; i < k; i++) ss += (rs[i][t] - m) ** 2;
      const sd = Math.sqrt(ss / k);
      lower[t] = m - sd;
      upper[t] = m + sd;
    } else {
      lower[t] = m;
      upper[t] = m;
    }
  }
  return { mean, lower, upper };
}

// ---------------------------------------------------------------------------------------------
// Line charts and learning curves
// ---------------------------------------------------------------------------------------------

/** One curve of a {@link lineChart}. */
export interface LineSeries {
  /** Legend name (default `"series i"`). */
  name?: string;
  /** The values, length n; NaN draws a gap. */
  y: ArrayLike<number>;
  /** x values, length n (numbers or category labels); default 0 … n−1. */
  x?: ArrayLike<number> | readonly string[];
  /** Line colour (default: the i-th colour of {@link PALETTE}). */
  color?: string;
  /** Line dash style. */
  dash?: "solid" | "dot" | "dash" | "dashdot";
}

/** Options of {@link lineChart}. */
export interface LineChartOptions extends ChartOptions {
  /**
   * Moving-average window (see {@link movingAverage}). With `window > 1` the average is drawn in full
   * colour over the raw curve, which stays visible but faint (unless `showRaw: false`). Default 1.
   */
  window?: number;
  /** Keep the raw curve under the moving average (default true). */
  showRaw?: boolean;
  /** `"lines"` (default), `"markers"` or `"lines+markers"`. */
  mode?: "lines" | "markers" | "lines+markers";
  /** Logarithmic y axis (ticks as powers of ten). */
  logY?: boolean;
  /** Logarithmic x axis (ticks as powers of ten), e.g. for sample sizes or step sizes. */
  logX?: boolean;
}

/** A typed array, a number[] or an empty array (one series with no points yet, e.g. a live chart's start). */
function isNumberArrayLike(v: unknown): boolean {
  return ArrayBuffer.isView(v) || (Array.isArray(v) && (v.length === 0 || typeof v[0] === "number"));
}

/**
 * A line chart of one or several series, optionally smoothed by a moving average drawn over the
 * faint raw curve (the usual way to show noisy episode returns).
 *
 * @param series one series (`number[]`, `Float64Array` or a {@link LineSeries}) or several
 *   ({@link LineSeries}[]); each `y` has length n, `x` (optional) the same length.
 * @example
 * const fig = lineChart(
 *   [{ name: "SARSA", y: sarsaReturns }, { name: "Q-learning", y: qReturns }],
 *   { window: 20, title: "CliffWalking", xTitle: "episode", yTitle: "return" },
 * );
 * display(fig);
 */
export function lineChart(
  series: ArrayLike<number> | LineSeries | readonly LineSeries[],
  options: LineChartOptions = {},
): Figure {
  const fn = "lineChart";
  let list: readonly LineSeries[];
  if (isNumberArrayLike(series)) list = [{ y: series as ArrayLike<number> }];
  else if (Array.isArray(series)) list = nonEmptyArray<LineSeries>(fn, "series", series);
  else if (typeof series === "object" && series !== null && "y" in series) list = [series as LineSeries];
  else throw new TypeError(`plot.${fn}: series must be a number array, a { name, y, x? } object or an array of them, got ${describe(series)}`);

  const window = options.window === undefined ? 1 : positiveInt(fn, "options.window", options.window);
  const showRaw = options.showRaw ?? true;
  const mode = options.mode ?? "lines";
  const data: PlotlyTrace[] = [];
  const numeric = isNumberArrayLike(series);
  list.forEach((s, i) => {
    const label = numeric || !Array.isArray(series) ? "series" : `series[${i}]`;
    if (typeof s !== "object" || s === null) throw new TypeError(`plot.${fn}: ${label} must be a { name, y, x? } object, got ${describe(s)}`);
    const y = numbers(fn, numeric ? "series" : `${label}.y`, s.y, true);
    const x = s.x === undefined ? undefined : axisValues(fn, `${label}.x`, s.x, y.length, `${label}.y`);
    const name = s.name ?? `series ${i}`;
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const line: Record<string, unknown> = { color };
    if (s.dash) line.dash = s.dash;
    const base = (values: number[]): PlotlyTrace => {
      const t: PlotlyTrace = { type: "scatter", mode, y: nanToNull(values) };
      if (x) t.x = x;
      return t;
    };
    if (window > 1) {
      if (showRaw) {
        data.push({
          ...base(y),
          name: `${name} (raw)`,
          line: { ...line, width: 1 },
          marker: { color },
          opacity: 0.3,
          legendgroup: name,
          showlegend: false,
        });
      }
      data.push({
        ...base(movingAverage(y, window)),
        name,
        line: { ...line, width: 2 },
        marker: { color },
        legendgroup: name,
        hovertemplate: `%{y:.4g}<extra>${escapeTemplate(name)} (avg of ${window})</extra>`,
      });
    } else {
      data.push({ ...base(y), name, line: { ...line, width: 2 }, marker: { color } });
    }
  });
  const layout = baseLayout(fn, options);
  if (options.logY) layout.yaxis = { ...layout.yaxis, type: "log", exponentformat: "power" };
  if (options.logX) layout.xaxis = { ...layout.xaxis, type: "log", exponentformat: "power" };
  layout.hovermode = "x";
  return { data, layout };
}

/** Escapes `%{` in user text placed in a Plotly hover template. */
function escapeTemplate(s: string): string {
  return s.replace(/%\{/g, "%\\{").replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"));
}

function axisValues(fn: string, name: string, v: unknown, n: number, yName: string): Datum[] {
  if (Array.isArray(v) && v.length > 0 && typeof v[0] === "string") {
    v.forEach((s, i) => {
      if (typeof s !== "string") throw new TypeError(`plot.${fn}: ${name}[${i}] is ${describe(s)}; x labels must all be strings or all numbers`);
    });
    if (v.length !== n) throw new RangeError(`plot.${fn}: ${name} has length ${v.length} but ${yName} has length ${n}`);
    return [...(v as string[])];
  }
  const xs = numbers(fn, name, v);
  if (xs.length !== n) throw new RangeError(`plot.${fn}: ${name} has length ${xs.length} but ${yName} has length ${n}`);
  return xs;
}

/** One algorithm (or configuration) in {@link learningCurves}: several runs of it, one per seed. */
export interface CurveGroup {
  /** Legend name. */
  name: string;
  /** `k × n`: k runs (seeds) of n points each (e.g. episode returns); all the same length, no NaN. */
  runs: readonly ArrayLike<number>[];
  /** Shared x values, length n (e.g. environment steps); default 0 … n−1. */
  x?: ArrayLike<number>;
  /** Colour of the mean line and (translucent) of its band. */
  color?: string;
}

/** Options of {@link learningCurve} and {@link learningCurves}. */
export interface LearningCurveOptions extends ChartOptions {
  /** Moving-average window applied to each run before the statistics (default 1: none). */
  window?: number;
  /** `"minmax"` (default: the band spans the best and worst run), `"std"` (mean ± std) or `"none"`. */
  band?: BandKind;
  /** Also draw every run as a thin faint line (default false). */
  showRuns?: boolean;
}

/**
 * Learning curves of several algorithms, each over several seeds: per algorithm a mean line and a
 * translucent band (min…max or mean ± std across seeds), after an optional moving average of each
 * run. Statistics are those of {@link bandStats}.
 *
 * @example
 * const fig = learningCurves(
 *   [
 *     { name: "SARSA", runs: sarsaRuns },       // number[seeds][episodes]
 *     { name: "Q-learning", runs: qRuns },
 *   ],
 *   { window: 10, band: "std", xTitle: "episode", yTitle: "return" },
 * );
 */
export function learningCurves(groups: readonly CurveGroup[], options: LearningCurveOptions = {}): Figure {
  return curves("learningCurves", "groups", groups, options);
}

/**
 * Learning curve of one algorithm over several seeds: the mean line with a band (see
 * {@link learningCurves}, which compares several algorithms).
 *
 * @param runs `k × n`: k runs (seeds), each n points, all the same length, no NaN.
 * @param options as {@link LearningCurveOptions}, plus `name` (legend, default `"mean"`), `x`
 *   (shared x values, length n) and `color`.
 * @example
 * const runs = seeds.map((seed) => train({ seed }).episodeReturns); // number[][]
 * display(learningCurve(runs, { window: 20, band: "minmax", yTitle: "return" }));
 */
export function learningCurve(
  runs: readonly ArrayLike<number>[],
  options: LearningCurveOptions & { name?: string; x?: ArrayLike<number>; color?: string } = {},
): Figure {
  const group: CurveGroup = { name: options.name ?? "mean", runs };
  if (options.x !== undefined) group.x = options.x;
  if (options.color !== undefined) group.color = options.color;
  return curves("learningCurve", "runs", [group], options, true);
}

function curves(
  fn: string,
  argName: string,
  groups: readonly CurveGroup[],
  options: LearningCurveOptions,
  single = false,
): Figure {
  nonEmptyArray<CurveGroup>(fn, argName, groups);
  const window = options.window === undefined ? 1 : positiveInt(fn, "options.window", options.window);
  const band = options.band ?? "minmax";
  checkBand(fn, band);
  const data: PlotlyTrace[] = [];
  groups.forEach((g, gi) => {
    const label = single ? argName : `${argName}[${gi}]`;
    const runsName = single ? argName : `${label}.runs`;
    if (!single && (typeof g !== "object" || g === null)) {
      throw new TypeError(`plot.${fn}: ${label} must be a { name, runs } object, got ${describe(g)}`);
    }
    const raw = checkRuns(fn, runsName, g.runs);
    const n = raw[0].length;
    const x = g.x === undefined ? undefined : axisValues(fn, single ? "options.x" : `${label}.x`, g.x, n, `${runsName}[0]`);
    const rs = window > 1 ? raw.map((r) => movingAverage(r, window)) : raw;
    const stats = bandOf(rs, band);
    const color = g.color ?? PALETTE[gi % PALETTE.length];
    const name = g.name ?? `group ${gi}`;
    const withX = (t: PlotlyTrace): PlotlyTrace => (x ? { ...t, x } : t);
    if (options.showRuns) {
      rs.forEach((r, ri) =>
        data.push(
          withX({
            type: "scatter",
            mode: "lines",
            y: r,
            name: `${name} run ${ri}`,
            line: { color, width: 0.75 },
            opacity: 0.35,
            legendgroup: name,
            showlegend: false,
            hoverinfo: "skip",
          }),
        ),
      );
    }
    if (band !== "none" && rs.length > 1) {
      const fillcolor = withAlpha(color, 0.2);
      data.push(
        withX({
          type: "scatter",
          mode: "lines",
          y: stats.lower,
          name: `${name} ${band === "std" ? "mean − std" : "min"}`,
          line: { color, width: 0 },
          legendgroup: name,
          showlegend: false,
          hoverinfo: "skip",
        }),
      );
      const upper: PlotlyTrace = withX({
        type: "scatter",
        mode: "lines",
        y: stats.upper,
        name: `${name} ${band === "std" ? "mean + std" : "max"}`,
        line: { color, width: 0 },
        fill: "tonexty",
        legendgroup: name,
        showlegend: false,
        hoverinfo: "skip",
      });
      if (fillcolor) upper.fillcolor = fillcolor;
      else upper.opacity = 0.25;
      data.push(upper);
    }
    const what = band === "minmax" ? "min–max band" : band === "std" ? "mean ± std band" : "no band";
    data.push(
      withX({
        type: "scatter",
        mode: "lines",
        y: stats.mean,
        name,
        line: { color, width: 2 },
        legendgroup: name,
        hovertemplate:
          `%{y:.4g}<extra>${escapeTemplate(name)}: mean of ${rs.length} run${rs.length === 1 ? "" : "s"}` +
          `${window > 1 ? `, avg of ${window}` : ""}, ${what}</extra>`,
      }),
    );
  });
  const layout = baseLayout(fn, options);
  layout.hovermode = "x";
  if (groups.length === 1) layout.showlegend = false;
  return { data, layout };
}

// ---------------------------------------------------------------------------------------------
// Grid maps: heatmap and policy arrows
// ---------------------------------------------------------------------------------------------

/**
 * A colour scale: a name (`"viridis"`, `"cividis"`, `"blues"`, `"greens"`, `"reds"`, `"greys"`, all
 * running light-to-dark except viridis/cividis dark-to-light, and the diverging `"rdbu"`, red low,
 * blue high) or explicit stops `[[0, "#ffffff"], [1, "#08306b"]]` with `#rrggbb` / `rgb()` colours.
 */
export type Colorscale = "viridis" | "cividis" | "blues" | "greens" | "reds" | "greys" | "rdbu" | [number, string][];

const NAMED_SCALES: Record<string, readonly string[]> = {
  viridis: ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"],
  cividis: ["#00224e", "#123570", "#3b496c", "#575d6d", "#707173", "#8a8678", "#a59c74", "#c3b369", "#e1cc55", "#fee838"],
  blues: ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"],
  greens: ["#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b"],
  reds: ["#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d"],
  greys: ["#ffffff", "#f0f0f0", "#d9d9d9", "#bdbdbd", "#969696", "#737373", "#525252", "#252525", "#000000"],
  rdbu: ["#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"],
};

interface Scale {
  stops: [number, string][];
  rgb: [number, Rgb][];
}

function resolveScale(fn: string, scale: unknown): Scale {
  let stops: [number, string][];
  if (typeof scale === "string") {
    const named = NAMED_SCALES[scale.toLowerCase()];
    if (!named) {
      throw new RangeError(`plot.${fn}: options.colorscale ${JSON.stringify(scale)} is not one of ${Object.keys(NAMED_SCALES).join(", ")} (or pass [[0, color], …, [1, color]])`);
    }
    stops = named.map((c, i) => [i / (named.length - 1), c]);
  } else if (Array.isArray(scale) && scale.length >= 2) {
    stops = scale.map((s, i) => {
      if (!Array.isArray(s) || s.length !== 2 || typeof s[0] !== "number" || typeof s[1] !== "string") {
        throw new TypeError(`plot.${fn}: options.colorscale[${i}] must be [position, color], got ${describe(s)}`);
      }
      return [s[0], s[1]] as [number, string];
    });
    if (stops[0][0] !== 0 || stops[stops.length - 1][0] !== 1 || stops.some((s, i) => i > 0 && s[0] < stops[i - 1][0])) {
      throw new RangeError(`plot.${fn}: options.colorscale positions must rise from 0 to 1`);
    }
  } else {
    throw new TypeError(`plot.${fn}: options.colorscale must be a scale name or [[0, color], …, [1, color]], got ${describe(scale)}`);
  }
  const rgb = stops.map(([t, c], i): [number, Rgb] => {
    const parsed = parseColor(c);
    if (!parsed) throw new RangeError(`plot.${fn}: options.colorscale[${i}] colour ${JSON.stringify(c)} must be #rrggbb or rgb(r, g, b)`);
    return [t, parsed];
  });
  return { stops, rgb };
}

/** The colour of the scale at position t ∈ [0, 1]. */
function colorAt(scale: Scale, t: number): Rgb {
  const s = scale.rgb;
  const u = Math.min(1, Math.max(0, t));
  for (let i = 1; i < s.length; i++) {
    if (u <= s[i][0]) {
      const [t0, c0] = s[i - 1];
      const [t1, c1] = s[i];
      const f = t1 > t0 ? (u - t0) / (t1 - t0) : 0;
      return [0, 1, 2].map((k) => c0[k] + f * (c1[k] - c0[k])) as Rgb;
    }
  }
  return s[s.length - 1][1];
}

/**
 * Per-cell text of a grid: one string per cell (length rows·cols, row-major), a map description as
 * our toy-text envs' `desc`: `rows` strings of `cols` characters each (e.g. FrozenLake's
 * `["SFFF", "FHFH", "FFFH", "HFFG"]`), or a grid `rows × cols` of strings.
 */
export type CellText = readonly string[] | readonly (readonly string[])[];

function cellTexts(fn: string, name: string, text: unknown, rows: number, cols: number): string[] {
  if (!Array.isArray(text)) throw new TypeError(`plot.${fn}: ${name} must be an array of strings, got ${describe(text)}`);
  if (text.length === rows && text.every((r) => Array.isArray(r))) {
    // A grid of cells, e.g. [["S", "F"], ["H", "G"]].
    text.forEach((r: unknown[], i) => {
      if (r.length !== cols) throw new RangeError(`plot.${fn}: ${name}[${i}] has ${r.length} cells but cols = ${cols}`);
      r.forEach((t, j) => {
        if (typeof t !== "string") throw new TypeError(`plot.${fn}: ${name}[${i}][${j}] is ${describe(t)}, not a string`);
      });
    });
    return (text as string[][]).flat();
  }
  text.forEach((t, i) => {
    if (typeof t !== "string") throw new TypeError(`plot.${fn}: ${name}[${i}] is ${describe(t)}, not a string`);
  });
  const ts = text as string[];
  if (ts.length === rows * cols) return [...ts];
  if (ts.length === rows && ts.every((r) => [...r].length === cols)) return ts.flatMap((r) => [...r]);
  throw new RangeError(
    `plot.${fn}: ${name} has length ${ts.length}; expected rows × cols = ${rows * cols} cell strings, ` +
      `or ${rows} row strings of ${cols} characters (a map description)`,
  );
}

function gridLayout(fn: string, o: ChartOptions, rows: number, cols: number, colorbar: boolean): Partial<PlotlyLayout> {
  const layout = baseLayout(fn, o);
  const axis = { showgrid: false, zeroline: false, ticks: "", dtick: 1, constrain: "domain" };
  layout.xaxis = { ...axis, ...layout.xaxis, range: [-0.5, cols - 0.5], autorange: false, side: "top" };
  // Row 0 at the top: the y range runs from the last row (bottom) to row 0 (top).
  layout.yaxis = { ...axis, ...layout.yaxis, range: [rows - 0.5, -0.5], autorange: false, scaleanchor: "x", scaleratio: 1 };
  layout.margin = { l: 50, r: 20, t: o.title ? 70 : 40, b: 20 };
  // About 85 px per row (cells are square), within 300…720 px.
  if (layout.height === undefined) layout.height = Math.round(Math.min(720, Math.max(300, 85 * rows + 100)));
  // As wide as the square cells need (plus the colour bar), so that the map does not float in a wide
  // output with its colour bar far away; at most 960 px (the cells then shrink to fit).
  if (layout.width === undefined) {
    const m = layout.margin;
    const cell = (layout.height - (m.t ?? 0) - (m.b ?? 0)) / rows;
    layout.width = Math.round(Math.min(960, Math.max(260, cell * cols + (m.l ?? 0) + (m.r ?? 0) + (colorbar ? 110 : 0))));
  }
  return layout;
}

/** `z[row][col] = values[row * cols + col]`, NaN → null. */
function toGrid(values: readonly number[], rows: number, cols: number): (number | null)[][] {
  const z: (number | null)[][] = [];
  for (let r = 0; r < rows; r++) z.push(nanToNull(values.slice(r * cols, (r + 1) * cols)));
  return z;
}

function stateGrid(rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => r * cols + c));
}

function finiteRange(values: readonly number[], zmin?: number, zmax?: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) [lo, hi] = [0, 1];
  return [zmin ?? lo, zmax ?? hi];
}

function formatValue(v: number, digits: number): string {
  if (Number.isNaN(v)) return "";
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 10 ** -digits)) return v.toExponential(Math.max(1, digits - 1));
  return v.toFixed(digits);
}

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

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);
}

/** Where an action moves the agent on the map; `"none"` (e.g. "stay") draws a dot. */
export type Direction = "left" | "down" | "right" | "up" | "none";

/** Gymnasium FrozenLake's action encoding: 0 = LEFT, 1 = DOWN, 2 = RIGHT, 3 = UP. The default. */
export const FROZEN_LAKE_ACTIONS: readonly Direction[] = ["left", "down", "right", "up"];

/** Gymnasium CliffWalking's action encoding: 0 = UP, 1 = RIGHT, 2 = DOWN, 3 = LEFT. */
export const CLIFF_WALKING_ACTIONS: readonly Direction[] = ["up", "right", "down", "left"];

/** (dx, dy) on screen, y pointing down (row 0 at the top). */
const DIRECTION_VECTORS: Record<Direction, [number, number]> = {
  left: [-1, 0],
  right: [1, 0],
  up: [0, -1],
  down: [0, 1],
  none: [0, 0],
};

/**
 * Background colour classes of map letters when no values are given: start, free (FrozenLake `F`,
 * CliffWalking `.`), hole / cliff / trap (`H`, `C`, `T`), wall (`#`), goal. Other letters are drawn
 * as free cells.
 */
const MAP_CLASSES: readonly { letters: string; color: string }[] = [
  { letters: "S", color: "#cde8c8" },
  { letters: "F.", color: "#e8f0fa" },
  { letters: "HCT", color: "#34495e" },
  { letters: "#", color: "#95a5a6" },
  { letters: "G", color: "#f6d365" },
];

/** Letters whose cells get no arrow unless `mask` says otherwise: holes, cliff, traps, walls and goals
 * (FrozenLake, CliffWalking and the course's GridWorld). */
const TERMINAL_LETTERS = "HCTG#";

/** Options of {@link policyArrows}. */
export interface PolicyArrowsOptions extends ChartOptions {
  /** Number of grid rows. */
  rows: number;
  /** Number of grid columns. */
  cols: number;
  /** Direction of each action index (default {@link FROZEN_LAKE_ACTIONS}); its length is the number of actions. */
  actionDirections?: readonly Direction[];
  /** State values (length rows·cols) coloured under the arrows, e.g. V or max_a Q. */
  values?: ArrayLike<number>;
  /** Map description (the env's `desc`, e.g. `["SFFF", "FHFH", "FFFH", "HFFG"]`): letters in the cells,
   * cell colours when no `values`, and holes `H`, cliff `C`, traps `T`, walls `#` and goals `G`
   * masked unless `mask` is given. */
  desc?: CellText;
  /** States left without arrows: a boolean per state (true = blank), or a list of state indices. */
  mask?: readonly boolean[] | readonly number[];
  /** With a table: `"argmax"` (default: arrows for the best action, all of them on ties) or
   * `"proportional"` (one arrow per action, length ∝ probability; the table must hold probabilities). */
  mode?: "argmax" | "proportional";
  /** Colour scale of `values` (default `"blues"`). */
  colorscale?: Colorscale;
  /** Print the values in the cells too: `true` (2 decimals) or a number of decimals. */
  showValues?: boolean | number;
}

/**
 * The greedy action of every state as an arrow on the grid map (state s = row·cols + col, row 0 at
 * the top), over an optional value heatmap.
 *
 * @param policy one of
 *   - actions: `number[]` of length nS = rows·cols, integers in [0, nA);
 *   - a table nS × nA (`number[][]` or `Float64Array[]`), probabilities π(a|s) or action values
 *     Q(s, a): arrows for the argmax (or, with `mode: "proportional"`, length ∝ probability);
 *   - the same table flattened row-major, length nS·nA (`Float64Array`).
 * @example
 * // FrozenLake (default encoding 0=LEFT 1=DOWN 2=RIGHT 3=UP), greedy w.r.t. Q, over V = max Q:
 * display(policyArrows(Q, { rows: 4, cols: 4, desc: env.unwrapped.desc, values: V, title: "greedy policy" }));
 * // CliffWalking (0=UP 1=RIGHT 2=DOWN 3=LEFT):
 * display(policyArrows(actions, { rows: 4, cols: 12, actionDirections: CLIFF_WALKING_ACTIONS }));
 */
export function policyArrows(
  policy: ArrayLike<number> | readonly ArrayLike<number>[],
  options: PolicyArrowsOptions,
): Figure {
  const fn = "policyArrows";
  if (typeof options !== "object" || options === null) throw new TypeError(`plot.${fn}: options { rows, cols } is required`);
  const rows = positiveInt(fn, "options.rows", options.rows);
  const cols = positiveInt(fn, "options.cols", options.cols);
  const nS = rows * cols;
  const dirs = options.actionDirections ?? FROZEN_LAKE_ACTIONS;
  nonEmptyArray<Direction>(fn, "options.actionDirections", dirs);
  dirs.forEach((d, i) => {
    if (!(typeof d === "string" && d in DIRECTION_VECTORS)) {
      throw new RangeError(`plot.${fn}: options.actionDirections[${i}] must be "left", "down", "right", "up" or "none", got ${describe(d)}`);
    }
  });
  const nA = dirs.length;
  const mode = options.mode ?? "argmax";
  if (mode !== "argmax" && mode !== "proportional") {
    throw new RangeError(`plot.${fn}: options.mode must be "argmax" or "proportional", got ${describe(mode)}`);
  }

  // Normalise the policy to, per state, a list of (action, weight in [0, 1]) to draw.
  const arrows: [number, number][][] = [];
  if (Array.isArray(policy) && policy.length > 0 && isArrayLike(policy[0])) {
    if (policy.length !== nS) throw new RangeError(`plot.${fn}: policy has ${policy.length} rows but rows × cols = ${rows} × ${cols} = ${nS}`);
    for (let s = 0; s < nS; s++) {
      const row = numbers(fn, `policy[${s}]`, policy[s]);
      if (row.length !== nA) {
        throw new RangeError(`plot.${fn}: policy[${s}] has ${row.length} entries but options.actionDirections has ${nA} actions`);
      }
      arrows.push(tableArrows(fn, `policy[${s}]`, row, mode));
    }
  } else {
    const flat = numbers(fn, "policy", policy);
    if (flat.length === nS) {
      if (mode === "proportional") throw new RangeError(`plot.${fn}: options.mode "proportional" needs a probability table nS × nA, but policy is a list of actions`);
      flat.forEach((a, s) => {
        if (!Number.isInteger(a) || a < 0 || a >= nA) {
          throw new RangeError(`plot.${fn}: policy[${s}] = ${a} is not an action index in 0…${nA - 1}`);
        }
        arrows.push([[a, 1]]);
      });
    } else if (flat.length === nS * nA) {
      for (let s = 0; s < nS; s++) arrows.push(tableArrows(fn, `policy[${s * nA}…${s * nA + nA - 1}]`, flat.slice(s * nA, (s + 1) * nA), mode));
    } else {
      throw new RangeError(
        `plot.${fn}: policy has length ${flat.length}; expected nS = rows × cols = ${nS} actions, ` +
          `or nS × nA = ${nS} × ${nA} = ${nS * nA} table entries`,
      );
    }
  }

  const letters = options.desc === undefined ? undefined : cellTexts(fn, "options.desc", options.desc, rows, cols);
  const values = options.values === undefined ? undefined : numbers(fn, "options.values", options.values, true);
  if (values && values.length !== nS) {
    throw new RangeError(`plot.${fn}: options.values has length ${values.length} but rows × cols = ${rows} × ${cols} = ${nS}`);
  }
  const masked = maskOf(fn, options.mask, letters, nS);
  const digits = options.showValues === true ? 2 : typeof options.showValues === "number" ? options.showValues : undefined;

  // Background heatmap: values, else map letters, else a plain light grid.
  const data: PlotlyTrace[] = [];
  const hover = stateGrid(rows, cols).map((r) =>
    r.map((s) => {
      const acts = arrows[s].map(([a, w]) => (mode === "proportional" ? `${dirs[a]} ${w.toFixed(2)}` : dirs[a])).join(", ");
      const letter = letters ? ` ${escapeHtml(letters[s])}` : "";
      const v = values && !Number.isNaN(values[s]) ? `<br>value ${formatValue(values[s], 4)}` : "";
      return `state ${s}${letter}${masked[s] ? "" : `<br>${acts}`}${v}`;
    }),
  );
  let cellInk: (s: number) => string;
  if (values) {
    const scale = resolveScale(fn, options.colorscale ?? "blues");
    const [zmin, zmax] = finiteRange(values);
    data.push({
      type: "heatmap",
      z: toGrid(values, rows, cols),
      colorscale: scale.stops,
      zmin,
      zmax,
      xgap: 2,
      ygap: 2,
      text: hover,
      hovertemplate: "%{text}<extra></extra>",
    });
    cellInk = (s) => (Number.isNaN(values[s]) ? "#111111" : inkOn(colorAt(scale, zmax > zmin ? (values[s] - zmin) / (zmax - zmin) : 0.5)));
  } else {
    const cat = (s: number) => {
      const k = letters ? MAP_CLASSES.findIndex((c) => letters[s].length === 1 && c.letters.includes(letters[s])) : -1;
      return k < 0 ? 1 : k;
    };
    const cs = MAP_CLASSES.map((c) => c.color);
    data.push({
      type: "heatmap",
      z: stateGrid(rows, cols).map((r) => r.map(cat)),
      colorscale: [[0, cs[0]], [0.25, cs[0]], [0.25, cs[1]], [0.5, cs[1]], [0.5, cs[2]], [0.75, cs[2]], [0.75, cs[3]], [1, cs[3]]],
      zmin: 0,
      zmax: 3,
      showscale: false,
      xgap: 2,
      ygap: 2,
      text: hover,
      hovertemplate: "%{text}<extra></extra>",
    });
    cellInk = (s) => inkOn(parseColor(cs[cat(s)]) as Rgb);
  }

  const annotations: PlotlyAnnotation[] = [];
  for (let s = 0; s < nS; s++) {
    const cx = s % cols;
    const cy = Math.floor(s / cols);
    const ink = cellInk(s);
    const letter = letters ? letters[s] : "";
    if (masked[s]) {
      if (letter) annotations.push({ x: cx, y: cy, xref: "x", yref: "y", text: escapeHtml(letter), showarrow: false, font: { color: ink, size: 16 } });
      continue;
    }
    if (letter && letter !== "F" && letter !== ".") {
      annotations.push({ x: cx - 0.42, y: cy - 0.42, xref: "x", yref: "y", xanchor: "left", yanchor: "top", text: escapeHtml(letter), showarrow: false, font: { color: ink, size: 10 } });
    }
    if (digits !== undefined && values && !Number.isNaN(values[s])) {
      annotations.push({ x: cx, y: cy + 0.42, xref: "x", yref: "y", yanchor: "bottom", text: formatValue(values[s], digits), showarrow: false, font: { color: ink, size: 9 } });
    }
    const list = arrows[s];
    for (const [a, w] of list) {
      const [dx, dy] = DIRECTION_VECTORS[dirs[a]];
      if (dx === 0 && dy === 0) {
        annotations.push({ x: cx, y: cy, xref: "x", yref: "y", text: "●", showarrow: false, font: { color: ink, size: 10 } });
        continue;
      }
      // One arrow: centred across the cell. Several (ties, probabilities): from near the centre
      // outwards (a small gap keeps opposite arrows apart), length 0.42 × probability in proportional mode.
      const single = mode === "argmax" && list.length === 1;
      const len = single ? 0.6 : mode === "argmax" ? 0.38 : 0.42 * w;
      const tail = single ? -len / 2 : 0.04;
      const head = tail + len;
      annotations.push({
        x: round(cx + dx * head),
        y: round(cy + dy * head),
        ax: round(cx + dx * tail),
        ay: round(cy + dy * tail),
        xref: "x",
        yref: "y",
        axref: "x",
        ayref: "y",
        text: "",
        showarrow: true,
        arrowhead: 2,
        arrowsize: mode === "proportional" ? 0.8 : 1,
        arrowwidth: mode === "proportional" ? 1.5 : 2,
        arrowcolor: ink,
        standoff: 0,
        startstandoff: 0,
      });
    }
  }
  const layout = gridLayout(fn, options, rows, cols, values !== undefined);
  layout.annotations = annotations;
  return { data, layout };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function tableArrows(fn: string, name: string, row: number[], mode: "argmax" | "proportional"): [number, number][] {
  if (mode === "proportional") {
    let sum = 0;
    row.forEach((p, a) => {
      if (p < 0 || p > 1) throw new RangeError(`plot.${fn}: ${name}[${a}] = ${p} is not a probability (mode "proportional")`);
      sum += p;
    });
    if (Math.abs(sum - 1) > 1e-3) throw new RangeError(`plot.${fn}: ${name} sums to ${sum}, not 1 (mode "proportional" needs probabilities)`);
    return row.map((p, a): [number, number] => [a, p]).filter(([, p]) => p >= 0.01);
  }
  const best = Math.max(...row);
  const tol = 1e-9 * Math.max(1, Math.abs(best));
  return row.map((q, a): [number, number] => [a, 1]).filter(([a]) => row[a] >= best - tol);
}

function maskOf(fn: string, mask: unknown, letters: string[] | undefined, nS: number): boolean[] {
  if (mask === undefined) {
    return Array.from({ length: nS }, (_, s) => (letters ? letters[s].length === 1 && TERMINAL_LETTERS.includes(letters[s]) : false));
  }
  if (!Array.isArray(mask)) throw new TypeError(`plot.${fn}: options.mask must be boolean[] (one per state) or number[] (state indices), got ${describe(mask)}`);
  if (mask.length > 0 && typeof mask[0] === "boolean") {
    if (mask.length !== nS) throw new RangeError(`plot.${fn}: options.mask has length ${mask.length} but rows × cols = ${nS}`);
    return mask.map((m, i) => {
      if (typeof m !== "boolean") throw new TypeError(`plot.${fn}: options.mask[${i}] is ${describe(m)}; use all booleans or all state indices`);
      return m;
    });
  }
  const out = new Array<boolean>(nS).fill(false);
  mask.forEach((s, i) => {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0 || s >= nS) {
      throw new RangeError(`plot.${fn}: options.mask[${i}] = ${describe(s)} is not a state index in 0…${nS - 1}`);
    }
    out[s] = true;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Histograms and bar charts
// ---------------------------------------------------------------------------------------------

/** Options of {@link histogram}. */
export interface HistogramOptions extends ChartOptions {
  /** Number of equal-width bins spanning min…max of all values (default: Plotly's automatic binning). */
  bins?: number;
  /** Bin width (bins start at a multiple of it); overrides `bins`. */
  binSize?: number;
  /** Bar heights: `"count"` (default), `"probability"` (fractions summing to 1) or `"density"` (area 1). */
  normalize?: "count" | "probability" | "density";
  /** Legend name of a single sample. */
  name?: string;
  /** Bar colour of a single sample. */
  color?: string;
}

/** One named sample of a multi-sample {@link histogram}. */
export interface HistogramSample {
  name: string;
  values: ArrayLike<number>;
  color?: string;
}

/**
 * A histogram of one sample or of several overlaid samples (translucent, shared bins).
 *
 * @param values the sample (`number[]` / `Float64Array`, no NaN) or several `{ name, values }`.
 * @example
 * display(histogram(finalReturns, { bins: 30, xTitle: "return", normalize: "probability" }));
 * display(histogram([{ name: "ε=0.1", values: a }, { name: "ε=0.01", values: b }], { binSize: 5 }));
 */
export function histogram(values: ArrayLike<number> | readonly HistogramSample[], options: HistogramOptions = {}): Figure {
  const fn = "histogram";
  let samples: { name: string; values: number[]; color: string }[];
  if (Array.isArray(values) && values.length > 0 && typeof values[0] === "object" && values[0] !== null) {
    samples = (values as readonly HistogramSample[]).map((s, i) => {
      if (typeof s !== "object" || s === null) throw new TypeError(`plot.${fn}: values[${i}] must be a { name, values } object, got ${describe(s)}`);
      return { name: s.name ?? `sample ${i}`, values: numbers(fn, `values[${i}].values`, s.values), color: s.color ?? PALETTE[i % PALETTE.length] };
    });
  } else {
    samples = [{ name: options.name ?? "values", values: numbers(fn, "values", values), color: options.color ?? PALETTE[0] }];
  }
  if (samples.every((s) => s.values.length === 0)) throw new RangeError(`plot.${fn}: values is empty`);
  const norm = options.normalize ?? "count";
  const histnorm = { count: "", probability: "probability", density: "probability density" }[norm];
  if (histnorm === undefined) throw new RangeError(`plot.${fn}: options.normalize must be "count", "probability" or "density", got ${describe(norm)}`);
  let xbins: Record<string, number> | undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of samples) {
    for (const v of s.values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (options.binSize !== undefined) {
    const size = optionalPositive(fn, "options.binSize", options.binSize) as number;
    const start = Math.floor(lo / size) * size;
    xbins = { start, end: Math.max(hi, start) + size, size };
  } else if (options.bins !== undefined) {
    const bins = positiveInt(fn, "options.bins", options.bins);
    const width = hi > lo ? (hi - lo) / bins : 1;
    // The end is nudged out a little so that the maximum falls inside the last bin.
    xbins = { start: lo, end: hi > lo ? hi + width * 1e-9 : lo + 1, size: width };
  }
  const data: PlotlyTrace[] = samples.map((s) => {
    const t: PlotlyTrace = { type: "histogram", name: s.name, x: s.values, histnorm, marker: { color: s.color } };
    if (xbins) t.xbins = xbins;
    if (samples.length > 1) t.opacity = 0.6;
    return t;
  });
  const layout = baseLayout(fn, options);
  layout.bargap = 0.05;
  if (samples.length > 1) layout.barmode = "overlay";
  if (options.yTitle === undefined) {
    layout.yaxis = { ...layout.yaxis, title: { text: { count: "count", probability: "probability", density: "density" }[norm] } };
  }
  return { data, layout };
}

/** One named group of a grouped {@link barChart}. */
export interface BarGroup {
  name: string;
  values: ArrayLike<number>;
  /** Error bar half-lengths (e.g. std), one per label. */
  errors?: ArrayLike<number>;
  color?: string;
}

/** Options of {@link barChart}. */
export interface BarChartOptions extends ChartOptions {
  /** Horizontal bars (labels on the y axis). */
  horizontal?: boolean;
  /** Error bar half-lengths of a single group, one per label. */
  errors?: ArrayLike<number>;
  /** Colour of a single group, or one colour per bar. */
  color?: string | readonly string[];
  /** Legend name of a single group. */
  name?: string;
  /** Print each value on its bar: `true` (3 significant digits) or a number of decimals. */
  showValues?: boolean | number;
}

/**
 * A bar chart: one bar per label, or grouped bars (one group per series) side by side. Labels are
 * categories (kept in the given order, even numeric ones).
 *
 * @param labels n labels (`string[]` or `number[]`, e.g. action names).
 * @param values n values (no NaN), or several `{ name, values, errors? }` groups of n values each.
 * @example
 * display(barChart(["left", "down", "right", "up"], Q[0], { title: "Q(0, ·)", showValues: true }));
 * display(barChart(algos, [{ name: "mean return", values: means, errors: stds }]));
 */
export function barChart(
  labels: readonly (string | number)[],
  values: ArrayLike<number> | readonly BarGroup[],
  options: BarChartOptions = {},
): Figure {
  const fn = "barChart";
  const ls = nonEmptyArray<string | number>(fn, "labels", labels).map((l, i) => {
    if (typeof l !== "string" && (typeof l !== "number" || !Number.isFinite(l))) {
      throw new TypeError(`plot.${fn}: labels[${i}] is ${describe(l)}; labels must be strings or finite numbers`);
    }
    return String(l);
  });
  let groups: { name: string; values: number[]; errors?: number[]; color?: string | string[] }[];
  if (Array.isArray(values) && values.length > 0 && typeof values[0] === "object" && values[0] !== null && !isArrayLike(values[0])) {
    groups = (values as readonly BarGroup[]).map((g, i) => ({
      name: g.name ?? `group ${i}`,
      values: numbers(fn, `values[${i}].values`, g.values),
      errors: g.errors === undefined ? undefined : numbers(fn, `values[${i}].errors`, g.errors),
      color: g.color ?? PALETTE[i % PALETTE.length],
    }));
  } else {
    const color = options.color === undefined ? PALETTE[0] : typeof options.color === "string" ? options.color : [...options.color];
    if (Array.isArray(color) && color.length !== ls.length) {
      throw new RangeError(`plot.${fn}: options.color has ${color.length} colours but labels has length ${ls.length}`);
    }
    groups = [
      {
        name: options.name ?? "value",
        values: numbers(fn, "values", values),
        errors: options.errors === undefined ? undefined : numbers(fn, "options.errors", options.errors),
        color,
      },
    ];
  }
  const single = groups.length === 1 && !(Array.isArray(values) && typeof values[0] === "object");
  groups.forEach((g, i) => {
    const vName = single ? "values" : `values[${i}].values`;
    if (g.values.length !== ls.length) throw new RangeError(`plot.${fn}: ${vName} has length ${g.values.length} but labels has length ${ls.length}`);
    if (g.errors && g.errors.length !== ls.length) {
      throw new RangeError(`plot.${fn}: ${single ? "options.errors" : `values[${i}].errors`} has length ${g.errors.length} but labels has length ${ls.length}`);
    }
  });
  const digits = options.showValues === true ? undefined : typeof options.showValues === "number" ? options.showValues : undefined;
  const horizontal = options.horizontal ?? false;
  const data: PlotlyTrace[] = groups.map((g) => {
    const t: PlotlyTrace = {
      type: "bar",
      name: g.name,
      x: horizontal ? g.values : ls,
      y: horizontal ? ls : g.values,
      marker: { color: g.color },
    };
    if (horizontal) t.orientation = "h";
    if (g.errors) t[horizontal ? "error_x" : "error_y"] = { type: "data", array: g.errors, visible: true };
    if (options.showValues) {
      t.text = g.values.map((v) => (digits === undefined ? String(Number(v.toPrecision(3))) : v.toFixed(digits)));
      t.textposition = "auto";
    }
    return t;
  });
  const layout = baseLayout(fn, options);
  const catAxis = horizontal ? "yaxis" : "xaxis";
  layout[catAxis] = { ...layout[catAxis], type: "category" };
  if (horizontal) layout.yaxis = { ...layout.yaxis, autorange: "reversed" };
  if (groups.length > 1) layout.barmode = "group";
  else layout.showlegend = false;
  return { data, layout };
}
