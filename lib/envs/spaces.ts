/**
 * Observation and action spaces, after Gymnasium's `gymnasium.spaces.Discrete` and `Box`.
 * A space describes a set of values; it can sample one, test membership (`contains`), and
 * `validate` an action with an error that names the argument and what was expected.
 */
import { Rng } from "../random";

/** Common interface of all spaces. `T` is the type of one element. */
export interface Space<T> {
  /** Shape of one element: `[]` for a scalar (Discrete), `[n]` for a vector Box. */
  readonly shape: readonly number[];
  /** Draws a uniformly random element (Box: see {@link Box.sample}). */
  sample(): T;
  /** True when `x` is an element of the space (type, length, bounds and integrality checked). */
  contains(x: unknown): boolean;
  /**
   * Throws a `TypeError`/`RangeError` naming `name` when `x` cannot be used as an element, and
   * returns it typed. Box spaces check length and finiteness only; bounds are the env's business
   * (Gymnasium clips continuous actions inside the env).
   */
  validate(x: unknown, name: string): T;
  /** Re-seeds the space's own generator (Gymnasium: `space.seed(seed)`). */
  seed(seed?: number): void;
}

/**
 * The integers {start, …, start + n − 1} (Gymnasium `Discrete(n, start)`). Elements are numbers.
 */
export class Discrete implements Space<number> {
  readonly shape: readonly number[] = [];
  private rng: Rng;

  /**
   * @param n number of elements, a positive integer.
   * @param start the smallest element (default 0).
   * @throws RangeError when `n` is not a positive integer or `start` not an integer.
   */
  constructor(
    readonly n: number,
    readonly start = 0,
    seed?: number,
  ) {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`Discrete: n must be a positive integer, got ${n}`);
    if (!Number.isSafeInteger(start)) throw new RangeError(`Discrete: start must be an integer, got ${start}`);
    this.rng = new Rng(seed);
  }

  sample(): number {
    return this.start + this.rng.integers(0, this.n);
  }

  contains(x: unknown): boolean {
    return typeof x === "number" && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  validate(x: unknown, name: string): number {
    if (!this.contains(x)) {
      const got = typeof x === "number" ? String(x) : `${typeof x} ${JSON.stringify(x) ?? String(x)}`;
      throw new RangeError(
        `${name} must be an integer in [${this.start}, ${this.start + this.n - 1}] (${this}), got ${got}`,
      );
    }
    return x as number;
  }

  seed(seed?: number): void {
    this.rng = new Rng(seed);
  }

  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}

/** A continuous action or observation as accepted by a Box: any array-like of numbers. */
export type BoxValue = Float32Array | Float64Array | readonly number[];

/**
 * The box low ≤ x ≤ high in R^n (Gymnasium `Box(low, high, shape, float32)`), one-dimensional.
 * Elements are `Float32Array`s, like Gymnasium's float32 arrays. Bounds may be ±Infinity.
 */
export class Box implements Space<Float32Array> {
  readonly shape: readonly number[];
  readonly low: Float32Array;
  readonly high: Float32Array;
  private rng: Rng;

  /**
   * @param low lower bounds (one per dimension), or a scalar with `size`.
   * @param high upper bounds, or a scalar with `size`.
   * @param size the dimension when `low` and `high` are scalars.
   * @throws RangeError on mismatched lengths, NaN bounds or low > high.
   */
  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, size?: number, seed?: number) {
    const n = typeof low === "number" ? (typeof high === "number" ? size : high.length) : low.length;
    if (n === undefined || !Number.isSafeInteger(n) || n <= 0) {
      throw new RangeError(`Box: give low/high arrays or a positive integer size, got size=${size}`);
    }
    this.low = Float32Array.from({ length: n }, (_, i) => (typeof low === "number" ? low : low[i]));
    this.high = Float32Array.from({ length: n }, (_, i) => (typeof high === "number" ? high : high[i]));
    if (typeof high !== "number" && high.length !== n) throw new RangeError(`Box: low has ${n} entries, high has ${high.length}`);
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(this.low[i]) || Number.isNaN(this.high[i]) || this.low[i] > this.high[i]) {
        throw new RangeError(`Box: bound ${i} is invalid (low=${this.low[i]}, high=${this.high[i]})`);
      }
    }
    this.shape = [n];
    this.rng = new Rng(seed);
  }

  /**
   * A random element, as Gymnasium samples a Box: uniform on bounded dimensions, exponential
   * shifted from the finite bound on half-bounded ones, standard normal on unbounded ones.
   */
  sample(): Float32Array {
    const out = new Float32Array(this.low.length);
    for (let i = 0; i < out.length; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      const loFinite = Number.isFinite(lo);
      const hiFinite = Number.isFinite(hi);
      if (loFinite && hiFinite) out[i] = this.rng.uniform(lo, hi);
      else if (loFinite) out[i] = lo - Math.log(1 - this.rng.random());
      else if (hiFinite) out[i] = hi + Math.log(1 - this.rng.random());
      else out[i] = this.rng.normal();
      // Rounding to float32 can step just outside the bounds: keep the sample inside.
      out[i] = Math.min(Math.max(out[i], lo), hi);
    }
    return out;
  }

  contains(x: unknown): boolean {
    if (!isNumberArray(x) || x.length !== this.low.length) return false;
    for (let i = 0; i < x.length; i++) {
      if (!(x[i] >= this.low[i] && x[i] <= this.high[i])) return false;
    }
    return true;
  }

  validate(x: unknown, name: string): Float32Array {
    if (!isNumberArray(x)) {
      throw new TypeError(`${name} must be an array of ${this.low.length} numbers for ${this}, got ${describe(x)}`);
    }
    if (x.length !== this.low.length) {
      throw new RangeError(`${name} must have length ${this.low.length} for ${this}, got length ${x.length}`);
    }
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) throw new RangeError(`${name}[${i}] must be a finite number, got ${x[i]}`);
    }
    return x instanceof Float32Array ? x : Float32Array.from(x);
  }

  seed(seed?: number): void {
    this.rng = new Rng(seed);
  }

  toString(): string {
    const fmt = (a: Float32Array) => `[${Array.from(a, shortestFloat32).join(", ")}]`;
    return `Box(${fmt(this.low)}, ${fmt(this.high)}, (${this.low.length},), float32)`;
  }
}

/** The shortest decimal that reads back as the same float32 (4.8, not 4.800000190734863). */
function shortestFloat32(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let digits = 1; digits < 9; digits++) {
    const text = Number(v.toPrecision(digits));
    if (Math.fround(text) === v) return String(text);
  }
  return String(v);
}

function isNumberArray(x: unknown): x is ArrayLike<number> {
  if (x instanceof Float32Array || x instanceof Float64Array) return true;
  return Array.isArray(x) && x.every((v) => typeof v === "number");
}

function describe(x: unknown): string {
  if (typeof x === "number") return `the number ${x}`;
  if (Array.isArray(x)) return `an array containing ${x.map((v) => typeof v).join(", ")}`;
  return x === null ? "null" : typeof x;
}
