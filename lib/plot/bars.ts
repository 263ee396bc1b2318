/**
 * Distributions and comparisons: {@link histogram} (one sample or several overlaid) and
 * {@link barChart} (one bar per label, or grouped bars with error bars).
 */

import { ChartOptions, Figure, PALETTE, PlotlyTrace } from "./spec";
import { baseLayout, describe, isArrayLike, nonEmptyArray, numbers, optionalPositive, positiveInt } from "./common";

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
