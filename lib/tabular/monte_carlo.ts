/**
 * Monte Carlo methods (Sutton & Barto, 2nd ed., chapter 5): first-visit and every-visit MC
 * prediction of v_π (§5.1, and constant-α MC, eq. 6.1), and on-policy first-visit MC control with
 * ε-soft policies (§5.4), optionally with exploring starts (Monte Carlo ES, §5.3).
 *
 * Truncated episodes (time limit or `maxStepsPerEpisode`): Monte Carlo has nothing to bootstrap
 * from, so it uses the truncated return G_t = R_{t+1} + γR_{t+2} + … + γ^{T−t−1}R_T, which is a
 * biased sample of the return. Prefer time limits long enough that episodes terminate.
 */
import type { Env } from "../envs/core";
import {
  EpisodeRecorder,
  PREDICTION_CONFIG_KEYS,
  RUN_CONFIG_KEYS,
  checkConfigKeys,
  checkFinite,
  checkStepSize,
  checkUnitInterval,
  emptyEpisode,
  openRun,
  resolveRun,
  runEpisode,
  runContext,
  setEnvState,
  tabularSizes,
  type ControlResult,
  type Episode,
  type PredictionConfig,
  type PredictionResult,
  type RunConfig,
} from "./common";
import { toPolicySampler, type Policy } from "./policy";
import { predictionParts, predictionResult } from "./prediction_run";
import { createQTable, epsilonGreedyAt } from "./qtable";
import { toSchedule, type Schedule } from "../schedules";

/**
 * The return G_t of every time step of an episode, computed backwards (S&B eq. 3.9):
 * G_t = R_{t+1} + γ G_{t+1}, with G_T = 0.
 *
 * @param rewards R_1 … R_T (`rewards[t]` = R_{t+1}).
 * @param gamma discount γ in [0, 1].
 * @returns Float64Array of length T with G_0 … G_{T−1}.
 * @throws RangeError when `gamma` is outside [0, 1].
 */
export function discountedReturns(rewards: ArrayLike<number>, gamma: number): Float64Array {
  checkUnitInterval(gamma, "gamma", "discountedReturns");
  const G = new Float64Array(rewards.length);
  let g = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    g = rewards[t] + gamma * g;
    G[t] = g;
  }
  return G;
}

/**
 * Which time steps are first visits: `result[t]` is true when S_t does not occur among
 * S_0 … S_{t−1} (first-visit MC averages the returns of these steps only, S&B §5.1).
 *
 * @param states S_0 … S_{T−1} (pass the states whose returns are averaged, without S_T).
 */
export function firstVisits(states: ArrayLike<number>): boolean[] {
  const seen = new Set<number>();
  const out: boolean[] = [];
  for (let t = 0; t < states.length; t++) {
    out.push(!seen.has(states[t]));
    seen.add(states[t]);
  }
  return out;
}

/** Options of {@link sampleEpisode}. */
export interface SampleEpisodeOptions {
  /** Seed of the env's reset and of the action draws (default 0). */
  seed?: number;
  /** Guard: stop (as truncated) after this many steps (default 10 000). */
  maxSteps?: number;
}

/**
 * Generates one episode following π (the first line of every MC algorithm of S&B ch. 5).
 *
 * @param env a tabular env (Discrete observations and actions).
 * @param policy π(a|s) as a function or table ({@link Policy}).
 * @returns the {@link Episode}: S_0 … S_T, A_0 … A_{T−1}, R_1 … R_T, and how it ended.
 * @throws TypeError when the env is not tabular; RangeError when the policy is malformed.
 */
export function sampleEpisode(env: Env<number, number>, policy: Policy, options: SampleEpisodeOptions = {}): Episode {
  const where = "sampleEpisode";
  checkConfigKeys(options, ["seed", "maxSteps"], where);
  const { nS, nA } = tabularSizes(env, where);
  const run = resolveRun({ seed: options.seed, maxStepsPerEpisode: options.maxSteps }, 1, where);
  const pi = toPolicySampler(policy, nS, nA, where);
  const { ctx, rng } = runContext(env, nS, run, where);
  const episode = emptyEpisode();
  runEpisode(ctx, 0, (s) => pi.sample(s, rng), episode);
  return episode;
}

/**
 * The backward pass of MC prediction and MC control over one episode (S&B §5.1, §5.4): for
 * t = T−1 … 0, G ← γG + R_{t+1}, and the table entry of step t (S_t for V, (S_t, A_t) for Q) moves
 * towards G, at first visits only when `firstVisit`:
 * - sample averages (`alpha` undefined): N ← N + 1, x ← x + (G − x)/N;
 * - constant α: the increments α(G − x) are computed from the table as it was at the episode's
 *   start and applied together at its end.
 * Holds the visit counts, the pending increments and the first-visit times of a table of `size`
 * entries; unchecked (the caller's keys are valid indices).
 */
class ReturnAveraging {
  private readonly N: Float64Array; // visit counts (sample averages)
  private readonly increments: Float64Array; // constant-α increments of the current episode
  private readonly firstTime: Int32Array;

  constructor(size: number, private readonly firstVisit: boolean, private readonly alpha: number | undefined) {
    this.N = new Float64Array(size);
    this.increments = new Float64Array(size);
    this.firstTime = new Int32Array(size).fill(-1);
  }

  /**
   * Updates `table` in place from one episode of T = `rewards.length` steps.
   * @param keys the table index of each step, `keys[t]` for t = 0 … T−1 (further entries are ignored).
   * @param rewards R_1 … R_T.
   */
  update(table: Float64Array, keys: ArrayLike<number>, rewards: readonly number[], gamma: number): void {
    const { N, increments, firstTime, alpha } = this;
    const T = rewards.length;
    for (let t = T - 1; t >= 0; t--) firstTime[keys[t]] = t;
    // Loop for each step of the episode, t = T−1, T−2, …, 0.
    let G = 0;
    for (let t = T - 1; t >= 0; t--) {
      G = gamma * G + rewards[t];
      const k = keys[t];
      if (this.firstVisit && firstTime[k] !== t) continue; // unless it appears among steps 0 … t−1
      if (alpha === undefined) {
        N[k] += 1;
        table[k] += (G - table[k]) / N[k];
      } else {
        increments[k] += alpha * (G - table[k]);
      }
    }
    for (let t = 0; t < T; t++) {
      const k = keys[t];
      firstTime[k] = -1;
      if (increments[k] !== 0) {
        table[k] += increments[k];
        increments[k] = 0;
      }
    }
  }
}

/** Configuration of {@link mcPrediction}: {@link PredictionConfig} plus these. `episodes` defaults to 100. */
export interface MCPredictionConfig extends PredictionConfig {
  /** First-visit MC (default true) or every-visit MC (false). */
  firstVisit?: boolean;
  /**
   * Constant step size α in (0, 1] (constant-α MC, S&B eq. 6.1). Omitted (default): sample
   * averages, V(s) = mean of the returns seen from s (α = 1/N(s), S&B §5.1).
   */
  alpha?: number;
}

const MC_PREDICTION_KEYS = [...PREDICTION_CONFIG_KEYS, "firstVisit", "alpha"];

/**
 * Monte Carlo prediction of v_π (S&B §5.1 "First-visit MC prediction"; every-visit with
 * `firstVisit: false`; constant-α MC, eq. 6.1, with `alpha`).
 *
 * After each episode, going backwards, G ← γG + R_{t+1} and V(S_t) moves towards G:
 * - sample averages (no `alpha`): N(S_t) ← N(S_t) + 1, V(S_t) ← V(S_t) + (G − V(S_t))/N(S_t);
 * - constant α: V(S_t) ← V(S_t) + α(G − V(S_t)), all increments of the episode computed from V as
 *   it was at the episode's start and applied together at its end (for every-visit MC this makes it
 *   exactly offline TD(1) with accumulating traces, S&B §12.2).
 *
 * Truncated episodes use the truncated return (no bootstrapping; see the module note).
 *
 * @param env a tabular env (Discrete observations and actions).
 * @param policy the policy π to evaluate ({@link Policy}).
 * @returns V (length nS), the per-episode returns and lengths, and `rmsErrors` when `trueValues` is given.
 * @throws TypeError when the env is not tabular or on an unknown config field; RangeError on an
 *   invalid config value (α outside (0, 1], γ outside [0, 1], …) or a malformed policy.
 */
export function mcPrediction(env: Env<number, number>, policy: Policy, config: MCPredictionConfig = {}): PredictionResult {
  const where = "mcPrediction";
  const { nS, nA, run } = openRun(env, config, MC_PREDICTION_KEYS, 100, where);
  const firstVisit = config.firstVisit ?? true;
  if (typeof firstVisit !== "boolean") throw new TypeError(`${where}: firstVisit must be true or false, got ${String(firstVisit)}`);
  const alpha = config.alpha === undefined ? undefined : checkStepSize(config.alpha, "alpha", where);
  const { pi, V, recorder, ctx, rng } = predictionParts(env, policy, config, nS, nA, run, where);
  const averaging = new ReturnAveraging(nS, firstVisit, alpha);
  const episode = emptyEpisode();

  for (let ep = 0; ep < run.episodes; ep++) {
    // Generate an episode following π: S_0, A_0, R_1, …, S_{T−1}, A_{T−1}, R_T.
    const ret = runEpisode(ctx, ep, (s) => pi.sample(s, rng), episode);
    averaging.update(V, episode.states, episode.rewards, run.gamma); // keyed by S_t
    recorder.record(ep, ret, episode.rewards.length, episode.terminated, episode.truncated, V);
  }
  return predictionResult(V, recorder);
}

/** First-visit MC prediction: {@link mcPrediction} with `firstVisit: true`. */
export function firstVisitMCPrediction(env: Env<number, number>, policy: Policy, config: Omit<MCPredictionConfig, "firstVisit"> = {}): PredictionResult {
  return mcPrediction(env, policy, { ...config, firstVisit: true });
}

/** Every-visit MC prediction: {@link mcPrediction} with `firstVisit: false`. */
export function everyVisitMCPrediction(env: Env<number, number>, policy: Policy, config: Omit<MCPredictionConfig, "firstVisit"> = {}): PredictionResult {
  return mcPrediction(env, policy, { ...config, firstVisit: false });
}

/** Configuration of {@link mcControl}: {@link RunConfig} plus these. `episodes` defaults to 500. */
export interface MCControlConfig extends RunConfig {
  /**
   * ε of the ε-soft (ε-greedy) policy: a number in [0, 1] or a {@link Schedule} of the episode
   * index. Default 0.1; 0 (greedy, Monte Carlo ES) when `exploringStarts` is set.
   */
  epsilon?: number | Schedule;
  /** Constant step size α in (0, 1]; omitted (default): sample averages of the returns, as in S&B. */
  alpha?: number;
  /** First-visit (default true) or every-visit updates of Q(s, a). */
  firstVisit?: boolean;
  /**
   * Exploring starts (S&B §5.3): each episode starts from a uniformly drawn state (among all nS
   * states with `true`, or among the given ones) with a uniformly drawn first action. Needs an env
   * whose `unwrapped.state` can be set (the toy-text envs). Default false.
   */
  exploringStarts?: boolean | readonly number[];
  /** Initial value of every Q(s, a) (default 0). */
  initialQ?: number;
}

const MC_CONTROL_KEYS = [...RUN_CONFIG_KEYS, "epsilon", "alpha", "firstVisit", "exploringStarts", "initialQ"];

/**
 * On-policy first-visit MC control for ε-soft policies (S&B §5.4), estimating π ≈ π*: the
 * behaviour policy is ε-greedy with respect to the current Q (ties broken at random); after each
 * episode, going backwards, G ← γG + R_{t+1} and, at the first visit of (S_t, A_t),
 * Q(S_t, A_t) ← average of its returns (or Q += α(G − Q) with a constant `alpha`). With
 * `exploringStarts` and ε = 0 it is Monte Carlo ES (§5.3).
 *
 * Episodes that never end under a greedy policy (possible with ε = 0) are cut by
 * `maxStepsPerEpisode`; their truncated returns are used as they are (see the module note).
 *
 * @param env a tabular env (Discrete observations and actions).
 * @returns Q (flat nS × nA), the per-episode returns (of the ε-soft behaviour policy), lengths and ε.
 * @throws TypeError when the env is not tabular or on an unknown config field; RangeError on an
 *   invalid config value (ε or a schedule value outside [0, 1], α outside (0, 1], …).
 */
export function mcControl(env: Env<number, number>, config: MCControlConfig = {}): ControlResult {
  const where = "mcControl";
  const { nS, nA, run } = openRun(env, config, MC_CONTROL_KEYS, 500, where);
  const es = config.exploringStarts ?? false;
  let startStates: number[] | undefined;
  if (es === true) startStates = Array.from({ length: nS }, (_, s) => s);
  else if (es !== false) {
    if (!Array.isArray(es) || es.length === 0) throw new TypeError(`${where}: exploringStarts must be a boolean or a non-empty array of states`);
    for (const s of es) if (!Number.isInteger(s) || s < 0 || s >= nS) throw new RangeError(`${where}: exploringStarts holds ${s}, not a state in 0…${nS - 1}`);
    startStates = [...es];
  }
  const epsilonOf = toSchedule(config.epsilon ?? (startStates ? 0 : 0.1), "epsilon", where);
  const alpha = config.alpha === undefined ? undefined : checkStepSize(config.alpha, "alpha", where);
  const firstVisit = config.firstVisit ?? true;
  if (typeof firstVisit !== "boolean") throw new TypeError(`${where}: firstVisit must be true or false, got ${String(firstVisit)}`);
  const Q = createQTable(nS, nA, checkFinite(config.initialQ ?? 0, "initialQ", where));
  const averaging = new ReturnAveraging(nS * nA, firstVisit, alpha);
  const recorder = new EpisodeRecorder(run.onEpisode, nS, where);
  const { ctx, rng } = runContext(env, nS, run, where);
  const episode = emptyEpisode();
  const pairs: number[] = []; // the index of (S_t, A_t) in Q, per step
  let firstAction = 0;
  const starts = startStates;
  const start =
    starts === undefined
      ? undefined
      : () => {
          const s0 = starts[rng.integers(0, starts.length)];
          setEnvState(env, s0, where);
          firstAction = rng.integers(0, nA);
          return s0;
        };

  for (let ep = 0; ep < run.episodes; ep++) {
    const epsilon = checkUnitInterval(epsilonOf(ep), `epsilon at episode ${ep}`, where);
    // Generate an episode following π (ε-greedy in Q), from an exploring start if asked.
    const choose = (s: number, t: number) => (start !== undefined && t === 0 ? firstAction : epsilonGreedyAt(Q, s * nA, nA, epsilon, rng));
    const ret = runEpisode(ctx, ep, choose, episode, start);
    const { states, actions } = episode;
    pairs.length = 0;
    for (let t = 0; t < actions.length; t++) pairs.push(states[t] * nA + actions[t]);
    averaging.update(Q, pairs, episode.rewards, run.gamma);
    recorder.record(ep, ret, episode.rewards.length, episode.terminated, episode.truncated, undefined, epsilon);
  }
  return { Q, nS, nA, episodeReturns: recorder.episodeReturns, episodeLengths: recorder.episodeLengths, epsilons: recorder.epsilons };
}
