/**
 * Policy evaluation (prediction), Sutton & Barto §4.1: computing v_π for a given policy, either by
 * iterating the Bellman expectation backup (eq. 4.5) or exactly, by solving the linear system
 * v_π = r_π + γ P_π v_π (eq. 3.14 in matrix form).
 */
import { expectedBackup } from "./bellman";
import { SingularMatrixError, solveLinearSystem } from "./linalg";
import { TabularMDP, checkMDP, checkVector } from "./mdp";
import { checkPolicy } from "./policies";

/** The Markov reward process a policy induces: `P_π` (continuation only) and `r_π`. */
export interface PolicyDynamics {
  /**
   * `Ppi[s * nS + s′] = Σ_a π(a | s) K(s′ | s, a)`: the probability of moving to s′ without the
   * episode terminating (rows sum to at most 1; to 1 minus the termination probability).
   */
  Ppi: Float64Array;
  /** Expected reward `rPi[s] = Σ_a π(a | s) r(s, a)`. */
  rPi: Float64Array;
}

/**
 * The dynamics of the Markov reward process under π: `P_π` (dense `nS × nS`, continuing transitions
 * only) and `r_π` (length `nS`), so that v_π = r_π + γ P_π v_π.
 * @throws TypeError/RangeError when `mdp` or `policy` is malformed.
 */
export function policyDynamics(mdp: TabularMDP, policy: ArrayLike<number>): PolicyDynamics {
  const where = "policyDynamics";
  checkMDP(mdp, where);
  const { nS, nA } = mdp;
  checkPolicy(policy, nS, nA, "policy", where);
  const Ppi = new Float64Array(nS * nS);
  const rPi = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const p = policy[s * nA + a];
      if (p === 0) continue;
      const sa = s * nA + a;
      rPi[s] += p * mdp.R[sa];
      for (let k = mdp.outcomeStart[sa]; k < mdp.outcomeStart[sa + 1]; k++) Ppi[s * nS + mdp.outcomeNext[k]] += p * mdp.outcomeContinue[k];
    }
  }
  return { Ppi, rPi };
}

/**
 * Exact policy evaluation: solves (I − γ P_π) v = r_π by Gaussian elimination with partial pivoting
 * ({@link solveLinearSystem}); O(nS³), Taxi's 500 states in well under a second.
 * @param policy policy table, `nS · nA` (index `s * nA + a`, rows summing to 1).
 * @returns v_π, length `nS`.
 * @throws RangeError/TypeError on a malformed policy; Error when I − γ P_π is singular, which happens
 *   only with γ = 1 when from some state (reachable or not) the policy never terminates.
 */
export function exactPolicyEvaluation(mdp: TabularMDP, policy: ArrayLike<number>): Float64Array {
  const where = "exactPolicyEvaluation";
  const { Ppi, rPi } = policyDynamics(mdp, policy);
  const n = mdp.nS;
  const A = Ppi; // reused in place: A = I − γ P_π
  for (let i = 0; i < A.length; i++) A[i] = -mdp.gamma * A[i];
  for (let s = 0; s < n; s++) A[s * n + s] += 1;
  try {
    return solveLinearSystem(A, rPi, { overwrite: true });
  } catch (error) {
    if (error instanceof SingularMatrixError) {
      throw new Error(
        `${where}: I − γP_π is singular (γ = ${mdp.gamma}): from some state the policy never terminates, so its undiscounted ` +
          `value is undefined. Use γ < 1, or a policy that terminates with probability 1 from every state (${error.message})`,
      );
    }
    throw error;
  }
}

/** Options of {@link iterativePolicyEvaluation}. */
export interface IterativeEvaluationOptions {
  /** Stop when a sweep changes no value by more than this (S&B's θ; max-norm). Default 1e-10. */
  tol?: number;
  /** Give up after this many sweeps (`converged: false`). Default 100 000. */
  maxIterations?: number;
  /**
   * `true`: in-place (Gauss–Seidel) sweeps, each update using the values already updated in this
   * sweep — the version of S&B's boxed algorithm, usually faster. `false` (default): synchronous
   * (Jacobi) sweeps V_{k+1} = T^π V_k with two arrays, S&B eq. 4.5.
   */
  inPlace?: boolean;
  /** Starting values V_0 (length `nS`; default zeros). Not modified. */
  V0?: ArrayLike<number>;
}

/** Result of {@link iterativePolicyEvaluation}. */
export interface IterativeEvaluationResult {
  /** The estimate of v_π, length `nS`. */
  V: Float64Array;
  /** Sweeps performed. */
  iterations: number;
  /** Max-norm change of each sweep, ‖V_{k+1} − V_k‖_∞ (length `iterations`), for convergence charts. */
  deltas: number[];
  /** Whether the last change was below `tol` (false when `maxIterations` was reached). */
  converged: boolean;
}

/**
 * Iterative policy evaluation (S&B §4.1, eq. 4.5 and the boxed algorithm): repeat sweeps of the
 * Bellman expectation backup until the largest change is below `tol`. For γ < 1 a synchronous sweep
 * is a γ-contraction, so the final error ‖V − v_π‖_∞ ≤ γ·tol / (1 − γ). With γ = 1 it converges only
 * if the policy terminates from every state; otherwise it stops at `maxIterations` unconverged.
 * @param policy policy table, `nS · nA`.
 * @throws RangeError/TypeError on a malformed policy, `V0` or option; Error when the values overflow
 *   to a non-finite number.
 */
export function iterativePolicyEvaluation(
  mdp: TabularMDP,
  policy: ArrayLike<number>,
  options: IterativeEvaluationOptions = {},
): IterativeEvaluationResult {
  const where = "iterativePolicyEvaluation";
  checkMDP(mdp, where);
  checkPolicy(policy, mdp.nS, mdp.nA, "policy", where);
  const { tol, maxIterations, inPlace } = iterationOptions(options, where);
  let V = options.V0 === undefined ? new Float64Array(mdp.nS) : Float64Array.from(checkVector(options.V0, mdp.nS, "V0", where));
  let W = inPlace ? V : new Float64Array(mdp.nS);
  const deltas: number[] = [];
  let converged = false;
  while (deltas.length < maxIterations) {
    let delta = 0;
    for (let s = 0; s < mdp.nS; s++) {
      const v = expectedBackup(mdp, policy, V, s);
      delta = Math.max(delta, Math.abs(v - V[s]));
      W[s] = v;
    }
    if (!inPlace) [V, W] = [W, V];
    deltas.push(delta);
    if (!Number.isFinite(delta)) throw new Error(`${where}: the values diverged to a non-finite number after ${deltas.length} sweeps`);
    if (delta < tol || delta === 0) {
      converged = true;
      break;
    }
  }
  return { V, iterations: deltas.length, deltas, converged };
}

/** Reads `tol`, `maxIterations` and `inPlace`, with the defaults of the iterative methods. */
export function iterationOptions(
  options: { tol?: number; maxIterations?: number; inPlace?: boolean },
  where: string,
): { tol: number; maxIterations: number; inPlace: boolean } {
  const tol = options.tol ?? 1e-10;
  const maxIterations = options.maxIterations ?? 100_000;
  if (typeof tol !== "number" || !(tol >= 0) || !Number.isFinite(tol)) throw new RangeError(`${where}: tol must be a finite number >= 0, got ${tol}`);
  if (!Number.isSafeInteger(maxIterations) || maxIterations <= 0) {
    throw new RangeError(`${where}: maxIterations must be a positive integer, got ${maxIterations}`);
  }
  if (options.inPlace !== undefined && typeof options.inPlace !== "boolean") {
    throw new TypeError(`${where}: inPlace must be true or false, got ${JSON.stringify(options.inPlace)}`);
  }
  return { tol, maxIterations, inPlace: options.inPlace ?? false };
}
