/**
 * Policies for the prediction methods: π(a|s) given as a function of the state or as a table.
 */
import type { Rng } from "../random";

/** π(·|s) as a function: returns nA probabilities (non-negative, summing to 1). */
export type PolicyFunction = (s: number) => ArrayLike<number>;

/**
 * A stochastic policy π(a|s), in one of three forms:
 * - a function `s => probabilities` ({@link PolicyFunction});
 * - a flat table of nS × nA probabilities, row-major (`pi[s * nA + a]`), e.g. a `Float64Array`;
 * - an array of nS rows of nA probabilities (`pi[s][a]`).
 */
export type Policy = PolicyFunction | ArrayLike<number> | readonly ArrayLike<number>[];

/** Tolerance on Σ_a π(a|s) = 1. */
const SUM_TOLERANCE = 1e-8;

function checkRow(row: ArrayLike<number> | undefined, nA: number, label: string, where: string): void {
  if (row === null || row === undefined || typeof row !== "object" || row.length !== nA) {
    throw new RangeError(`${where}: ${label} must be ${nA} action probabilities, got ${row === undefined ? "undefined" : `length ${(row as ArrayLike<number>)?.length}`}`);
  }
  let total = 0;
  for (let a = 0; a < nA; a++) {
    const p = row[a];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${where}: ${label}[${a}] = ${p} is not a probability`);
    total += p;
  }
  if (Math.abs(total - 1) > SUM_TOLERANCE) throw new RangeError(`${where}: ${label} sums to ${total}, expected 1`);
}

/** A policy checked against the env's sizes: its probabilities and a sampler. */
export interface PolicySampler {
  /** π(·|s), length nA. */
  probs(s: number): ArrayLike<number>;
  /** Draws A ~ π(·|s) with one uniform draw of `rng`. */
  sample(s: number, rng: Rng): number;
}

/**
 * Checks a {@link Policy} against nS states and nA actions and returns its sampler. Tables are
 * checked entirely at once; a function's output is checked at every call.
 *
 * @throws TypeError when `policy` has none of the accepted forms; RangeError when a table has the
 *   wrong shape or a row is not a probability distribution (sum 1 within 1e-8).
 */
export function toPolicySampler(policy: Policy, nS: number, nA: number, where = "policy"): PolicySampler {
  if (typeof policy === "function") {
    return {
      probs(s) {
        const row = policy(s);
        checkRow(row, nA, `policy(${s})`, where);
        return row;
      },
      sample(s, rng) {
        return rng.categorical(this.probs(s));
      },
    };
  }
  if (policy === null || typeof policy !== "object" || typeof (policy as ArrayLike<unknown>).length !== "number") {
    throw new TypeError(`${where}: policy must be a function s => probabilities or a table of nS × nA probabilities, got ${String(policy)}`);
  }
  const table = new Float64Array(nS * nA);
  const first = (policy as ArrayLike<unknown>)[0];
  if (typeof first === "object" && first !== null) {
    const rows = policy as readonly ArrayLike<number>[];
    if (rows.length !== nS) throw new RangeError(`${where}: the policy table has ${rows.length} rows, expected nS = ${nS}`);
    for (let s = 0; s < nS; s++) {
      checkRow(rows[s], nA, `policy[${s}]`, where);
      for (let a = 0; a < nA; a++) table[s * nA + a] = rows[s][a];
    }
  } else {
    const flat = policy as ArrayLike<number>;
    if (flat.length !== nS * nA) {
      throw new RangeError(`${where}: the flat policy table has length ${flat.length}, expected nS × nA = ${nS * nA}`);
    }
    for (let s = 0; s < nS; s++) {
      const row = Array.prototype.slice.call(flat, s * nA, (s + 1) * nA) as number[];
      checkRow(row, nA, `policy[${s}]`, where);
      for (let a = 0; a < nA; a++) table[s * nA + a] = row[a];
    }
  }
  return {
    probs: (s) => table.subarray(s * nA, (s + 1) * nA),
    sample(s, rng) {
      return rng.categorical(table, s * nA, nA);
    },
  };
}
