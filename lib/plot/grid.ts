/**
 * What the grid maps ({@link heatmap}, {@link policyArrows}) share: colour scales, per-cell text,
 * the square-cell layout, and value formatting.
 *
 * Grids follow Gymnasium's toy-text convention: a `rows × cols` map is flattened in row-major order,
 * state `s = row * cols + col`, and row 0 is drawn at the top (as `env.render()` prints it).
 */

import { ChartOptions, PlotlyLayout } from "./spec";
import { Rgb, baseLayout, describe, nanToNull, parseColor } from "./common";

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

export interface Scale {
  stops: [number, string][];
  rgb: [number, Rgb][];
}

export function resolveScale(fn: string, scale: unknown): Scale {
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
export function colorAt(scale: Scale, t: number): Rgb {
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

export function cellTexts(fn: string, name: string, text: unknown, rows: number, cols: number): string[] {
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

export function gridLayout(fn: string, o: ChartOptions, rows: number, cols: number, colorbar: boolean): Partial<PlotlyLayout> {
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
export function toGrid(values: readonly number[], rows: number, cols: number): (number | null)[][] {
  const z: (number | null)[][] = [];
  for (let r = 0; r < rows; r++) z.push(nanToNull(values.slice(r * cols, (r + 1) * cols)));
  return z;
}

export function stateGrid(rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => r * cols + c));
}

export function finiteRange(values: readonly number[], zmin?: number, zmax?: number): [number, number] {
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

export function formatValue(v: number, digits: number): string {
  if (Number.isNaN(v)) return "";
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 10 ** -digits)) return v.toExponential(Math.max(1, digits - 1));
  return v.toFixed(digits);
}
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);
}

