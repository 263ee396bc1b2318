/**
 * Exploration and reward-design pieces for tabular envs (exploration lecture): the count-based
 * bonus β/√N(s, a), the potential-based shaping term F = γΦ(s′) − Φ(s), a wrapper that adds any
 * such term to the env's reward (so that the unchanged `qLearning`, `sarsa`, … learn from it), and a
 * wrapper that draws the start state from a chosen distribution μ (a "μ-restart" simulator).
 *
 * @example
 * import { make, qLearning, countBonus, RewardShaping } from "rl-course";
 * const env = make("CombinationLock-v0", { horizon: 12 });
 * const N = new Float64Array(env.unwrapped.nS * env.unwrapped.nA);
 * const bonusEnv = new RewardShaping(env, (s, a) => countBonus(N, env.unwrapped.nA, s, a, 0.1));
 * qLearning(bonusEnv, { epsilon: 0.1, episodes: 500, seed: 0 });
 */
import { Rng } from "../random";
import { Wrapper, type Env, type Info, type ResetArgs, type StepResult } from "../envs/core";
import { tabularSizes } from "./common";

/**
 * The count-based exploration bonus of MBIE-EB (Strehl & Littman 2008, "An analysis of model-based
 * Interval Estimation for Markov Decision Processes", JCSS 74(8)): increments the visit count
 * N(s, a), in place, then returns β/√N(s, a). Adding it to the reward, r + β/√N(s, a), makes rarely
 * tried actions look better than their estimate, by an amount that shrinks like a confidence interval.
 *
 * @param counts visit counts N, flat nS × nA (`counts[s * nA + a]`), updated in place.
 * @param nA number of actions.
 * @param beta bonus scale β ≥ 0.
 * @returns β/√N(s, a) with N(s, a) already incremented (so β on the first visit).
 * @throws RangeError when (s, a) is outside the table, `counts` is not a multiple of `nA` long, or
 *   β is negative or not finite.
 */
export function countBonus(counts: Float64Array, nA: number, s: number, a: number, beta: number): number {
  const where = "countBonus";
  if (!Number.isSafeInteger(nA) || nA <= 0 || counts.length === 0 || counts.length % nA !== 0) {
    throw new RangeError(`${where}: counts has length ${counts.length}, not a positive multiple of nA = ${nA}`);
  }
  const nS = counts.length / nA;
  if (!Number.isInteger(s) || s < 0 || s >= nS) throw new RangeError(`${where}: s must be a state in 0…${nS - 1}, got ${s}`);
  if (!Number.isInteger(a) || a < 0 || a >= nA) throw new RangeError(`${where}: a must be an action in 0…${nA - 1}, got ${a}`);
  if (!(beta >= 0 && Number.isFinite(beta))) throw new RangeError(`${where}: beta must be a finite number >= 0, got ${beta}`);
  const i = s * nA + a;
  counts[i] += 1;
  return beta / Math.sqrt(counts[i]);
}

/**
 * The potential-based shaping term of Ng, Harada & Russell (1999, "Policy invariance under reward
 * transformations", ICML; Theorem 1): F(s, s′) = γΦ(s′) − Φ(s), with Φ(s′) taken as 0 when the
 * transition terminates. Adding F to every reward leaves the optimal policies unchanged
 * (Q*_shaped(s, a) = Q*(s, a) − Φ(s)), and the discounted return of a terminated episode changes
 * by exactly −Φ(S_0).
 *
 * @param phi the potential Φ, one number per state.
 * @param gamma the discount γ of the learner, in [0, 1].
 * @param terminated whether the transition s → s′ ended the episode (then Φ(s′) counts as 0).
 * @throws RangeError when s or s′ is not an index of `phi`, γ is outside [0, 1], or a Φ value used
 *   is not finite.
 */
export function potentialShaping(phi: ArrayLike<number>, gamma: number, s: number, sNext: number, terminated: boolean): number {
  const where = "potentialShaping";
  for (const [name, x] of [["s", s], ["sNext", sNext]] as const) {
    if (!Number.isInteger(x) || x < 0 || x >= phi.length) throw new RangeError(`${where}: ${name} must be a state in 0…${phi.length - 1}, got ${x}`);
  }
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`${where}: gamma must be in [0, 1], got ${gamma}`);
  const next = terminated ? 0 : phi[sNext];
  const value = gamma * next - phi[s];
  if (!Number.isFinite(value)) throw new RangeError(`${where}: Φ(${s}) = ${phi[s]} or Φ(${sNext}) = ${phi[sNext]} is not finite`);
  return value;
}

/** The extra reward of {@link RewardShaping}: called once per step, after the env stepped. */
export type ShapingFunction = (s: number, a: number, sNext: number, terminated: boolean) => number;

/**
 * Adds `fn(s, a, s′, terminated)` to every reward of a tabular env: count bonuses
 * ({@link countBonus}), potential-based shaping ({@link potentialShaping}) or any other shaping.
 * `episodeReturn` keeps the undiscounted sum of the env's own rewards since the last reset, so a
 * learner's `onEpisode` can still see what the episode earned without the added terms.
 *
 * @throws (constructor) TypeError when the env is not tabular (Discrete states and actions).
 * @throws (step) RangeError when `fn` returns a number that is not finite.
 */
export class RewardShaping extends Wrapper<number, number> {
  /** Undiscounted sum of the env's own (unshaped) rewards since the last reset. */
  episodeReturn = 0;
  private s = 0;

  constructor(
    env: Env<number, number>,
    readonly fn: ShapingFunction,
  ) {
    super(env);
    tabularSizes(env, "RewardShaping");
  }

  override reset(args?: ResetArgs): [number, Info] {
    const result = this.env.reset(args);
    this.s = result[0];
    this.episodeReturn = 0;
    return result;
  }

  override step(action: number): StepResult<number> {
    const result = this.env.step(action);
    const [sNext, reward, terminated] = result;
    const extra = this.fn(this.s, action, sNext, terminated);
    if (!Number.isFinite(extra)) throw new RangeError(`RewardShaping: the shaping function returned ${extra} for (${this.s}, ${action}, ${sNext})`);
    this.episodeReturn += reward;
    result[1] = reward + extra;
    this.s = sNext;
    return result;
  }
}

/**
 * Starts every episode in a state drawn from a distribution μ instead of the env's own start
 * distribution: resets the env, then sets `env.unwrapped.state` to S_0 ∼ μ. This is the
 * "μ-restart" access to a simulator assumed by conservative policy iteration (Kakade & Langford
 * 2002) and by policy-gradient guarantees, whose bounds grow with the distribution mismatch
 * coefficient max_s d_π*(s) / μ(s). Put mass only on non-terminal states.
 *
 * Seeding: `reset({ seed })` re-seeds the wrapper's generator with `seed` as well as the env.
 *
 * @throws (constructor) TypeError when the env is not tabular or its unwrapped env has no settable
 *   `state` (the toy-text envs have one); RangeError when μ does not have one probability per state
 *   or does not sum to 1 (within 1e-9).
 */
export class StartDistribution extends Wrapper<number, number> {
  /** μ, one probability per state. */
  readonly mu: Float64Array;
  private rng: Rng;

  constructor(env: Env<number, number>, mu: ArrayLike<number>, seed = 0) {
    super(env);
    const where = "StartDistribution";
    const { nS } = tabularSizes(env, where);
    if (mu.length !== nS) throw new RangeError(`${where}: mu has ${mu.length} entries, expected one per state (${nS})`);
    let total = 0;
    for (let i = 0; i < nS; i++) {
      if (!(mu[i] >= 0 && mu[i] <= 1)) throw new RangeError(`${where}: mu[${i}] = ${mu[i]} is not a probability`);
      total += mu[i];
    }
    if (Math.abs(total - 1) > 1e-9) throw new RangeError(`${where}: mu sums to ${total}, expected 1`);
    const raw = env.unwrapped as unknown as object;
    let proto: object | null = raw;
    let settable = false;
    while (proto !== null && !settable) {
      const desc = Object.getOwnPropertyDescriptor(proto, "state");
      settable = desc !== undefined && (desc.writable === true || desc.set !== undefined);
      proto = Object.getPrototypeOf(proto);
    }
    if (!settable) throw new TypeError(`${where}: env.unwrapped (${raw.constructor?.name}) has no settable state (toy-text envs have one)`);
    this.mu = Float64Array.from(mu);
    this.rng = new Rng(seed);
  }

  override reset(args?: ResetArgs): [number, Info] {
    if (args?.seed !== undefined) this.rng = new Rng(args.seed);
    const [, info] = this.env.reset(args);
    const s = this.rng.categorical(this.mu);
    (this.env.unwrapped as unknown as { state: number }).state = s;
    return [s, info];
  }
}
