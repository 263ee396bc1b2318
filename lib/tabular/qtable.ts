/**
 * Action-value tables: Q as a flat `Float64Array` of nS × nA entries, row-major, so that
 * Q(s, a) = `Q[s * nA + a]` and the row of state s is `Q.subarray(s * nA, (s + 1) * nA)`.
 * Greedy and ε-greedy action selection break ties between maximal actions uniformly at random
 * through an {@link Rng} (S&B §2.2: "ties broken arbitrarily"; at random, so that a table of zeros
 * does not always pick action 0).
 */
import type { Rng } from "../random";

function checkTable(name: string, Q: ArrayLike<number>, nA: number, s: number): void {
  if (!Number.isSafeInteger(nA) || nA <= 0) throw new RangeError(`${name}: nA must be a positive integer, got ${nA}`);
  if (Q.length % nA !== 0 || Q.length === 0) {
    throw new RangeError(`${name}: Q has length ${Q.length}, not a positive multiple of nA = ${nA}`);
  }
  const nS = Q.length / nA;
  if (!Number.isInteger(s) || s < 0 || s >= nS) throw new RangeError(`${name}: s must be a state in 0…${nS - 1}, got ${s}`);
}

/**
 * A new action-value table of nS × nA entries, all equal to `initialValue` (default 0; optimistic
 * initial values, S&B §2.6, use a large one).
 * @throws RangeError when `nS` or `nA` is not a positive integer or `initialValue` is not finite.
 */
export function createQTable(nS: number, nA: number, initialValue = 0): Float64Array {
  if (!Number.isSafeInteger(nS) || nS <= 0) throw new RangeError(`createQTable: nS must be a positive integer, got ${nS}`);
  if (!Number.isSafeInteger(nA) || nA <= 0) throw new RangeError(`createQTable: nA must be a positive integer, got ${nA}`);
  if (!Number.isFinite(initialValue)) throw new RangeError(`createQTable: initialValue must be finite, got ${initialValue}`);
  return new Float64Array(nS * nA).fill(initialValue);
}

/**
 * The row Q(s, ·) of a table, as a view (writing to it writes to `Q`).
 * @throws RangeError when `s` is not a state of the table.
 */
export function qRow(Q: Float64Array, nA: number, s: number): Float64Array {
  checkTable("qRow", Q, nA, s);
  return Q.subarray(s * nA, (s + 1) * nA);
}

/**
 * max_a Q(s, a).
 * @throws RangeError when `s` is not a state of the table.
 */
export function maxQ(Q: ArrayLike<number>, nA: number, s: number): number {
  checkTable("maxQ", Q, nA, s);
  return maxAt(Q, s * nA, nA);
}

/** max of `values[offset … offset + n − 1]` (no checks; used in inner loops). */
export function maxAt(values: ArrayLike<number>, offset: number, n: number): number {
  let best = values[offset];
  for (let i = 1; i < n; i++) if (values[offset + i] > best) best = values[offset + i];
  return best;
}

/**
 * Index i in 0…n−1 maximising `values[offset + i]`; ties broken uniformly at random with `rng`
 * (one draw when there is a tie, none otherwise), or the lowest index without `rng`. No checks.
 */
export function argmaxAt(values: ArrayLike<number>, offset: number, n: number, rng?: Rng): number {
  let best = values[offset];
  let first = 0;
  let ties = 1;
  for (let i = 1; i < n; i++) {
    const v = values[offset + i];
    if (v > best) {
      best = v;
      first = i;
      ties = 1;
    } else if (v === best) {
      ties += 1;
    }
  }
  if (ties === 1 || rng === undefined) return first;
  let k = rng.integers(0, ties);
  for (let i = first; i < n; i++) {
    if (values[offset + i] === best) {
      if (k === 0) return i;
      k -= 1;
    }
  }
  return first; // unreachable
}

/**
 * A greedy action argmax_a Q(s, a). With `rng`, ties are broken uniformly at random; without it,
 * the lowest-numbered maximal action is returned (deterministic, e.g. for drawing a policy).
 * @throws RangeError when `s` is not a state of the table.
 */
export function greedyAction(Q: ArrayLike<number>, nA: number, s: number, rng?: Rng): number {
  checkTable("greedyAction", Q, nA, s);
  return argmaxAt(Q, s * nA, nA, rng);
}

/**
 * An ε-greedy action (S&B §2.2, §5.4): with probability ε a uniformly random action (which may be
 * the greedy one), otherwise a greedy action with ties broken at random. So the greedy action has
 * probability 1 − ε + ε/nA when it is unique, and every action at least ε/nA.
 *
 * @param epsilon exploration probability ε in [0, 1].
 * @throws RangeError when `epsilon` is outside [0, 1] or `s` is not a state of the table.
 */
export function epsilonGreedyAction(Q: ArrayLike<number>, nA: number, s: number, epsilon: number, rng: Rng): number {
  checkTable("epsilonGreedyAction", Q, nA, s);
  if (!(epsilon >= 0 && epsilon <= 1)) throw new RangeError(`epsilonGreedyAction: epsilon must be in [0, 1], got ${epsilon}`);
  return epsilonGreedyAt(Q, s * nA, nA, epsilon, rng);
}

/** ε-greedy over `values[offset … offset + n − 1]` (no checks; used in inner loops). */
export function epsilonGreedyAt(values: ArrayLike<number>, offset: number, n: number, epsilon: number, rng: Rng): number {
  if (epsilon > 0 && rng.random() < epsilon) return rng.integers(0, n);
  return argmaxAt(values, offset, n, rng);
}

/**
 * The probabilities π(·|s) of the ε-greedy policy with random tie-breaking: ε/nA for every action,
 * plus (1 − ε)/k for each of the k maximal actions. They are exactly the probabilities with which
 * {@link epsilonGreedyAction} picks each action.
 *
 * @param out optional array of length nA to write into.
 * @returns `out` (or a new Float64Array of length nA).
 * @throws RangeError when `epsilon` is outside [0, 1], `s` is not a state or `out` has the wrong length.
 */
export function epsilonGreedyProbs(Q: ArrayLike<number>, nA: number, s: number, epsilon: number, out?: Float64Array): Float64Array {
  checkTable("epsilonGreedyProbs", Q, nA, s);
  if (!(epsilon >= 0 && epsilon <= 1)) throw new RangeError(`epsilonGreedyProbs: epsilon must be in [0, 1], got ${epsilon}`);
  const probs = out ?? new Float64Array(nA);
  if (probs.length !== nA) throw new RangeError(`epsilonGreedyProbs: out has length ${probs.length}, expected nA = ${nA}`);
  epsilonGreedyProbsAt(Q, s * nA, nA, epsilon, probs);
  return probs;
}

/** ε-greedy probabilities of the row at `offset` written into `out` (no checks). */
export function epsilonGreedyProbsAt(values: ArrayLike<number>, offset: number, n: number, epsilon: number, out: Float64Array): void {
  const best = maxAt(values, offset, n);
  let ties = 0;
  for (let i = 0; i < n; i++) if (values[offset + i] === best) ties += 1;
  for (let i = 0; i < n; i++) out[i] = epsilon / n + (values[offset + i] === best ? (1 - epsilon) / ties : 0);
}

/**
 * State values of the greedy policy's estimate: V(s) = max_a Q(s, a) (for value heatmaps).
 * @returns Float64Array of length nS.
 * @throws RangeError when `Q.length` is not a positive multiple of `nA`.
 */
export function stateValuesFromQ(Q: ArrayLike<number>, nA: number): Float64Array {
  checkTable("stateValuesFromQ", Q, nA, 0);
  const nS = Q.length / nA;
  const V = new Float64Array(nS);
  for (let s = 0; s < nS; s++) V[s] = maxAt(Q, s * nA, nA);
  return V;
}
