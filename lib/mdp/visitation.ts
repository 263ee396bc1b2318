/**
 * State-visitation distributions of a policy: the discounted occupancy η_π and the discounted
 * state distribution d_π of the policy-gradient and TRPO lectures (Kakade & Langford 2002; Schulman
 * et al. 2015, "Trust Region Policy Optimization", ρ_π; S&B §13.2 and eq. 9.2/on-policy distribution).
 */
import { policyDynamics } from "./evaluation";
import { SingularMatrixError, solveLinearSystem } from "./linalg";
import { TabularMDP, checkMDP, checkVector } from "./mdp";

/**
 * The discounted occupancy η_π(s) = Σ_t γ^t Pr(S_t = s, t < T | S_0 ∼ μ, π), where T is the
 * (possibly infinite) step at which the episode terminates: after a terminating transition the
 * process stops, so the state it lands in is not counted. With γ = 1 it is the expected number of
 * visits to s per episode (S&B eq. 9.2's η(s)). Computed exactly from the linear system
 * (I − γ P_π)ᵀ η = μ, with P_π the continuation kernel under π.
 * @param policy policy table, `nS · nA`.
 * @returns η, length `nS` (sums to E[Σ_{t<T} γ^t] = (1 − E[γ^T]) / (1 − γ)).
 * @throws RangeError/TypeError on a malformed policy; Error when I − γ P_π is singular (γ = 1 and
 *   a policy that does not terminate from every state).
 */
export function stateOccupancy(mdp: TabularMDP, policy: ArrayLike<number>): Float64Array {
  const where = "stateOccupancy";
  checkMDP(mdp, where);
  const { Ppi } = policyDynamics(mdp, policy);
  const n = mdp.nS;
  // A = (I − γ P_π)ᵀ: A[i][j] = δ_ij − γ P_π[j][i].
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = -mdp.gamma * Ppi[j * n + i];
  for (let i = 0; i < n; i++) A[i * n + i] += 1;
  try {
    return solveLinearSystem(A, mdp.initialDistribution.slice(), { overwrite: true });
  } catch (error) {
    if (error instanceof SingularMatrixError) {
      throw new Error(`${where}: I − γP_π is singular (γ = ${mdp.gamma}): the policy never terminates from some state, so the occupancy is infinite`);
    }
    throw error;
  }
}

/** Options of {@link discountedStateVisitation}. */
export interface VisitationOptions {
  /**
   * `false` (default): d_π = (1 − γ) η_π, whose total mass is 1 − E[γ^T] ≤ 1 (1 for continuing
   * tasks; less when episodes terminate) — the measure for which the performance-difference lemma
   * J(π′) − J(π) = 1/(1 − γ) Σ_s d_π′(s) Σ_a π′(a|s) A_π(s, a) holds exactly with terminations.
   * `true`: divided by its mass, a probability distribution over states.
   */
  normalize?: boolean;
}

/**
 * The discounted state-visitation distribution d_π(s) = (1 − γ) Σ_t γ^t Pr(S_t = s, t < T | S_0 ∼ μ, π)
 * (TRPO lecture: the state distribution of the performance-difference lemma). Counting stops at
 * termination (see {@link stateOccupancy}); normalisation: {@link VisitationOptions}.
 * @param policy policy table, `nS · nA`.
 * @returns d_π, length `nS`.
 * @throws RangeError when γ = 1 (d_π is then 0; use {@link stateOccupancy}) or on a malformed policy.
 */
export function discountedStateVisitation(mdp: TabularMDP, policy: ArrayLike<number>, options: VisitationOptions = {}): Float64Array {
  const where = "discountedStateVisitation";
  checkMDP(mdp, where);
  if (mdp.gamma >= 1) throw new RangeError(`${where}: needs gamma < 1 (the factor 1 − γ is 0); for γ = 1 use stateOccupancy (expected visits)`);
  const d = stateOccupancy(mdp, policy);
  let mass = 0;
  for (let s = 0; s < d.length; s++) {
    d[s] *= 1 - mdp.gamma;
    mass += d[s];
  }
  if (options.normalize) for (let s = 0; s < d.length; s++) d[s] /= mass;
  return d;
}

/**
 * The objective J(π) = E_{S_0 ∼ μ}[V(S_0)] = Σ_s μ(s) V(s) (S&B eq. 13.4 with a start distribution).
 * @param V state values (e.g. v_π), length `nS`.
 */
export function startValue(mdp: TabularMDP, V: ArrayLike<number>): number {
  const where = "startValue";
  checkMDP(mdp, where);
  checkVector(V, mdp.nS, "V", where);
  let J = 0;
  for (let s = 0; s < mdp.nS; s++) J += mdp.initialDistribution[s] * V[s];
  return J;
}
