/**
 * Tabular policies π(a | s) as `nS × nA` tables (a flat `Float64Array`, index `s * nA + a`, each
 * row a probability distribution), and the usual ways to derive one from action values Q:
 * greedy, ε-greedy, softmax (Boltzmann), uniform random. Sutton & Barto §3.5 (policies), §4.2
 * (greedy policies), §2.3 and §5.4 (ε-greedy), §2.8 / §13.1 (softmax in action preferences).
 */
import type { Rng } from "../random";
import { PROBABILITY_TOLERANCE, checkVector } from "./mdp";

/** A stochastic policy table: `policy[s * nA + a] = π(a | s)`, rows summing to 1. */
export type PolicyTable = Float64Array;

/** How {@link greedyPolicy} treats tied maximal actions. */
export type TieBreak = "first" | "split";

/** Options of the greedy policies. */
export interface GreedyOptions {
  /**
   * `"first"` (default): all probability on the lowest-index maximal action, as numpy's `argmax`
   * (deterministic and reproducible; S&B break ties arbitrarily). `"split"`: equal probability on
   * every maximal action (the limit of the softmax policy as T → 0).
   */
  ties?: TieBreak;
  /**
   * Actions whose value is within `tieTolerance · max(1, |max_a Q(s, a)|)` of the maximum count as
   * tied (absorbs round-off, so symmetric states get the same action). Default 1e-9; 0 = exact.
   */
  tieTolerance?: number;
}

/** Default relative tolerance for ties between action values. */
export const DEFAULT_TIE_TOLERANCE = 1e-9;

/**
 * Checks a policy table: `nS · nA` entries, each in [0, 1], each row summing to 1 (within 1e-9).
 * @throws TypeError/RangeError naming `name`, the state and the offending sum or entry.
 */
export function checkPolicy(policy: unknown, nS: number, nA: number, name = "policy", where = "checkPolicy"): ArrayLike<number> {
  const pi = checkVector(policy, nS * nA, name, where);
  for (let s = 0; s < nS; s++) {
    let total = 0;
    for (let a = 0; a < nA; a++) {
      const p = pi[s * nA + a];
      if (!(p >= 0 && p <= 1)) throw new RangeError(`${where}: ${name}[${s * nA + a}] = π(${a} | ${s}) = ${p} is not a probability`);
      total += p;
    }
    if (Math.abs(total - 1) > PROBABILITY_TOLERANCE) {
      throw new RangeError(`${where}: ${name} row ${s} (π(· | ${s})) sums to ${total}, expected 1 (a ${nS}×${nA} table, index s * nA + a)`);
    }
  }
  return pi;
}

/** Number of states of a `nS · nA` table given nA. @throws RangeError when it does not divide. */
function statesOf(Q: unknown, nA: number, where: string): number {
  if (!Number.isSafeInteger(nA) || nA <= 0) throw new RangeError(`${where}: nA must be a positive integer, got ${nA}`);
  if (typeof Q !== "object" || Q === null || typeof (Q as ArrayLike<number>).length !== "number") {
    throw new TypeError(`${where}: Q must be an array of nS·nA numbers, got ${String(Q)}`);
  }
  const n = (Q as ArrayLike<number>).length;
  if (n === 0 || n % nA !== 0) throw new RangeError(`${where}: Q has ${n} entries, not a positive multiple of nA = ${nA}`);
  return n / nA;
}

function tieTolerance(options: GreedyOptions, where: string): number {
  const tol = options.tieTolerance ?? DEFAULT_TIE_TOLERANCE;
  if (!(tol >= 0) || !Number.isFinite(tol)) throw new RangeError(`${where}: tieTolerance must be a finite number >= 0, got ${tol}`);
  return tol;
}

/**
 * The greedy policy π(s) = argmax_a Q(s, a) (S&B eq. 4.9) as a table.
 * @param Q action values, `nS · nA` (index `s * nA + a`).
 * @param nA number of actions.
 * @param options tie handling ({@link GreedyOptions}): default lowest index among values within
 *   1e-9 (relative) of the maximum.
 * @returns a new `nS · nA` table (one-hot rows with `ties: "first"`).
 * @throws RangeError when `Q` is not `nS · nA` finite numbers or an option is invalid.
 */
export function greedyPolicy(Q: ArrayLike<number>, nA: number, options: GreedyOptions = {}): PolicyTable {
  const where = "greedyPolicy";
  const nS = statesOf(Q, nA, where);
  checkVector(Q, nS * nA, "Q", where);
  const tol = tieTolerance(options, where);
  const ties = options.ties ?? "first";
  if (ties !== "first" && ties !== "split") throw new RangeError(`${where}: ties must be "first" or "split", got ${JSON.stringify(ties)}`);
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    const o = s * nA;
    let best = Q[o];
    for (let a = 1; a < nA; a++) if (Q[o + a] > best) best = Q[o + a];
    const floor = best - tol * Math.max(1, Math.abs(best));
    if (ties === "first") {
      let a = 0;
      while (Q[o + a] < floor) a++;
      pi[o + a] = 1;
    } else {
      let count = 0;
      for (let a = 0; a < nA; a++) if (Q[o + a] >= floor) count++;
      for (let a = 0; a < nA; a++) if (Q[o + a] >= floor) pi[o + a] = 1 / count;
    }
  }
  return pi;
}

/**
 * The ε-greedy policy: π(a | s) = ε / nA + (1 − ε) · greedy(a | s) (S&B §2.3, §5.4 — every action
 * has probability at least ε/|A|; the greedy one 1 − ε + ε/|A|).
 * @param epsilon exploration probability in [0, 1] (0: greedy, 1: uniform random).
 * @param options tie handling of the greedy part (default: lowest index).
 * @throws RangeError when `epsilon` is not in [0, 1] or `Q` is malformed.
 */
export function epsilonGreedyPolicy(Q: ArrayLike<number>, nA: number, epsilon: number, options: GreedyOptions = {}): PolicyTable {
  if (typeof epsilon !== "number" || !(epsilon >= 0 && epsilon <= 1)) {
    throw new RangeError(`epsilonGreedyPolicy: epsilon must be a number in [0, 1], got ${epsilon}`);
  }
  const pi = greedyPolicy(Q, nA, options);
  for (let i = 0; i < pi.length; i++) pi[i] = epsilon / nA + (1 - epsilon) * pi[i];
  return pi;
}

/**
 * The softmax (Boltzmann, Gibbs) policy π(a | s) = exp(Q(s, a) / T) / Σ_b exp(Q(s, b) / T)
 * (S&B eq. 13.2 with preferences h = Q / T). Computed stably as exp((Q − max_b Q) / T), so no
 * overflow for any T > 0: as T → 0 it tends to the greedy policy with ties split equally, as
 * T → ∞ to the uniform policy (`Infinity` is accepted and gives it).
 * @param temperature T > 0 (same units as Q).
 * @throws RangeError when `temperature` is not > 0 or `Q` is malformed.
 */
export function softmaxPolicy(Q: ArrayLike<number>, nA: number, temperature: number): PolicyTable {
  const where = "softmaxPolicy";
  if (typeof temperature !== "number" || !(temperature > 0)) throw new RangeError(`${where}: temperature must be a number > 0, got ${temperature}`);
  const nS = statesOf(Q, nA, where);
  checkVector(Q, nS * nA, "Q", where);
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    const o = s * nA;
    let best = Q[o];
    for (let a = 1; a < nA; a++) if (Q[o + a] > best) best = Q[o + a];
    let total = 0;
    for (let a = 0; a < nA; a++) {
      const e = Number.isFinite(temperature) ? Math.exp((Q[o + a] - best) / temperature) : 1;
      pi[o + a] = e;
      total += e;
    }
    for (let a = 0; a < nA; a++) pi[o + a] /= total;
  }
  return pi;
}

/** Same as {@link softmaxPolicy} (the Boltzmann distribution with temperature T). */
export const boltzmannPolicy = softmaxPolicy;

/**
 * The equiprobable random policy π(a | s) = 1 / nA (S&B Example 4.1).
 * @throws RangeError when `nS` or `nA` is not a positive integer.
 */
export function uniformPolicy(nS: number, nA: number): PolicyTable {
  if (!Number.isSafeInteger(nS) || nS <= 0 || !Number.isSafeInteger(nA) || nA <= 0) {
    throw new RangeError(`uniformPolicy: nS and nA must be positive integers, got nS = ${nS}, nA = ${nA}`);
  }
  return new Float64Array(nS * nA).fill(1 / nA);
}

/**
 * A deterministic policy π(s) = actions[s] as a one-hot table.
 * @param actions one action per state, integers in [0, nA).
 * @throws RangeError naming the first entry that is not an action.
 */
export function policyFromActions(actions: ArrayLike<number>, nA: number): PolicyTable {
  if (!Number.isSafeInteger(nA) || nA <= 0) throw new RangeError(`policyFromActions: nA must be a positive integer, got ${nA}`);
  if (typeof actions !== "object" || actions === null || typeof actions.length !== "number" || actions.length === 0) {
    throw new TypeError(`policyFromActions: actions must be a non-empty array of actions (one per state)`);
  }
  const pi = new Float64Array(actions.length * nA);
  for (let s = 0; s < actions.length; s++) {
    const a = actions[s];
    if (!Number.isInteger(a) || a < 0 || a >= nA) throw new RangeError(`policyFromActions: actions[${s}] = ${a} is not an action in [0, ${nA - 1}]`);
    pi[s * nA + a] = 1;
  }
  return pi;
}

/**
 * The most probable action of each state (lowest index on ties): for a deterministic policy, the
 * action it takes. Use it to draw policies (e.g. `GridWorldEnv.policyArrows`).
 * @throws RangeError/TypeError when `policy` is not a valid `nS · nA` table.
 */
export function actionsFromPolicy(policy: ArrayLike<number>, nA: number): Int32Array {
  const nS = statesOf(policy, nA, "actionsFromPolicy");
  checkPolicy(policy, nS, nA, "policy", "actionsFromPolicy");
  const actions = new Int32Array(nS);
  for (let s = 0; s < nS; s++) {
    let best = 0;
    for (let a = 1; a < nA; a++) if (policy[s * nA + a] > policy[s * nA + best]) best = a;
    actions[s] = best;
  }
  return actions;
}

/**
 * Draws A ~ π(· | s) from a policy table with one uniform draw of `rng` (inverse CDF).
 * Unchecked for speed: `policy` must be a valid table (see {@link checkPolicy}).
 */
export function sampleAction(policy: ArrayLike<number>, nA: number, s: number, rng: Rng): number {
  return rng.categorical(policy, s * nA, nA);
}
