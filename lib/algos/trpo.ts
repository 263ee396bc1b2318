/**
 * Natural policy gradient and trust region policy optimisation.
 *
 * - Natural policy gradient (Kakade, "A Natural Policy Gradient", NIPS 2001): precondition the policy
 *   gradient g = ∇_θ J(θ) with the inverse Fisher information matrix of the policy,
 *   F(θ) = E_s E_{a∼π_θ}[∇_θ log π_θ(a|s) ∇_θ log π_θ(a|s)ᵀ], and step along s = F⁻¹ g.
 * - TRPO (Schulman, Levine, Moritz, Jordan & Abbeel, "Trust Region Policy Optimization", ICML 2015):
 *   maximise the surrogate L(θ) = E[π_θ(a|s)/π_old(a|s) · Â(s, a)] subject to the mean KL divergence
 *   KL̄(π_old ‖ π_θ) ≤ δ. Appendix C: solve F s = g by conjugate gradient with Fisher-vector products
 *   (F = the Hessian of KL̄ at θ_old), scale to the boundary of the quadratic trust region,
 *   β = √(2δ / sᵀFs), then backtrack along β·s until the measured KL̄ ≤ δ and L improves.
 *
 * {@link trainTrpo} runs it on a vector env; defaults are SB3-Contrib's `TRPO` (see {@link TrpoConfig}),
 * {@link TRPO_PRESETS} has tuned per-env settings.
 *
 * The natural-gradient pieces are in ./natural_gradient; {@link trpoPolicyUpdate} puts them together,
 * the critic is fitted by regression ({@link fitValueFunction}), and the loop is the on-policy loop of
 * ./on_policy.
 */
import * as tf from "@tensorflow/tfjs";
import { Categorical, DiagGaussian } from "../nn/distributions";
import type { Mlp } from "../nn/mlp";
import { FlatOptimizer } from "../nn/optim";
import type { Rng } from "../random";
import { standardizeInPlace } from "../returns";
import { type StochasticPolicy, actionsTensor, policyDistribution, valuesOf } from "./actor_critic";
import { bool, type ConfigOf, field, finite, nonNegative, oneOf, openUnitInterval, orNull, positive, positiveInt, resolveConfig, type Resolved } from "./config";
import { explainedVariance } from "./diagnostics";
import {
  backtrackingLineSearch,
  conjugateGradient,
  dot,
  type FisherVectorProduct,
  fisherVectorProduct,
  getFlatParams,
  type LineSearchEvaluation,
  meanKl,
  setFlatParams,
  surrogateObjective,
  trpoStepScale,
} from "./natural_gradient";
import { NETWORK_FIELDS, NORMALIZE_FIELDS, type OnPolicyContext, type OnPolicyRun, rolloutFields, RUN_FIELDS, trainOnPolicy, type UpdateRule } from "./on_policy";
import type { PolicyGradientLog, PolicyGradientProgress, PolicyGradientUpdate } from "./on_policy";

// ---------------------------------------------------------------------------------------------
// One policy update
// ---------------------------------------------------------------------------------------------

/** Which update {@link trpoPolicyUpdate} makes. */
export type TrpoAlgorithm =
  /** Natural policy gradient (Kakade 2001; Spinning Up's `algo='npg'`): the full step β·s, no line search. */
  | "npg"
  /** TRPO: the full step, then the backtracking line search on the measured KL and surrogate. */
  | "trpo";

/** Options of {@link trpoPolicyUpdate}. */
export interface TrpoPolicyOptions {
  /** "trpo" (default) or "npg". */
  algorithm?: TrpoAlgorithm;
  /** δ, the trust-region radius in mean KL (nats); default 0.01 (Spinning Up `delta`, SB3 `target_kl`). */
  maxKl?: number;
  /** λ added to F in the products; default 0.1 (Spinning Up `damping_coeff`, SB3 `cg_damping`). */
  damping?: number;
  /** Conjugate-gradient iterations; default 10 (Spinning Up `cg_iters`). */
  cgIters?: number;
  /** CG stops when rᵀr ≤ this; default 1e-10. */
  cgResidualTol?: number;
  /** Line-search shrink factor; default 0.8. */
  backtrackCoeff?: number;
  /** Step sizes the line search tries; default 10. */
  backtrackIters?: number;
  /** Smallest ratio of actual to expected surrogate improvement; default 0 (none). */
  acceptRatio?: number;
}

/** A batch for {@link trpoPolicyUpdate}. */
export interface TrpoPolicyBatch {
  /** States, [B, obsDim]. */
  obs: tf.Tensor2D;
  /** Actions: int32 [B] or [B, D] (as `actionsTensor` makes them). */
  actions: tf.Tensor;
  /** Â, [B] (normalised or not). */
  advantages: tf.Tensor1D;
}

/** What one {@link trpoPolicyUpdate} did. */
export interface TrpoStepInfo {
  /** L(θ_old) = mean Â (ratio 1). */
  surrogateOld: number;
  /** L(θ_new) − L(θ_old), measured (0 when the line search failed). */
  surrogateImprovement: number;
  /** gᵀΔθ, the improvement the linear model predicts for the step taken (0 when none). */
  expectedImprovement: number;
  /** KL̄(π_old ‖ π_new) of the step taken, measured (0 when the line search failed). */
  kl: number;
  /** Line-search shrinks before acceptance (0 for NPG). */
  backtracks: number;
  /** True when no step size passed the line search (θ unchanged). */
  lineSearchFailed: boolean;
  /** β = √(2δ / sᵀFs). */
  stepScale: number;
  /** CG iterations. */
  cgIterations: number;
  /** ‖g − (F + λI) s‖ after the last CG iteration. */
  cgResidual: number;
  /** ‖g‖, the norm of the policy gradient ∇_θ L at θ_old. */
  gradNorm: number;
  /** Mean entropy of π_old over the batch, nats. */
  entropy: number;
  /** Fisher-vector products computed (CG iterations + 1 for sᵀFs). */
  fisherProducts: number;
  /** Milliseconds spent in the Fisher-vector products. */
  fisherMs: number;
}

/**
 * One natural-gradient / TRPO policy update (Schulman et al. 2015, §6 and App. C; Spinning Up's
 * `trpo` update):
 * 1. g = ∇_θ L(θ) at θ_old, with L the {@link surrogateObjective};
 * 2. s ≈ F⁻¹ g by {@link conjugateGradient} with {@link fisherVectorProduct} (damped);
 * 3. the full step β·s, β = √(2δ / sᵀFs) ({@link trpoStepScale});
 * 4. "npg": θ ← θ_old + β·s; "trpo": {@link backtrackingLineSearch} on the measured KL̄ and L, θ_old kept when it fails.
 * The policy's variables hold the new θ afterwards.
 *
 * @param policy π_θ, at θ_old on entry.
 * @param batch states, actions and advantages (B ≥ 1); the tensors stay the caller's.
 * @throws RangeError on bad options (see the pieces).
 */
export function trpoPolicyUpdate(policy: StochasticPolicy, batch: TrpoPolicyBatch, options: TrpoPolicyOptions = {}): TrpoStepInfo {
  const { algorithm = "trpo", maxKl = 0.01, damping = 0.1, cgIters = 10, cgResidualTol = 1e-10, backtrackCoeff = 0.8, backtrackIters = 10, acceptRatio = 0 } = options;
  if (algorithm !== "trpo" && algorithm !== "npg") throw new RangeError(`trpoPolicyUpdate: algorithm must be "trpo" or "npg", got ${String(algorithm)}`);
  if (!(maxKl > 0) || !Number.isFinite(maxKl)) throw new RangeError(`trpoPolicyUpdate: maxKl must be a finite number > 0, got ${maxKl}`);
  const variables = policy.variables;
  const { obs, actions, advantages } = batch;
  const thetaOld = getFlatParams(variables);
  const n = thetaOld.length;

  // π_old and log π_old(a|s): constants of the update.
  const oldParams: tf.Tensor[] = tf.tidy(() => {
    const d = policyDistribution(policy, obs);
    return d instanceof Categorical ? [d.logits] : [d.mean, d.logStd];
  });
  const old = oldParams.length === 1 ? new Categorical(oldParams[0] as tf.Tensor2D) : new DiagGaussian(oldParams[0] as tf.Tensor2D, oldParams[1]);
  const logProbOf = (d: Categorical | DiagGaussian) => (d instanceof Categorical ? d.logProb(actions as tf.Tensor1D) : d.logProb(actions as tf.Tensor2D));
  const logProbOld = tf.tidy(() => logProbOf(old));
  let fvp: FisherVectorProduct | null = null;
  try {
    // 1. g = ∇_θ L at θ_old, with L(θ_old) and the entropy, read back together.
    const packed = tf.tidy(() => {
      let entropy: tf.Scalar = tf.scalar(0);
      const { value, grads } = tf.variableGrads(() => {
        const d = policyDistribution(policy, obs);
        entropy = tf.keep(tf.mean(d.entropy()) as tf.Scalar);
        return surrogateObjective(logProbOf(d), logProbOld, advantages);
      }, [...variables]);
      const out = tf.concat([...variables.map((v) => (grads[v.name] ? tf.reshape(grads[v.name], [-1]) : tf.zeros([v.size]))), tf.stack([value, entropy])]);
      entropy.dispose();
      return out;
    });
    const data = packed.dataSync();
    packed.dispose();
    const g = Float64Array.from(data.subarray(0, n));
    const surrogateOld = data[n];
    const entropy = data[n + 1];
    const gradNorm = Math.sqrt(dot(g, g));

    // 2. s ≈ (F + λI)⁻¹ g.
    fvp = fisherVectorProduct(policy, obs, { damping });
    let fisherProducts = 0;
    let fisherMs = 0;
    const Fv = (v: Float64Array) => {
      const t0 = performance.now();
      const out = (fvp as FisherVectorProduct).apply(v);
      fisherMs += performance.now() - t0;
      fisherProducts++;
      return out;
    };
    const cg = conjugateGradient(Fv, g, { maxIters: cgIters, residualTol: cgResidualTol });
    const s = cg.x;

    // 3. The full step β·s with β = √(2δ / sᵀFs).
    const stepScale = cg.iterations === 0 ? 0 : trpoStepScale(dot(s, Fv(s)), maxKl);
    const fullStep = s.map((x) => x * stepScale);
    const expectedFull = dot(g, fullStep);

    // 4. Measure L and KL̄ at candidate parameters (written into the policy).
    const evaluate = (theta: Float64Array): LineSearchEvaluation => {
      setFlatParams(variables, theta);
      const m = tf.tidy(() => {
        const d = policyDistribution(policy, obs);
        return tf.stack([surrogateObjective(logProbOf(d), logProbOld, advantages), meanKl(old, d)]);
      });
      const [surrogate, kl] = m.dataSync();
      m.dispose();
      return { surrogate, kl };
    };
    const info = { surrogateOld, stepScale, cgIterations: cg.iterations, cgResidual: cg.residuals[cg.residuals.length - 1], gradNorm, entropy, fisherProducts, fisherMs };
    if (stepScale === 0) {
      return { ...info, surrogateImprovement: 0, expectedImprovement: 0, kl: 0, backtracks: 0, lineSearchFailed: algorithm === "trpo" };
    }
    if (algorithm === "npg") {
      const theta = Float64Array.from(thetaOld, (x, i) => x + fullStep[i]);
      const { surrogate, kl } = evaluate(theta);
      return { ...info, surrogateImprovement: surrogate - surrogateOld, expectedImprovement: expectedFull, kl, backtracks: 0, lineSearchFailed: false };
    }
    const ls = backtrackingLineSearch({ evaluate, theta: thetaOld, fullStep, surrogateOld, maxKl, backtrackCoeff, backtrackIters, expectedImprovement: expectedFull, acceptRatio });
    if (!ls.accepted) {
      setFlatParams(variables, thetaOld);
      return { ...info, surrogateImprovement: 0, expectedImprovement: 0, kl: 0, backtracks: ls.backtracks, lineSearchFailed: true };
    }
    return {
      ...info,
      surrogateImprovement: ls.surrogate - surrogateOld,
      expectedImprovement: ls.stepFraction * expectedFull,
      kl: ls.kl,
      backtracks: ls.backtracks,
      lineSearchFailed: false,
    };
  } finally {
    fvp?.dispose();
    old.dispose();
    tf.dispose([logProbOld, ...oldParams]);
  }
}

// ---------------------------------------------------------------------------------------------
// The critic
// ---------------------------------------------------------------------------------------------

/** Options of {@link fitValueFunction}. */
export interface FitValueOptions {
  /** Passes over the batch; default 10 (SB3 `n_critic_updates`; Spinning Up does 80 full-batch steps). */
  epochs?: number;
  /** Rows per gradient step; null (default) for the whole batch (Spinning Up); SB3 uses 128. */
  batchSize?: number | null;
  /** Shuffles the rows each epoch (needed with minibatches). */
  rng: Rng;
}

/**
 * Fits the critic by regression on the value targets (Schulman et al. 2015, §8 and 2016 (GAE), §5;
 * Spinning Up's `train_v_iters`, SB3's `n_critic_updates`): for each epoch, for each (shuffled)
 * minibatch, one optimizer step on mean (R_t − V_φ(s_t))².
 *
 * @param valueNet V_φ (its weights are the optimizer's variables).
 * @param optimizer a {@link FlatOptimizer} over `valueNet.weights`.
 * @param obs states, B×obsDim (row-major). @param returns R_t, B.
 * @returns the mean value loss over the gradient steps (each measured before its step).
 * @throws RangeError when B = 0, the lengths do not fit, or epochs / batchSize is not a positive integer.
 */
export function fitValueFunction(valueNet: Mlp, optimizer: FlatOptimizer, obs: Float32Array, returns: Float32Array, options: FitValueOptions): number {
  const { epochs = 10, batchSize = null, rng } = options;
  const B = returns.length;
  const D = valueNet.sizes[0];
  if (B === 0 || obs.length !== B * D) throw new RangeError(`fitValueFunction: obs has ${obs.length} numbers and returns ${B}; expected B×${D} and B ≥ 1`);
  if (!Number.isSafeInteger(epochs) || epochs < 1) throw new RangeError(`fitValueFunction: epochs must be a positive integer, got ${epochs}`);
  if (batchSize !== null && (!Number.isSafeInteger(batchSize) || batchSize < 1)) throw new RangeError(`fitValueFunction: batchSize must be a positive integer or null, got ${batchSize}`);
  const obsT = tf.tensor2d(obs, [B, D]);
  const retT = tf.tensor1d(returns);
  let total = 0;
  let steps = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (batchSize === null || batchSize >= B) {
        total += optimizer.step(() => ({ loss: tf.mean(tf.square(tf.sub(retT, valuesOf(valueNet, obsT)))) as tf.Scalar })).loss;
        steps++;
        continue;
      }
      const perm = rng.permutation(B);
      for (let start = 0; start < B; start += batchSize) {
        const idx = tf.tensor1d(perm.subarray(start, Math.min(start + batchSize, B)), "int32");
        try {
          total += optimizer.step(() => {
            const v = valuesOf(valueNet, tf.gather(obsT, idx) as tf.Tensor2D);
            return { loss: tf.mean(tf.square(tf.sub(tf.gather(retT, idx), v))) as tf.Scalar };
          }).loss;
        } finally {
          idx.dispose();
        }
        steps++;
      }
    }
  } finally {
    tf.dispose([obsT, retT]);
  }
  return total / steps;
}

// ---------------------------------------------------------------------------------------------
// The algorithm
// ---------------------------------------------------------------------------------------------

/**
 * The fields of {@link TrpoConfig}. Defaults are SB3-Contrib's `TRPO` (n_steps 2048, batch_size 128,
 * γ 0.99, gae_lambda 0.95, cg_max_steps 15, cg_damping 0.1, line_search_shrinking_factor 0.8,
 * line_search_max_iter 10, n_critic_updates 10, lr 1e-3, normalize_advantage, target_kl 0.01, separate
 * (64, 64) tanh actor and critic with orthogonal init) unless said otherwise. Spinning Up's `trpo`
 * differs in λ 0.97, cg_iters 10, and 80 full-batch critic steps (`gaeLambda: 0.97, cgIters: 10,
 * nCriticUpdates: 80, criticBatchSize: null`). Spread a {@link TRPO_PRESETS} entry for tuned per-env settings.
 */
export const TRPO_SCHEMA = {
  /** "trpo" (default) or "npg" (the same step without the line search). */
  algorithm: field<TrpoAlgorithm>("trpo", oneOf("trpo", "npg")),
  ...rolloutFields({ numEnvs: 1, totalSteps: 100_000, numSteps: 2048, gaeLambda: 0.95 }),
  /** Standardise the advantages over the batch. Default true (SB3 `normalize_advantage`, Spinning Up). */
  normalizeAdvantages: field(true, bool),
  /** δ, the mean-KL trust region, nats. Default 0.01 (SB3 `target_kl`, Spinning Up `delta`). */
  maxKl: field(0.01, positive),
  /**
   * λ_F > 0, damping added to the Fisher matrix. Default 0.1 (SB3 `cg_damping`, Spinning Up
   * `damping_coeff`). 0 is refused: a Categorical policy's Fisher matrix is singular (its
   * probabilities sum to 1), and in float32 CG then returns steps the line search always rejects.
   */
  cgDamping: field(0.1, (v: number) => (positive(v) === undefined ? undefined : "a finite number > 0 (the Fisher matrix of a Categorical policy is singular)")),
  /** CG iterations per update. Default 15 (SB3 `cg_max_steps`; Spinning Up 10). */
  cgIters: field(15, positiveInt),
  /** Line-search shrink factor. Default 0.8. */
  backtrackCoeff: field(0.8, openUnitInterval),
  /** Step sizes the line search tries. Default 10. */
  backtrackIters: field(10, positiveInt),
  /** Smallest ratio of actual to expected surrogate improvement in the line search. Default 0 (none; SB3, Spinning Up). */
  acceptRatio: field(0, nonNegative),
  /** Adam's step size for the critic. Default 1e-3 (SB3 `learning_rate`, Spinning Up `vf_lr`). */
  vfLearningRate: field(1e-3, positive),
  /** Critic epochs over each batch. Default 10 (SB3 `n_critic_updates`). */
  nCriticUpdates: field(10, positiveInt),
  /** Critic minibatch size; null for full-batch steps (Spinning Up). Default 128 (SB3 `batch_size`). */
  criticBatchSize: field<number | null>(128, orNull(positiveInt)),
  ...NETWORK_FIELDS,
  /** Initial log σ of the Gaussian policy (continuous actions). Default 0 (SB3 `log_std_init`). */
  initLogStd: field(0, finite),
  ...NORMALIZE_FIELDS,
  ...RUN_FIELDS,
};

/** Configuration of {@link trainTrpo}; every field is optional (see {@link TRPO_SCHEMA} for the defaults' sources). */
export type TrpoConfig = ConfigOf<typeof TRPO_SCHEMA> & {
  /** Called after every update. */
  onProgress?: (progress: TrpoProgress) => void;
};

/**
 * Tuned settings per env id, to spread into a config: `trainTrpo({ ...TRPO_PRESETS["CartPole-v1"], seed })`.
 * - CartPole-v1: RL-Baselines3-Zoo's `hyperparams/trpo.yml` (n_envs 2, n_steps 512, batch_size 512,
 *   cg_damping 1e-3, gae_lambda 0.98, γ 0.99, lr 1e-3, n_critic_updates 20; budget 1e5), unchanged.
 */
export const TRPO_PRESETS: Readonly<Record<string, Readonly<TrpoConfig>>> = {
  "CartPole-v1": { numEnvs: 2, numSteps: 512, criticBatchSize: 512, cgDamping: 1e-3, gaeLambda: 0.98, gamma: 0.99, vfLearningRate: 1e-3, nCriticUpdates: 20, totalSteps: 100_000 },
};

/** One TRPO / NPG update. */
export interface TrpoUpdate extends PolicyGradientUpdate {
  /** −L(θ_old) = −mean Â (≈ 0 with normalised advantages). */
  policyLoss: number;
  /** Mean critic loss (R − V_φ)² over the critic's gradient steps. */
  valueLoss: number;
  /** ‖∇_θ L‖ at θ_old. */
  gradNorm: number;
  /** L(θ_new) − L(θ_old), measured (0 when the line search failed). */
  surrogateImprovement: number;
  /** gᵀΔθ, predicted by the linear model for the step taken. */
  expectedImprovement: number;
  /** KL̄(π_old ‖ π_new) of the step taken, measured. */
  kl: number;
  /** Line-search shrinks before acceptance. */
  backtracks: number;
  /** True when the line search accepted no step (θ unchanged). */
  lineSearchFailed: boolean;
  /** CG iterations. */
  cgIterations: number;
  /** ‖g − (F + λ_F I) s‖ after CG. */
  cgResidual: number;
  /** 1 − Var[R − V_old] / Var[R] over the batch. */
  explainedVariance: number;
  /** Milliseconds per Fisher-vector product in this update. */
  msPerFisherProduct: number;
  /** Milliseconds of the whole update (policy step and critic regression, without the rollout). */
  msUpdate: number;
}

/** What the progress callback of {@link trainTrpo} receives after every update. */
export type TrpoProgress = PolicyGradientProgress<TrpoUpdate>;

/** The training log of {@link trainTrpo}. */
export type TrpoLog = PolicyGradientLog<TrpoUpdate>;

/** What {@link trainTrpo} returns: the log, the agent, the normalisation statistics and the resolved config. */
export interface TrpoResult extends OnPolicyRun<TrpoUpdate> {
  /** The config with every default filled in (without `onProgress`). */
  config: Resolved<typeof TRPO_SCHEMA>;
}

/** TRPO's update rule: the natural-gradient policy step, then the critic regression. */
function trpoRule(c: Resolved<typeof TRPO_SCHEMA>, { spec, policy, valueNet, rng }: OnPolicyContext): UpdateRule<TrpoUpdate> {
  const criticOpt = new FlatOptimizer(valueNet.weights, { kind: "adam", learningRate: c.vfLearningRate });
  return {
    update(batch) {
      const B = batch.size;
      const t0 = performance.now();
      const explVar = explainedVariance(batch.values, batch.returns);
      const adv = Float32Array.from(batch.advantages);
      if (c.normalizeAdvantages && B > 1) standardizeInPlace(adv);

      // The policy step: g, CG on (F + λ_F I) s = g, β = √(2δ/sᵀFs), line search (TRPO) or full step (NPG).
      const t = [tf.tensor2d(batch.obs, [B, spec.obsDim]), actionsTensor(spec, batch.actions, B), tf.tensor1d(adv)] as const;
      let step: TrpoStepInfo;
      try {
        const [obs, actions, advantages] = t;
        step = trpoPolicyUpdate(policy, { obs, actions: actions, advantages }, { algorithm: c.algorithm, maxKl: c.maxKl, damping: c.cgDamping, cgIters: c.cgIters, backtrackCoeff: c.backtrackCoeff, backtrackIters: c.backtrackIters, acceptRatio: c.acceptRatio });
      } finally {
        tf.dispose([...t]);
      }

      // The critic: regression of V_φ on R_t.
      const valueLoss = fitValueFunction(valueNet, criticOpt, batch.obs, batch.returns, { epochs: c.nCriticUpdates, batchSize: c.criticBatchSize, rng });
      return {
        policyLoss: -step.surrogateOld,
        valueLoss,
        entropy: step.entropy,
        gradNorm: step.gradNorm,
        surrogateImprovement: step.surrogateImprovement,
        expectedImprovement: step.expectedImprovement,
        kl: step.kl,
        backtracks: step.backtracks,
        lineSearchFailed: step.lineSearchFailed,
        cgIterations: step.cgIterations,
        cgResidual: step.cgResidual,
        explainedVariance: explVar,
        msPerFisherProduct: step.fisherMs / Math.max(1, step.fisherProducts),
        msUpdate: performance.now() - t0,
      };
    },
    dispose: () => criticOpt.dispose(),
  };
}

/**
 * Trains a policy with TRPO (or the natural policy gradient) on a vector env, in the order of
 * Schulman et al. 2015's practical algorithm (§6) with GAE (Schulman et al. 2016):
 * 1. run π_θ for T steps in N envs (host-side sampling, the on-policy loop);
 * 2. GAE(γ, λ) advantages and λ-return targets, reset steps dropped, advantages standardised;
 * 3. the policy step ({@link trpoPolicyUpdate}): CG on F s = g, step β·s, line search on KL̄ ≤ δ;
 * 4. the critic regression ({@link fitValueFunction}).
 *
 * @example
 * const { log, agent } = await trainTrpo({ ...TRPO_PRESETS["CartPole-v1"], seed: 0, targetReturn: 475 });
 * console.log(log.solvedAtStep, log.updates.at(-1)?.kl);
 * agent.dispose();
 *
 * @returns the log, the trained agent, the normalisation statistics and the resolved config. Reproducible from `seed` on a given backend.
 * @throws TypeError on an unknown config field or unsupported spaces; RangeError on out-of-range values.
 */
export async function trainTrpo(input: TrpoConfig = {}): Promise<TrpoResult> {
  const config = resolveConfig(TRPO_SCHEMA, input, "trainTrpo");
  const run = await trainOnPolicy("trainTrpo", config, input.onProgress, (ctx) => trpoRule(config, ctx));
  return { ...run, config };
}
