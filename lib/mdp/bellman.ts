/**
 * Bellman operators of a tabular MDP (Sutton & Barto §3.5–3.6, §4.1–4.4) and the conversions
 * between V, Q and the advantage A = Q − V. Termination follows Gymnasium's `P` (see `mdp.ts`):
 * a terminating transition earns its reward and contributes no value of its next state:
 *
 *   q(s, a) = r(s, a) + γ Σ_{s′} K(s′ | s, a) v(s′)              (S&B eq. 4.6)
 *
 * with K the continuation kernel. Layouts: `V` has `nS` entries, `Q`, `A` and policies `nS · nA`
 * (index `s * nA + a`). Every function checks its arguments and throws a RangeError naming the
 * argument when a length is wrong or an entry is not finite.
 */
import { TabularMDP, checkMDP, checkVector } from "./mdp";
import { checkPolicy } from "./policies";

/**
 * One action value from state values: q(s, a) = r(s, a) + γ Σ_{s′} K(s′ | s, a) v(s′)
 * (S&B eq. 4.6). Unchecked (used in inner loops): `V` must have `nS` entries.
 */
export function actionValue(mdp: TabularMDP, V: ArrayLike<number>, s: number, a: number): number {
  const sa = s * mdp.nA + a;
  const next = mdp.outcomeNext;
  const cont = mdp.outcomeContinue;
  let expected = 0;
  for (let k = mdp.outcomeStart[sa], end = mdp.outcomeStart[sa + 1]; k < end; k++) expected += cont[k] * V[next[k]];
  return mdp.R[sa] + mdp.gamma * expected;
}

/**
 * Action values from state values, Q(s, a) = r(s, a) + γ Σ_{s′} K(s′ | s, a) V(s′) (S&B eq. 4.6,
 * Exercise 3.19; with V = v_π this is q_π, with V = v_* it is q_*).
 * @param V state values, length `nS`.
 * @param out optional output of length `nS · nA` (not `V`).
 * @returns Q, `nS · nA`.
 */
export function qFromV(mdp: TabularMDP, V: ArrayLike<number>, out?: Float64Array): Float64Array {
  const where = "qFromV";
  checkMDP(mdp, where);
  checkVector(V, mdp.nS, "V", where);
  return fillActionValues(mdp, V, output(out, mdp.nS * mdp.nA, where));
}

/**
 * State values from action values: V(s) = Σ_a π(a | s) Q(s, a) (S&B eq. 3.12 through q_π, Exercise
 * 3.18) or, without a policy, V(s) = max_a Q(s, a) (the greedy value; v_* from q_*, S&B eq. 3.18).
 * @param Q action values, `nS · nA`.
 * @param policy optional policy table, `nS · nA`.
 * @returns V, length `nS`.
 */
export function vFromQ(mdp: TabularMDP, Q: ArrayLike<number>, policy?: ArrayLike<number>): Float64Array {
  const where = "vFromQ";
  checkMDP(mdp, where);
  const { nS, nA } = mdp;
  checkVector(Q, nS * nA, "Q", where);
  if (policy !== undefined) checkPolicy(policy, nS, nA, "policy", where);
  const V = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    const o = s * nA;
    if (policy === undefined) {
      let best = Q[o];
      for (let a = 1; a < nA; a++) if (Q[o + a] > best) best = Q[o + a];
      V[s] = best;
    } else {
      let v = 0;
      for (let a = 0; a < nA; a++) v += policy[o + a] * Q[o + a];
      V[s] = v;
    }
  }
  return V;
}

/**
 * The advantage A(s, a) = Q(s, a) − V(s) (used from the policy-gradient lectures on; with Q = q_π
 * and V = v_π, E_{a∼π}[A(s, a)] = 0 in every state).
 * @param Q action values, `nS · nA`.
 * @param V state values, `nS`.
 * @returns A, `nS · nA`.
 */
export function advantage(mdp: TabularMDP, Q: ArrayLike<number>, V: ArrayLike<number>): Float64Array {
  const where = "advantage";
  checkMDP(mdp, where);
  const { nS, nA } = mdp;
  checkVector(Q, nS * nA, "Q", where);
  checkVector(V, nS, "V", where);
  const A = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) for (let a = 0; a < nA; a++) A[s * nA + a] = Q[s * nA + a] - V[s];
  return A;
}

/**
 * The Bellman expectation backup for state values (S&B eq. 4.5, the update of iterative policy
 * evaluation; its fixed point is v_π, eq. 3.14):
 * (T^π V)(s) = Σ_a π(a | s) [ r(s, a) + γ Σ_{s′} K(s′ | s, a) V(s′) ].
 * @param policy policy table, `nS · nA`.
 * @param V state values, `nS`.
 * @param out optional output of length `nS` (must not be `V`: this is the synchronous backup).
 */
export function bellmanExpectationBackupV(
  mdp: TabularMDP,
  policy: ArrayLike<number>,
  V: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const next = backupArgs("bellmanExpectationBackupV", mdp, V, "V", out, policy);
  for (let s = 0; s < mdp.nS; s++) next[s] = expectedBackup(mdp, policy, V, s);
  return next;
}

/**
 * The Bellman expectation backup for action values (S&B Exercise 3.17; fixed point q_π):
 * (T^π Q)(s, a) = r(s, a) + γ Σ_{s′} K(s′ | s, a) Σ_{a′} π(a′ | s′) Q(s′, a′).
 * @param policy policy table, `nS · nA`.
 * @param Q action values, `nS · nA`.
 * @param out optional output of length `nS · nA` (not `Q`).
 */
export function bellmanExpectationBackupQ(
  mdp: TabularMDP,
  policy: ArrayLike<number>,
  Q: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const next = backupArgs("bellmanExpectationBackupQ", mdp, Q, "Q", out, policy);
  return fillActionValues(mdp, vFromQ(mdp, Q, policy), next);
}

/**
 * The Bellman optimality backup for state values (S&B eq. 4.10, the value-iteration update; fixed
 * point v_*, eq. 3.19): (T* V)(s) = max_a [ r(s, a) + γ Σ_{s′} K(s′ | s, a) V(s′) ].
 * @param V state values, `nS`.
 * @param out optional output of length `nS` (not `V`).
 */
export function bellmanOptimalityBackupV(mdp: TabularMDP, V: ArrayLike<number>, out?: Float64Array): Float64Array {
  const next = backupArgs("bellmanOptimalityBackupV", mdp, V, "V", out, NO_POLICY);
  for (let s = 0; s < mdp.nS; s++) next[s] = optimalBackup(mdp, V, s);
  return next;
}

/**
 * The Bellman optimality backup for action values (S&B eq. 3.20; fixed point q_*):
 * (T* Q)(s, a) = r(s, a) + γ Σ_{s′} K(s′ | s, a) max_{a′} Q(s′, a′).
 * @param Q action values, `nS · nA`.
 * @param out optional output of length `nS · nA` (not `Q`).
 */
export function bellmanOptimalityBackupQ(mdp: TabularMDP, Q: ArrayLike<number>, out?: Float64Array): Float64Array {
  const next = backupArgs("bellmanOptimalityBackupQ", mdp, Q, "Q", out, NO_POLICY);
  return fillActionValues(mdp, vFromQ(mdp, Q), next);
}

/**
 * The Bellman residual ‖T V − V‖_∞: with a policy, of the expectation operator T^π (0 exactly at
 * v_π); without, of the optimality operator T* (0 exactly at v_*). A computed value function is
 * within residual / (1 − γ) of the fixed point (γ < 1).
 * @param V state values, `nS`.
 * @param policy optional policy table, `nS · nA`.
 */
export function bellmanResidual(mdp: TabularMDP, V: ArrayLike<number>, policy?: ArrayLike<number>): number {
  const TV = policy === undefined ? bellmanOptimalityBackupV(mdp, V) : bellmanExpectationBackupV(mdp, policy, V);
  let worst = 0;
  for (let s = 0; s < mdp.nS; s++) worst = Math.max(worst, Math.abs(TV[s] - V[s]));
  return worst;
}

/** (T^π V)(s) for one state; unchecked, for the inner loops of policy evaluation. */
export function expectedBackup(mdp: TabularMDP, policy: ArrayLike<number>, V: ArrayLike<number>, s: number): number {
  let v = 0;
  for (let a = 0, o = s * mdp.nA; a < mdp.nA; a++) {
    const p = policy[o + a];
    if (p !== 0) v += p * actionValue(mdp, V, s, a);
  }
  return v;
}

/** (T* V)(s) for one state; unchecked, for the inner loop of value iteration. */
export function optimalBackup(mdp: TabularMDP, V: ArrayLike<number>, s: number): number {
  let best = -Infinity;
  for (let a = 0; a < mdp.nA; a++) {
    const q = actionValue(mdp, V, s, a);
    if (q > best) best = q;
  }
  return best;
}

/** Writes Q(s, a) = r(s, a) + γ Σ_{s′} K(s′ | s, a) V(s′) for every (s, a) into `out` (`nS · nA`) and returns it. Unchecked. */
function fillActionValues(mdp: TabularMDP, V: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let s = 0; s < mdp.nS; s++) for (let a = 0; a < mdp.nA; a++) out[s * mdp.nA + a] = actionValue(mdp, V, s, a);
  return out;
}

/** Marks a backup without a policy (the optimality backups) for {@link backupArgs}. */
const NO_POLICY: unique symbol = Symbol("no policy");

/**
 * The checks of a Bellman backup's arguments, in this order: `mdp`, `policy` (`nS · nA`;
 * {@link NO_POLICY} for the optimality backups, which have none), the input values (`"V"`: `nS` entries, `"Q"`: `nS · nA`), then `out`.
 * @returns the output array: `out`, or a new Float64Array of the input's length.
 * @throws RangeError/TypeError naming `where` and the argument (see {@link output} for `out`).
 */
function backupArgs(
  where: string,
  mdp: TabularMDP,
  values: ArrayLike<number>,
  name: "V" | "Q",
  out: Float64Array | undefined,
  policy: ArrayLike<number> | typeof NO_POLICY,
): Float64Array {
  checkMDP(mdp, where);
  if (policy !== NO_POLICY) checkPolicy(policy, mdp.nS, mdp.nA, "policy", where);
  const length = name === "V" ? mdp.nS : mdp.nS * mdp.nA;
  checkVector(values, length, name, where);
  return output(out, length, where, values);
}

function output(out: Float64Array | undefined, length: number, where: string, input?: ArrayLike<number>): Float64Array {
  if (out === undefined) return new Float64Array(length);
  if (!(out instanceof Float64Array) || out.length !== length) {
    throw new RangeError(`${where}: out must be a Float64Array of length ${length}`);
  }
  if (input !== undefined && (out as unknown) === input) throw new RangeError(`${where}: out must not be the input array (the backup is synchronous)`);
  return out;
}
