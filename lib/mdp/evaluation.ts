/**
 * Policy evaluation (prediction), Sutton & Barto §4.1: computing v_π for a given policy, either by
 * iterating the Bellman expectation backup (eq. 4.5) or exactly, by solving the linear system
 * v_π = r_π + γ P_π v_π (eq. 3.14 in matrix form).
 */
import { expectedBackup } from "./bellman";
import { SingularMatrixError, solveLinearSystem } from "./linalg";
import { TabularMDP, checkMDP } from "./mdp";
import { checkPolicy } from "./policies";
import { sweepUntilConverged, type SweepOptions } from "./sweep";

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

/**
 * Options of {@link iterativePolicyEvaluation}: `tol` (default 1e-10), `maxIterations` (default
 * 100 000), `inPlace` (Gauss–Seidel sweeps as in S&B's boxed algorithm; default false, synchronous
 * sweeps of eq. 4.5) and `V0` (default zeros); see {@link SweepOptions}.
 */
export interface IterativeEvaluationOptions extends SweepOptions {}

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
  const { V, deltas, converged } = sweepUntilConverged(mdp.nS, options, where, (values, s) => expectedBackup(mdp, policy, values, s));
  return { V, iterations: deltas.length, deltas, converged };
}
