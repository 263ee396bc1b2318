/**
 * The loop every on-policy algorithm shares (A2C, TRPO, PPO; REINFORCE shares its bookkeeping), as
 * CleanRL's single files run it: seed one stream per purpose, make N envs, build the actor and the
 * critic, then per update collect T steps of every env, estimate advantages, hand the batch of real
 * transitions to the algorithm's update rule, log, report progress, and stop at the step budget or
 * the target return; dispose everything on the way out. An algorithm file supplies its config
 * schema and its {@link UpdateRule}.
 *
 * Data path of one update: {@link RolloutCollector.collect} → {@link RolloutBuffer} (reset steps
 * flagged) → `computeAdvantages` (GAE) or the rule's own estimator → `batch()` (real transitions only)
 * → `rule.update(batch)` (e.g. PPO's epochs over `batch.minibatches(…)`) → `sampler.sync()`.
 */
import { initBackend } from "../backend";
import type { RolloutBatch, RolloutBuffer } from "../buffers/rollout";
import type { MakeOptions } from "../envs";
import { SyncVectorEnv } from "../envs/vector";
import { EpisodeLogger, type EpisodeRecord } from "../logging/episodes";
import type { Activation, Mlp, MlpInit } from "../nn/mlp";
import { Rng } from "../random";
import { makeAgent, type PolicyAgent } from "./agent";
import { disposePolicy, makeActorCritic, type StochasticPolicy } from "./actor_critic";
import { bool, envOptions, envSource, field, finite, layerSizes, nonNegativeInt, optional, positive, positiveInt, unitInterval } from "./config";
import { createEnv, type EnvSource } from "./env_source";
import { ObsNormalizer, RewardScaler, runningStats, type RunningStats } from "./normalize";
import { RolloutCollector } from "./rollout";
import { PolicySampler } from "./sampler";
import { type SpacesSpec, spacesSpec } from "./spaces_spec";

/** One parameter update (every policy-gradient trainer logs these in `log.updates`). */
export interface PolicyGradientUpdate {
  /** 0-based update index. */
  update: number;
  /** Env steps taken by the run before this update. */
  globalStep: number;
  /** The policy-gradient surrogate loss (−mean of weight × log π) before the update. */
  policyLoss: number;
  /** Mean squared error of the value function before the update (NaN without a critic). */
  valueLoss: number;
  /** Mean entropy of π_θ(·|s) over the batch, nats. */
  entropy: number;
  /** Global L2 norm of the gradient of the (total) loss before clipping. */
  gradNorm: number;
}

/** What `train` returns in `log`, with update records of type `U`. */
export interface PolicyGradientLog<U extends PolicyGradientUpdate = PolicyGradientUpdate> {
  /** Per finished episode, in order. */
  episodes: EpisodeRecord[];
  /** Per update, in order. */
  updates: U[];
  /** Env steps taken in total. */
  globalStep: number;
  /** Wall-clock seconds of the run. */
  seconds: number;
  /** Global step at which the mean return of the last `returnWindow` episodes first reached `targetReturn` (null if never, or no target). */
  solvedAtStep: number | null;
  /** Seconds from the start to that point (null if never). */
  solvedAtSeconds: number | null;
}

/** What the progress callback receives after every update, with update records of type `U`. */
export interface PolicyGradientProgress<U extends PolicyGradientUpdate = PolicyGradientUpdate> {
  /** Updates done so far. */
  updates: number;
  /** Env steps taken so far. */
  globalStep: number;
  /** The step budget. */
  totalSteps: number;
  /** Episodes finished so far. */
  episodes: number;
  /** Mean return of the last `returnWindow` episodes (NaN before the first). */
  meanReturn: number;
  /** The latest update's record. */
  last: U;
  /** Seconds since the start. */
  seconds: number;
}

// ---------------------------------------------------------------------------------------------
// Config fields every on-policy algorithm has (spread into each schema; same name, same meaning)
// ---------------------------------------------------------------------------------------------

/** The environment fields. */
export const ENV_FIELDS = {
  /** The environment: a registered id (made with `make`, so with its time limit) or a factory; default "CartPole-v1". */
  env: field<EnvSource>("CartPole-v1", envSource),
  /** Options for `make` when `env` is an id. */
  envOptions: field<MakeOptions | undefined>(undefined, envOptions),
};

/** The network fields (separate actor and critic MLPs unless the algorithm offers a shared body). */
export const NETWORK_FIELDS = {
  /** Hidden layer widths of the actor and of the critic (or of their shared body). Default [64, 64] (SB3, CleanRL, Spinning Up). */
  hiddenSizes: field<number[]>([64, 64], layerSizes),
  /** Hidden activation. Default "tanh" (SB3, CleanRL, Spinning Up). */
  activation: field<Activation>("tanh", (v) => (["tanh", "relu", "linear"].includes(v) ? undefined : '"tanh", "relu" or "linear"')),
};

/** Running normalisation of observations and rewards (Gymnasium's vector wrappers, SB3's `VecNormalize`). */
export const NORMALIZE_FIELDS = {
  /** Normalise observations with running statistics shared by all envs, then clip to ±`clipObs` (Box observations). Default false (CleanRL continuous and RL-Zoo's `normalize: true` turn it on). */
  normalizeObservations: field(false, bool),
  /** Bound of the normalised observations. Default 10. */
  clipObs: field(10, positive),
  /** Scale rewards by the running std of the discounted return (γ), then clip to ±`clipReward`. Default false. */
  normalizeRewards: field(false, bool),
  /** Bound of the scaled rewards. Default 10. */
  clipReward: field(10, positive),
};

/** Seeding and stopping. */
export const RUN_FIELDS = {
  /** Seed of everything: initial weights, action sampling, the update's own randomness (shuffling) and the envs' first resets. Default 0. */
  seed: field(0, nonNegativeInt),
  /** Stop once the mean return of the last `returnWindow` episodes reaches this. Default none (use the whole budget). */
  targetReturn: field<number | undefined>(undefined, optional(finite)),
  /** Episodes in the moving mean of `targetReturn` and progress reports. Default 20. */
  returnWindow: field(20, positiveInt),
};

/**
 * The environment and rollout fields of the vector-env algorithms (A2C, TRPO, PPO), with each
 * algorithm's defaults: `numEnvs` PPO 4 (CleanRL), A2C 8 (RL-Zoo CartPole-v1), TRPO 1 (SB3 with one
 * env); `totalSteps` PPO and A2C 500 000, TRPO 100 000 (RL-Zoo's TRPO CartPole-v1 budget); `numSteps`
 * PPO 128 (CleanRL), A2C 5 (SB3, A3C's t_max), TRPO 2048 (SB3); `gaeLambda` PPO and TRPO 0.95, A2C 1.0
 * (SB3 A2C: the plain n-step return).
 */
export function rolloutFields(defaults: { numEnvs: number; totalSteps: number; numSteps: number; gaeLambda: number }) {
  return {
    ...ENV_FIELDS,
    /** N, envs stepped in lockstep (a `SyncVectorEnv`, next-step autoreset). Default: PPO 4 (CleanRL `num_envs`), A2C 8 (RL-Zoo), TRPO 1 (SB3). */
    numEnvs: field(defaults.numEnvs, positiveInt),
    /** Env-step budget (all envs, reset steps included). Default: PPO, A2C 500 000; TRPO 100 000. */
    totalSteps: field(defaults.totalSteps, positiveInt),
    /** T, steps per env per rollout (batch N·T). Default: PPO 128 (CleanRL `num_steps`), A2C 5 (SB3 `n_steps`), TRPO 2048 (SB3). */
    numSteps: field(defaults.numSteps, positiveInt),
    /** Discount γ ∈ [0, 1]. Default 0.99. */
    gamma: field(0.99, unitInterval),
    /** λ of GAE ∈ [0, 1]. Default: PPO, TRPO 0.95; A2C 1.0 (the n-step return of A3C). */
    gaeLambda: field(defaults.gaeLambda, unitInterval),
  };
}

// ---------------------------------------------------------------------------------------------
// Bookkeeping: updates, progress, early stop, the log
// ---------------------------------------------------------------------------------------------

/** A run's episode log, update records and progress reports; shared by every policy-gradient trainer. */
export class TrainingRun<U extends PolicyGradientUpdate> {
  /** The finished episodes and the moving mean return. */
  readonly logger: EpisodeLogger;
  /** The update records, in order. */
  readonly updates: U[] = [];

  /**
   * @param settings `returnWindow`, `targetReturn`, `totalSteps` of the resolved config.
   * @param onProgress called after every update.
   */
  constructor(
    private readonly settings: { returnWindow: number; targetReturn: number | undefined; totalSteps: number },
    private readonly onProgress?: (progress: PolicyGradientProgress<U>) => void,
  ) {
    this.logger = new EpisodeLogger(settings.returnWindow, settings.targetReturn);
  }

  /** Records an update and reports progress. @returns true once the target return was reached (stop). */
  record(last: U): boolean {
    const { logger } = this;
    this.updates.push(last);
    this.onProgress?.({
      updates: this.updates.length,
      globalStep: last.globalStep,
      totalSteps: this.settings.totalSteps,
      episodes: logger.episodes.length,
      meanReturn: logger.meanReturn(),
      last,
      seconds: logger.seconds(),
    });
    return logger.solvedAtStep !== null;
  }

  /** The training log after `globalStep` env steps. */
  log(globalStep: number): PolicyGradientLog<U> {
    const { logger } = this;
    return { episodes: logger.episodes, updates: this.updates, globalStep, seconds: logger.seconds(), solvedAtStep: logger.solvedAtStep, solvedAtSeconds: logger.solvedAtSeconds };
  }
}

// ---------------------------------------------------------------------------------------------
// The loop
// ---------------------------------------------------------------------------------------------

/** The resolved config fields the loop reads. */
export interface OnPolicySettings {
  env: EnvSource;
  envOptions: MakeOptions | undefined;
  numEnvs: number;
  totalSteps: number;
  numSteps: number;
  gamma: number;
  gaeLambda: number;
  hiddenSizes: number[];
  activation: Activation;
  initLogStd: number;
  init?: MlpInit;
  sharedNetwork?: boolean;
  normalizeObservations?: boolean;
  clipObs?: number;
  normalizeRewards?: boolean;
  clipReward?: number;
  seed: number;
  targetReturn: number | undefined;
  returnWindow: number;
}

/** What an algorithm's update rule is built from. */
export interface OnPolicyContext {
  /** The spaces of the env. */
  spec: SpacesSpec;
  /** π_θ. */
  policy: StochasticPolicy;
  /** V_φ (the value head, with a shared body). */
  valueNet: Mlp;
  /** ⌈totalSteps / (numEnvs · numSteps)⌉, the number of updates of the budget. */
  numUpdates: number;
  /** The stream of the update's own randomness (minibatch shuffling, critic minibatches). */
  rng: Rng;
}

/** An on-policy algorithm, as the loop sees it: its update of θ (and φ) from a batch of real transitions. */
export interface UpdateRule<U extends PolicyGradientUpdate> {
  /** Fewest batch rows an update needs (smaller batches, only possible with tiny rollouts full of reset steps, are skipped). Default 1. */
  minBatch?: number;
  /** Fills `buffer.advantages` and `buffer.returns`; default GAE(γ, λ) ({@link RolloutBuffer.computeAdvantages}). */
  advantages?(buffer: RolloutBuffer, lastValues: Float32Array): void;
  /** One update from the batch; returns the record without `update` and `globalStep`. */
  update(batch: RolloutBatch, update: number): Omit<U, "update" | "globalStep">;
  /** Frees the rule's own resources (optimizers). */
  dispose(): void;
}

/** What {@link trainOnPolicy} returns (the train functions add their resolved config). */
export interface OnPolicyRun<U extends PolicyGradientUpdate> {
  /** Per-episode returns and lengths (raw rewards), per-update records, timings. */
  log: PolicyGradientLog<U>;
  /** The trained actor and critic (acting on raw observations: it applies the frozen observation statistics); `dispose()` it when done. */
  agent: PolicyAgent;
  /** The observation statistics the agent normalises with (null without `normalizeObservations`). */
  obsStats: RunningStats | null;
  /** The discounted return's statistics the rewards were scaled with (null without `normalizeRewards`). */
  rewardStats: RunningStats | null;
}

/**
 * Runs the on-policy loop with an algorithm's update rule.
 * @param where the train function's name, for messages.
 * @param s the resolved config.
 * @param onProgress called after every update.
 * @param makeRule builds the update rule from the networks.
 * @throws TypeError on unsupported spaces or observation normalisation of a Discrete observation
 *   space; what the rule throws (after disposing the networks).
 */
export async function trainOnPolicy<U extends PolicyGradientUpdate>(
  where: string,
  s: OnPolicySettings,
  onProgress: ((progress: PolicyGradientProgress<U>) => void) | undefined,
  makeRule: (ctx: OnPolicyContext) => UpdateRule<U>,
): Promise<OnPolicyRun<U>> {
  await initBackend();

  // Seeding: one stream per purpose, all from `seed`.
  const [initRng, sampleRng, envRng, updateRng, agentRng] = new Rng(s.seed).split(5);
  const envs = new SyncVectorEnv(Array.from({ length: s.numEnvs }, () => createEnv(s.env, s.envOptions)));
  let spec: SpacesSpec;
  try {
    spec = spacesSpec(envs.singleObservationSpace, envs.singleActionSpace);
    if (s.normalizeObservations && spec.obsStart !== null) throw new TypeError(`${where}: normalizeObservations needs a Box observation space (this one is Discrete)`);
  } catch (err) {
    envs.close();
    throw err;
  }

  // The actor π_θ and the critic V_φ (separate, or with a shared body), on the host for the rollouts.
  const { policy, valueNet } = makeActorCritic(spec, { shared: s.sharedNetwork, hiddenSizes: s.hiddenSizes, activation: s.activation, init: s.init, rng: initRng, initLogStd: s.initLogStd });
  const sampler = new PolicySampler(policy, valueNet);
  const obsNormalizer = s.normalizeObservations ? new ObsNormalizer(spec.obsDim, s.clipObs) : null;
  const rewardScaler = s.normalizeRewards ? new RewardScaler(s.numEnvs, s.gamma, s.clipReward) : null;
  const run = new TrainingRun<U>(s, onProgress);
  const collector = new RolloutCollector({ envs, sampler, numSteps: s.numSteps, logger: run.logger, rng: sampleRng, envRng, obsNormalizer, rewardScaler });
  const numUpdates = Math.ceil(s.totalSteps / (s.numEnvs * s.numSteps));
  let rule: UpdateRule<U> | null = null;

  try {
    rule = makeRule({ spec, policy, valueNet, numUpdates, rng: updateRng });
    for (let update = 0; collector.globalStep < s.totalSteps; update++) {
      // 1. Run π_θ in N envs for T steps (storing a_t, log π_θ(a_t|s_t), V(s_t)); bootstrap V(s_T).
      collector.collect();
      const globalStep = collector.globalStep;

      // 2. Advantages Â_t and value targets R_t (GAE unless the rule has its own estimator); reset steps dropped.
      const { buffer, lastValues } = collector;
      if (rule.advantages) rule.advantages(buffer, lastValues);
      else buffer.computeAdvantages({ lastValues, gamma: s.gamma, gaeLambda: s.gaeLambda });
      const batch = buffer.batch();
      if (batch.size < (rule.minBatch ?? 1)) continue;

      // 3. The algorithm's update of θ (and φ), then the host copies follow.
      const record = { update, globalStep, ...rule.update(batch, update) } as U;
      sampler.sync();
      if (run.record(record)) break;
    }
  } catch (err) {
    disposePolicy(policy);
    valueNet.dispose();
    throw err;
  } finally {
    rule?.dispose();
    envs.close();
  }

  return {
    log: run.log(collector.globalStep),
    agent: makeAgent(policy, valueNet, agentRng, { transformObs: obsNormalizer?.frozen() }),
    obsStats: runningStats(obsNormalizer?.rms),
    rewardStats: runningStats(rewardScaler?.rms),
  };
}
