/**
 * One seedable pseudo-random number generator for the whole library: environments, space sampling,
 * exploration, minibatch shuffling and weight initialisers all draw from an {@link Rng}.
 *
 * The generator is xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", 2021), seeded through SplitMix32. It works on 32-bit integers with `Math.imul`, so
 * the same seed gives the same stream on every platform and JavaScript engine. Normal variates use
 * the Box–Muller transform with V8's `Math.log`/`Math.cos`, which are software (fdlibm) routines and
 * so also platform independent.
 *
 * It does not reproduce numpy's streams: tests that compare with Gymnasium set the env state directly.
 */

/** SplitMix32 step: returns the next state and a well-mixed 32-bit output. */
function splitMix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z >>> 0];
}

const TWO_POW_32 = 4294967296;

/** Checks that `value` is a safe non-negative integer seed and returns it. */
function checkSeed(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${name} must be a non-negative safe integer, got ${String(value)}`);
  }
  return value;
}

/**
 * A seedable random stream (xoshiro128**).
 *
 * @example
 * const rng = new Rng(42);
 * rng.random();        // uniform in [0, 1)
 * rng.integers(0, 6);  // a die roll in {0,…,5}
 * const [a, b] = rng.split(2); // two independent streams
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;
  /** The seed this stream was created from (a random one when none was given). */
  readonly seed: number;

  /**
   * @param seed non-negative safe integer; omitted: a fresh seed from `Math.random()`.
   * @throws TypeError when `seed` is negative, fractional, NaN or above 2^53 − 1.
   */
  constructor(seed?: number) {
    this.seed =
      seed === undefined ? Math.floor(Math.random() * Number.MAX_SAFE_INTEGER) : checkSeed(seed, "seed");
    // Mix the low and high 32-bit halves of the seed into the SplitMix32 state.
    let sm = (this.seed % TWO_POW_32) | 0;
    const hi = Math.floor(this.seed / TWO_POW_32) | 0;
    let out: number;
    [sm, out] = splitMix32(sm ^ Math.imul(hi, 0x27d4eb2d));
    this.s0 = out | 0;
    [sm, out] = splitMix32(sm);
    this.s1 = out | 0;
    [sm, out] = splitMix32(sm);
    this.s2 = out | 0;
    [, out] = splitMix32(sm);
    this.s3 = out | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is absorbing
  }

  /**
   * The generator's four 32-bit state words (unsigned), e.g. to checkpoint a run.
   * The cached second Box–Muller variate is not part of it.
   */
  getState(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /**
   * A generator continuing from state words saved by {@link Rng.getState}.
   * @throws RangeError unless `state` is four unsigned 32-bit integers, not all zero.
   */
  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32) || state.every((w) => w === 0)) {
      throw new RangeError(`Rng.fromState: state must be four unsigned 32-bit integers, not all zero, got [${state.join(", ")}]`);
    }
    const rng = new Rng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = state.map((w) => w | 0);
    return rng;
  }

  /** Next raw 32-bit output as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * Uniform double in [low, high).
   * @throws RangeError when `low` or `high` is not finite or `high < low`.
   */
  uniform(low = 0, high = 1): number {
    if (!Number.isFinite(low) || !Number.isFinite(high) || high < low) {
      throw new RangeError(`uniform(low, high) needs finite low <= high, got low=${low}, high=${high}`);
    }
    return low + (high - low) * this.random();
  }

  /**
   * Normal variate N(mean, std²) by the Box–Muller transform (pairs are cached).
   * @throws RangeError when `std` is negative or not finite.
   */
  normal(mean = 0, std = 1): number {
    if (!(std >= 0) || !Number.isFinite(std)) throw new RangeError(`normal(): std must be finite and >= 0, got ${std}`);
    let z: number;
    if (this.spareNormal !== null) {
      z = this.spareNormal;
      this.spareNormal = null;
    } else {
      let u1 = this.random();
      while (u1 === 0) u1 = this.random();
      const u2 = this.random();
      const r = Math.sqrt(-2 * Math.log(u1));
      z = r * Math.cos(2 * Math.PI * u2);
      this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    }
    return mean + std * z;
  }

  /**
   * Uniform integer in [low, high) (numpy's `Generator.integers` convention), without modulo bias.
   * `integers(n)` is shorthand for `integers(0, n)`.
   * @throws RangeError when the bounds are not safe integers or the range is empty.
   */
  integers(low: number, high?: number): number {
    if (high === undefined) [low, high] = [0, low];
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      throw new RangeError(`integers(low, high) needs safe integers with low < high, got low=${low}, high=${high}`);
    }
    const range = high - low;
    if (range <= TWO_POW_32) {
      // Rejection sampling on 32-bit outputs: accept below the largest multiple of `range`.
      const limit = TWO_POW_32 - (TWO_POW_32 % range);
      let x = this.nextUint32();
      while (x >= limit) x = this.nextUint32();
      return low + (x % range);
    }
    return low + Math.floor(this.random() * range);
  }

  /**
   * Draws an index in [0, n) — or an element of `items` — uniformly, or with probabilities `p`.
   * @param p optional probabilities, one per item, non-negative, summing to 1 within 1e-8.
   * @throws RangeError when there are no items or `p` has the wrong length or is not a distribution.
   */
  choice(n: number, p?: ArrayLike<number>): number;
  choice<T>(items: readonly T[], p?: ArrayLike<number>): T;
  choice<T>(items: number | readonly T[], p?: ArrayLike<number>): T | number {
    const n = typeof items === "number" ? items : items.length;
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`choice() needs at least one item, got ${n}`);
    let index: number;
    if (p === undefined) {
      index = this.integers(0, n);
    } else {
      if (p.length !== n) throw new RangeError(`choice(): p has length ${p.length}, expected ${n}`);
      let total = 0;
      for (let i = 0; i < n; i++) {
        if (!(p[i] >= 0)) throw new RangeError(`choice(): p[${i}] = ${p[i]} is not a probability`);
        total += p[i];
      }
      if (Math.abs(total - 1) > 1e-8) throw new RangeError(`choice(): p sums to ${total}, expected 1`);
      index = categoricalIndex(p, this.random() * total, 0, n);
    }
    return typeof items === "number" ? index : items[index];
  }

  /**
   * Index drawn from the probabilities `p[offset]`, …, `p[offset + n − 1]` with one uniform draw
   * (inverse CDF: the first index whose cumulative probability exceeds u, as Gymnasium's
   * `categorical_sample`), returned relative to `offset`. Unchecked, for inner loops: the entries
   * must be non-negative and sum to 1 (see {@link Rng.choice} for a checked draw).
   */
  categorical(p: ArrayLike<number>, offset = 0, n = p.length - offset): number {
    return categoricalIndex(p, this.random(), offset, n);
  }

  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle<T, A extends { length: number; [i: number]: T }>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.integers(0, i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of 0…n−1 as an Int32Array. */
  permutation(n: number): Int32Array {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`permutation(n) needs an integer n >= 0, got ${n}`);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /**
   * `n` new independent streams, each seeded from this one (this stream advances by `n` draws).
   * Use it to give every env of a vector env, or every seed of a sweep, its own generator.
   */
  split(n: number): Rng[] {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`split(n) needs an integer n >= 0, got ${n}`);
    return Array.from({ length: n }, () => new Rng(this.nextUint32() * 2097152 + (this.nextUint32() >>> 11)));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Index i (relative to `offset`) at which the cumulative sum of `p` first exceeds `u`; the last positive entry on round-off. */
function categoricalIndex(p: ArrayLike<number>, u: number, offset: number, n: number): number {
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < n; i++) {
    const pi = p[offset + i];
    if (pi > 0) last = i;
    cumulative += pi;
    if (u < cumulative) return i;
  }
  return last;
}

/**
 * Resolves an optional seed into an {@link Rng}: a number makes a new stream, an `Rng` is used as is,
 * `undefined` makes an unseeded stream.
 */
export function toRng(seed?: number | Rng): Rng {
  return seed instanceof Rng ? seed : new Rng(seed);
}
