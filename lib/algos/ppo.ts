/**
 * Proximal Policy Optimization (Schulman, Wolski, Dhariwal, Radford & Klimov, "Proximal Policy
 * Optimization Algorithms", 2017, Algorithm 1), in the single-file style of CleanRL's `ppo.py` and
 * `ppo_continuous_action.py`: N envs stepped in lockstep for T steps with π_θold, GAE(γ, λ)
 * advantages, then K epochs of Adam on shuffled minibatches of the surrogate
 *
 *   L(θ, φ) = −L^CLIP(θ) + c_v · L^VF(φ) − c_e · mean H(π_θ(·|s)),
 *   L^CLIP(θ) = mean_t min(ρ_t Â_t, clip(ρ_t, 1 − ε, 1 + ε) Â_t),   ρ_t = π_θ(a_t|s_t) / π_θold(a_t|s_t),
 *
 * or the KL-penalised surrogate L^KLPEN = mean_t [ρ_t Â_t − β KL(π_θold(·|s_t) ‖ π_θ(·|s_t))] with the
 * adaptive β of the paper's §4 (`objective: "penalty"`).
 *
 * The code-level optimisations of Engstrom et al. 2020 ("Implementation Matters in Deep Policy
 * Gradients: A Case Study on PPO and TRPO", ICLR 2020) and Huang et al. 2022 ("The 37 Implementation
 * Details of Proximal Policy Optimization", ICLR blog track) are each a switch of {@link PpoConfig}, so a
 * notebook can ablate them one at a time: value-function clipping (`clipValueLoss`), reward scaling
 * (`normalizeRewards`), orthogonal initialisation (`init`), Adam ε = 1e-5 and learning-rate annealing
 * (`annealLr`), observation normalisation and clipping (`normalizeObservations`), per-minibatch
 * advantage normalisation (`normalizeAdvantages`), global gradient clipping (`maxGradNorm`), a shared
 * or separate actor/critic body (`sharedNetwork`), early stopping on the approximate KL (`targetKl`).
 *
 * Exported pieces the notebooks teach: {@link ppoClipLoss}, {@link ppoPenaltyLoss},
 * {@link adaptiveKlBeta}, {@link clippedValueLoss}, {@link approxKl} ({@link explainedVariance} is in ./diagnostics);
 * tuned settings per env in {@link PPO_PRESETS}.
 *
 * Acting and evaluation with normalised observations: the networks see observations normalised with
 * running statistics (updated on every observation during training). The returned agent freezes the
 * final statistics and applies them to each raw observation it is given, so `agent.act(obs)` takes
 * observations of a plain `make(id)` env (the frozen statistics are also in `result.obsStats`).
 * Reward scaling only changes the critic's units (its values are in scaled-reward units); the
 * episode log always records the raw returns.
 *
 * Speed: rollouts act on host copies of the networks (no tensor per env step, {@link RolloutCollector});
 * the batch stays in typed arrays; one minibatch update is one `FlatOptimizer.step` over actor and
 * critic together, with one read-back of the loss terms.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import type { MakeOptions } from "../envs";
import { SyncVectorEnv } from "../envs/vector";
import { Categorical, DiagGaussian } from "../nn/distributions";
import type { Activation, MlpInit } from "../nn/mlp";
import { FlatOptimizer } from "../nn/optim";
import { Rng } from "../random";
import { type Schedule, toSchedule } from "../schedules";
import { EpisodeLogger } from "./log";
import {
  type EnvSource,
  type PolicyAgent,
  type PolicyGradientLog,
  type PolicyGradientProgress,
  type PolicyGradientUpdate,
  type SpacesSpec,
  type StochasticPolicy,
  actionWidth,
  actionsTensor,
  checkKeys,
  checkNonNegative,
  checkPositiveInt,
  createEnv,
  disposePolicy,
  evaluateActions,
  makeActorCritic,
  makeAgent,
  policyDistribution,
  PolicySampler,
  spacesSpec,
  standardizeInPlace,
} from "./policy";
import { explainedVariance } from "./diagnostics";
import { ObsNormalizer, RewardScaler, RolloutCollector, rolloutGae, runningStats, type RunningStats } from "./rollout";

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/** Which surrogate PPO maximises. */
export type PpoObjective =
  /** L^CLIP, the clipped probability ratio (the paper's §3, CleanRL, SB3). */
  | "clip"
  /** L^KLPEN, the KL-penalised ratio with the adaptive coefficient β (the paper's §4). */
  | "penalty";

/**
 * Configuration of {@link trainPpo}; every field is optional. Defaults are CleanRL's `ppo.py`
 * (CartPole-v1) unless said otherwise; `ppo_continuous_action.py` differs in numSteps 2048, 32
 * minibatches, 10 epochs, lr 3e-4, entCoef 0 and both normalisations on — spread a
 * {@link PPO_PRESETS} entry for tuned per-env settings.
 */
export interface PpoConfig {
  /** The environment: a registered id (made with `make`, so with its time limit) or a factory; default "CartPole-v1". */
  env?: EnvSource;
  /** Options for `make` when `env` is an id. */
  envOptions?: MakeOptions;
  /** N, envs stepped in lockstep (a `SyncVectorEnv`, next-step autoreset). Default 4 (CleanRL `num_envs`). */
  numEnvs?: number;
  /** Env-step budget (all envs, reset steps included). Default 500 000 (CleanRL `total_timesteps`). */
  totalSteps?: number;
  /** T, steps per env per rollout (batch N·T). Default 128 (CleanRL `num_steps`). */
  numSteps?: number;
  /** Discount γ ∈ [0, 1]. Default 0.99. */
  gamma?: number;
  /** λ of GAE ∈ [0, 1]. Default 0.95. */
  gaeLambda?: number;
  /** K, epochs over each batch. Default 4 (CleanRL `update_epochs`). */
  updateEpochs?: number;
  /** Minibatches per epoch (the batch, shuffled each epoch, split into this many nearly equal parts). Default 4. */
  numMinibatches?: number;
  /** Standardise the advantages within each minibatch (population std + 1e-8). Default true (CleanRL `norm_adv`). */
  normalizeAdvantages?: boolean;
  /** "clip" (default) or "penalty". */
  objective?: PpoObjective;
  /** ε of the clipped ratio (and of the value clipping), or a schedule of the update index. Default 0.2. */
  clipCoef?: number | Schedule;
  /** Clip the value function's change around V_old with ε ({@link clippedValueLoss}). Default true (CleanRL `clip_vloss`). */
  clipValueLoss?: boolean;
  /** Initial β of the KL penalty ("penalty" objective). Default 1 (the paper's §4). */
  initBeta?: number;
  /** d_targ, the KL target of the adaptive β ("penalty" objective). Default 0.01 (the paper tried 0.003, 0.01, 0.03). */
  klTarget?: number;
  /** c_e, weight of the entropy bonus. Default 0.01 (CleanRL `ent_coef`). */
  entCoef?: number;
  /** c_v, weight of the value loss. Default 0.5 (CleanRL `vf_coef`). */
  vfCoef?: number;
  /** Clip the global gradient norm to this; null: no clipping. Default 0.5 (CleanRL `max_grad_norm`). */
  maxGradNorm?: number | null;
  /** Stop the epochs of an update once the approximate KL (k3, last minibatch of an epoch) exceeds this; null: never. Default null (CleanRL `target_kl`). */
  targetKl?: number | null;
  /** Adam's step size, or a schedule of the update index. Default 2.5e-4 (CleanRL). */
  learningRate?: number | Schedule;
  /** Anneal a numeric learning rate linearly: lr · (1 − update / numUpdates). Default true (CleanRL `anneal_lr`). */
  annealLr?: boolean;
  /** Adam's ε. Default 1e-5 (CleanRL, Huang et al. detail #3; PyTorch's own default is 1e-8). */
  adamEpsilon?: number;
  /** Hidden layer widths (of each network, or of the shared trunk). Default [64, 64]. */
  hiddenSizes?: number[];
  /** Hidden activation. Default "tanh". */
  activation?: Activation;
  /** "orthogonal" (default: √2 hidden, 0.01 policy head, 1 value head) or "torch-default". */
  init?: MlpInit;
  /** One body for actor and critic with two linear heads (CleanRL `ppo_atari.py`). Default false (separate networks). */
  sharedNetwork?: boolean;
  /** Initial log σ of the Gaussian policy (continuous actions; state-independent). Default 0 (CleanRL `actor_logstd` zeros). */
  initLogStd?: number;
  /** Normalise observations with running statistics shared by all envs, then clip to ±`clipObs` (Box observations). Default false (CleanRL continuous: true). */
  normalizeObservations?: boolean;
  /** Bound of the normalised observations. Default 10. */
  clipObs?: number;
  /** Scale rewards by the running std of the discounted return (γ), then clip to ±`clipReward`. Default false (CleanRL continuous: true). */
  normalizeRewards?: boolean;
  /** Bound of the scaled rewards. Default 10. */
  clipReward?: number;
  /** Seed of everything: initial weights, action sampling, minibatch shuffling and the envs' first resets. Default 0. */
  seed?: number;
  /** Stop once the mean return of the last `returnWindow` episodes reaches this. Default none (use the whole budget). */
  targetReturn?: number;
  /** Episodes in the moving mean of `targetReturn` and progress reports. Default 20. */
  returnWindow?: number;
  /** Called after every update (e.g. to draw a live chart). */
  onProgress?: (progress: PpoProgress) => void;
}

const KEYS = [
  "env",
  "envOptions",
  "numEnvs",
  "totalSteps",
  "numSteps",
  "gamma",
  "gaeLambda",
  "updateEpochs",
  "numMinibatches",
  "normalizeAdvantages",
  "objective",
  "clipCoef",
  "clipValueLoss",
  "initBeta",
  "klTarget",
  "entCoef",
  "vfCoef",
  "maxGradNorm",
  "targetKl",
  "learningRate",
  "annealLr",
  "adamEpsilon",
  "hiddenSizes",
  "activation",
  "init",
  "sharedNetwork",
  "initLogStd",
  "normalizeObservations",
  "clipObs",
  "normalizeRewards",
  "clipReward",
  "seed",
  "targetReturn",
  "returnWindow",
  "onProgress",
] as const;

/** One PPO update (K epochs over one rollout). Loss terms are means over the update's minibatches (as SB3 logs them). */
export interface PpoUpdate extends PolicyGradientUpdate {
  /** −L^CLIP (or −mean ρÂ of the penalty objective), mean over minibatches. */
  policyLoss: number;
  /** The value loss as minimised (½ mean of the (clipped) squared error), mean over minibatches. */
  valueLoss: number;
  /** Fraction of samples with |ρ − 1| > ε, mean over minibatches (CleanRL `clipfrac`). */
  clipFraction: number;
  /** k3 estimate of KL(π_old ‖ π_θ), mean((ρ − 1) − log ρ), mean over minibatches. */
  approxKl: number;
  /** k1 estimate, mean(−log ρ), mean over minibatches (CleanRL `old_approx_kl`). */
  approxKlOld: number;
  /** 1 − Var[R − V_old] / Var[R] over the batch (NaN when Var[R] = 0). */
  explainedVariance: number;
  /** Adam's step size during the update. */
  learningRate: number;
  /** ε during the update. */
  clipCoef: number;
  /** Epochs run (fewer than `updateEpochs` when `targetKl` stopped the update). */
  epochs: number;
  /** Gradient steps (minibatches) taken. */
  minibatches: number;
  /** Wall-clock milliseconds of the optimisation phase (the epochs, without the rollout). */
  msUpdate: number;
  /** β used by the update ("penalty" objective; NaN otherwise). */
  beta: number;
  /** d = exact mean KL(π_old ‖ π_θ) over the batch after the update ("penalty" objective; NaN otherwise). */
  kl: number;
}

/** What {@link PpoConfig.onProgress} receives after every update. */
export interface PpoProgress extends PolicyGradientProgress {
  /** The latest update's record. */
  last: PpoUpdate;
}

/** PPO's training log: {@link PolicyGradientLog} with {@link PpoUpdate} rows. */
export type PpoLog = Omit<PolicyGradientLog, "updates"> & { updates: PpoUpdate[] };

/** What {@link trainPpo} returns. */
export interface PpoResult {
  /** Per-episode returns and lengths (raw rewards), per-update metrics, timings. */
  log: PpoLog;
  /** The trained actor and critic (acting on raw observations, see the module comment); `dispose()` it when done. */
  agent: PolicyAgent;
  /** The observation statistics the agent normalises with (null without `normalizeObservations`). */
  obsStats: RunningStats | null;
  /** The discounted return's statistics the rewards were scaled with (null without `normalizeRewards`). */
  rewardStats: RunningStats | null;
  /** The config with every default filled in (without `onProgress`). */
  config: Required<Omit<PpoConfig, "onProgress" | "targetReturn" | "envOptions">> & Pick<PpoConfig, "targetReturn" | "envOptions">;
}

/**
 * Settings that reach the benchmarks' thresholds in few gradient steps on this project's machine
 * (bench/ppo.ts; on the wasm backend a minibatch step costs about the same for 64 or 256 rows, so
 * fewer, larger minibatches are faster); spread one into the config:
 * `trainPpo({ ...PPO_PRESETS["CartPole-v1"], seed: 3 })`. Each starts from RL-Baselines3-Zoo's
 * `hyperparams/ppo.yml` entry and says what changed:
 * - CartPole-v1: the zoo's 8 envs × 32 steps, batch 256 (1 minibatch), lr linear from 1e-3, entCoef 0,
 *   λ 0.8, γ 0.98, and SB3's unclipped value loss; changed: 10 epochs instead of 20 (half the
 *   gradient steps; 475 is reached after ~40–50k instead of ~30–40k env steps, in less time) and a
 *   constant clip 0.2 instead of the zoo's linear one.
 * - Acrobot-v1: the zoo's λ 0.94, γ 0.99, entCoef 0, 4 epochs, observation normalisation; changed:
 *   8 envs × 64 steps in 2 minibatches of 256 and lr linear from 1e-3 (the zoo: 16 × 256 steps in
 *   minibatches of 64 at 3e-4, 1M steps; with the zoo's sizes and CleanRL's lr 2.5e-4 two seeds were
 *   still at −230 and −350 after 300k steps), no reward scaling.
 * - Pendulum-v1: the zoo's 4 envs × 1024 steps, γ 0.9, λ 0.95, 10 epochs, lr 1e-3 constant, clip 0.2,
 *   entCoef 0, observation and reward normalisation (`normalize: true`), SB3's vf 0.5 and max grad
 *   norm 0.5; changed: 8 minibatches of 512 instead of 64 of 64 (an eighth of the gradient steps;
 *   16 minibatches also reached −250, on 5 of 5 seeds, in twice the time), and no gSDE: a
 *   state-independent log σ.
 */
export const PPO_PRESETS: Readonly<Record<string, Readonly<PpoConfig>>> = Object.freeze({
  "CartPole-v1": Object.freeze({
    env: "CartPole-v1",
    numEnvs: 8,
    numSteps: 32,
    updateEpochs: 10,
    numMinibatches: 1,
    learningRate: 1e-3,
    annealLr: true,
    clipCoef: 0.2,
    clipValueLoss: false,
    entCoef: 0,
    gaeLambda: 0.8,
    gamma: 0.98,
    totalSteps: 150_000,
  }),
  "Acrobot-v1": Object.freeze({
    env: "Acrobot-v1",
    numEnvs: 8,
    numSteps: 64,
    updateEpochs: 4,
    numMinibatches: 2,
    learningRate: 1e-3,
    annealLr: true,
    gaeLambda: 0.94,
    gamma: 0.99,
    entCoef: 0,
    normalizeObservations: true,
    totalSteps: 300_000,
  }),
  "Pendulum-v1": Object.freeze({
    env: "Pendulum-v1",
    numEnvs: 4,
    numSteps: 1024,
    gamma: 0.9,
    gaeLambda: 0.95,
    updateEpochs: 10,
    numMinibatches: 8,
    learningRate: 1e-3,
    annealLr: false,
    clipCoef: 0.2,
    clipValueLoss: false,
    entCoef: 0,
    normalizeObservations: true,
    normalizeRewards: true,
    totalSteps: 500_000,
  }),
});

// ---------------------------------------------------------------------------------------------
// The pieces the notebooks teach
// ---------------------------------------------------------------------------------------------

type Vec = tf.Tensor1D | ArrayLike<number>;

function asTensor(x: Vec): tf.Tensor1D {
  return x instanceof tf.Tensor ? x : tf.tensor1d(Float32Array.from(x));
}

function checkLengths(where: string, B: number, named: Record<string, Vec>): void {
  if (B === 0) throw new RangeError(`${where}: empty batch`);
  for (const [name, x] of Object.entries(named)) {
    const n = x instanceof tf.Tensor ? x.shape[0] : x.length;
    if (n !== B) throw new RangeError(`${where}: ${name} has length ${n}, expected ${B} (the length of logProbs)`);
  }
}

/**
 * The clipped surrogate loss of PPO (Schulman et al. 2017, eq. 7), as a loss to minimise:
 *
 *   loss = −mean_t min(ρ_t Â_t, clip(ρ_t, 1 − ε, 1 + ε) Â_t),   ρ_t = exp(log π_θ(a_t|s_t) − log π_old(a_t|s_t)).
 *
 * Its gradient with respect to log π_θ(a_t|s_t) is −ρ_t Â_t / B, except where the clip is active —
 * Â_t ≥ 0 with ρ_t > 1 + ε, or Â_t < 0 with ρ_t < 1 − ε — where it is exactly 0.
 *
 * @param input `logProbs` log π_θ(a|s) [B] (differentiable); `oldLogProbs` log π_old(a|s) and
 *   `advantages` Â ([B] tensors or numbers, constants); `clipCoef` ε > 0.
 * @returns scalars `loss` and `clipFraction` = mean(|ρ − 1| > ε) (CleanRL's `clipfrac`).
 * @throws RangeError when the lengths differ or B = 0, or ε ≤ 0.
 */
export function ppoClipLoss(input: { logProbs: tf.Tensor1D; oldLogProbs: Vec; advantages: Vec; clipCoef: number }): { loss: tf.Scalar; clipFraction: tf.Scalar } {
  const { logProbs, clipCoef } = input;
  checkLengths("ppoClipLoss", logProbs.shape[0], { oldLogProbs: input.oldLogProbs, advantages: input.advantages });
  if (!(clipCoef > 0)) throw new RangeError(`ppoClipLoss: clipCoef must be > 0, got ${clipCoef}`);
  return tf.tidy(() => {
    const advantages = asTensor(input.advantages);
    const ratio = tf.exp(tf.sub(logProbs, asTensor(input.oldLogProbs)));
    const surrogate = tf.minimum(tf.mul(ratio, advantages), tf.mul(tf.clipByValue(ratio, 1 - clipCoef, 1 + clipCoef), advantages));
    const loss = tf.neg(tf.mean(surrogate)) as tf.Scalar;
    const clipFraction = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), clipCoef), "float32")) as tf.Scalar;
    return { loss, clipFraction };
  });
}

/**
 * The KL-penalised surrogate of PPO (Schulman et al. 2017, eq. 8), as a loss to minimise:
 *
 *   loss = −mean_t [ρ_t Â_t − β KL(π_old(·|s_t) ‖ π_θ(·|s_t))].
 *
 * @param input `logProbs` log π_θ(a|s) [B] and `kl` KL(π_old ‖ π_θ) per state [B] (both
 *   differentiable); `oldLogProbs`, `advantages` ([B], constants); `beta` β ≥ 0.
 * @returns scalars `loss`, `surrogate` = −mean ρÂ (the policy loss without the penalty) and `kl` = mean KL.
 * @throws RangeError when the lengths differ or B = 0, or β < 0.
 */
export function ppoPenaltyLoss(input: { logProbs: tf.Tensor1D; oldLogProbs: Vec; advantages: Vec; kl: tf.Tensor1D; beta: number }): {
  loss: tf.Scalar;
  surrogate: tf.Scalar;
  kl: tf.Scalar;
} {
  const { logProbs, beta } = input;
  checkLengths("ppoPenaltyLoss", logProbs.shape[0], { oldLogProbs: input.oldLogProbs, advantages: input.advantages, kl: input.kl });
  checkNonNegative(beta, "beta", "ppoPenaltyLoss");
  return tf.tidy(() => {
    const ratio = tf.exp(tf.sub(logProbs, asTensor(input.oldLogProbs)));
    const surrogate = tf.neg(tf.mean(tf.mul(ratio, asTensor(input.advantages)))) as tf.Scalar;
    const kl = tf.mean(input.kl) as tf.Scalar;
    return { loss: tf.add(surrogate, tf.mul(kl, beta)) as tf.Scalar, surrogate, kl };
  });
}

/**
 * The adaptive KL coefficient of PPO's penalty variant (Schulman et al. 2017, §4): after an update
 * with mean KL d, β ← β / 2 if d < d_targ / 1.5, β ← 2β if d > 1.5 · d_targ, unchanged otherwise.
 * @throws RangeError when β or d_targ is not positive, or d is negative or NaN.
 */
export function adaptiveKlBeta(beta: number, kl: number, klTarget: number): number {
  if (!(beta > 0) || !(klTarget > 0)) throw new RangeError(`adaptiveKlBeta: beta and klTarget must be > 0, got ${beta} and ${klTarget}`);
  if (!(kl >= 0)) throw new RangeError(`adaptiveKlBeta: kl must be >= 0, got ${kl}`);
  if (kl < klTarget / 1.5) return beta / 2;
  if (kl > klTarget * 1.5) return beta * 2;
  return beta;
}

/**
 * The value loss of CleanRL's PPO (`clip_vloss`; OpenAI Baselines' `ppo2`; Engstrom et al. 2020 §3):
 *
 *   clipped:   ½ mean_t max((V_t − R_t)², (V_old,t + clip(V_t − V_old,t, −ε, ε) − R_t)²),
 *   unclipped: ½ mean_t (V_t − R_t)²   (`clipCoef` null).
 *
 * @param input `values` V_φ(s) [B] (differentiable); `oldValues` V_old(s) from the rollout and
 *   `returns` R ([B], constants); `clipCoef` ε > 0 or null.
 * @throws RangeError when the lengths differ or B = 0, or ε ≤ 0.
 */
export function clippedValueLoss(input: { values: tf.Tensor1D; oldValues: Vec; returns: Vec; clipCoef: number | null }): tf.Scalar {
  const { values, clipCoef } = input;
  checkLengths("clippedValueLoss", values.shape[0], { oldValues: input.oldValues, returns: input.returns });
  if (clipCoef !== null && !(clipCoef > 0)) throw new RangeError(`clippedValueLoss: clipCoef must be > 0 or null, got ${clipCoef}`);
  return tf.tidy(() => {
    const returns = asTensor(input.returns);
    const unclipped = tf.square(tf.sub(values, returns));
    if (clipCoef === null) return tf.mul(tf.mean(unclipped), 0.5) as tf.Scalar;
    const oldValues = asTensor(input.oldValues);
    const vClipped = tf.add(oldValues, tf.clipByValue(tf.sub(values, oldValues), -clipCoef, clipCoef));
    return tf.mul(tf.mean(tf.maximum(unclipped, tf.square(tf.sub(vClipped, returns)))), 0.5) as tf.Scalar;
  });
}

/**
 * Two sample estimates of KL(π_old ‖ π_θ) from actions drawn from π_old, with log ρ = log π_θ(a|s) −
 * log π_old(a|s) (Schulman, "Approximating KL Divergence", 2020; CleanRL logs both):
 * - `approxKlOld` = mean(−log ρ) (k1: unbiased, high variance, can be negative);
 * - `approxKl` = mean((ρ − 1) − log ρ) (k3: unbiased, lower variance, every term ≥ 0).
 * @param input `logProbs` and `oldLogProbs` [B] (tensors or numbers).
 * @returns two scalars.
 * @throws RangeError when the lengths differ or B = 0.
 */
export function approxKl(input: { logProbs: Vec; oldLogProbs: Vec }): { approxKl: tf.Scalar; approxKlOld: tf.Scalar } {
  const B = input.logProbs instanceof tf.Tensor ? input.logProbs.shape[0] : input.logProbs.length;
  checkLengths("approxKl", B, { oldLogProbs: input.oldLogProbs });
  return tf.tidy(() => {
    const logRatio = tf.sub(asTensor(input.logProbs), asTensor(input.oldLogProbs));
    return {
      approxKlOld: tf.mean(tf.neg(logRatio)) as tf.Scalar,
      approxKl: tf.mean(tf.sub(tf.sub(tf.exp(logRatio), 1), logRatio)) as tf.Scalar,
    };
  });
}

/** π_old(·|s) rebuilt from its head output (normalised logits [B, K], or μ [B, D] with log σ [D]). */
function distFromHead(spec: SpacesSpec, head: tf.Tensor2D, logStd: tf.Tensor1D | null): Categorical | DiagGaussian {
  return spec.action.kind === "discrete" ? new Categorical(head) : new DiagGaussian(head, logStd as tf.Tensor1D);
}

/** KL(p ‖ q) per row for two distributions of the same kind. */
function klPerRow(p: Categorical | DiagGaussian, q: Categorical | DiagGaussian): tf.Tensor1D {
  return p instanceof Categorical ? p.kl(q as Categorical) : p.kl(q as DiagGaussian);
}

/** The head output of π_θ (normalised logits or μ) for a batch, on the host. */
function headOf(policy: StochasticPolicy, obs: tf.Tensor2D): Float32Array {
  return tf.tidy(() => {
    const dist = policyDistribution(policy, obs);
    return (dist instanceof Categorical ? dist.logits : dist.mean).dataSync() as Float32Array;
  });
}

// ---------------------------------------------------------------------------------------------
// The algorithm
// ---------------------------------------------------------------------------------------------

/**
 * Trains an actor-critic with PPO on a vector env (Schulman et al. 2017, Algorithm 1, as CleanRL).
 *
 * @example
 * const { log, agent } = await trainPpo({ ...PPO_PRESETS["CartPole-v1"], seed: 0, targetReturn: 475 });
 * console.log(log.solvedAtStep, log.updates.at(-1)?.clipFraction);
 * agent.dispose();
 *
 * @returns the log, the trained agent, the observation statistics and the resolved config. Reproducible from `seed` on a given backend.
 * @throws TypeError on an unknown config field, unsupported spaces, or observation normalisation of a
 *   Discrete observation space; RangeError on out-of-range values.
 */
export async function trainPpo(config: PpoConfig = {}): Promise<PpoResult> {
  const where = "trainPpo";
  checkKeys(config, KEYS, where);
  const {
    env: envSource = "CartPole-v1",
    envOptions,
    numEnvs = 4,
    totalSteps = 500_000,
    numSteps = 128,
    gamma = 0.99,
    gaeLambda = 0.95,
    updateEpochs = 4,
    numMinibatches = 4,
    normalizeAdvantages = true,
    objective = "clip",
    clipCoef = 0.2,
    clipValueLoss = true,
    initBeta = 1,
    klTarget = 0.01,
    entCoef = 0.01,
    vfCoef = 0.5,
    maxGradNorm = 0.5,
    targetKl = null,
    learningRate = 2.5e-4,
    annealLr = true,
    adamEpsilon = 1e-5,
    hiddenSizes = [64, 64],
    activation = "tanh",
    init = "orthogonal",
    sharedNetwork = false,
    initLogStd = 0,
    normalizeObservations = false,
    clipObs = 10,
    normalizeRewards = false,
    clipReward = 10,
    seed = 0,
    targetReturn,
    returnWindow = 20,
    onProgress,
  } = config;
  checkPositiveInt(numEnvs, "numEnvs", where);
  checkPositiveInt(totalSteps, "totalSteps", where);
  checkPositiveInt(numSteps, "numSteps", where);
  checkPositiveInt(updateEpochs, "updateEpochs", where);
  checkPositiveInt(numMinibatches, "numMinibatches", where);
  checkPositiveInt(returnWindow, "returnWindow", where);
  if (numMinibatches > numEnvs * numSteps) throw new RangeError(`${where}: numMinibatches (${numMinibatches}) must be at most numEnvs·numSteps = ${numEnvs * numSteps}`);
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`${where}: gamma must be in [0, 1], got ${gamma}`);
  if (!(gaeLambda >= 0 && gaeLambda <= 1)) throw new RangeError(`${where}: gaeLambda must be in [0, 1], got ${gaeLambda}`);
  if (objective !== "clip" && objective !== "penalty") throw new RangeError(`${where}: objective must be "clip" or "penalty", got ${String(objective)}`);
  if (!(initBeta > 0)) throw new RangeError(`${where}: initBeta must be > 0, got ${initBeta}`);
  if (!(klTarget > 0)) throw new RangeError(`${where}: klTarget must be > 0, got ${klTarget}`);
  checkNonNegative(entCoef, "entCoef", where);
  checkNonNegative(vfCoef, "vfCoef", where);
  if (maxGradNorm !== null && !(maxGradNorm > 0)) throw new RangeError(`${where}: maxGradNorm must be > 0 or null, got ${maxGradNorm}`);
  if (targetKl !== null && !(targetKl > 0)) throw new RangeError(`${where}: targetKl must be > 0 or null, got ${targetKl}`);
  if (!(adamEpsilon > 0)) throw new RangeError(`${where}: adamEpsilon must be > 0, got ${adamEpsilon}`);
  if (!(clipObs > 0)) throw new RangeError(`${where}: clipObs must be > 0, got ${clipObs}`);
  if (!(clipReward > 0)) throw new RangeError(`${where}: clipReward must be > 0, got ${clipReward}`);
  const numUpdates = Math.ceil(totalSteps / (numEnvs * numSteps));
  const lrSchedule = toSchedule(learningRate, "learningRate", where);
  const lrAt = typeof learningRate === "number" && annealLr ? (u: number) => learningRate * (1 - u / numUpdates) : lrSchedule;
  const clipAt = toSchedule(clipCoef, "clipCoef", where);
  await initBackend();

  // Seeding: one stream per purpose, all from `seed`.
  const [initRng, sampleRng, envRng, shuffleRng, agentRng] = new Rng(seed).split(5);
  const envs = new SyncVectorEnv(Array.from({ length: numEnvs }, () => createEnv(envSource, envOptions)));
  const spec = spacesSpec(envs.singleObservationSpace, envs.singleActionSpace);
  if (normalizeObservations && spec.obsStart !== null) {
    envs.close();
    throw new TypeError(`${where}: normalizeObservations needs a Box observation space (this one is Discrete)`);
  }
  const D = spec.obsDim;
  const m = actionWidth(spec);
  const headWidth = spec.action.kind === "discrete" ? spec.action.n : spec.action.dim;

  // Initialise the actor π_θ and the critic V_φ (separate or with a shared trunk; one Adam over both).
  const { policy, valueNet } = makeActorCritic(spec, { shared: sharedNetwork, hiddenSizes, activation, init, rng: initRng, initLogStd });
  const variables = [...policy.variables, ...valueNet.weights];
  const sampler = new PolicySampler(policy, valueNet); // π_θold and V_φ on the host, for the rollouts
  const opt = new FlatOptimizer(variables, { kind: "adam", learningRate: lrAt(0), epsilon: adamEpsilon, maxGradNorm: maxGradNorm ?? undefined });
  const obsNormalizer = normalizeObservations ? new ObsNormalizer(D, clipObs) : null;
  const rewardScaler = normalizeRewards ? new RewardScaler(numEnvs, gamma, clipReward) : null;
  const logger = new EpisodeLogger(returnWindow, targetReturn);
  const collector = new RolloutCollector({ envs, sampler, numSteps, logger, rng: sampleRng, envRng, obsNormalizer, rewardScaler });
  const updates: PpoUpdate[] = [];
  let beta = initBeta;

  try {
    for (let update = 0; collector.globalStep < totalSteps; update++) {
      const lr = lrAt(update);
      const eps = clipAt(update);
      if (!(eps > 0)) throw new RangeError(`${where}: clipCoef must be > 0, got ${eps} at update ${update}`);
      opt.learningRate = lr;

      // 1. Run π_θold in N envs for T steps (storing a_t, log π_θold(a_t|s_t), V(s_t)), bootstrap V(s_T).
      collector.collect();
      const globalStep = collector.globalStep;

      // 2. Advantage estimates Â_t = GAE(γ, λ) and value targets R_t = Â_t + V(s_t); reset steps dropped.
      const { advantages, returns } = rolloutGae(collector.rollout(), { gamma, gaeLambda });
      const batch = collector.batch(advantages, returns);
      const B = batch.size;
      if (B < numMinibatches) continue; // (only with tiny rollouts full of reset steps)
      const explVar = explainedVariance(batch.values, batch.returns);

      // π_θold(·|s) of the batch, for the KL penalty (normalised logits or μ, and log σ).
      let oldHead: Float32Array | null = null;
      let oldLogStd: Float32Array | null = null;
      if (objective === "penalty") {
        const obsT = tf.tensor2d(batch.obs, [B, D]);
        oldHead = headOf(policy, obsT);
        obsT.dispose();
        oldLogStd = policy.logStd === null ? null : (policy.logStd.dataSync() as Float32Array).slice();
      }

      // 3. Optimise the surrogate w.r.t. θ (and φ) for K epochs of shuffled minibatches.
      const updateStart = performance.now();
      const sums = { policyLoss: 0, valueLoss: 0, entropy: 0, clipFraction: 0, approxKl: 0, approxKlOld: 0, gradNorm: 0 };
      let minibatches = 0;
      let epochs = 0;
      for (let epoch = 0; epoch < updateEpochs; epoch++) {
        epochs++;
        const order = shuffleRng.permutation(B);
        let lastApproxKl = 0;
        for (let k = 0; k < numMinibatches; k++) {
          const idx = order.subarray(Math.floor((k * B) / numMinibatches), Math.floor(((k + 1) * B) / numMinibatches));
          const b = idx.length;
          const mbObs = new Float32Array(b * D);
          const mbAct = spec.action.kind === "discrete" ? new Int32Array(b) : new Float32Array(b * m);
          const mbLogp = new Float32Array(b);
          const mbAdv = new Float32Array(b);
          const mbRet = new Float32Array(b);
          const mbVal = new Float32Array(b);
          const mbHead = oldHead === null ? null : new Float32Array(b * headWidth);
          for (let j = 0; j < b; j++) {
            const i = idx[j];
            mbObs.set(batch.obs.subarray(i * D, (i + 1) * D), j * D);
            for (let q = 0; q < m; q++) mbAct[j * m + q] = batch.actions[i * m + q];
            mbLogp[j] = batch.logProbs[i];
            mbAdv[j] = batch.advantages[i];
            mbRet[j] = batch.returns[i];
            mbVal[j] = batch.values[i];
            if (mbHead !== null) mbHead.set(oldHead!.subarray(i * headWidth, (i + 1) * headWidth), j * headWidth);
          }
          if (normalizeAdvantages && b > 1) standardizeInPlace(mbAdv);
          const t = {
            obs: tf.tensor2d(mbObs, [b, D]),
            actions: actionsTensor(spec, mbAct, b),
            oldLogProbs: tf.tensor1d(mbLogp),
            advantages: tf.tensor1d(mbAdv),
            returns: tf.tensor1d(mbRet),
            oldValues: tf.tensor1d(mbVal),
            oldHead: mbHead === null ? null : tf.tensor2d(mbHead, [b, headWidth]),
            oldLogStd: oldLogStd === null ? null : tf.tensor1d(oldLogStd),
          };
          let step: { loss: number; gradNorm: number; metrics: Record<string, number> };
          try {
            step = opt.step(() => {
              const { dist, logProb, entropy, values } = evaluateActions(policy, valueNet, t.obs, t.actions);
              const kls = approxKl({ logProbs: logProb, oldLogProbs: t.oldLogProbs });
              // the clipped surrogate (its clip fraction is logged for the penalty objective too)
              const clipped = ppoClipLoss({ logProbs: logProb, oldLogProbs: t.oldLogProbs, advantages: t.advantages, clipCoef: eps });
              let policyLoss = clipped.loss; // logged: −L^CLIP, or −mean ρÂ without the penalty term
              let policyObjective = clipped.loss; // minimised
              if (objective === "penalty") {
                const kl = klPerRow(distFromHead(spec, t.oldHead!, t.oldLogStd), dist);
                const pen = ppoPenaltyLoss({ logProbs: logProb, oldLogProbs: t.oldLogProbs, advantages: t.advantages, kl, beta });
                policyLoss = pen.surrogate;
                policyObjective = pen.loss;
              }
              const clipFraction = clipped.clipFraction;
              const valueLoss = clippedValueLoss({ values, oldValues: t.oldValues, returns: t.returns, clipCoef: clipValueLoss ? eps : null });
              const meanEntropy = tf.mean(entropy) as tf.Scalar;
              const loss = tf.add(tf.sub(policyObjective, tf.mul(meanEntropy, entCoef)), tf.mul(valueLoss, vfCoef)) as tf.Scalar;
              return { loss, metrics: { policyLoss, valueLoss, entropy: meanEntropy, clipFraction, approxKl: kls.approxKl, approxKlOld: kls.approxKlOld } };
            });
          } finally {
            tf.dispose(Object.values(t).filter((x): x is tf.Tensor => x !== null));
          }
          for (const key of ["policyLoss", "valueLoss", "entropy", "clipFraction", "approxKl", "approxKlOld"] as const) sums[key] += step.metrics[key];
          sums.gradNorm += step.gradNorm;
          minibatches++;
          lastApproxKl = step.metrics.approxKl;
        }
        if (targetKl !== null && lastApproxKl > targetKl) break; // CleanRL: checked after each epoch
      }

      sampler.sync();

      // 4. Penalty variant: d = mean KL(π_old ‖ π_θ) over the batch, then adapt β for the next update.
      let kl = NaN;
      const betaUsed = objective === "penalty" ? beta : NaN;
      if (objective === "penalty") {
        kl = tf.tidy(() => {
          const obsT = tf.tensor2d(batch.obs, [B, D]);
          const old = distFromHead(spec, tf.tensor2d(oldHead!, [B, headWidth]), oldLogStd === null ? null : tf.tensor1d(oldLogStd));
          return tf.mean(klPerRow(old, policyDistribution(policy, obsT))).dataSync()[0];
        });
        beta = adaptiveKlBeta(beta, Math.max(kl, 0), klTarget);
      }

      const record: PpoUpdate = {
        update,
        globalStep,
        policyLoss: sums.policyLoss / minibatches,
        valueLoss: sums.valueLoss / minibatches,
        entropy: sums.entropy / minibatches,
        gradNorm: sums.gradNorm / minibatches,
        clipFraction: sums.clipFraction / minibatches,
        approxKl: sums.approxKl / minibatches,
        approxKlOld: sums.approxKlOld / minibatches,
        explainedVariance: explVar,
        learningRate: lr,
        clipCoef: eps,
        epochs,
        minibatches,
        msUpdate: performance.now() - updateStart,
        beta: betaUsed,
        kl,
      };
      updates.push(record);
      onProgress?.({
        updates: updates.length,
        globalStep,
        totalSteps,
        episodes: logger.episodes.length,
        meanReturn: logger.meanReturn(),
        last: record,
        seconds: logger.seconds(),
      });
      if (logger.solvedAtStep !== null) break;
    }
  } catch (err) {
    disposePolicy(policy);
    valueNet.dispose();
    throw err;
  } finally {
    opt.dispose();
    envs.close();
  }

  const log: PpoLog = {
    episodes: logger.episodes,
    updates,
    globalStep: collector.globalStep,
    seconds: logger.seconds(),
    solvedAtStep: logger.solvedAtStep,
    solvedAtSeconds: logger.solvedAtSeconds,
  };
  return {
    log,
    agent: makeAgent(policy, valueNet, agentRng, { transformObs: obsNormalizer?.frozen() }),
    obsStats: runningStats(obsNormalizer?.rms),
    rewardStats: runningStats(rewardScaler?.rms),
    config: {
      env: envSource,
      envOptions,
      numEnvs,
      totalSteps,
      numSteps,
      gamma,
      gaeLambda,
      updateEpochs,
      numMinibatches,
      normalizeAdvantages,
      objective,
      clipCoef,
      clipValueLoss,
      initBeta,
      klTarget,
      entCoef,
      vfCoef,
      maxGradNorm,
      targetKl,
      learningRate,
      annealLr,
      adamEpsilon,
      hiddenSizes,
      activation,
      init,
      sharedNetwork,
      initLogStd,
      normalizeObservations,
      clipObs,
      normalizeRewards,
      clipReward,
      seed,
      targetReturn,
      returnWindow,
    },
  };
}
