/**
 * On-policy rollouts from a vector env, shared by A2C, PPO and TRPO: T steps of N envs with the
 * current policy ({@link RolloutCollector}), then advantages over the rollout ({@link rolloutGae})
 * and the valid transitions gathered into one flat batch ({@link RolloutCollector.batch}).
 *
 * @example
 * const collector = new RolloutCollector({ envs, sampler, numSteps: 128, logger, rng, envRng });
 * for (…each update…) {
 *   collector.collect();                                          // T·N steps, V(s_T) bootstrap
 *   const { advantages, returns } = rolloutGae(collector.rollout(), { gamma: 0.99, gaeLambda: 0.95 });
 *   const batch = collector.batch(advantages, returns);          // reset steps left out
 *   …update θ, φ on batch.obs, batch.actions, batch.logProbs, batch.advantages, batch.returns…
 *   sampler.sync();
 * }
 *
 * Next-step autoreset (Gymnasium 1.x `SyncVectorEnv`'s default): the step after an episode end is a
 * reset step: its action is ignored, its reward is 0, and its stored observation is the final
 * observation of the episode that ended. So V_φ of that row is exactly what a truncated episode
 * bootstraps from (`shiftValues`), and the row itself — not a transition of the MDP — is flagged in
 * `resetSteps` and left out of the batch.
 *
 * Optional running normalisation, as Gymnasium 1.x's vector wrappers `NormalizeObservation` and
 * `NormalizeReward` followed by clipping (CleanRL `ppo_continuous_action.py` clips both to ±10;
 * SB3's `VecNormalize` does the same with statistics shared by all envs): {@link ObsNormalizer},
 * {@link RewardScaler}. The episode log always gets the raw rewards.
 */
import type { SyncVectorEnv } from "../envs/vector";
import { RunningMeanStd } from "../envs/wrappers";
import { RolloutBuffer, type RolloutMinibatch } from "../buffers/rollout";
import type { Rng } from "../random";
import { type EndFlags, type FloatArray, gae, shiftValues } from "../returns";
import type { EpisodeLogger } from "./log";
import { type PolicySampler, type SpacesSpec, actionWidth, writeBatchObs, writeEnvActions } from "./policy";

// ---------------------------------------------------------------------------------------------
// Running normalisation of observations and rewards
// ---------------------------------------------------------------------------------------------

/**
 * Observation normalisation with running statistics shared by all envs: after each batch of
 * observations is received, μ and σ² are updated with it (Chan et al.'s parallel update,
 * {@link RunningMeanStd}, count starting at 1e-4), then x ← clip((x − μ) / √(σ² + ε), −clip, clip).
 * Gymnasium 1.x `wrappers.vector.NormalizeObservation` + `TransformObservation(np.clip)`; SB3
 * `VecNormalize(norm_obs=True, clip_obs=10)`. Statistics in float64.
 */
export class ObsNormalizer {
  /** Running mean and variance of the raw observations. */
  readonly rms: RunningMeanStd;

  /**
   * @param dim numbers per observation.
   * @param clip bound of the normalised values; default 10 (CleanRL, SB3).
   * @param epsilon added to σ² under the root; default 1e-8 (Gymnasium).
   * @throws RangeError unless `dim` is a positive integer and `clip` > 0.
   */
  constructor(
    readonly dim: number,
    readonly clip = 10,
    readonly epsilon = 1e-8,
  ) {
    if (!Number.isSafeInteger(dim) || dim < 1) throw new RangeError(`ObsNormalizer: dim must be a positive integer, got ${dim}`);
    if (!(clip > 0)) throw new RangeError(`ObsNormalizer: clip must be > 0, got ${clip}`);
    this.rms = new RunningMeanStd(dim);
  }

  /** Updates the statistics with `rows` raw observations in `x` (rows×dim), then normalises them in place. */
  updateAndNormalize(x: Float32Array, rows: number): void {
    this.rms.update(x.subarray(0, rows * this.dim), rows);
    this.normalize(x, rows);
  }

  /** Normalises `rows` raw observations in place with the current statistics (no update). */
  normalize(x: Float32Array, rows: number): void {
    normalizeWith(this.rms.mean, this.rms.var, this.epsilon, this.clip, x, rows);
  }

  /**
   * A normaliser frozen at the current statistics (a copy: later updates do not change it) — what an
   * agent acting after training applies to raw observations (Gymnasium's `update_running_mean = False`,
   * SB3's `VecNormalize.training = False`).
   */
  frozen(): (x: Float32Array) => void {
    const mean = Float64Array.from(this.rms.mean);
    const variance = Float64Array.from(this.rms.var);
    const { epsilon, clip } = this;
    return (x: Float32Array) => normalizeWith(mean, variance, epsilon, clip, x, x.length / mean.length);
  }
}

function normalizeWith(mean: Float64Array, variance: Float64Array, epsilon: number, clip: number, x: Float32Array, rows: number): void {
  const d = mean.length;
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < d; k++) {
      const v = (x[r * d + k] - mean[k]) / Math.sqrt(variance[k] + epsilon);
      x[r * d + k] = Math.min(Math.max(v, -clip), clip);
    }
  }
}

/** A copy of running statistics (of observations, or of the discounted return): what rebuilds a trained agent's input or reward scale. */
export interface RunningStats {
  /** Per-dimension means. */
  mean: Float64Array;
  /** Per-dimension variances. */
  var: Float64Array;
  /** Samples seen (starting at Gymnasium's 1e-4). */
  count: number;
}

/** A copy of `rms`, or null without one. */
export function runningStats(rms: RunningMeanStd | undefined): RunningStats | null {
  return rms === undefined ? null : { mean: Float64Array.from(rms.mean), var: Float64Array.from(rms.var), count: rms.count };
}

/**
 * Reward scaling by the running standard deviation of the discounted return (Engstrom et al. 2020,
 * "Implementation Matters", §3 "reward scaling"; Gymnasium 1.x `wrappers.vector.NormalizeReward` +
 * `TransformReward(np.clip)`): per env G ← γ·G·(1 − terminated) + r (not reset on truncation, as
 * Gymnasium), the variance of G is tracked over all envs, and r ← clip(r / √(Var[G] + ε), ±clip).
 * The mean is not subtracted. Reset steps of next-step autoreset are skipped (they are no transition).
 */
export class RewardScaler {
  /** Running statistics of the discounted return G. */
  readonly rms = new RunningMeanStd(1);
  private readonly G: Float64Array;
  private readonly batch: Float64Array;

  /**
   * @param numEnvs N.
   * @param gamma discount of G; default 0.99 (use the algorithm's γ, as CleanRL does).
   * @param clip bound of the scaled rewards; default 10 (CleanRL, SB3).
   * @param epsilon added to Var[G] under the root; default 1e-8.
   * @throws RangeError on a bad `numEnvs`, `gamma` outside [0, 1] or `clip` ≤ 0.
   */
  constructor(
    readonly numEnvs: number,
    readonly gamma = 0.99,
    readonly clip = 10,
    readonly epsilon = 1e-8,
  ) {
    if (!Number.isSafeInteger(numEnvs) || numEnvs < 1) throw new RangeError(`RewardScaler: numEnvs must be a positive integer, got ${numEnvs}`);
    if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`RewardScaler: gamma must be in [0, 1], got ${gamma}`);
    if (!(clip > 0)) throw new RangeError(`RewardScaler: clip must be > 0, got ${clip}`);
    this.G = new Float64Array(numEnvs);
    this.batch = new Float64Array(numEnvs);
  }

  /**
   * Scales one vector step's rewards in place.
   * @param rewards N raw rewards (overwritten with the scaled ones).
   * @param terminated N flags. @param resetSteps N flags: 1 where the step was a reset step (skipped).
   */
  scale(rewards: Float64Array, terminated: EndFlags, resetSteps: EndFlags): void {
    let n = 0;
    for (let e = 0; e < this.numEnvs; e++) {
      if (resetSteps[e]) continue;
      this.G[e] = this.G[e] * this.gamma * (terminated[e] ? 0 : 1) + rewards[e];
      this.batch[n++] = this.G[e];
    }
    if (n === 0) return;
    this.rms.update(this.batch.subarray(0, n), n);
    const std = Math.sqrt(this.rms.var[0] + this.epsilon);
    for (let e = 0; e < this.numEnvs; e++) if (!resetSteps[e]) rewards[e] = Math.min(Math.max(rewards[e] / std, -this.clip), this.clip);
  }
}

// ---------------------------------------------------------------------------------------------
// Collecting a rollout
// ---------------------------------------------------------------------------------------------

/** A rollout of T steps × N envs, step-major (transition t of env e at index t·N + e). */
export interface Rollout {
  /** r_t, T·N (0 on reset steps; scaled when a {@link RewardScaler} is used). */
  rewards: ArrayLike<number>;
  /** V_φ(s_t), T·N. On a reset step s_t is the final observation of the episode that just ended. */
  values: ArrayLike<number>;
  /** T·N flags. */
  terminated: EndFlags;
  /** T·N flags. */
  truncated: EndFlags;
  /** T·N flags: 1 where the vector env reset the env instead of stepping it (next-step autoreset). */
  resetSteps: EndFlags;
  /** V_φ(s_T) of the observation after the last step, N. */
  lastValues: ArrayLike<number>;
  /** T. */
  numSteps: number;
  /** N. */
  numEnvs: number;
}

/**
 * GAE(γ, λ) advantages and λ-return value targets of a rollout collected with next-step autoreset
 * (Schulman et al. 2016, "High-Dimensional Continuous Control Using Generalized Advantage Estimation",
 * eq. 16; CleanRL `ppo.py`), through `gae` of lib/returns:
 *
 *   δ_t = r_t + γ V(s_{t+1}) (1 − terminated_t) − V(s_t),   Â_t = δ_t + γλ Â_{t+1} (0 across an episode end),
 *   R_t = Â_t + V(s_t).
 *
 * V(s_{t+1}) is the next row's value of the same env (`shiftValues`), which at an episode end is V of
 * the final observation — the right bootstrap after truncation. The sums never cross an episode end, so
 * the reset steps never leak into real transitions; their own entries are meaningless and `valid` is 0 there.
 *
 * @returns `advantages` Â_t, `returns` R_t and `valid` (0 on reset steps), each T·N, step-major.
 * @throws RangeError on length mismatches or γ, λ outside [0, 1] (see lib/returns).
 */
export function rolloutGae(rollout: Rollout, options: { gamma: number; gaeLambda: number }): { advantages: FloatArray; returns: FloatArray; valid: Uint8Array } {
  const { rewards, values, terminated, truncated, resetSteps, lastValues, numSteps, numEnvs } = rollout;
  const size = numSteps * numEnvs;
  if (resetSteps.length !== size) throw new RangeError(`rolloutGae: resetSteps has length ${resetSteps.length}, expected ${size}`);
  const nextValues = shiftValues(values, lastValues, numSteps, numEnvs);
  const { advantages, returns } = gae({ rewards, values, terminated, truncated, nextValues, gamma: options.gamma, gaeLambda: options.gaeLambda, numSteps, numEnvs });
  return { advantages, returns, valid: validSteps(resetSteps) };
}

/** 1 where a row is a real transition, 0 on reset steps. @internal */
export function validSteps(resetSteps: EndFlags): Uint8Array {
  return Uint8Array.from({ length: resetSteps.length }, (_, i) => (resetSteps[i] ? 0 : 1));
}

/** Options of {@link RolloutCollector}. */
export interface RolloutCollectorOptions {
  /** The vector env, with next-step autoreset (others are refused); the collector resets it once, in its constructor. */
  envs: SyncVectorEnv<any, any>;
  /** π_θ and V_φ on the host (it must have a value net); call its `sync()` after every update. */
  sampler: PolicySampler;
  /** T, steps per env per rollout. */
  numSteps: number;
  /** Receives every finished episode (raw return, length, global step). */
  logger: EpisodeLogger;
  /** Stream of the action samples. */
  rng: Rng;
  /** Stream of the first reset's seeds (one integer in [0, 2³¹) per env). */
  envRng: Rng;
  /** Normalise observations (Box observation spaces only); the stored `obs` are then normalised. Default none. */
  obsNormalizer?: ObsNormalizer | null;
  /** Scale the rewards stored for training; default none. */
  rewardScaler?: RewardScaler | null;
}

/**
 * Collects rollouts of T steps × N envs with a {@link PolicySampler}: per step one batched host pass
 * gives a_t ~ π_θ(·|s_t), log π_θ(a_t|s_t) and V_φ(s_t); continuous actions are clipped to the Box for
 * the env while the unclipped sample is stored (its log-probability is the one computed). Episodes
 * carry over from one rollout to the next. Stores into {@link RolloutCollector.buffer} (a
 * {@link RolloutBuffer}: obs as the network saw them, actions, logProbs, rewards, terminated,
 * truncated, values), {@link resetSteps} and {@link lastValues}.
 */
export class RolloutCollector {
  /** The spaces of the policy. */
  readonly spec: SpacesSpec;
  /** T. */
  readonly numSteps: number;
  /** N. */
  readonly numEnvs: number;
  /** The last rollout (overwritten by each {@link collect}). */
  readonly buffer: RolloutBuffer<Int32Array | Float32Array>;
  /** T·N flags of the last rollout: 1 on reset steps. */
  readonly resetSteps: Uint8Array;
  /** V_φ(s_T), N: the bootstrap values after the last rollout. */
  readonly lastValues: Float32Array;
  /** Env steps taken so far (all envs, reset steps included). */
  globalStep = 0;
  private readonly envs: SyncVectorEnv<any, any>;
  private readonly sampler: PolicySampler;
  private readonly logger: EpisodeLogger;
  private readonly rng: Rng;
  private readonly obsNormalizer: ObsNormalizer | null;
  private readonly rewardScaler: RewardScaler | null;
  private readonly x: Float32Array; // network inputs of the current observations, N×obsDim
  private readonly actions: Int32Array | Float32Array;
  private readonly envActions: Int32Array | Float32Array;
  private readonly values: Float32Array;
  private readonly logProbs: Float32Array;
  private readonly zeros: Float32Array;
  private readonly episodeReturn: Float64Array;
  private readonly episodeLength: Int32Array;
  private readonly willReset: Uint8Array; // env e's next step is a reset step

  /**
   * Resets the envs with seeds from `envRng`.
   * @throws RangeError on a bad `numSteps` or a vector env whose autoreset is not next-step;
   *   TypeError when an `obsNormalizer` is given for a Discrete observation space or has the wrong
   *   dimension.
   */
  constructor(options: RolloutCollectorOptions) {
    const { envs, sampler, numSteps, logger, rng, envRng, obsNormalizer = null, rewardScaler = null } = options;
    if (!Number.isSafeInteger(numSteps) || numSteps < 1) throw new RangeError(`RolloutCollector: numSteps must be a positive integer, got ${numSteps}`);
    if (envs.autoresetMode !== "next-step") {
      // Same-step autoreset returns the reset observation in place of the final one: GAE would
      // bootstrap from the next episode; disabled autoreset would step finished envs.
      throw new RangeError(`RolloutCollector: envs must autoreset at the next step (autoresetMode "next-step", Gymnasium's default), got "${envs.autoresetMode}"`);
    }
    const spec = sampler.policy.spec;
    if (obsNormalizer !== null && (spec.obsStart !== null || obsNormalizer.dim !== spec.obsDim)) {
      throw new TypeError(`RolloutCollector: observation normalisation needs a Box observation space of dimension ${obsNormalizer.dim}`);
    }
    this.spec = spec;
    this.numSteps = numSteps;
    this.numEnvs = envs.numEnvs;
    this.envs = envs;
    this.sampler = sampler;
    this.logger = logger;
    this.rng = rng;
    this.obsNormalizer = obsNormalizer;
    this.rewardScaler = rewardScaler;
    const N = this.numEnvs;
    const D = spec.obsDim;
    const m = actionWidth(spec);
    const discrete = spec.action.kind === "discrete";
    this.buffer = new RolloutBuffer<Int32Array | Float32Array>({ numSteps, numEnvs: N, obsDim: D, actionDim: m, discrete });
    this.resetSteps = new Uint8Array(numSteps * N);
    this.lastValues = new Float32Array(N);
    this.x = new Float32Array(N * D);
    this.actions = discrete ? new Int32Array(N) : new Float32Array(N * m);
    this.envActions = discrete ? new Int32Array(N) : new Float32Array(N * m);
    this.values = new Float32Array(N);
    this.logProbs = new Float32Array(N);
    this.zeros = new Float32Array(N);
    this.episodeReturn = new Float64Array(N);
    this.episodeLength = new Int32Array(N);
    this.willReset = new Uint8Array(N);
    const [obs] = envs.reset({ seed: Array.from({ length: N }, () => envRng.integers(0, 2 ** 31)) });
    this.observe(obs);
  }

  /**
   * Runs T steps of all N envs with the sampler's current π_θ, then evaluates the bootstrap values
   * V_φ(s_T) into {@link lastValues}. Finished episodes go to the logger with their raw return.
   */
  collect(): void {
    const N = this.numEnvs;
    const { buffer, resetSteps, sampler, actions, values, logProbs, willReset, episodeReturn, episodeLength } = this;
    buffer.reset();
    for (let t = 0; t < this.numSteps; t++) {
      // a_t ~ π_θ(·|s_t), log π_θ(a_t|s_t) and V_φ(s_t): one host pass over all envs
      sampler.sample(this.x, N, this.rng, actions, { values, logProbs });
      writeEnvActions(this.spec, actions, N, this.envActions);
      const [nextObs, rewards, terminated, truncated] = this.envs.step(this.envActions);
      const resetRow = resetSteps.subarray(t * N, (t + 1) * N);
      resetRow.set(willReset);
      for (let e = 0; e < N; e++) {
        if (!willReset[e]) {
          episodeReturn[e] += rewards[e];
          episodeLength[e]++;
        }
        willReset[e] = terminated[e] || truncated[e] ? 1 : 0;
        if (willReset[e]) {
          this.logger.add(episodeReturn[e], episodeLength[e], this.globalStep + e + 1);
          episodeReturn[e] = 0;
          episodeLength[e] = 0;
        }
      }
      this.rewardScaler?.scale(rewards, terminated, resetRow);
      buffer.add({ obs: this.x, actions, logProbs, rewards, terminated, truncated, values, finalValues: this.zeros });
      this.globalStep += N;
      this.observe(nextObs);
    }
    sampler.values(this.x, N, this.lastValues);
  }

  /** The last rollout in the form {@link rolloutGae} (and `a2cAdvantages`) take. */
  rollout(): Rollout {
    return { ...this.buffer.rollout(), resetSteps: this.resetSteps, lastValues: this.lastValues };
  }

  /**
   * Stores advantages and value targets of the last rollout (e.g. from {@link rolloutGae}) and gathers
   * its valid rows (reset steps left out), in step-major order, into one flat batch of B rows:
   * `obs` B×obsDim (as the network saw them), `actions` (unclipped), `logProbs` log π_old(a|s),
   * `values` V_old(s), `advantages`, `returns`, and `indices` (the rows' t·N + e).
   * @throws RangeError when a length is not T·N.
   */
  batch(advantages: ArrayLike<number>, returns: ArrayLike<number>): RolloutMinibatch<Int32Array | Float32Array> {
    this.buffer.setAdvantages(advantages, returns);
    const indices: number[] = [];
    for (let i = 0; i < this.resetSteps.length; i++) if (!this.resetSteps[i]) indices.push(i);
    return this.buffer.gather(indices);
  }

  private observe(obs: Float32Array | Int32Array): void {
    writeBatchObs(this.spec, obs, this.numEnvs, this.x);
    this.obsNormalizer?.updateAndNormalize(this.x, this.numEnvs);
  }
}
