/**
 * Collecting on-policy rollouts from a vector env: T steps of N envs with the current policy
 * ({@link RolloutCollector}) into a {@link RolloutBuffer}, which then computes the advantages and
 * gathers the real transitions (see lib/buffers/rollout.ts for the data path and the reset steps of
 * next-step autoreset).
 *
 * @example
 * const collector = new RolloutCollector({ envs, sampler, numSteps: 128, logger, rng, envRng });
 * for (…each update…) {
 *   collector.collect();                                                      // T·N steps, V(s_T) bootstrap
 *   collector.buffer.computeAdvantages({ lastValues: collector.lastValues, gamma: 0.99, gaeLambda: 0.95 });
 *   const batch = collector.buffer.batch();                                  // reset steps left out
 *   …update θ, φ on batch.obs, batch.actions, batch.logProbs, batch.advantages, batch.returns…
 *   sampler.sync();
 * }
 */
import { RolloutBuffer } from "../buffers/rollout";
import type { SyncVectorEnv } from "../envs/vector";
import type { EpisodeLogger } from "../logging/episodes";
import type { Rng } from "../random";
import type { ObsNormalizer, RewardScaler } from "./normalize";
import type { PolicySampler } from "./sampler";
import { type SpacesSpec, actionWidth, writeBatchObs, writeEnvActions } from "./spaces_spec";

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
 * carry over from one rollout to the next. Stores into {@link RolloutCollector.buffer} (obs as the
 * network saw them, actions, logProbs, rewards, terminated, truncated, values, reset steps) and
 * {@link lastValues}.
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
  private readonly episodeReturn: Float64Array;
  private readonly episodeLength: Int32Array;

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
    this.lastValues = new Float32Array(N);
    this.x = new Float32Array(N * D);
    this.actions = discrete ? new Int32Array(N) : new Float32Array(N * m);
    this.envActions = discrete ? new Int32Array(N) : new Float32Array(N * m);
    this.values = new Float32Array(N);
    this.logProbs = new Float32Array(N);
    this.episodeReturn = new Float64Array(N);
    this.episodeLength = new Int32Array(N);
    const [obs] = envs.reset({ seed: Array.from({ length: N }, () => envRng.integers(0, 2 ** 31)) });
    this.observe(obs);
  }

  /**
   * Runs T steps of all N envs with the sampler's current π_θ, then evaluates the bootstrap values
   * V_φ(s_T) into {@link lastValues}. Finished episodes go to the logger with their raw return.
   */
  collect(): void {
    const N = this.numEnvs;
    const { buffer, sampler, actions, values, logProbs, episodeReturn, episodeLength } = this;
    buffer.reset();
    for (let t = 0; t < this.numSteps; t++) {
      // a_t ~ π_θ(·|s_t), log π_θ(a_t|s_t) and V_φ(s_t): one host pass over all envs
      sampler.sample(this.x, N, this.rng, actions, { values, logProbs });
      writeEnvActions(this.spec, actions, N, this.envActions);
      const [nextObs, rewards, terminated, truncated] = this.envs.step(this.envActions);
      const resetStep = buffer.nextIsReset; // this step's reset flags, until `add` stores them
      for (let e = 0; e < N; e++) {
        if (resetStep[e]) continue;
        episodeReturn[e] += rewards[e];
        episodeLength[e]++;
        if (terminated[e] || truncated[e]) {
          this.logger.add(episodeReturn[e], episodeLength[e], this.globalStep + e + 1);
          episodeReturn[e] = 0;
          episodeLength[e] = 0;
        }
      }
      this.rewardScaler?.scale(rewards, terminated, resetStep);
      buffer.add({ obs: this.x, actions, logProbs, rewards, terminated, truncated, values });
      this.globalStep += N;
      this.observe(nextObs);
    }
    sampler.values(this.x, N, this.lastValues);
  }

  private observe(obs: Float32Array | Int32Array): void {
    writeBatchObs(this.spec, obs, this.numEnvs, this.x);
    this.obsNormalizer?.updateAndNormalize(this.x, this.numEnvs);
  }
}
