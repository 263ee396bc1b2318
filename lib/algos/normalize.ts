/**
 * Optional running normalisation of an on-policy rollout, as Gymnasium 1.x's vector wrappers
 * `NormalizeObservation` and `NormalizeReward` followed by clipping (CleanRL `ppo_continuous_action.py`
 * clips both to ±10; SB3's `VecNormalize` does the same with statistics shared by all envs):
 * {@link ObsNormalizer}, {@link RewardScaler}. The episode log always gets the raw rewards.
 */
import { RunningMeanStd } from "../envs/wrappers";
import type { EndFlags } from "../returns";


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
