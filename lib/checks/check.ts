/**
 * Checks for graded test cells. Each check prints one readable line — what was checked, and on
 * failure the expected and actual values and a hint — and throws on failure, so the cell fails
 * and the grader withholds its points.
 *
 * @example
 * check.close("discounted return", G, 2.71, { atol: 1e-6, hint: "G_t = r_{t+1} + γ G_{t+1}" });
 *
 * **Tamper resistance.** The verdicts use only built-ins captured when this module loads
 * (`Math.abs`, `Array.isArray`, `ArrayBuffer.isView`, `JSON.stringify`, `Reflect.apply`, the typed
 * arrays' `length` getter, `RegExp.prototype.exec`, ...), index loops instead of iterators, and
 * own properties only (of option objects and array elements), so a notebook that later replaces
 * `Math.abs`, `Array.prototype[Symbol.iterator]` or adds `Object.prototype.atol` does not change
 * what a check decides. (`rlcourse grade` additionally checks, before each test, that the
 * built-ins and these functions are unchanged: see lib/grading/guard.ts.)
 */

import * as printer from "./printer";

// Built-ins, captured at module load, before any notebook code runs.
const print = printer.print;
const { abs } = Math;
const { isArray } = Array;
const { isView } = ArrayBuffer;
const { isInteger } = Number;
const { stringify } = JSON;
const { apply } = Reflect;
const { hasOwn, getOwnPropertyDescriptor, getPrototypeOf } = Object;
const StringOf = String;
const NumberOf = Number;
const DataViewOf = DataView;
const typedArrayLength = getOwnPropertyDescriptor(getPrototypeOf(Uint8Array.prototype), "length")!.get!;
const toPrecision = Number.prototype.toPrecision;
const replace = String.prototype.replace;
const regExpExec = RegExp.prototype.exec;
const TRAILING_ZEROS = /\.?0+$/;
const { defineProperty } = Object;
/** Where the course's kernel (tslab, as patched) reads the traceback an error wants shown instead of its stack. */
const TRACEBACK = Symbol.for("tslab.traceback");

/** The length of an array (own `length`) or of a typed array or DataView (captured getter). */
function lengthOf(x: unknown): number {
  if (isArray(x)) return (x as unknown[]).length;
  if (x instanceof DataViewOf) return x.byteLength;
  return apply(typedArrayLength, x, []) as number;
}

/** Element `i` of an array (own elements only: holes are `undefined`) or typed array. */
function at(x: unknown, i: number): unknown {
  return isArray(x) ? (hasOwn(x, i) ? (x as unknown[])[i] : undefined) : (x as ArrayLike<unknown>)[i];
}

/** An option's own value (never one inherited from Object.prototype), or `undefined`. */
function option<T>(options: object, key: string): T | undefined {
  return hasOwn(options, key) ? ((options as Record<string, unknown>)[key] as T) : undefined;
}

/** Options shared by the checks. */
export interface CheckOptions {
  /** Shown after a failure, e.g. the formula to use. */
  hint?: string;
}

/** Tolerances of {@link close}: pass when |actual − expected| ≤ atol + rtol·|expected| elementwise. */
export interface CloseOptions extends CheckOptions {
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Relative tolerance (default 1e-5, as numpy's `allclose`). */
  rtol?: number;
}

/**
 * Thrown by a failing check; its message is the printed line. In the notebook the line shows once:
 * the cell's error says only that the check above failed, without stack frames (the kernel reads
 * `Symbol.for("tslab.traceback")`, see patches/tslab+1.0.22.patch).
 */
export class CheckFailure extends Error {
  override name = "CheckFailure";

  /** @param message the printed line (an explicit constructor: a default one would spread its arguments through the patchable array iterator) */
  constructor(message: string) {
    super(message);
    defineProperty(this, TRACEBACK, { value: ["CheckFailure: the check above failed (its ✘ line says what was expected)"] });
  }
}

function pass(what: string, detail: string): void {
  print(`✔ ${what}: ${detail}`);
}

function fail(what: string, detail: string, options: CheckOptions): never {
  const hint = option<string>(options, "hint");
  const line = `✘ ${what}: ${detail}${hint ? ` — hint: ${hint}` : ""}`;
  print(line);
  throw new CheckFailure(line);
}

function show(x: unknown): string {
  if (typeof x === "number") {
    return isInteger(x) ? StringOf(x) : (apply(replace, apply(toPrecision, x, [8]), [TRAILING_ZEROS, ""]) as string);
  }
  if (isNumeric(x)) {
    const n = lengthOf(x);
    let text = "";
    for (let i = 0; i < n && i < 8; i++) text += (i > 0 ? ", " : "") + show(at(x, i));
    return `[${n > 8 ? `${text}, … (${n} numbers)` : text}]`;
  }
  return stringify(x) ?? StringOf(x);
}

function isNumeric(x: unknown): boolean {
  if (isView(x)) return true;
  if (!isArray(x)) return false;
  for (let i = 0; i < (x as unknown[]).length; i++) if (typeof at(x, i) !== "number") return false;
  return true;
}

/** Flattens a number, an array of numbers, a typed array or nested arrays into one list. */
function flatten(x: unknown): number[] | undefined {
  if (typeof x === "number") return [x];
  if (isView(x) && !(x instanceof DataViewOf)) {
    const out: number[] = [];
    const n = lengthOf(x);
    for (let i = 0; i < n; i++) out[i] = NumberOf(at(x, i));
    return out;
  }
  if (isArray(x)) {
    const out: number[] = [];
    const n = lengthOf(x);
    for (let i = 0; i < n; i++) {
      const inner = flatten(at(x, i));
      if (!inner) return undefined;
      for (let j = 0; j < inner.length; j++) out[out.length] = inner[j]!;
    }
    return out;
  }
  return undefined;
}

/**
 * Passes when `actual` and `expected` (numbers, arrays, typed arrays or nested arrays of the same
 * length) agree within the tolerances. NaN never passes.
 */
export function close(what: string, actual: unknown, expected: unknown, options: CloseOptions = {}): void {
  const atol = option<number>(options, "atol") ?? 1e-8;
  const rtol = option<number>(options, "rtol") ?? 1e-5;
  const a = flatten(actual);
  const e = flatten(expected);
  if (!e) throw new TypeError(`check.close(${what}): expected must be numbers, got ${show(expected)}`);
  if (!a) fail(what, `expected numbers like ${show(expected)}, got ${show(actual)}`, options);
  if (a.length !== e.length) fail(what, `expected ${e.length} numbers, got ${a.length}`, options);
  let worst = -1;
  let worstGap = 0;
  for (let i = 0; i < e.length; i++) {
    const gap = abs(a[i]! - e[i]!);
    if (!(gap <= atol + rtol * abs(e[i]!)) && (worst < 0 || !(gap <= worstGap))) {
      worst = i;
      worstGap = gap;
    }
  }
  if (worst >= 0) {
    const where = e.length > 1 ? ` (first largest gap at index ${worst}: ${show(a[worst])} vs ${show(e[worst])})` : "";
    fail(what, `expected ${show(expected)}, got ${show(actual)}${where}`, options);
  }
  pass(what, `${show(actual)} ≈ ${show(expected)}`);
}

/** Passes when `actual` deep-equals `expected` (JSON structure; typed arrays compare as arrays). */
export function equal(what: string, actual: unknown, expected: unknown, options: CheckOptions = {}): void {
  const norm = (x: unknown) => stringify(x, (_k, v) => (isView(v) && !(v instanceof DataViewOf) ? flatten(v) : v));
  if (norm(actual) !== norm(expected)) fail(what, `expected ${show(expected)}, got ${show(actual)}`, options);
  pass(what, show(actual));
}

/** Passes when `actual` has the given shape: nested array lengths, or a tensor's `.shape`. */
export function shape(what: string, actual: unknown, expected: readonly number[], options: CheckOptions = {}): void {
  const found: number[] = [];
  if (actual && typeof actual === "object" && "shape" in actual && isArray((actual as { shape: unknown }).shape)) {
    const dims = (actual as { shape: unknown[] }).shape;
    for (let i = 0; i < dims.length; i++) found[i] = dims[i] as number;
  } else {
    let x: unknown = actual;
    while (isArray(x) || (isView(x) && !(x instanceof DataViewOf))) {
      found[found.length] = lengthOf(x);
      x = at(x, 0);
    }
  }
  let same = found.length === expected.length;
  for (let i = 0; same && i < found.length; i++) same = found[i] === expected[i];
  if (!same) fail(what, `expected shape [${expected.join(", ")}], got [${found.join(", ")}]`, options);
  pass(what, `shape [${found.join(", ")}]`);
}

/** Passes when `fn()` throws, and its message matches `pattern` when given. */
export function throws(what: string, fn: () => unknown, pattern?: RegExp, options: CheckOptions = {}): void {
  try {
    fn();
  } catch (err) {
    const message = err instanceof Error ? StringOf(err.message) : StringOf(err);
    if (pattern && apply(regExpExec, pattern, [message]) === null) fail(what, `threw "${message}", expected a message matching ${pattern}`, options);
    pass(what, `threw "${message}"`);
    return;
  }
  fail(what, "expected an error, but nothing was thrown", options);
}

/** Passes when `condition` is true; `detail` describes what was found. */
export function ok(what: string, condition: boolean, detail = "", options: CheckOptions = {}): void {
  if (!condition) fail(what, detail || "condition is false", options);
  pass(what, detail || "true");
}
