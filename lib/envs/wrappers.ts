/**
 * Wrappers, after Gymnasium's `gymnasium.wrappers`.
 */
import { Wrapper, type Env, type Info, type ResetArgs, type StepResult } from "./core";
import { Box, type Space } from "./spaces";

/**
 * Truncates episodes after `maxEpisodeSteps` steps (Gymnasium `TimeLimit`): the step that reaches
 * the limit returns `truncated = true`. A step after truncation, without `reset`, throws.
 */
export class TimeLimit<Obs, Act> extends Wrapper<Obs, Act> {
  private elapsed = 0;
  private truncated = false;

  /**
   * @param maxEpisodeSteps positive integer.
   * @throws RangeError when `maxEpisodeSteps` is not a positive integer.
   */
  constructor(
    env: Env<Obs, Act>,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isSafeInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new RangeError(`TimeLimit: maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
    }
  }

  /** Steps taken in the current episode. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  override reset(args?: ResetArgs): [Obs, Info] {
    this.elapsed = 0;
    this.truncated = false;
    return this.env.reset(args);
  }

  /** @throws Error when called after the episode was truncated, without `reset()`. */
  override step(action: Act): StepResult<Obs> {
    if (this.truncated) {
      throw new Error(`step() called after the episode was truncated at ${this.maxEpisodeSteps} steps; call reset() first`);
    }
    const result = this.env.step(action);
    this.elapsed += 1;
    if (this.elapsed >= this.maxEpisodeSteps) {
      result[3] = true;
      this.truncated = true;
    }
    return result;
  }
}

/** Episode statistics that {@link RecordEpisodeStatistics} puts in `info.episode`. */
export interface EpisodeStatistics {
  /** Undiscounted return of the episode. */
  r: number;
  /** Length of the episode in steps. */
  l: number;
  /** Wall-clock seconds since the episode's reset, rounded to 6 decimals. */
  t: number;
}

/**
 * Records each episode's return, length and duration (Gymnasium `RecordEpisodeStatistics`).
 * When an episode ends (terminated or truncated), `info.episode = { r, l, t }` is set, and the
 * statistics are appended to `returnQueue`, `lengthQueue` and `timeQueue` (the last `bufferLength`).
 */
export class RecordEpisodeStatistics<Obs, Act> extends Wrapper<Obs, Act> {
  /** Returns of the last `bufferLength` finished episodes, oldest first. */
  readonly returnQueue: number[] = [];
  /** Lengths of the last `bufferLength` finished episodes. */
  readonly lengthQueue: number[] = [];
  /** Durations (s) of the last `bufferLength` finished episodes. */
  readonly timeQueue: number[] = [];
  private episodeReturn = 0;
  private episodeLength = 0;
  private episodeStart = performance.now();

  /**
   * @param bufferLength how many finished episodes the queues keep (default 100, as Gymnasium).
   * @throws RangeError when `bufferLength` is not a positive integer.
   */
  constructor(
    env: Env<Obs, Act>,
    readonly bufferLength = 100,
  ) {
    super(env);
    if (!Number.isSafeInteger(bufferLength) || bufferLength <= 0) {
      throw new RangeError(`RecordEpisodeStatistics: bufferLength must be a positive integer, got ${bufferLength}`);
    }
  }

  override reset(args?: ResetArgs): [Obs, Info] {
    const result = this.env.reset(args);
    this.episodeReturn = 0;
    this.episodeLength = 0;
    this.episodeStart = performance.now();
    return result;
  }

  /** @throws Error when the inner env already put an `episode` key in `info`. */
  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    this.episodeReturn += result[1];
    this.episodeLength += 1;
    if (result[2] || result[3]) {
      if ("episode" in result[4]) throw new Error("RecordEpisodeStatistics: info already has an 'episode' key");
      const t = Math.round((performance.now() - this.episodeStart) * 1000) / 1e6;
      result[4] = { ...result[4], episode: { r: this.episodeReturn, l: this.episodeLength, t } satisfies EpisodeStatistics };
      push(this.returnQueue, this.episodeReturn, this.bufferLength);
      push(this.lengthQueue, this.episodeLength, this.bufferLength);
      push(this.timeQueue, t, this.bufferLength);
    }
    return result;
  }
}

function push(queue: number[], value: number, capacity: number): void {
  queue.push(value);
  if (queue.length > capacity) queue.shift();
}

/**
 * Running mean, variance and count of a stream of vectors (Gymnasium's `RunningMeanStd`), updated
 * with the parallel algorithm of Chan et al. (1979). Starts at mean 0, variance 1, count `epsilon`.
 * With `float32: true` every operation is rounded to float32, as Gymnasium does for float32
 * observation spaces (NormalizeObservation); otherwise float64 (NormalizeReward).
 */
export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count: number;
  private readonly round: (x: number) => number;

  /**
   * @param size the dimension of one sample.
   * @param epsilon the initial count (1e-4, as Gymnasium).
   */
  constructor(
    readonly size: number,
    options: { epsilon?: number; float32?: boolean } = {},
  ) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = options.epsilon ?? 1e-4;
    this.round = options.float32 ? Math.fround : (x) => x;
  }

  /**
   * Updates the statistics with one batch of `batchCount` samples laid out row-major
   * (`batch.length === batchCount * size`).
   * @throws RangeError when the batch length does not match.
   */
  update(batch: ArrayLike<number>, batchCount = 1): void {
    if (batch.length !== batchCount * this.size) {
      throw new RangeError(`RunningMeanStd.update: batch has length ${batch.length}, expected ${batchCount}×${this.size}`);
    }
    const f = this.round;
    const total = this.count + batchCount;
    for (let j = 0; j < this.size; j++) {
      let sum = 0;
      for (let i = 0; i < batchCount; i++) sum += batch[i * this.size + j];
      const batchMean = f(sum / batchCount);
      let sq = 0;
      for (let i = 0; i < batchCount; i++) sq += (batch[i * this.size + j] - batchMean) ** 2;
      const batchVar = f(sq / batchCount);
      const delta = f(batchMean - this.mean[j]);
      const newMean = f(this.mean[j] + f(f(delta * batchCount) / total));
      const m2 = f(f(f(this.var[j] * this.count) + f(batchVar * batchCount)) + f(f(f(f(delta * delta) * this.count) * batchCount) / total));
      this.mean[j] = newMean;
      this.var[j] = f(m2 / total);
    }
    this.count = total;
  }
}

/**
 * Normalises observations to zero mean and unit variance with running statistics (Gymnasium 1.x
 * `NormalizeObservation`): `obs ← (obs − μ) / √(σ² + ε)`, in float32, after updating μ and σ² with
 * the raw observation on every `reset` and `step`. Set `updateRunningMean = false` to freeze the
 * statistics (evaluation). It does not clip: compose with {@link TransformObservation} for that.
 */
export class NormalizeObservation<Act> extends Wrapper<Float32Array, Act> {
  /** The running statistics of the raw observations. */
  readonly obsRms: RunningMeanStd;
  /** Whether `reset`/`step` update the statistics. */
  updateRunningMean = true;
  private readonly space: Box;

  /**
   * @param epsilon added to the variance before the square root (1e-8).
   * @throws TypeError when the observation space is not a Box.
   */
  constructor(
    env: Env<Float32Array, Act>,
    readonly epsilon = 1e-8,
  ) {
    super(env);
    if (!(env.observationSpace instanceof Box)) throw new TypeError("NormalizeObservation needs a Box observation space");
    const n = env.observationSpace.shape[0];
    this.space = new Box(-Infinity, Infinity, n);
    this.obsRms = new RunningMeanStd(n, { float32: true });
  }

  override get observationSpace(): Box {
    return this.space;
  }

  override reset(args?: ResetArgs): [Float32Array, Info] {
    const [obs, info] = this.env.reset(args);
    return [this.normalize(obs), info];
  }

  override step(action: Act): StepResult<Float32Array> {
    const result = this.env.step(action);
    result[0] = this.normalize(result[0]);
    return result;
  }

  /** Updates the statistics with `obs` (unless frozen) and returns the normalised copy. */
  normalize(obs: Float32Array): Float32Array {
    if (this.updateRunningMean) this.obsRms.update(obs);
    const out = new Float32Array(obs.length);
    const eps = Math.fround(this.epsilon);
    for (let i = 0; i < obs.length; i++) {
      out[i] = Math.fround(obs[i] - this.obsRms.mean[i]) / Math.fround(Math.sqrt(Math.fround(this.obsRms.var[i] + eps)));
    }
    return out;
  }
}

/**
 * Scales rewards so that their discounted sum has roughly unit variance (Gymnasium 1.x
 * `NormalizeReward`): keeps `G ← γ·G·(1 − terminated) + r` (not reset on truncation, as in
 * Gymnasium), updates running statistics of `G`, and returns `r / √(Var[G] + ε)`.
 * The mean is not subtracted (see openai/baselines#538).
 */
export class NormalizeReward<Obs, Act> extends Wrapper<Obs, Act> {
  /** Running statistics of the discounted return. */
  readonly returnRms = new RunningMeanStd(1);
  /** Whether `step` updates the statistics. */
  updateRunningMean = true;
  private discountedReward = 0;

  /**
   * @param gamma discount of the return whose variance is tracked (0.99).
   * @param epsilon added to the variance before the square root (1e-8).
   * @throws RangeError when `gamma` is outside [0, 1].
   */
  constructor(
    env: Env<Obs, Act>,
    readonly gamma = 0.99,
    readonly epsilon = 1e-8,
  ) {
    super(env);
    if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`NormalizeReward: gamma must be in [0, 1], got ${gamma}`);
  }

  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    this.discountedReward = this.discountedReward * this.gamma * (result[2] ? 0 : 1) + result[1];
    if (this.updateRunningMean) this.returnRms.update([this.discountedReward]);
    result[1] = result[1] / Math.sqrt(this.returnRms.var[0] + this.epsilon);
    return result;
  }
}

/**
 * Clips continuous actions to the action space's bounds before passing them on (Gymnasium
 * `ClipAction`); the wrapper's action space is unbounded.
 */
export class ClipAction<Obs> extends Wrapper<Obs, Float32Array> {
  private readonly space: Box;
  private readonly inner: Box;

  /** @throws TypeError when the action space is not a Box. */
  constructor(env: Env<Obs, Float32Array>) {
    super(env);
    if (!(env.actionSpace instanceof Box)) throw new TypeError("ClipAction needs a Box action space");
    this.inner = env.actionSpace;
    this.space = new Box(-Infinity, Infinity, env.actionSpace.shape[0]);
  }

  override get actionSpace(): Box {
    return this.space;
  }

  override step(action: Float32Array): StepResult<Obs> {
    const a = this.space.validate(action, "action");
    const clipped = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) clipped[i] = Math.min(Math.max(a[i], this.inner.low[i]), this.inner.high[i]);
    return this.env.step(clipped);
  }
}

/**
 * Applies `fn` to every observation from `reset` and `step` (Gymnasium `TransformObservation`).
 * Give the new `observationSpace` when `fn` changes it (e.g. clipping to [−10, 10]).
 */
export class TransformObservation<Obs, Act, WObs = Obs> extends Wrapper<Obs, Act, WObs, Act> {
  constructor(
    env: Env<Obs, Act>,
    readonly fn: (obs: Obs) => WObs,
    private readonly space?: Space<WObs>,
  ) {
    super(env);
  }

  override get observationSpace(): Space<WObs> {
    return this.space ?? (this.env.observationSpace as unknown as Space<WObs>);
  }

  override reset(args?: ResetArgs): [WObs, Info] {
    const [obs, info] = this.env.reset(args);
    return [this.fn(obs), info];
  }

  override step(action: Act): StepResult<WObs> {
    const [obs, reward, terminated, truncated, info] = this.env.step(action);
    return [this.fn(obs), reward, terminated, truncated, info];
  }
}

/** Applies `fn` to every reward (Gymnasium `TransformReward`), e.g. `(r) => Math.max(-10, Math.min(10, r))`. */
export class TransformReward<Obs, Act> extends Wrapper<Obs, Act> {
  constructor(
    env: Env<Obs, Act>,
    readonly fn: (reward: number) => number,
  ) {
    super(env);
  }

  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    result[1] = this.fn(result[1]);
    return result;
  }
}
