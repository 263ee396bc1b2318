/**
 * Sampling episodes from a tabular MDP (or a real env) under a policy, and the Monte Carlo estimate
 * of a policy's performance. Notation of Sutton & Barto §3.1: S_0, A_0, R_1, S_1, A_1, R_2, …
 */
import type { Env } from "../envs/core";
import { Rng } from "../random";
import { TabularMDP, checkGamma, checkMDP } from "./mdp";
import { checkPolicy, sampleAction } from "./policies";

/**
 * A policy to act with: a table `nS · nA` (index `s * nA + a`, rows summing to 1), or a function
 * returning the action for a state (it may draw from the given generator).
 */
export type PolicyLike = ArrayLike<number> | ((state: number, rng: Rng) => number);

/** One episode: S_0 … S_T, A_0 … A_{T−1}, R_1 … R_T (S&B §3.1). */
export interface Trajectory {
  /** Visited states, S_0 first and the state the last transition led to last (length T + 1). */
  states: number[];
  /** Actions taken, `actions[t] = A_t` (length T). */
  actions: number[];
  /** Rewards received, `rewards[t] = R_{t+1}` (length T). */
  rewards: number[];
  /** Whether the last transition terminated the episode. */
  terminated: boolean;
  /** Whether the episode was cut at `maxSteps` without terminating. */
  truncated: boolean;
}

/** Options of {@link sampleTrajectory}. */
export interface TrajectoryOptions {
  /** Truncate after this many steps (default 1000). */
  maxSteps?: number;
  /** Start here instead of drawing S_0 ∼ μ. */
  initialState?: number;
}

/**
 * Samples one episode of `mdp` under `policy`: S_0 ∼ μ (or `initialState`), A_t ∼ π(· | S_t), then an
 * outcome of `P[S_t][A_t]` with its own reward and terminated flag (so rewards are the transitions'
 * rewards, not their expectation). Stops at termination or after `maxSteps` steps.
 * @param rng the generator for every draw (start state, actions, transitions).
 * @throws TypeError/RangeError on a malformed policy, `maxSteps` or `initialState`, or when a policy
 *   function returns something that is not an action.
 */
export function sampleTrajectory(mdp: TabularMDP, policy: PolicyLike, rng: Rng, options: TrajectoryOptions = {}): Trajectory {
  const where = "sampleTrajectory";
  checkMDP(mdp, where);
  if (!(rng instanceof Rng)) throw new TypeError(`${where}: rng must be an Rng (e.g. new Rng(0))`);
  const act = actor(policy, mdp.nS, mdp.nA, where);
  const maxSteps = options.maxSteps ?? 1000;
  if (!Number.isSafeInteger(maxSteps) || maxSteps < 0) throw new RangeError(`${where}: maxSteps must be an integer >= 0, got ${maxSteps}`);
  let s: number;
  if (options.initialState !== undefined) {
    s = options.initialState;
    if (!Number.isInteger(s) || s < 0 || s >= mdp.nS) throw new RangeError(`${where}: initialState must be a state in [0, ${mdp.nS - 1}], got ${s}`);
  } else {
    s = rng.categorical(mdp.initialDistribution);
  }
  const trajectory: Trajectory = { states: [s], actions: [], rewards: [], terminated: false, truncated: false };
  while (trajectory.actions.length < maxSteps) {
    const a = act(s, rng);
    if (!Number.isInteger(a) || a < 0 || a >= mdp.nA) throw new RangeError(`${where}: the policy returned ${a} in state ${s}, not an action in [0, ${mdp.nA - 1}]`);
    const outcomes = mdp.P[s][a];
    const u = rng.random();
    let cumulative = 0;
    let chosen = outcomes[0];
    for (const outcome of outcomes) {
      if (outcome[0] > 0) chosen = outcome; // the last possible outcome absorbs round-off
      cumulative += outcome[0];
      if (u < cumulative) break;
    }
    const [, next, reward, terminated] = chosen;
    trajectory.actions.push(a);
    trajectory.rewards.push(reward);
    trajectory.states.push(next);
    s = next;
    if (terminated) {
      trajectory.terminated = true;
      return trajectory;
    }
  }
  trajectory.truncated = true;
  return trajectory;
}

/**
 * The discounted return G_0 = Σ_{k=0}^{T−1} γ^k R_{k+1} (S&B eq. 3.8), computed backwards with
 * G_t = R_{t+1} + γ G_{t+1} (eq. 3.9).
 * @param rewards R_1 … R_T.
 * @param gamma discount in [0, 1].
 * @throws RangeError when `gamma` is not in [0, 1] or a reward is not finite.
 */
export function discountedReturn(rewards: ArrayLike<number>, gamma: number): number {
  checkGamma(gamma, "discountedReturn");
  let G = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    if (!Number.isFinite(rewards[t])) throw new RangeError(`discountedReturn: rewards[${t}] = ${rewards[t]} is not a finite number`);
    G = rewards[t] + gamma * G;
  }
  return G;
}

/** What {@link RolloutOptions.isSuccess} sees of an episode. */
export interface EpisodeSummary {
  /** Undiscounted sum of rewards. */
  return: number;
  /** Number of steps. */
  length: number;
  /** Ended by a terminating transition. */
  terminated: boolean;
  /** Ended by the time limit (the env's TimeLimit, or `maxSteps`). */
  truncated: boolean;
  /** Reward of the last step (0 for an empty episode). */
  lastReward: number;
}

/** Options of {@link evaluatePolicyByRollouts}. */
export interface RolloutOptions {
  /**
   * Truncate episodes after this many steps. Default for an MDP 1000; for an env its own TimeLimit
   * (from `make`) applies and this is a safety net, default 100 000.
   */
  maxSteps?: number;
  /** Discount of the reported returns (default 1: the undiscounted episode return, as Gymnasium's `info.episode.r`). */
  gamma?: number;
  /**
   * Whether an episode counts as a success. Default: it terminated and its last reward is > 0
   * (FrozenLake's goal, Taxi's drop-off, a GridWorld goal with positive reward). For CliffWalking,
   * whose goal pays −1, pass `(e) => e.terminated`.
   */
  isSuccess?: (episode: EpisodeSummary) => boolean;
}

/** Result of {@link evaluatePolicyByRollouts}. */
export interface RolloutResult {
  /** Number of episodes. */
  episodes: number;
  /** Mean (discounted with `gamma`) return. */
  meanReturn: number;
  /** Standard deviation of the returns (population). */
  stdReturn: number;
  /** Standard error of the mean return, stdReturn / √episodes. */
  stdError: number;
  /** Fraction of successful episodes (see {@link RolloutOptions.isSuccess}). */
  successRate: number;
  /** Mean episode length. */
  meanLength: number;
  /** Return of each episode. */
  returns: Float64Array;
  /** Length of each episode. */
  lengths: Int32Array;
}

/**
 * Monte Carlo evaluation of a policy: runs `episodes` episodes and reports the mean return and the
 * success rate. On an env (e.g. `make("FrozenLake-v1")`, wrappers included) it steps the real env
 * through the Env API: `reset({ seed })` once, then `reset()` (Gymnasium's seeding), with actions
 * drawn from a separate stream derived from `seed`; observations must be state indices. On a
 * {@link TabularMDP} it uses {@link sampleTrajectory} with `new Rng(seed)`. Reproducible from `seed`.
 * @param envOrMdp an env with a `Discrete` action space and integer observations, or a TabularMDP.
 * @param policy a table `nS · nA` or a function of the state.
 * @param episodes a positive integer.
 * @param seed a non-negative integer.
 * @throws TypeError/RangeError on malformed arguments, an env whose action space is not Discrete,
 *   or an observation that is not a state of the policy table.
 */
export function evaluatePolicyByRollouts(
  envOrMdp: Env<number, number> | TabularMDP,
  policy: PolicyLike,
  episodes: number,
  seed: number,
  options: RolloutOptions = {},
): RolloutResult {
  const where = "evaluatePolicyByRollouts";
  if (!Number.isSafeInteger(episodes) || episodes <= 0) throw new RangeError(`${where}: episodes must be a positive integer, got ${episodes}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`${where}: seed must be a non-negative integer, got ${seed}`);
  const gamma = checkGamma(options.gamma ?? 1, where);
  const isSuccess = options.isSuccess ?? ((e: EpisodeSummary) => e.terminated && e.lastReward > 0);
  const returns = new Float64Array(episodes);
  const lengths = new Int32Array(episodes);
  let successes = 0;

  const record = (i: number, rewards: number[], terminated: boolean, truncated: boolean): void => {
    returns[i] = discountedReturn(rewards, gamma);
    lengths[i] = rewards.length;
    const summary: EpisodeSummary = {
      return: gamma === 1 ? returns[i] : rewards.reduce((x, y) => x + y, 0),
      length: rewards.length,
      terminated,
      truncated,
      lastReward: rewards.length ? rewards[rewards.length - 1] : 0,
    };
    if (isSuccess(summary)) successes++;
  };

  if (envOrMdp instanceof TabularMDP) {
    const rng = new Rng(seed);
    const maxSteps = options.maxSteps ?? 1000;
    for (let i = 0; i < episodes; i++) {
      const t = sampleTrajectory(envOrMdp, policy, rng, { maxSteps });
      record(i, t.rewards, t.terminated, t.truncated);
    }
  } else {
    const env = envOrMdp;
    if (typeof env !== "object" || env === null || typeof env.reset !== "function" || typeof env.step !== "function") {
      throw new TypeError(`${where}: envOrMdp must be an env (from make) or a TabularMDP`);
    }
    const nA = (env.actionSpace as { n?: unknown }).n;
    if (typeof nA !== "number" || !Number.isSafeInteger(nA)) throw new TypeError(`${where}: the env's action space must be Discrete`);
    const nS = typeof policy === "function" ? Infinity : policyStates(policy, nA, where);
    const act = actor(policy, nS, nA, where);
    const maxSteps = options.maxSteps ?? 100_000;
    const [rng] = new Rng(seed).split(1);
    for (let i = 0; i < episodes; i++) {
      let [s] = i === 0 ? env.reset({ seed }) : env.reset();
      const rewards: number[] = [];
      let terminated = false;
      let truncated = false;
      while (!terminated && !truncated) {
        if (!Number.isInteger(s) || s < 0 || s >= nS) throw new RangeError(`${where}: observation ${String(s)} is not a state of the policy (0 … ${nS - 1})`);
        if (rewards.length >= maxSteps) {
          truncated = true;
          break;
        }
        let reward: number;
        [s, reward, terminated, truncated] = env.step(act(s, rng));
        rewards.push(reward);
      }
      record(i, rewards, terminated, truncated);
    }
  }

  let totalReturn = 0;
  let totalLength = 0;
  for (let i = 0; i < episodes; i++) {
    totalReturn += returns[i];
    totalLength += lengths[i];
  }
  const mean = totalReturn / episodes;
  const meanLength = totalLength / episodes;
  let variance = 0;
  for (let i = 0; i < episodes; i++) variance += (returns[i] - mean) ** 2 / episodes;
  const stdReturn = Math.sqrt(variance);
  return {
    episodes,
    meanReturn: mean,
    stdReturn,
    stdError: stdReturn / Math.sqrt(episodes),
    successRate: successes / episodes,
    meanLength,
    returns,
    lengths,
  };
}

/** Number of states of a policy table for `nA` actions. */
function policyStates(policy: ArrayLike<number>, nA: number, where: string): number {
  if (typeof policy !== "object" || policy === null || typeof policy.length !== "number" || policy.length === 0 || policy.length % nA !== 0) {
    throw new RangeError(`${where}: policy must be a table of nS·nA numbers with nA = ${nA}, or a function of the state`);
  }
  return policy.length / nA;
}

/** A function drawing A ∼ π(· | s), after checking a table. */
function actor(policy: PolicyLike, nS: number, nA: number, where: string): (s: number, rng: Rng) => number {
  if (typeof policy === "function") return policy;
  checkPolicy(policy, nS, nA, "policy", where);
  return (s, rng) => sampleAction(policy, nA, s, rng);
}
