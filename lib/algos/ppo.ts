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
 * {@link adaptiveKlBeta}, {@link clippedValueLoss} ({@link approxKl} and {@link explainedVariance} are in ./diagnostics);
 * tuned settings per env in {@link PPO_PRESETS}.
 *
 * Acting and evaluation with normalised observations: the networks see observations normalised with
 * running statistics (updated on every observation during training). The returned agent freezes the
 * final statistics and applies them to each raw observation it is given, so `agent.act(obs)` takes
 * observations of a plain `make(id)` env (the frozen statistics are also in `result.obsStats`).
 * Reward scaling only changes the critic's units (its values are in scaled-reward units); the
 * episode log always records the raw returns.
 *
 * The loop (seeding, envs, rollouts, GAE, logging, progress) is the on-policy loop of ./on_policy;
 * this file is PPO's config and its update rule. Speed: rollouts act on host copies of the networks
 * (no tensor per env step); the batch stays in typed arrays; one minibatch update is one
 * `FlatOptimizer.step` over actor and critic together, with one read-back of the loss terms.
 */
import * as tf from "@tensorflow/tfjs";
import type { RolloutMinibatch } from "../buffers/rollout";
import { Categorical, DiagGaussian } from "../nn/distributions";
import type { MlpInit } from "../nn/mlp";
import { FlatOptimizer } from "../nn/optim";
import { standardizeInPlace } from "../returns";
import { type Schedule, toSchedule } from "../schedules";
import { type StochasticPolicy, actionsTensor, evaluateActions, policyDistribution } from "./actor_critic";
import { bool, type ConfigOf, field, finite, nonNegative, numberOrSchedule, oneOf, orNull, positive, positiveInt, resolveConfig, type Resolved } from "./config";
import { approxKl, explainedVariance } from "./diagnostics";
import { NETWORK_FIELDS, NORMALIZE_FIELDS, type OnPolicyContext, type OnPolicyRun, rolloutFields, RUN_FIELDS, trainOnPolicy, type UpdateRule } from "./on_policy";
import type { PolicyGradientLog, PolicyGradientProgress, PolicyGradientUpdate } from "./on_policy";
import type { SpacesSpec } from "./spaces_spec";
import { asTensor, checkLengths, type Vec } from "./vec";

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
 * The fields of {@link PpoConfig}: defaults are CleanRL's `ppo.py` (CartPole-v1) unless said
 * otherwise; `ppo_continuous_action.py` differs in numSteps 2048, 32 minibatches, 10 epochs, lr 3e-4,
 * entCoef 0 and both normalisations on — spread a {@link PPO_PRESETS} entry for tuned per-env settings.
 */
export const PPO_SCHEMA = {
  ...rolloutFields({ numEnvs: 4, totalSteps: 500_000, numSteps: 128, gaeLambda: 0.95 }),
  /** K, epochs over each batch. Default 4 (CleanRL `update_epochs`). */
  updateEpochs: field(4, positiveInt),
  /** Minibatches per epoch (the batch, shuffled each epoch, split into this many nearly equal parts). Default 4. */
  numMinibatches: field(4, positiveInt),
  /** Standardise the advantages within each minibatch (population std + 1e-8). Default true (CleanRL `norm_adv`). */
  normalizeAdvantages: field(true, bool),
  /** "clip" (default) or "penalty". */
  objective: field<PpoObjective>("clip", oneOf("clip", "penalty")),
  /** ε of the clipped ratio (and of the value clipping), or a schedule of the update index. Default 0.2. */
  clipCoef: field<number | Schedule>(0.2, numberOrSchedule),
  /** Clip the value function's change around V_old with ε ({@link clippedValueLoss}). Default true (CleanRL `clip_vloss`). */
  clipValueLoss: field(true, bool),
  /** Initial β of the KL penalty ("penalty" objective). Default 1 (the paper's §4). */
  initBeta: field(1, positive),
  /** d_targ, the KL target of the adaptive β ("penalty" objective). Default 0.01 (the paper tried 0.003, 0.01, 0.03). */
  klTarget: field(0.01, positive),
  /** c_e, weight of the entropy bonus. Default 0.01 (CleanRL `ent_coef`). */
  entCoef: field(0.01, nonNegative),
  /** c_v, weight of the value loss. Default 0.5 (CleanRL `vf_coef`). */
  vfCoef: field(0.5, nonNegative),
  /** Clip the global gradient norm to this; null: no clipping. Default 0.5 (CleanRL `max_grad_norm`). */
  maxGradNorm: field<number | null>(0.5, orNull(positive)),
  /** Stop the epochs of an update once the approximate KL (k3, last minibatch of an epoch) exceeds this; null: never. Default null (CleanRL `target_kl`). */
  targetKl: field<number | null>(null, orNull(positive)),
  /** Adam's step size, or a schedule of the update index. Default 2.5e-4 (CleanRL). */
  learningRate: field<number | Schedule>(2.5e-4, numberOrSchedule),
  /** Anneal a numeric learning rate linearly: lr · (1 − update / numUpdates). Default true (CleanRL `anneal_lr`). */
  annealLr: field(true, bool),
  /** Adam's ε. Default 1e-5 (CleanRL, Huang et al. detail #3; PyTorch's own default is 1e-8). */
  adamEpsilon: field(1e-5, positive),
  ...NETWORK_FIELDS,
  /** "orthogonal" (default: √2 hidden, 0.01 policy head, 1 value head) or "torch-default". */
  init: field<MlpInit>("orthogonal", oneOf("orthogonal", "torch-default")),
  /** One body for actor and critic with two linear heads (CleanRL `ppo_atari.py`). Default false (separate networks). */
  sharedNetwork: field(false, bool),
  /** Initial log σ of the Gaussian policy (continuous actions; state-independent). Default 0 (CleanRL `actor_logstd` zeros). */
  initLogStd: field(0, finite),
  ...NORMALIZE_FIELDS,
  ...RUN_FIELDS,
};

/** Configuration of {@link trainPpo}; every field is optional (see {@link PPO_SCHEMA} for the defaults' sources). */
export type PpoConfig = ConfigOf<typeof PPO_SCHEMA> & {
  /** Called after every update (e.g. to draw a live chart). */
  onProgress?: (progress: PpoProgress) => void;
};

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
export type PpoProgress = PolicyGradientProgress<PpoUpdate>;

/** PPO's training log. */
export type PpoLog = PolicyGradientLog<PpoUpdate>;

/** What {@link trainPpo} returns: the log, the agent, the normalisation statistics and the resolved config. */
export interface PpoResult extends OnPolicyRun<PpoUpdate> {
  /** The config with every default filled in (without `onProgress`). */
  config: Resolved<typeof PPO_SCHEMA>;
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
  if (!(beta >= 0) || !Number.isFinite(beta)) throw new RangeError(`ppoPenaltyLoss: beta must be a finite number >= 0, got ${beta}`);
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

/** π_θold(·|s) of a batch as host arrays (head output and log σ), for the KL penalty. */
interface OldPolicy {
  head: Float32Array;
  logStd: Float32Array | null;
  width: number;
}

/** PPO's update rule: K epochs of Adam on shuffled minibatches of the surrogate (Algorithm 1, lines 5–6). */
function ppoRule(c: Resolved<typeof PPO_SCHEMA>, { spec, policy, valueNet, numUpdates, rng }: OnPolicyContext): UpdateRule<PpoUpdate> {
  const where = "trainPpo";
  const { learningRate } = c;
  const lrAt = typeof learningRate === "number" && c.annealLr ? (u: number) => learningRate * (1 - u / numUpdates) : toSchedule(learningRate, "learningRate", where);
  const clipAt = toSchedule(c.clipCoef, "clipCoef", where);
  const D = spec.obsDim;
  const opt = new FlatOptimizer([...policy.variables, ...valueNet.weights], { kind: "adam", learningRate: lrAt(0), epsilon: c.adamEpsilon, maxGradNorm: c.maxGradNorm ?? undefined });
  let beta = c.initBeta;

  /** One gradient step on one minibatch; returns the loss terms. */
  function minibatchStep(mb: RolloutMinibatch, eps: number, old: OldPolicy | null) {
    const b = mb.size;
    if (c.normalizeAdvantages && b > 1) standardizeInPlace(mb.advantages);
    const oldHead = old === null ? null : new Float32Array(b * old.width);
    if (old !== null) mb.rows.forEach((i, j) => oldHead!.set(old.head.subarray(i * old.width, (i + 1) * old.width), j * old.width));
    const t = {
      obs: tf.tensor2d(mb.obs, [b, D]),
      actions: actionsTensor(spec, mb.actions, b),
      oldLogProbs: tf.tensor1d(mb.logProbs),
      advantages: tf.tensor1d(mb.advantages),
      returns: tf.tensor1d(mb.returns),
      oldValues: tf.tensor1d(mb.values),
      oldHead: oldHead === null ? null : tf.tensor2d(oldHead, [b, old!.width]),
      oldLogStd: old?.logStd ? tf.tensor1d(old.logStd) : null,
    };
    try {
      return opt.step(() => {
        const { dist, logProb, entropy, values } = evaluateActions(policy, valueNet, t.obs, t.actions);
        const kls = approxKl({ logProbs: logProb, oldLogProbs: t.oldLogProbs });
        // the clipped surrogate (its clip fraction is logged for the penalty objective too)
        const clipped = ppoClipLoss({ logProbs: logProb, oldLogProbs: t.oldLogProbs, advantages: t.advantages, clipCoef: eps });
        let policyLoss = clipped.loss; // logged: −L^CLIP, or −mean ρÂ without the penalty term
        let policyObjective = clipped.loss; // minimised
        if (c.objective === "penalty") {
          const kl = klPerRow(distFromHead(spec, t.oldHead!, t.oldLogStd), dist);
          const pen = ppoPenaltyLoss({ logProbs: logProb, oldLogProbs: t.oldLogProbs, advantages: t.advantages, kl, beta });
          policyLoss = pen.surrogate;
          policyObjective = pen.loss;
        }
        const valueLoss = clippedValueLoss({ values, oldValues: t.oldValues, returns: t.returns, clipCoef: c.clipValueLoss ? eps : null });
        const meanEntropy = tf.mean(entropy) as tf.Scalar;
        const loss = tf.add(tf.sub(policyObjective, tf.mul(meanEntropy, c.entCoef)), tf.mul(valueLoss, c.vfCoef)) as tf.Scalar;
        return { loss, metrics: { policyLoss, valueLoss, entropy: meanEntropy, clipFraction: clipped.clipFraction, approxKl: kls.approxKl, approxKlOld: kls.approxKlOld } };
      });
    } finally {
      tf.dispose(Object.values(t).filter((x): x is tf.Tensor => x !== null));
    }
  }

  return {
    minBatch: c.numMinibatches,
    update(batch, update) {
      const lr = lrAt(update);
      const eps = clipAt(update);
      if (!(eps > 0)) throw new RangeError(`${where}: clipCoef must be > 0, got ${eps} at update ${update}`);
      opt.learningRate = lr;
      const B = batch.size;
      const explVar = explainedVariance(batch.values, batch.returns);

      // π_θold(·|s) of the batch, for the KL penalty (normalised logits or μ, and log σ).
      let old: OldPolicy | null = null;
      if (c.objective === "penalty") {
        const obsT = tf.tensor2d(batch.obs, [B, D]);
        const width = spec.action.kind === "discrete" ? spec.action.n : spec.action.dim;
        old = { head: headOf(policy, obsT), logStd: policy.logStd === null ? null : (policy.logStd.dataSync() as Float32Array).slice(), width };
        obsT.dispose();
      }

      // Optimise the surrogate w.r.t. θ (and φ) for K epochs of shuffled minibatches.
      const updateStart = performance.now();
      const sums = { policyLoss: 0, valueLoss: 0, entropy: 0, clipFraction: 0, approxKl: 0, approxKlOld: 0, gradNorm: 0 };
      let minibatches = 0;
      let epochs = 0;
      for (let epoch = 0; epoch < c.updateEpochs; epoch++) {
        epochs++;
        let lastApproxKl = 0;
        for (const mb of batch.minibatches(c.numMinibatches, rng)) {
          const step = minibatchStep(mb, eps, old);
          for (const key of ["policyLoss", "valueLoss", "entropy", "clipFraction", "approxKl", "approxKlOld"] as const) sums[key] += step.metrics[key];
          sums.gradNorm += step.gradNorm;
          minibatches++;
          lastApproxKl = step.metrics.approxKl;
        }
        if (c.targetKl !== null && lastApproxKl > c.targetKl) break; // CleanRL: checked after each epoch
      }

      // Penalty variant: d = mean KL(π_old ‖ π_θ) over the batch, then adapt β for the next update.
      let kl = NaN;
      const betaUsed = c.objective === "penalty" ? beta : NaN;
      if (old !== null) {
        kl = tf.tidy(() => {
          const prev = distFromHead(spec, tf.tensor2d(old!.head, [B, old!.width]), old!.logStd === null ? null : tf.tensor1d(old!.logStd));
          return tf.mean(klPerRow(prev, policyDistribution(policy, tf.tensor2d(batch.obs, [B, D])))).dataSync()[0];
        });
        beta = adaptiveKlBeta(beta, Math.max(kl, 0), c.klTarget);
      }
      const mean = (x: number) => x / minibatches;
      return {
        policyLoss: mean(sums.policyLoss),
        valueLoss: mean(sums.valueLoss),
        entropy: mean(sums.entropy),
        gradNorm: mean(sums.gradNorm),
        clipFraction: mean(sums.clipFraction),
        approxKl: mean(sums.approxKl),
        approxKlOld: mean(sums.approxKlOld),
        explainedVariance: explVar,
        learningRate: lr,
        clipCoef: eps,
        epochs,
        minibatches,
        msUpdate: performance.now() - updateStart,
        beta: betaUsed,
        kl,
      };
    },
    dispose: () => opt.dispose(),
  };
}

/**
 * Trains an actor-critic with PPO on a vector env (Schulman et al. 2017, Algorithm 1, as CleanRL).
 *
 * @example
 * const { log, agent } = await trainPpo({ ...PPO_PRESETS["CartPole-v1"], seed: 0, targetReturn: 475 });
 * console.log(log.solvedAtStep, log.updates.at(-1)?.clipFraction);
 * agent.dispose();
 *
 * @returns the log, the trained agent, the normalisation statistics and the resolved config. Reproducible from `seed` on a given backend.
 * @throws TypeError on an unknown config field, unsupported spaces, or observation normalisation of a
 *   Discrete observation space; RangeError on out-of-range values.
 */
export async function trainPpo(input: PpoConfig = {}): Promise<PpoResult> {
  const where = "trainPpo";
  const config = resolveConfig(PPO_SCHEMA, input, where);
  const batchRows = config.numEnvs * config.numSteps;
  if (config.numMinibatches > batchRows) throw new RangeError(`${where}: numMinibatches (${config.numMinibatches}) must be at most numEnvs·numSteps = ${batchRows}`);
  const run = await trainOnPolicy(where, config, input.onProgress, (ctx) => ppoRule(config, ctx));
  return { ...run, config };
}
