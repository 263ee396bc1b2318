/**
 * Dynamic programming for control, Sutton & Barto chapter 4: policy improvement (§4.2), policy
 * iteration (§4.3) and value iteration (§4.4).
 */
import { actionValue, optimalBackup, qFromV } from "./bellman";
import { exactPolicyEvaluation, iterativePolicyEvaluation } from "./evaluation";
import { TabularMDP, checkMDP, checkVector } from "./mdp";
import { DEFAULT_TIE_TOLERANCE, checkPolicy, greedyPolicy, uniformPolicy, type PolicyTable } from "./policies";
import { iterationOptions, sweepUntilConverged, type SweepOptions } from "./sweep";

/** Options of {@link policyImprovement}. */
export interface PolicyImprovementOptions {
  /**
   * The policy being improved. Where it is deterministic, its action is kept unless another action
   * is better by more than the tie tolerance (so ties never make the policy oscillate, S&B
   * Exercise 4.4). Default: none (lowest-index greedy action).
   */
  currentPolicy?: ArrayLike<number>;
  /** Relative tie tolerance: actions within `tieTolerance · max(1, |max_a q|)` tie. Default 1e-9. */
  tieTolerance?: number;
}

/** Result of {@link policyImprovement}. */
export interface PolicyImprovementResult {
  /** The greedy (deterministic) policy as a one-hot table, `nS · nA`. */
  policy: PolicyTable;
  /** Its action in each state, length `nS`. */
  actions: Int32Array;
  /** Whether it equals `currentPolicy` (false when none was given). */
  stable: boolean;
}

/**
 * Policy improvement (S&B §4.2, eq. 4.9): the deterministic policy greedy with respect to V,
 * π′(s) = argmax_a [ r(s, a) + γ Σ_{s′} K(s′ | s, a) V(s′) ]. By the policy improvement theorem
 * (eq. 4.7) v_π′ ≥ v_π when V = v_π. Ties: see {@link PolicyImprovementOptions}.
 * @param V state values, length `nS`.
 * @throws RangeError/TypeError on malformed arguments.
 */
export function policyImprovement(mdp: TabularMDP, V: ArrayLike<number>, options: PolicyImprovementOptions = {}): PolicyImprovementResult {
  const where = "policyImprovement";
  checkMDP(mdp, where);
  checkVector(V, mdp.nS, "V", where);
  const { nS, nA } = mdp;
  const old = options.currentPolicy;
  if (old !== undefined) checkPolicy(old, nS, nA, "currentPolicy", where);
  const tol = options.tieTolerance ?? DEFAULT_TIE_TOLERANCE;
  if (!(tol >= 0) || !Number.isFinite(tol)) throw new RangeError(`${where}: tieTolerance must be a finite number >= 0, got ${tol}`);
  const policy = new Float64Array(nS * nA);
  const actions = new Int32Array(nS);
  const q = new Float64Array(nA);
  let stable = old !== undefined;
  for (let s = 0; s < nS; s++) {
    let best = -Infinity;
    for (let a = 0; a < nA; a++) {
      q[a] = actionValue(mdp, V, s, a);
      if (q[a] > best) best = q[a];
    }
    const floor = best - tol * Math.max(1, Math.abs(best));
    let chosen = 0;
    while (q[chosen] < floor) chosen++;
    if (old !== undefined) {
      const kept = deterministicAction(old, s, nA);
      if (kept >= 0 && q[kept] >= floor) chosen = kept;
      if (kept !== chosen) stable = false;
    }
    actions[s] = chosen;
    policy[s * nA + chosen] = 1;
  }
  return { policy, actions, stable };
}

/** The action of a one-hot row, or −1 when the row is stochastic. */
function deterministicAction(policy: ArrayLike<number>, s: number, nA: number): number {
  for (let a = 0; a < nA; a++) if (policy[s * nA + a] === 1) return a;
  return -1;
}

/** Options of {@link policyIteration}. */
export interface PolicyIterationOptions {
  /** `"exact"` (default): linear solve each time; `"iterative"`: sweeps warm-started from the previous V. */
  evaluation?: "exact" | "iterative";
  /** Iterative evaluation: stop each evaluation when a sweep changes no value by more than this. Default 1e-10. */
  tol?: number;
  /** Iterative evaluation: sweeps allowed per evaluation. Default 100 000. */
  maxEvaluationIterations?: number;
  /** Iterative evaluation: in-place sweeps (default false). */
  inPlace?: boolean;
  /** Evaluate–improve cycles allowed (default 1000); stops with `converged: false` beyond. */
  maxIterations?: number;
  /** π_0 (table `nS · nA`); default the uniform random policy, which terminates when any policy does. */
  initialPolicy?: ArrayLike<number>;
  /** Relative tie tolerance of the improvement step (default 1e-9, see {@link policyImprovement}). */
  tieTolerance?: number;
}

/** Result of {@link policyIteration}. */
export interface PolicyIterationResult {
  /** The final (optimal) deterministic policy, one-hot `nS · nA`. */
  policy: PolicyTable;
  /** Its actions, length `nS`. */
  actions: Int32Array;
  /** Its value v_π (≈ v_*), length `nS`. */
  V: Float64Array;
  /** Evaluate–improve cycles performed (policies evaluated). */
  iterations: number;
  /** Whether it stopped because the policy (or its value) was stable rather than at `maxIterations`. */
  converged: boolean;
  /**
   * For charts: `policies[k]` is π_k (π_0 the initial policy) and `values[k]` its value v_{π_k};
   * `evaluationIterations[k]` the sweeps its evaluation took (1 for exact evaluation).
   */
  history: { policies: PolicyTable[]; values: Float64Array[]; evaluationIterations: number[] };
}

/**
 * Policy iteration (S&B §4.3, boxed algorithm): evaluate π_k, improve greedily to π_{k+1}, until
 * the policy is stable. Guards against endless switching between equally good actions (S&B
 * Exercise 4.4): the improvement keeps the current action unless another is better by more than
 * the tie tolerance, and the loop also stops when an improvement step changes no state value by
 * more than that tolerance (then v_{π_k} already satisfies the Bellman optimality equation).
 *
 * With γ = 1, every policy visited must terminate from every state; exact evaluation throws
 * otherwise (start from a proper policy: the default uniform random policy is one when any is).
 * @throws RangeError/TypeError on malformed options; Error from exact evaluation on a singular system.
 *
 * @example
 * const { policy, V, iterations } = policyIteration(mdpFromEnv(make("FrozenLake-v1"), 0.99));
 */
export function policyIteration(mdp: TabularMDP, options: PolicyIterationOptions = {}): PolicyIterationResult {
  const where = "policyIteration";
  checkMDP(mdp, where);
  const { nS, nA } = mdp;
  const evaluation = options.evaluation ?? "exact";
  if (evaluation !== "exact" && evaluation !== "iterative") {
    throw new RangeError(`${where}: evaluation must be "exact" or "iterative", got ${JSON.stringify(evaluation)}`);
  }
  const maxIterations = options.maxIterations ?? 1000;
  if (!Number.isSafeInteger(maxIterations) || maxIterations <= 0) {
    throw new RangeError(`${where}: maxIterations must be a positive integer, got ${maxIterations}`);
  }
  const evalOptions = iterationOptions({ tol: options.tol, maxIterations: options.maxEvaluationIterations, inPlace: options.inPlace }, where);
  const tieTolerance = options.tieTolerance ?? DEFAULT_TIE_TOLERANCE;
  let policy: PolicyTable =
    options.initialPolicy === undefined
      ? uniformPolicy(nS, nA)
      : Float64Array.from(checkPolicy(options.initialPolicy, nS, nA, "initialPolicy", where));

  const history: PolicyIterationResult["history"] = { policies: [], values: [], evaluationIterations: [] };
  let V: Float64Array | undefined;
  let converged = false;
  while (history.policies.length < maxIterations) {
    let newV: Float64Array;
    if (evaluation === "exact") {
      newV = exactPolicyEvaluation(mdp, policy);
      history.evaluationIterations.push(1);
    } else {
      const result = iterativePolicyEvaluation(mdp, policy, { ...evalOptions, V0: V });
      newV = result.V;
      history.evaluationIterations.push(result.iterations);
    }
    history.policies.push(policy);
    history.values.push(newV);
    const valueStable = V !== undefined && maxChange(V, newV) <= tieTolerance * Math.max(1, maxAbs(newV));
    V = newV;
    if (valueStable) {
      converged = true;
      break;
    }
    const improved = policyImprovement(mdp, V, { currentPolicy: policy, tieTolerance });
    if (improved.stable) {
      converged = true;
      break;
    }
    policy = improved.policy;
  }
  // V is set: the loop runs at least once.
  const finalV = V as Float64Array;
  const actions = new Int32Array(nS);
  const deterministic = greedyIfStochastic(policy, nA, mdp, finalV, tieTolerance);
  for (let s = 0; s < nS; s++) actions[s] = deterministicAction(deterministic, s, nA);
  return { policy: deterministic, actions, V: finalV, iterations: history.policies.length, converged, history };
}

/** The policy itself when deterministic; otherwise (e.g. π_0 stopped immediately) the greedy one. */
function greedyIfStochastic(policy: PolicyTable, nA: number, mdp: TabularMDP, V: Float64Array, tieTolerance: number): PolicyTable {
  for (let s = 0; s < mdp.nS; s++) {
    if (deterministicAction(policy, s, nA) < 0) return greedyPolicy(qFromV(mdp, V), nA, { tieTolerance });
  }
  return policy;
}

function maxChange(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function maxAbs(a: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]));
  return worst;
}

/**
 * Options of {@link valueIteration}: the sweep options `tol` (default 1e-10), `maxIterations`
 * (default 100 000), `inPlace` (Gauss–Seidel sweeps as in S&B's box; default false, synchronous
 * sweeps of eq. 4.10) and `V0` (default zeros) of {@link SweepOptions}, plus these.
 */
export interface ValueIterationOptions extends SweepOptions {
  /** Keep a copy of V after every sweep in `valueHistory` (for animations). Default false. */
  keepValues?: boolean;
  /** Relative tie tolerance of the greedy policy (default 1e-9; ties go to the lowest action). */
  tieTolerance?: number;
}

/** Result of {@link valueIteration}. */
export interface ValueIterationResult {
  /** The final values (≈ v_*), length `nS`. */
  V: Float64Array;
  /** Q = qFromV(V) (≈ q_*), `nS · nA`. */
  Q: Float64Array;
  /** The greedy deterministic policy from Q (one-hot, lowest index on ties). */
  policy: PolicyTable;
  /** Its actions, length `nS`. */
  actions: Int32Array;
  /** Sweeps performed. */
  iterations: number;
  /** Max-norm change of each sweep (length `iterations`). */
  deltas: number[];
  /** Whether the last change was below `tol`. */
  converged: boolean;
  /** V after each sweep, when `keepValues` was set. */
  valueHistory?: Float64Array[];
}

/**
 * Value iteration (S&B §4.4, eq. 4.10 and the boxed algorithm): sweeps of the Bellman optimality
 * backup until the largest change is below `tol`, then the greedy policy. For γ < 1 (synchronous
 * sweeps) ‖V − v_*‖_∞ ≤ γ·tol / (1 − γ) at the end. With γ = 1 it converges on episodic tasks
 * where every policy's value is bounded (e.g. S&B Example 4.1); otherwise it stops at `maxIterations`.
 *
 * Pitfall: with γ = 1 on FrozenLake every safe state has v_* = 1, so many actions tie and the
 * lowest-index greedy policy can walk in circles forever (0 % success within the time limit). A γ
 * slightly below 1 (0.99–0.999) breaks the ties in favour of reaching the goal sooner.
 * @throws RangeError/TypeError on malformed options; Error when the values overflow.
 */
export function valueIteration(mdp: TabularMDP, options: ValueIterationOptions = {}): ValueIterationResult {
  const where = "valueIteration";
  checkMDP(mdp, where);
  const { nS, nA } = mdp;
  const valueHistory: Float64Array[] | undefined = options.keepValues ? [] : undefined;
  const { V, deltas, converged } = sweepUntilConverged(
    nS,
    options,
    where,
    (values, s) => optimalBackup(mdp, values, s),
    valueHistory && ((values) => valueHistory.push(values.slice())),
  );
  const Q = qFromV(mdp, V);
  const policy = greedyPolicy(Q, nA, { tieTolerance: options.tieTolerance });
  const actions = new Int32Array(nS);
  for (let s = 0; s < nS; s++) actions[s] = deterministicAction(policy, s, nA);
  const result: ValueIterationResult = { V, Q, policy, actions, iterations: deltas.length, deltas, converged };
  if (valueHistory) result.valueHistory = valueHistory;
  return result;
}
