/**
 * Finite (tabular) Markov decision processes, Sutton & Barto (2nd ed.) chapter 3: states
 * `0 … nS−1`, actions `0 … nA−1`, dynamics `p(s′, r | s, a)` given as Gymnasium's transition table
 * `P[s][a] = [[prob, nextState, reward, terminated], …]`, a discount `γ` and a start distribution `μ`.
 *
 * ## Termination
 * A transition whose `terminated` flag is true ends the episode: its reward is received, but the
 * value of its next state is not used (no bootstrapping from it). Every algorithm of `lib/mdp`
 * therefore works with the *continuation kernel*
 * `K(s′ | s, a) = Pr(S_{t+1} = s′, not terminated | S_t = s, A_t = a)`, a sub-stochastic matrix,
 * so that `q(s, a) = r(s, a) + γ Σ_{s′} K(s′ | s, a) v(s′)` (S&B eq. 4.6 with v(terminal) = 0).
 * States that are only ever entered by a terminating transition (FrozenLake's holes and goal,
 * CliffWalking's goal) still get a value — that of *starting* there — which nothing uses.
 *
 * ## The discount
 * `γ ∈ [0, 1]`. `γ = 1` (undiscounted, S&B §3.3) is accepted at the caller's risk: values are finite
 * only for policies that terminate with probability 1 from every state (proper policies), so iterative
 * methods may not converge (they stop at `maxIterations` with `converged: false`) and exact evaluation
 * throws when `I − γ P_π` is singular — including for states the start distribution never reaches.
 */
import type { Env } from "../envs/core";
import type { Transition, TransitionTable } from "../envs/toytext/discrete_env";

/** Tolerance on probability sums (each `P[s][a]`, each row of `T`, the start distribution). */
export const PROBABILITY_TOLERANCE = 1e-9;

/**
 * A finite MDP with dense and sparse views of its dynamics. Build one with {@link mdpFromEnv},
 * {@link mdpFromTable} or {@link mdpFromArrays}; all arrays are shared, read-only by convention.
 *
 * Layouts (row-major, flat `Float64Array`s):
 * - state values `V[s]`, length `nS`;
 * - action values, policies and `R`: index `s * nA + a`, length `nS · nA`;
 * - `T` and `terminationProb`: index `(s * nA + a) * nS + s′`, length `nS · nA · nS`.
 */
export class TabularMDP {
  /** Number of states |S|. */
  readonly nS: number;
  /** Number of actions |A| (every state has all of them). */
  readonly nA: number;
  /** The transition table in Gymnasium's format, `P[s][a] = [[prob, nextState, reward, terminated], …]`. */
  readonly P: TransitionTable;
  /** Discount factor γ ∈ [0, 1] (S&B eq. 3.8). */
  readonly gamma: number;
  /** Start distribution μ(s) = Pr(S_0 = s), length `nS`, summing to 1. */
  readonly initialDistribution: Float64Array;
  /**
   * Expected immediate reward `r(s, a) = Σ_{s′,r} p(s′, r | s, a) · r` (S&B eq. 3.5) at `s * nA + a`.
   */
  readonly R: Float64Array;
  /**
   * Sparse dynamics, merged by next state (for speed): the outcomes of pair `sa = s * nA + a` are
   * entries `k = outcomeStart[sa] … outcomeStart[sa + 1] − 1`, each going to `outcomeNext[k]` with
   * probability `outcomeProb[k]`, of which `outcomeContinue[k]` is the probability of getting there
   * *without* terminating (the continuation kernel K).
   */
  readonly outcomeStart: Int32Array;
  /** Next state of each sparse outcome (see {@link TabularMDP.outcomeStart}). */
  readonly outcomeNext: Int32Array;
  /** Probability of each sparse outcome, `p(s′ | s, a)`. */
  readonly outcomeProb: Float64Array;
  /** Probability of each sparse outcome without termination, `K(s′ | s, a) ≤ p(s′ | s, a)`. */
  readonly outcomeContinue: Float64Array;
  private denseT?: Float64Array;
  private denseTermination?: Float64Array;

  /**
   * Checks `P` and builds the derived arrays. Prefer the `mdpFrom…` constructors.
   * @param P transition table in Gymnasium's format (not copied).
   * @param gamma discount factor in [0, 1].
   * @param initialDistribution start distribution, length `P.length`; default uniform over the states.
   * @param where prefix of error messages.
   * @throws TypeError/RangeError naming the offending entry when the table, `gamma` or the
   *   distribution is malformed (see {@link mdpFromTable}).
   */
  constructor(P: TransitionTable, gamma: number, initialDistribution?: ArrayLike<number>, where = "TabularMDP") {
    checkGamma(gamma, where);
    const [nS, nA] = checkTable(P, `${where}: P`);
    const mu =
      initialDistribution === undefined
        ? new Float64Array(nS).fill(1 / nS)
        : checkDistribution(initialDistribution, nS, `${where}: initialDistribution`);
    this.nS = nS;
    this.nA = nA;
    this.P = P;
    this.gamma = gamma;
    this.initialDistribution = mu;

    // Merge the outcomes of each (s, a) by next state.
    const start = new Int32Array(nS * nA + 1);
    const next: number[] = [];
    const prob: number[] = [];
    const cont: number[] = [];
    const R = new Float64Array(nS * nA);
    const slot = new Int32Array(nS).fill(-1);
    for (let s = 0; s < nS; s++) {
      for (let a = 0; a < nA; a++) {
        const sa = s * nA + a;
        start[sa] = next.length;
        let r = 0;
        for (const [p, s2, reward, terminated] of P[s][a]) {
          r += p * reward;
          let k = slot[s2];
          if (k < start[sa]) {
            k = next.length;
            slot[s2] = k;
            next.push(s2);
            prob.push(0);
            cont.push(0);
          }
          prob[k] += p;
          if (!terminated) cont[k] += p;
        }
        R[sa] = r;
      }
    }
    start[nS * nA] = next.length;
    this.R = R;
    this.outcomeStart = start;
    this.outcomeNext = Int32Array.from(next);
    this.outcomeProb = Float64Array.from(prob);
    this.outcomeContinue = Float64Array.from(cont);
  }

  /**
   * Dense transition probabilities `T[(s * nA + a) * nS + s′] = p(s′ | s, a)` (S&B eq. 3.4),
   * length `nS · nA · nS`, terminating or not. Built on first access (Taxi: 1.5 M entries, 12 MB).
   */
  get T(): Float64Array {
    if (!this.denseT) {
      const T = new Float64Array(this.nS * this.nA * this.nS);
      for (let sa = 0; sa < this.nS * this.nA; sa++) {
        for (let k = this.outcomeStart[sa]; k < this.outcomeStart[sa + 1]; k++) T[sa * this.nS + this.outcomeNext[k]] = this.outcomeProb[k];
      }
      this.denseT = T;
    }
    return this.denseT;
  }

  /**
   * Dense conditional termination probabilities
   * `terminationProb[(s * nA + a) * nS + s′] = Pr(terminated | S_t = s, A_t = a, S_{t+1} = s′)`,
   * 0 where `p(s′ | s, a) = 0`. For Gymnasium's envs each entry is 0 or 1. Built on first access.
   */
  get terminationProb(): Float64Array {
    if (!this.denseTermination) {
      const D = new Float64Array(this.nS * this.nA * this.nS);
      for (let sa = 0; sa < this.nS * this.nA; sa++) {
        for (let k = this.outcomeStart[sa]; k < this.outcomeStart[sa + 1]; k++) {
          const p = this.outcomeProb[k];
          if (p > 0) D[sa * this.nS + this.outcomeNext[k]] = Math.min(1, Math.max(0, 1 - this.outcomeContinue[k] / p));
        }
      }
      this.denseTermination = D;
    }
    return this.denseTermination;
  }

  /**
   * The same MDP with another discount (the derived arrays are shared, nothing is recomputed).
   * @throws RangeError when `gamma` is not in [0, 1].
   */
  withGamma(gamma: number): TabularMDP {
    checkGamma(gamma, "TabularMDP.withGamma");
    const copy = Object.create(TabularMDP.prototype) as TabularMDP;
    Object.assign(copy, this, { gamma });
    return copy;
  }
}

/** What {@link mdpFromEnv} reads from `env.unwrapped` (the toy-text envs' public fields). */
export interface TabularEnvLike {
  /** Transition table in Gymnasium's format. */
  P: TransitionTable;
  /** Number of states (must equal `P.length`). */
  nS?: number;
  /** Number of actions (must equal every `P[s].length`). */
  nA?: number;
  /** Start distribution (Gymnasium's `initial_state_distrib`). */
  initialStateDistrib: ArrayLike<number>;
}

/**
 * The MDP of a tabular environment: FrozenLake-v1, CliffWalking-v1, Taxi-v4, GridWorld-v0,
 * CombinationLock-v0, or any env whose `unwrapped` has `P`, `nS`, `nA` and `initialStateDistrib`
 * in Gymnasium's format. The table is used as is (not copied).
 *
 * Note: Taxi's `ficklePassenger` switch is not part of its `P` (nor of Gymnasium's), so the MDP
 * then describes the env's dynamics only up to that switch.
 *
 * @param env an env (wrapped or not) or the raw tabular object itself.
 * @param gamma discount factor in [0, 1] (see the module notes on γ = 1).
 * @throws TypeError when the env has no transition table or start distribution; RangeError when
 *   `nS`/`nA` disagree with `P`, a probability is not in [0, 1], an outcome list does not sum to 1
 *   (within 1e-9), a next state is out of range, a reward is not finite, a terminated flag is not a
 *   boolean, or `gamma` is not in [0, 1].
 *
 * @example
 * const mdp = mdpFromEnv(make("FrozenLake-v1"), 0.99);
 */
export function mdpFromEnv(env: Env | TabularEnvLike, gamma: number): TabularMDP {
  const where = "mdpFromEnv";
  if (typeof env !== "object" || env === null) throw new TypeError(`${where}: env must be an environment, got ${String(env)}`);
  const raw = ("unwrapped" in env && env.unwrapped ? env.unwrapped : env) as unknown as Partial<TabularEnvLike>;
  const name = (raw as object).constructor?.name ?? "object";
  if (!Array.isArray(raw.P)) {
    throw new TypeError(
      `${where}: env.unwrapped (${name}) has no transition table P; only tabular envs expose one ` +
        `(FrozenLake-v1, CliffWalking-v1, Taxi-v4, GridWorld-v0, CombinationLock-v0)`,
    );
  }
  if (raw.initialStateDistrib === undefined || typeof (raw.initialStateDistrib as ArrayLike<number>).length !== "number") {
    throw new TypeError(`${where}: env.unwrapped (${name}) has no initialStateDistrib (the start distribution over its states)`);
  }
  const [nS, nA] = checkTable(raw.P, `${where}: env.unwrapped.P`);
  if (raw.nS !== undefined && raw.nS !== nS) throw new RangeError(`${where}: env.unwrapped.nS = ${raw.nS} but P has ${nS} states`);
  if (raw.nA !== undefined && raw.nA !== nA) throw new RangeError(`${where}: env.unwrapped.nA = ${raw.nA} but P[0] has ${nA} actions`);
  return new TabularMDP(raw.P, gamma, checkDistribution(raw.initialStateDistrib, nS, `${where}: env.unwrapped.initialStateDistrib`), where);
}

/**
 * An MDP from a transition table written by hand, in Gymnasium's format.
 * @param P `P[s][a] = [[prob, nextState, reward, terminated], …]`, every state with the same number
 *   of actions; the probabilities of each `P[s][a]` sum to 1 (within 1e-9).
 * @param gamma discount factor in [0, 1].
 * @param initialDistribution start distribution (length `P.length`); default uniform over all states.
 * @throws TypeError/RangeError naming the first malformed entry (e.g. `P[2][1][0]`).
 *
 * @example
 * // Two states: action 0 stays (+0), action 1 ends the episode with +1.
 * const mdp = mdpFromTable([[[[1, 0, 0, false]], [[1, 1, 1, true]]], [[[1, 1, 0, true]], [[1, 1, 0, true]]]], 0.9);
 */
export function mdpFromTable(P: TransitionTable, gamma: number, initialDistribution?: ArrayLike<number>): TabularMDP {
  return new TabularMDP(P, gamma, initialDistribution, "mdpFromTable");
}

/** Arguments of {@link mdpFromArrays}. Nested arrays (`T[s][a][s′]`, `R[s][a]`) are accepted too. */
export interface MDPArrays {
  /** Transition probabilities p(s′ | s, a): flat `nS · nA · nS` (index `(s * nA + a) * nS + s′`) or nested `[s][a][s′]`. */
  T: ArrayLike<number> | readonly (readonly (readonly number[])[])[];
  /**
   * Rewards: the expected reward r(s, a), flat `nS · nA` or nested `[s][a]`; or the reward of each
   * transition r(s, a, s′), flat `nS · nA · nS` or nested `[s][a][s′]`.
   */
  R: ArrayLike<number> | readonly (readonly number[])[] | readonly (readonly (readonly number[])[])[];
  /** Discount factor in [0, 1]. */
  gamma: number;
  /** Number of states; inferred from `T` and `R` when `R` has one entry per (s, a) or the arrays are nested. */
  nS?: number;
  /** Number of actions; inferred like `nS`. */
  nA?: number;
  /**
   * Termination (default: none, a continuing task): length `nS` — entering state s′ ends the
   * episode (booleans or 0/1) — or length `nS · nA · nS` — Pr(terminated | s, a, s′) in [0, 1].
   */
  terminal?: ArrayLike<number> | readonly boolean[];
  /** Start distribution (length `nS`); default uniform over all states. */
  initialDistribution?: ArrayLike<number>;
}

/**
 * An MDP from dense arrays, the matrix form of S&B eq. 3.4–3.5. The Gymnasium table `P` is built
 * from them: one outcome per s′ with `T > 0`, rewarding `R[s][a]` (or `R[s][a][s′]`); a termination
 * probability strictly between 0 and 1 splits an outcome into a terminating and a continuing one.
 *
 * @throws RangeError when the lengths do not fit together (naming the inferred nS, nA), a row of `T`
 *   (one (s, a)) does not sum to 1 within 1e-9, an entry of `T` or `terminal` is not a probability,
 *   a reward is not finite, or `gamma` is not in [0, 1].
 *
 * @example
 * // One state, two actions; action 1 pays 1 and ends the episode.
 * const mdp = mdpFromArrays({ T: [[[1], [1]]], R: [[0, 1]], terminal: [1, 1], gamma: 0.9 });
 */
export function mdpFromArrays(arrays: MDPArrays): TabularMDP {
  const where = "mdpFromArrays";
  if (typeof arrays !== "object" || arrays === null) throw new TypeError(`${where}: expected an object { T, R, gamma, … }`);
  checkGamma(arrays.gamma, where);
  const T = flatten(arrays.T, "T", where);
  const R = flatten(arrays.R, "R", where);
  let { nS, nA } = arrays;
  if (T.shape.length === 3) {
    [nS, nA] = [nS ?? T.shape[0], nA ?? T.shape[1]];
    if (T.shape[0] !== nS || T.shape[1] !== nA || T.shape[2] !== nS) {
      throw new RangeError(`${where}: T has shape [${T.shape.join(", ")}], expected [nS, nA, nS] = [${nS}, ${nA}, ${nS}]`);
    }
  } else if (nS === undefined || nA === undefined) {
    if (R.values.length === 0 || T.values.length % R.values.length !== 0 || R.values.length === T.values.length) {
      throw new RangeError(
        `${where}: cannot infer nS and nA from T (${T.values.length} numbers) and R (${R.values.length} numbers); ` +
          `give nS and nA, or R with nS·nA entries`,
      );
    }
    nS = nS ?? T.values.length / R.values.length;
    nA = nA ?? R.values.length / nS;
  }
  if (!Number.isSafeInteger(nS) || nS <= 0 || !Number.isSafeInteger(nA) || nA <= 0) {
    throw new RangeError(`${where}: nS and nA must be positive integers, got nS = ${nS}, nA = ${nA}`);
  }
  const nSA = nS * nA;
  if (T.values.length !== nSA * nS) throw new RangeError(`${where}: T has ${T.values.length} entries, expected nS·nA·nS = ${nSA * nS}`);
  const perTransition = R.values.length === nSA * nS;
  if (!perTransition && R.values.length !== nSA) {
    throw new RangeError(`${where}: R has ${R.values.length} entries, expected nS·nA = ${nSA} or nS·nA·nS = ${nSA * nS}`);
  }
  const terminal = arrays.terminal === undefined ? undefined : Float64Array.from(arrays.terminal as ArrayLike<number>, Number);
  if (terminal && terminal.length !== nS && terminal.length !== nSA * nS) {
    throw new RangeError(`${where}: terminal has ${terminal.length} entries, expected nS = ${nS} or nS·nA·nS = ${nSA * nS}`);
  }
  terminal?.forEach((q, i) => {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`${where}: terminal[${i}] = ${q} is not a probability (or boolean)`);
  });

  const P: TransitionTable = [];
  for (let s = 0; s < nS; s++) {
    const row: Transition[][] = [];
    for (let a = 0; a < nA; a++) {
      const sa = s * nA + a;
      const outcomes: Transition[] = [];
      let total = 0;
      for (let s2 = 0; s2 < nS; s2++) {
        const p = T.values[sa * nS + s2];
        if (!(p >= 0 && p <= 1)) throw new RangeError(`${where}: T[${s}][${a}][${s2}] = ${p} is not a probability`);
        total += p;
        if (p === 0) continue;
        const r = perTransition ? R.values[sa * nS + s2] : R.values[sa];
        if (!Number.isFinite(r)) {
          throw new RangeError(`${where}: R[${s}][${a}]${perTransition ? `[${s2}]` : ""} = ${r} is not a finite number`);
        }
        const q = terminal ? (terminal.length === nS ? terminal[s2] : terminal[sa * nS + s2]) : 0;
        if (q < 1) outcomes.push([p * (1 - q), s2, r, false]);
        if (q > 0) outcomes.push([p * q, s2, r, true]);
      }
      if (Math.abs(total - 1) > PROBABILITY_TOLERANCE) {
        throw new RangeError(`${where}: T[${s}][${a}][·] sums to ${total}, expected 1 (within ${PROBABILITY_TOLERANCE})`);
      }
      row.push(outcomes);
    }
    P.push(row);
  }
  return new TabularMDP(P, arrays.gamma, arrays.initialDistribution, where);
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the modules of lib/mdp.

/**
 * Checks that `gamma` is a discount factor: a number in [0, 1].
 * @throws RangeError naming `where` otherwise.
 */
export function checkGamma(gamma: unknown, where: string): number {
  if (typeof gamma !== "number" || !(gamma >= 0 && gamma <= 1)) {
    throw new RangeError(`${where}: gamma must be a number in [0, 1], got ${JSON.stringify(gamma) ?? String(gamma)}`);
  }
  return gamma;
}

/**
 * Checks that `mdp` is a {@link TabularMDP}.
 * @throws TypeError naming `where` otherwise (e.g. when an env was passed instead: use mdpFromEnv).
 */
export function checkMDP(mdp: unknown, where: string): TabularMDP {
  if (!(mdp instanceof TabularMDP)) {
    const got = typeof mdp === "object" && mdp !== null ? mdp.constructor?.name ?? "object" : String(mdp);
    throw new TypeError(`${where}: mdp must be a TabularMDP (from mdpFromEnv, mdpFromTable or mdpFromArrays), got ${got}`);
  }
  return mdp;
}

/**
 * Checks a vector of `length` finite numbers (state values: `length = nS`; action values:
 * `length = nS · nA`).
 * @throws RangeError naming `name`, the expected length, or the first non-finite entry.
 */
export function checkVector(values: unknown, length: number, name: string, where: string): ArrayLike<number> {
  if (typeof values !== "object" || values === null || typeof (values as ArrayLike<number>).length !== "number") {
    throw new TypeError(`${where}: ${name} must be an array of ${length} numbers, got ${String(values)}`);
  }
  const v = values as ArrayLike<number>;
  if (v.length !== length) throw new RangeError(`${where}: ${name} has ${v.length} entries, expected ${length}`);
  for (let i = 0; i < length; i++) {
    if (typeof v[i] !== "number" || !Number.isFinite(v[i])) throw new RangeError(`${where}: ${name}[${i}] = ${v[i]} is not a finite number`);
  }
  return v;
}

/** Checks a probability vector of length `n` summing to 1; returns a Float64Array copy. */
function checkDistribution(p: ArrayLike<number>, n: number, what: string): Float64Array {
  if (typeof p !== "object" || p === null || typeof p.length !== "number") throw new TypeError(`${what} must be an array of ${n} probabilities`);
  if (p.length !== n) throw new RangeError(`${what} has ${p.length} entries, expected ${n}`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) throw new RangeError(`${what}[${i}] = ${p[i]} is not a probability`);
    total += p[i];
  }
  if (Math.abs(total - 1) > PROBABILITY_TOLERANCE) throw new RangeError(`${what} sums to ${total}, expected 1 (within ${PROBABILITY_TOLERANCE})`);
  return Float64Array.from(p);
}

/** Checks a Gymnasium transition table; returns [nS, nA]. */
function checkTable(P: unknown, what: string): [number, number] {
  if (!Array.isArray(P) || P.length === 0) throw new TypeError(`${what} must be a non-empty array (one entry per state)`);
  const nS = P.length;
  if (!Array.isArray(P[0]) || P[0].length === 0) throw new TypeError(`${what}[0] must be a non-empty array (one entry per action)`);
  const nA = P[0].length;
  for (let s = 0; s < nS; s++) {
    const row: unknown = P[s];
    if (!Array.isArray(row)) throw new TypeError(`${what}[${s}] must be an array (one entry per action)`);
    if (row.length !== nA) throw new RangeError(`${what}[${s}] has ${row.length} actions, expected ${nA} (as P[0])`);
    for (let a = 0; a < nA; a++) {
      const outcomes: unknown = row[a];
      if (!Array.isArray(outcomes) || outcomes.length === 0) {
        throw new TypeError(`${what}[${s}][${a}] must be a non-empty array of [prob, nextState, reward, terminated]`);
      }
      let total = 0;
      outcomes.forEach((t: unknown, i) => {
        const at = `${what}[${s}][${a}][${i}]`;
        if (!Array.isArray(t) || t.length !== 4) throw new TypeError(`${at} must be [prob, nextState, reward, terminated], got ${JSON.stringify(t)}`);
        const [p, next, reward, terminated] = t as unknown[];
        if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new RangeError(`${at}: prob ${String(p)} is not a probability`);
        if (typeof next !== "number" || !Number.isInteger(next) || next < 0 || next >= nS) {
          throw new RangeError(`${at}: nextState ${String(next)} is not a state in [0, ${nS - 1}]`);
        }
        if (typeof reward !== "number" || !Number.isFinite(reward)) throw new RangeError(`${at}: reward ${String(reward)} is not a finite number`);
        if (typeof terminated !== "boolean") throw new TypeError(`${at}: terminated must be true or false, got ${JSON.stringify(terminated)}`);
        total += p;
      });
      if (Math.abs(total - 1) > PROBABILITY_TOLERANCE) {
        throw new RangeError(`${what}[${s}][${a}]: probabilities sum to ${total}, expected 1 (within ${PROBABILITY_TOLERANCE})`);
      }
    }
  }
  return [nS, nA];
}

/** Flattens a flat array-like or nested arrays of numbers; returns the values and the nested shape. */
function flatten(x: unknown, name: string, where: string): { values: Float64Array; shape: number[] } {
  if (typeof x !== "object" || x === null || typeof (x as ArrayLike<unknown>).length !== "number") {
    throw new TypeError(`${where}: ${name} must be an array of numbers (flat or nested), got ${String(x)}`);
  }
  if (!Array.isArray(x) || !Array.isArray(x[0])) {
    const values = Float64Array.from(x as ArrayLike<number>);
    return { values, shape: [values.length] };
  }
  const shape: number[] = [];
  for (let level: unknown = x; Array.isArray(level); level = level[0]) shape.push(level.length);
  const values: number[] = [];
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node !== "number") throw new TypeError(`${where}: ${name}${path} must be a number, got ${JSON.stringify(node)}`);
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new RangeError(`${where}: ${name}${path} must be an array of ${shape[depth]} entries (a regular [${shape.join(", ")}] array)`);
    }
    node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(x, 0, "");
  return { values: Float64Array.from(values), shape };
}
