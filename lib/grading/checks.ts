/**
 * Checks for graded test cells. Each check prints one readable line — what was checked, and on
 * failure the expected and actual values and a hint — and throws on failure, so the cell fails
 * and the grader withholds its points.
 *
 * @example
 * check.close("discounted return", G, 2.71, { atol: 1e-6, hint: "G_t = r_{t+1} + γ G_{t+1}" });
 */

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

/** Thrown by a failing check; its message is the printed line. */
export class CheckFailure extends Error {
  override name = "CheckFailure";
}

function pass(what: string, detail: string): void {
  console.log(`✔ ${what}: ${detail}`);
}

function fail(what: string, detail: string, options: CheckOptions): never {
  const line = `✘ ${what}: ${detail}${options.hint ? ` — hint: ${options.hint}` : ""}`;
  console.log(line);
  throw new CheckFailure(line);
}

function show(x: unknown): string {
  if (typeof x === "number") return Number.isInteger(x) ? String(x) : x.toPrecision(8).replace(/\.?0+$/, "");
  if (isNumeric(x)) {
    const items = Array.from(x as ArrayLike<number>, show);
    return `[${items.length > 8 ? [...items.slice(0, 8), `… (${items.length} numbers)`].join(", ") : items.join(", ")}]`;
  }
  return JSON.stringify(x) ?? String(x);
}

function isNumeric(x: unknown): boolean {
  return ArrayBuffer.isView(x) || (Array.isArray(x) && x.every((v) => typeof v === "number"));
}

/** Flattens a number, an array of numbers, a typed array or nested arrays into one list. */
function flatten(x: unknown): number[] | undefined {
  if (typeof x === "number") return [x];
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) {
    const out: number[] = [];
    for (const item of x) {
      const inner = flatten(item);
      if (!inner) return undefined;
      out.push(...inner);
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
  const atol = options.atol ?? 1e-8;
  const rtol = options.rtol ?? 1e-5;
  const a = flatten(actual);
  const e = flatten(expected);
  if (!e) throw new TypeError(`check.close(${what}): expected must be numbers, got ${show(expected)}`);
  if (!a) fail(what, `expected numbers like ${show(expected)}, got ${show(actual)}`, options);
  if (a.length !== e.length) fail(what, `expected ${e.length} numbers, got ${a.length}`, options);
  let worst = -1;
  let worstGap = 0;
  for (let i = 0; i < e.length; i++) {
    const gap = Math.abs(a[i] - e[i]);
    if (!(gap <= atol + rtol * Math.abs(e[i])) && (worst < 0 || !(gap <= worstGap))) {
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
  const norm = (x: unknown) => JSON.stringify(x, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v));
  if (norm(actual) !== norm(expected)) fail(what, `expected ${show(expected)}, got ${show(actual)}`, options);
  pass(what, show(actual));
}

/** Passes when `actual` has the given shape: nested array lengths, or a tensor's `.shape`. */
export function shape(what: string, actual: unknown, expected: readonly number[], options: CheckOptions = {}): void {
  const found: number[] = [];
  if (actual && typeof actual === "object" && "shape" in actual && Array.isArray((actual as { shape: unknown }).shape)) {
    found.push(...((actual as { shape: number[] }).shape));
  } else {
    let x: unknown = actual;
    while (Array.isArray(x) || ArrayBuffer.isView(x)) {
      found.push((x as ArrayLike<unknown>).length);
      x = (x as ArrayLike<unknown>)[0];
    }
  }
  if (found.join(",") !== expected.join(",")) fail(what, `expected shape [${expected.join(", ")}], got [${found.join(", ")}]`, options);
  pass(what, `shape [${found.join(", ")}]`);
}

/** Passes when `fn()` throws, and its message matches `pattern` when given. */
export function throws(what: string, fn: () => unknown, pattern?: RegExp, options: CheckOptions = {}): void {
  try {
    fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (pattern && !pattern.test(message)) fail(what, `threw "${message}", expected a message matching ${pattern}`, options);
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
