/**
 * What the tabular algorithms share: the run configuration and its checks, the per-episode
 * information given to `onEpisode`, the check that an env is tabular (Discrete states and actions),
 * seeding, the step loop of an episode, and the RMS error of a value estimate.
 */
import { Rng } from "../random";
import type { Env } from "../envs/core";
import type { Space } from "../envs/spaces";

/** What `onEpisode` receives after every episode. */
export interface EpisodeInfo {
  /** 0-based index of the episode that just ended. */
  episode: number;
  /** Undiscounted return of the episode, Σ_t R_{t+1} (the "sum of rewards during episode" of S&B's plots). */
  return: number;
  /** Number of steps T of the episode. */
  length: number;
  /** True when the episode ended in a terminal state. */
  terminated: boolean;
  /** True when it was cut short: by the env's time limit or by `maxStepsPerEpisode`. */
  truncated: boolean;
  /** ε of the behaviour policy during the episode (control methods). */
  epsilon?: number;
  /** RMS error of V against `trueValues` after the episode (prediction methods given `trueValues`). */
  rmsError?: number;
}

/** Configuration fields every tabular algorithm accepts. */
export interface RunConfig {
  /** Number of episodes to run (a positive integer). Default: per algorithm, see its config. */
  episodes?: number;
  /** Discount factor γ in [0, 1]. Default 1 (the undiscounted episodic tasks of S&B ch. 5–7); use γ < 1 on continuing tasks. */
  gamma?: number;
  /**
   * Seed of the run (non-negative integer; default 0). It seeds the env at the first `reset` and the
   * agent's own generator, so the same seed gives the same run.
   */
  seed?: number;
  /**
   * Guard against endless episodes (default 10 000 steps): an episode reaching it is ended as
   * truncated (as by a time limit: TD methods bootstrap from the last state, MC uses the partial return).
   */
  maxStepsPerEpisode?: number;
  /** Called after every episode, e.g. to update a live chart. */
  onEpisode?: (info: EpisodeInfo) => void;
}

/** Names of the {@link RunConfig} fields. */
export const RUN_CONFIG_KEYS = ["episodes", "gamma", "seed", "maxStepsPerEpisode", "onEpisode"] as const;

/** Default of {@link RunConfig.maxStepsPerEpisode}. */
export const DEFAULT_MAX_STEPS_PER_EPISODE = 10_000;

/** The run settings after defaults and checks. */
export interface ResolvedRun {
  episodes: number;
  gamma: number;
  seed: number;
  maxStepsPerEpisode: number;
  onEpisode?: (info: EpisodeInfo) => void;
}

/**
 * Throws a TypeError naming `where` when `config` has a field not in `allowed` (catches typos such as
 * `lamda`), listing the accepted names.
 */
export function checkConfigKeys(config: object, allowed: readonly string[], where: string): void {
  if (config === null || typeof config !== "object") throw new TypeError(`${where}: config must be an object, got ${String(config)}`);
  for (const key of Object.keys(config)) {
    if (!allowed.includes(key)) throw new TypeError(`${where}: unknown config field '${key}' (accepted: ${allowed.join(", ")})`);
  }
}

/** Checks the {@link RunConfig} fields and applies the defaults (episodes default `defaultEpisodes`). */
export function resolveRun(config: RunConfig, defaultEpisodes: number, where: string): ResolvedRun {
  const episodes = config.episodes ?? defaultEpisodes;
  checkPositiveInteger(episodes, "episodes", where);
  const gamma = config.gamma ?? 1;
  checkUnitInterval(gamma, "gamma", where);
  const seed = config.seed ?? 0;
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) {
    throw new TypeError(`${where}: seed must be a non-negative integer, got ${String(seed)}`);
  }
  const maxStepsPerEpisode = config.maxStepsPerEpisode ?? DEFAULT_MAX_STEPS_PER_EPISODE;
  checkPositiveInteger(maxStepsPerEpisode, "maxStepsPerEpisode", where);
  if (config.onEpisode !== undefined && typeof config.onEpisode !== "function") {
    throw new TypeError(`${where}: onEpisode must be a function, got ${typeof config.onEpisode}`);
  }
  return { episodes, gamma, seed, maxStepsPerEpisode, onEpisode: config.onEpisode };
}

/**
 * The opening checks of every tabular algorithm, in this order: the config's field names
 * ({@link checkConfigKeys}), the env's sizes ({@link tabularSizes}) and the {@link RunConfig}
 * fields ({@link resolveRun}).
 *
 * @param allowed the config field names the algorithm accepts.
 * @param defaultEpisodes `episodes` when the config does not set it.
 * @param where the algorithm's name, for error messages.
 * @returns nS, nA and the resolved run settings.
 * @throws TypeError on an unknown config field or a non-tabular env; RangeError/TypeError on an
 *   invalid run setting.
 */
export function openRun(
  env: Env<number, number>,
  config: RunConfig,
  allowed: readonly string[],
  defaultEpisodes: number,
  where: string,
): TabularSizes & { run: ResolvedRun } {
  checkConfigKeys(config, allowed, where);
  const { nS, nA } = tabularSizes(env, where);
  const run = resolveRun(config, defaultEpisodes, where);
  return { nS, nA, run };
}

/** @throws RangeError naming `name` unless `value` is a number in [0, 1] (γ, ε, λ, probabilities). */
export function checkUnitInterval(value: unknown, name: string, where: string): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new RangeError(`${where}: ${name} must be a number in [0, 1], got ${String(value)}`);
  }
  return value;
}

/** @throws RangeError unless the step size `value` is a number in (0, 1]. */
export function checkStepSize(value: unknown, name: string, where: string): number {
  if (typeof value !== "number" || !(value > 0 && value <= 1)) {
    throw new RangeError(`${where}: ${name} must be a step size in (0, 1], got ${String(value)}`);
  }
  return value;
}

/** @throws RangeError unless `value` is a positive safe integer. */
export function checkPositiveInteger(value: unknown, name: string, where: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${where}: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** @throws RangeError unless `value` is a finite number. */
export function checkFinite(value: unknown, name: string, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`${where}: ${name} must be a finite number, got ${String(value)}`);
  }
  return value;
}

/** Number of states and actions of a tabular env. */
export interface TabularSizes {
  /** Number of states: `env.observationSpace.n`. */
  nS: number;
  /** Number of actions: `env.actionSpace.n`. */
  nA: number;
}

function discreteN(space: Space<unknown> | undefined): number | undefined {
  if (space === undefined || space === null) return undefined;
  const s = space as Space<unknown> & { n?: unknown; start?: unknown };
  if (s.shape?.length !== 0 || typeof s.n !== "number" || !Number.isSafeInteger(s.n) || s.n <= 0) return undefined;
  if (s.start !== undefined && s.start !== 0) return undefined;
  return s.n;
}

/**
 * The sizes of a tabular env: its observation and action spaces must both be `Discrete(n)` with
 * elements 0…n−1 (e.g. FrozenLake-v1, CliffWalking-v1, Taxi-v4, GridWorld-v0, {@link RandomWalkEnv}).
 *
 * @param where the calling function's name, for the error message.
 * @throws TypeError when a space is not `Discrete(n)` starting at 0 (e.g. CartPole's `Box` observations).
 */
export function tabularSizes(env: Env<number, number>, where = "tabularSizes"): TabularSizes {
  if (env === null || typeof env !== "object" || typeof env.reset !== "function" || typeof env.step !== "function") {
    throw new TypeError(`${where}: env must be an environment with reset() and step(), got ${String(env)}`);
  }
  const nS = discreteN(env.observationSpace);
  if (nS === undefined) {
    throw new TypeError(
      `${where}: env.observationSpace must be Discrete(n) with states 0…n−1 (tabular methods index a table by state), got ${String(env.observationSpace)}`,
    );
  }
  const nA = discreteN(env.actionSpace);
  if (nA === undefined) {
    throw new TypeError(`${where}: env.actionSpace must be Discrete(n) with actions 0…n−1, got ${String(env.actionSpace)}`);
  }
  return { nS, nA };
}

/**
 * The two random streams of a run: `envSeed`, passed to `env.reset({ seed })` at the first episode,
 * and `rng`, the agent's generator (action sampling, ε-greedy, tie-breaking, coin flips).
 */
export function runStreams(seed: number): { envSeed: number; rng: Rng } {
  const master = new Rng(seed);
  const envSeed = master.nextUint32();
  const [rng] = master.split(1);
  return { envSeed, rng };
}

/**
 * What the episodes of one run share: the env and its number of states, the seed of the first
 * reset, the guard against endless episodes and the algorithm's name for error messages.
 */
export interface EpisodeContext {
  /** A tabular env. */
  env: Env<number, number>;
  /** Number of states (observations must lie in 0…nS−1). */
  nS: number;
  /** Seed of the env's reset at episode 0. */
  envSeed: number;
  /** An episode reaching this many steps ends as truncated. */
  maxSteps: number;
  /** The algorithm's name, for error messages. */
  where: string;
}

/**
 * The {@link EpisodeContext} of a run and the agent's generator, from the run's seed
 * ({@link runStreams}) and `maxStepsPerEpisode`.
 */
export function runContext(env: Env<number, number>, nS: number, run: ResolvedRun, where: string): { ctx: EpisodeContext; rng: Rng } {
  const { envSeed, rng } = runStreams(run.seed);
  return { ctx: { env, nS, envSeed, maxSteps: run.maxStepsPerEpisode, where }, rng };
}

/**
 * Resets `env` for episode `episode` (seeding it at episode 0) and returns the start state.
 * @throws RangeError when the env returns an observation outside 0…nS−1.
 */
export function resetEpisode(env: Env<number, number>, episode: number, envSeed: number, nS: number, where: string): number {
  const [obs] = env.reset(episode === 0 ? { seed: envSeed } : {});
  return checkState(obs, nS, where);
}

/** @throws RangeError naming `where` when `s` is not a state index 0…nS−1. */
export function checkState(s: unknown, nS: number, where: string): number {
  if (typeof s !== "number" || !Number.isInteger(s) || s < 0 || s >= nS) {
    throw new RangeError(`${where}: the env returned observation ${String(s)}, expected a state in 0…${nS - 1}`);
  }
  return s;
}

/**
 * An initial value table: a constant, or a copy of a given array of length `n`.
 * @throws RangeError when the array has the wrong length or the value is not finite.
 */
export function initialTable(init: number | ArrayLike<number>, n: number, name: string, where: string): Float64Array {
  if (typeof init === "number") {
    checkFinite(init, name, where);
    return new Float64Array(n).fill(init);
  }
  if (init === null || typeof init !== "object" || typeof init.length !== "number") {
    throw new TypeError(`${where}: ${name} must be a number or an array of ${n} numbers, got ${String(init)}`);
  }
  if (init.length !== n) throw new RangeError(`${where}: ${name} has length ${init.length}, expected ${n}`);
  const out = Float64Array.from(init);
  for (let i = 0; i < n; i++) checkFinite(out[i], `${name}[${i}]`, where);
  return out;
}

/**
 * Root-mean-square error between a value estimate and the true values, over `states` (default: all):
 * sqrt( (1/|states|) Σ_{s ∈ states} (V(s) − v(s))² ). S&B Example 6.2 averages it over the five
 * non-terminal states of the random walk.
 *
 * @param V estimated values, length nS.
 * @param trueValues true values v_π, length nS.
 * @param states the state indices to average over (non-empty); default 0…nS−1.
 * @throws RangeError when the lengths differ, `states` is empty or holds an index out of range.
 */
export function rmsError(V: ArrayLike<number>, trueValues: ArrayLike<number>, states?: readonly number[]): number {
  if (V.length !== trueValues.length) {
    throw new RangeError(`rmsError: V has length ${V.length} but trueValues has length ${trueValues.length}`);
  }
  let sum = 0;
  if (states === undefined) {
    if (V.length === 0) throw new RangeError("rmsError: V is empty");
    for (let s = 0; s < V.length; s++) sum += (V[s] - trueValues[s]) ** 2;
    return Math.sqrt(sum / V.length);
  }
  if (states.length === 0) throw new RangeError("rmsError: states must not be empty");
  for (const s of states) {
    if (!Number.isInteger(s) || s < 0 || s >= V.length) throw new RangeError(`rmsError: state ${s} is outside 0…${V.length - 1}`);
    sum += (V[s] - trueValues[s]) ** 2;
  }
  return Math.sqrt(sum / states.length);
}

/** Configuration of the prediction methods (MC, TD(0), n-step TD, TD(λ)): {@link RunConfig} plus these. */
export interface PredictionConfig extends RunConfig {
  /** Initial estimate V_0: a number for every state, or an array of nS values. Default 0 (S&B Example 6.2 uses 0.5). */
  initialValue?: number | ArrayLike<number>;
  /** True values v_π (length nS): when given, the RMS error after each episode is recorded in `rmsErrors`. */
  trueValues?: ArrayLike<number>;
  /** States over which the RMS error is averaged (default: all nS states; the random walk uses its non-terminal ones). */
  errorStates?: readonly number[];
}

/** Names of the {@link PredictionConfig} fields. */
export const PREDICTION_CONFIG_KEYS = [...RUN_CONFIG_KEYS, "initialValue", "trueValues", "errorStates"] as const;

/** What the prediction methods return. */
export interface PredictionResult {
  /** The value estimate V(s), length nS. */
  V: Float64Array;
  /** Undiscounted return of each episode. */
  episodeReturns: number[];
  /** Number of steps of each episode. */
  episodeLengths: number[];
  /** RMS error of V after each episode when `trueValues` was given (see {@link rmsError}); empty otherwise. */
  rmsErrors: number[];
}

/** What the control methods return. */
export interface ControlResult {
  /** The action-value estimate, flat nS × nA (`Q[s * nA + a]`). */
  Q: Float64Array;
  /** Number of states. */
  nS: number;
  /** Number of actions. */
  nA: number;
  /** Undiscounted return of each episode, collected by the ε-greedy behaviour policy ("online" returns of S&B Figure 6.4). */
  episodeReturns: number[];
  /** Number of steps of each episode. */
  episodeLengths: number[];
  /** ε of each episode. */
  epsilons: number[];
}

/**
 * Collects the per-episode history of a run and calls `onEpisode` (used by every algorithm).
 * @throws (constructor) RangeError/TypeError when `trueValues` or `errorStates` is malformed.
 */
export class EpisodeRecorder {
  /** Undiscounted return of each episode. */
  readonly episodeReturns: number[] = [];
  /** Length of each episode. */
  readonly episodeLengths: number[] = [];
  /** RMS error after each episode (only with `trueValues`). */
  readonly rmsErrors: number[] = [];
  /** ε of each episode (control methods). */
  readonly epsilons: number[] = [];
  private readonly trueValues?: Float64Array;
  private readonly errorStates?: readonly number[];

  constructor(
    private readonly onEpisode: ((info: EpisodeInfo) => void) | undefined,
    nS: number,
    where: string,
    trueValues?: ArrayLike<number>,
    errorStates?: readonly number[],
  ) {
    if (trueValues !== undefined) this.trueValues = initialTable(trueValues, nS, "trueValues", where);
    if (errorStates !== undefined) {
      if (!Array.isArray(errorStates) || errorStates.length === 0) {
        throw new RangeError(`${where}: errorStates must be a non-empty array of states, got ${String(errorStates)}`);
      }
      for (const s of errorStates) {
        if (!Number.isInteger(s) || s < 0 || s >= nS) throw new RangeError(`${where}: errorStates holds ${s}, not a state in 0…${nS - 1}`);
      }
      if (trueValues === undefined) throw new TypeError(`${where}: errorStates needs trueValues`);
      this.errorStates = errorStates;
    }
  }

  /** Records one finished episode from its {@link EpisodeOutcome} (see {@link EpisodeRecorder.record}). */
  recordOutcome(episode: number, end: EpisodeOutcome, V?: ArrayLike<number>, epsilon?: number): void {
    this.record(episode, end.return, end.length, end.terminated, end.truncated, V, epsilon);
  }

  /** Records one finished episode. */
  record(episode: number, ret: number, length: number, terminated: boolean, truncated: boolean, V?: ArrayLike<number>, epsilon?: number): void {
    this.episodeReturns.push(ret);
    this.episodeLengths.push(length);
    const info: EpisodeInfo = { episode, return: ret, length, terminated, truncated };
    if (epsilon !== undefined) {
      this.epsilons.push(epsilon);
      info.epsilon = epsilon;
    }
    if (this.trueValues !== undefined && V !== undefined) {
      const err = rmsError(V, this.trueValues, this.errorStates);
      this.rmsErrors.push(err);
      info.rmsError = err;
    }
    this.onEpisode?.(info);
  }
}

/**
 * One episode as a record: S_0, A_0, R_1, S_1, A_1, R_2, …, S_T (S&B's notation), with T steps.
 * `states` has T + 1 entries (the last one is the state the episode ended in), `actions` and
 * `rewards` T entries (`rewards[t]` is R_{t+1}, the reward that followed A_t).
 */
export interface Episode {
  /** S_0 … S_T (length T + 1). */
  states: number[];
  /** A_0 … A_{T−1} (length T). */
  actions: number[];
  /** R_1 … R_T (length T). */
  rewards: number[];
  /** True when S_T is terminal (its value is 0); false when the episode was truncated. */
  terminated: boolean;
  /** True when the episode was cut short (time limit or `maxStepsPerEpisode`): S_T is not terminal. */
  truncated: boolean;
}

/** How an episode ended. */
export interface EpisodeOutcome {
  /** Undiscounted return Σ_t R_{t+1}. */
  return: number;
  /** Number of steps T. */
  length: number;
  /** True when S_T is terminal. */
  terminated: boolean;
  /** True when the episode was cut short (the env's time limit or `maxSteps`): S_T is not terminal. */
  truncated: boolean;
}

/**
 * One episode of a tabular method (S&B's "Initialize S; Loop for each step of episode"): resets the
 * env (seeding it at episode 0, {@link resetEpisode}), optionally replaces the start state with
 * `start(S_0)`, then repeatedly chooses A_t = `act(S_t, t)`, takes it, checks S_{t+1} and calls
 * `learn(S_t, A_t, R_{t+1}, S_{t+1}, terminated)`, until the env terminates or truncates, or
 * `maxSteps` steps were taken (then the episode counts as truncated, and `terminated` is false).
 *
 * @param ctx the env, nS, the seed of episode 0's reset, `maxSteps` and the caller's name.
 * @param episode 0-based episode index.
 * @param act the action in state `s` at time `t` (t = 0, 1, …).
 * @param learn called after every step; `terminated` tells whether S_{t+1} is terminal (V(S_{t+1})
 *   counts as 0) as opposed to the step being truncated.
 * @param start maps the state the env reset to onto the episode's start state (e.g. an exploring start).
 * @returns the return, length and end of the episode.
 * @throws RangeError naming `where` when the env returns an observation outside 0…nS−1.
 */
export function stepEpisode(
  ctx: EpisodeContext,
  episode: number,
  act: (s: number, t: number) => number,
  learn: (s: number, a: number, reward: number, sNext: number, terminated: boolean) => void,
  start?: (s: number) => number,
): EpisodeOutcome {
  const { env, nS, maxSteps, where } = ctx;
  let s = resetEpisode(env, episode, ctx.envSeed, nS, where);
  if (start !== undefined) s = start(s);
  let ret = 0;
  let t = 0;
  let terminated = false;
  let truncated = false;
  while (!terminated && !truncated) {
    const a = act(s, t);
    const [obs, reward, term, trunc] = env.step(a);
    const sNext = checkState(obs, nS, where);
    t += 1;
    terminated = term;
    truncated = !term && (trunc || t >= maxSteps);
    learn(s, a, reward, sNext, terminated);
    ret += reward;
    s = sNext;
  }
  return { return: ret, length: t, terminated, truncated };
}

/**
 * Runs one episode into `out` (whose arrays are cleared first): resets the env (seeding it at
 * episode 0), optionally replaces the start state with `start(s)`, then steps with
 * `choose(s, t)` until the env terminates or truncates, or `ctx.maxSteps` steps were taken (then
 * the episode counts as truncated). Returns the undiscounted return.
 */
export function runEpisode(
  ctx: EpisodeContext,
  episode: number,
  choose: (s: number, t: number) => number,
  out: Episode,
  start?: (s: number) => number,
): number {
  out.states.length = 0;
  out.actions.length = 0;
  out.rewards.length = 0;
  const begin = (s: number): number => {
    const s0 = start === undefined ? s : start(s);
    out.states.push(s0);
    return s0;
  };
  const record = (_s: number, a: number, reward: number, sNext: number): void => {
    out.actions.push(a);
    out.rewards.push(reward);
    out.states.push(sNext);
  };
  const end = stepEpisode(ctx, episode, choose, record, begin);
  out.terminated = end.terminated;
  out.truncated = end.truncated;
  return end.return;
}

/** An empty {@link Episode} to fill with {@link runEpisode}. */
export function emptyEpisode(): Episode {
  return { states: [], actions: [], rewards: [], terminated: false, truncated: false };
}

/**
 * Sets the state of `env.unwrapped` (for exploring starts).
 * @throws TypeError when the env has no settable `state`.
 */
export function setEnvState(env: Env<number, number>, s: number, where: string): void {
  const raw = env.unwrapped as unknown as { state?: unknown };
  if (raw === null || typeof raw !== "object" || !("state" in raw)) {
    throw new TypeError(`${where}: exploringStarts needs an env whose unwrapped.state can be set (e.g. a toy-text env)`);
  }
  raw.state = s;
}
