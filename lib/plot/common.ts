/**
 * Helpers shared by the figure builders (internal: not re-exported by the plot entry point): colour
 * parsing, argument validation, and the layout every builder starts from.
 *
 * Inputs are validated; errors are `TypeError` (wrong kind of value) or `RangeError` (wrong length,
 * NaN, out of range) whose message starts with `plot.<builder>:` and names the argument.
 */

import { ChartOptions, PlotlyLayout } from "./spec";

export type Rgb = [number, number, number];

/** Parses `#rgb`, `#rrggbb`, `rgb(r,g,b)` and `rgba(r,g,b,a)`; `null` for anything else (e.g. "red"). */
export function parseColor(color: string): Rgb | null {
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
export function withAlpha(color: string, alpha: number): string | null {
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
export function inkOn(background: Rgb): string {
  return luminance(background) > 0.3 ? "#111111" : "#ffffff";
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === "string") return JSON.stringify(v.length > 20 ? v.slice(0, 20) + "…" : v);
  if (typeof v === "object") return (v as object).constructor?.name ?? "an object";
  return `${typeof v} ${String(v)}`;
}

export function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/**
 * Checks that `v` is an array (or typed array) of numbers and copies it into a plain `number[]`.
 * NaN is rejected unless `allowNaN`; ±Infinity is always rejected.
 */
export function numbers(fn: string, name: string, v: unknown, allowNaN = false): number[] {
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
export function nanToNull(xs: readonly number[]): (number | null)[] {
  return xs.map((x) => (Number.isNaN(x) ? null : x));
}

export function positiveInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`plot.${fn}: ${name} must be a positive integer, got ${describe(v)}`);
  }
  return v;
}

export function optionalPositive(fn: string, name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    throw new RangeError(`plot.${fn}: ${name} must be a positive number, got ${describe(v)}`);
  }
  return v;
}

export function nonEmptyArray<T>(fn: string, name: string, v: unknown): readonly T[] {
  if (!Array.isArray(v)) throw new TypeError(`plot.${fn}: ${name} must be an array, got ${describe(v)}`);
  if (v.length === 0) throw new RangeError(`plot.${fn}: ${name} is empty`);
  return v as readonly T[];
}

/** The layout every builder starts from: titles, size and margins. */
export function baseLayout(fn: string, o: ChartOptions): Partial<PlotlyLayout> {
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
