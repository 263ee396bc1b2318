/**
 * Advantage actor-critic, synchronous (A2C): the synchronous, batched variant of A3C (Mnih et al.,
 * "Asynchronous Methods for Deep Reinforcement Learning", ICML 2016, Algorithm S3), as OpenAI
 * Baselines and Stable-Baselines3 implement it: N envs stepped in lockstep for T steps with the
 * current policy, then one gradient step on
 *
 *   L(θ, φ) = −mean_t Â_t log π_θ(a_t|s_t)  +  c_v · mean_t (R_t − V_φ(s_t))²  −  c_e · mean_t H(π_θ(·|s_t)),
 *
 * where R_t is an n-step return (TD(n) target) bootstrapped from V_φ at the end of the rollout, or a
 * GAE(γ, λ) λ-return, and Â_t = R_t − V_φ(s_t) (see {@link a2cAdvantages}).
 *
 * Defaults: Stable-Baselines3's `A2C` (n_steps 5, γ 0.99, gae_lambda 1.0 — which makes GAE the
 * n-step return of the paper —, ent_coef 0.0, vf_coef 0.5, max_grad_norm 0.5, lr 7e-4, separate
 * (64, 64) tanh actor and critic with orthogonal init) with RL-Zoo's CartPole-v1 settings (8 envs,
 * 500k steps, ent_coef 0). One difference: SB3's default optimizer is RMSprop (α 0.99, ε 1e-5,
 * PyTorch's form); the default here is Adam (ε 1e-5, SB3's Adam setting), which reached the CartPole
 * benchmark with the same step size; `optimizer: "rmsprop"` gives SB3's RMSprop.
 *
 * Vector env with next-step autoreset: the step after an episode end is a reset step (its action is
 * ignored, its reward is 0). Its observation is the final observation of the episode that ended, so
 * V_φ of it is exactly what a truncated episode bootstraps from (`shiftValues`); the reset step itself
 * is not a transition of the MDP and is left out of the loss.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rollout } from "../buffers/rollout";
import { FlatOptimizer } from "../nn/optim";
import { type FloatArray, gae, rolloutNStepReturns, shiftValues, standardizeInPlace } from "../returns";
import { type Schedule, toSchedule } from "../schedules";
import { stopGradient } from "../nn/gradients";
import { actionsTensor, logProbAndEntropy, valuesOf } from "./actor_critic";
import { bool, type ConfigOf, derivedField, field, finite, nonNegative, numberOrSchedule, oneOf, orNull, positive, positiveInt, resolveConfig, type Resolved } from "./config";
import { NETWORK_FIELDS, type OnPolicyContext, type OnPolicyRun, rolloutFields, RUN_FIELDS, trainOnPolicy, type UpdateRule } from "./on_policy";
import type { PolicyGradientProgress, PolicyGradientUpdate } from "./on_policy";

/** How A2C estimates advantages. */
export type A2cAdvantage =
  /** GAE(γ, λ) (Schulman et al. 2016) through `gae` of lib/returns; λ = 1 (default) is the n-step return of A3C. */
  | "gae"
  /** Â_t = G_t^{(n)} − V(s_t) with the n-step return of `rolloutNStepReturns` (n = `nStep`). */
  | "nstep";

/** The fields of {@link A2cConfig} (defaults: SB3's `A2C` with RL-Zoo's CartPole-v1 settings, see the module comment). */
export const A2C_SCHEMA = {
  ...rolloutFields({ numEnvs: 8, totalSteps: 500_000, numSteps: 5, gaeLambda: 1.0 }),
  /** "gae" (default; λ = `gaeLambda`, default 1.0: SB3 A2C's plain n-step return) or "nstep". */
  advantage: field<A2cAdvantage>("gae", oneOf("gae", "nstep")),
  /** n of the "nstep" advantage (≥ 1). Default `numSteps`: every step bootstraps at the rollout's end, as A3C. */
  nStep: derivedField((c) => c.numSteps as number, positiveInt),
  /** Normalise the advantages over the batch. Default false (SB3 A2C). */
  normalizeAdvantages: field(false, bool),
  /** "adam" (default; ε = 1e-5) or "rmsprop" (SB3's default: PyTorch's RMSprop, α = 0.99, ε = 1e-5). Both through {@link FlatOptimizer}. */
  optimizer: field<"adam" | "rmsprop">("adam", oneOf("adam", "rmsprop")),
  /** Step size, or a schedule of the update index (e.g. `linearSchedule(7e-4, 0, numUpdates)`). Default 7e-4 (SB3). */
  learningRate: field<number | Schedule>(7e-4, numberOrSchedule),
  /** c_v, weight of the value loss. Default 0.5 (SB3 `vf_coef`). */
  vfCoef: field(0.5, nonNegative),
  /** c_e, weight of the entropy bonus. Default 0.0 (SB3, RL-Zoo CartPole-v1). */
  entCoef: field(0.0, nonNegative),
  /** Clip the global gradient norm to this. Default 0.5 (SB3); null: no clipping. */
  maxGradNorm: field<number | null>(0.5, orNull(positive)),
  ...NETWORK_FIELDS,
  /** Initial log σ of a Gaussian policy (continuous actions). Default 0 (SB3 log_std_init). */
  initLogStd: field(0, finite),
  ...RUN_FIELDS,
};

/** Configuration of {@link trainA2c}; every field is optional. */
export type A2cConfig = ConfigOf<typeof A2C_SCHEMA> & {
  /** Called after every update (e.g. to draw a live chart). */
  onProgress?: (progress: PolicyGradientProgress) => void;
};

/** What {@link trainA2c} returns. */
export interface A2cResult extends OnPolicyRun<PolicyGradientUpdate> {
  /** The config with every default filled in (without `onProgress`). */
  config: Resolved<typeof A2C_SCHEMA>;
}

// ---------------------------------------------------------------------------------------------
// The pieces the notebooks teach
// ---------------------------------------------------------------------------------------------

/**
 * Advantages and value targets of an A2C rollout collected with next-step autoreset
 * (`RolloutBuffer.rollout(lastValues)`).
 *
 * V(s_{t+1}) is the next row's value of the same env (`shiftValues`), which at an episode end is V of
 * the final observation — the right bootstrap after truncation (and ignored after termination).
 * Then either R_t = the λ-return of `gae` (Â_t = R_t − V(s_t)) or R_t = the n-step return of
 * `rolloutNStepReturns` (Â_t = R_t − V(s_t)). Neither sum crosses an episode end, so the reset steps
 * never leak into real transitions; their own entries are meaningless and `valid` is 0 there.
 *
 * @param rollout the rollout.
 * @param options γ, the estimator, λ (GAE) or n (n-step, default numSteps).
 * @returns `advantages` Â_t, `returns` R_t and `valid` (0 on reset steps), each T·N, step-major.
 * @throws RangeError on length mismatches or bad γ, λ, n (see lib/returns).
 */
export function a2cAdvantages(
  rollout: Rollout,
  options: { gamma: number; advantage?: A2cAdvantage; gaeLambda?: number; nStep?: number },
): { advantages: FloatArray; returns: FloatArray; valid: Uint8Array } {
  const { rewards, values, terminated, truncated, resetSteps, lastValues, numSteps, numEnvs } = rollout;
  const { gamma, advantage = "gae", gaeLambda = 1, nStep = numSteps } = options;
  if (advantage !== "gae" && advantage !== "nstep") throw new RangeError(`a2cAdvantages: advantage must be "gae" or "nstep", got ${String(advantage)}`);
  if (resetSteps.length !== numSteps * numEnvs) throw new RangeError(`a2cAdvantages: resetSteps has length ${resetSteps.length}, expected ${numSteps * numEnvs}`);
  const valid = Uint8Array.from({ length: resetSteps.length }, (_, i) => (resetSteps[i] ? 0 : 1));
  const nextValues = shiftValues(values, lastValues, numSteps, numEnvs);
  const common = { rewards, values, terminated, truncated, nextValues, gamma, numSteps, numEnvs };
  if (advantage === "gae") return { ...gae({ ...common, gaeLambda }), valid };
  const returns = rolloutNStepReturns({ ...common, n: nStep });
  const advantages = new Float64Array(numSteps * numEnvs);
  for (let i = 0; i < advantages.length; i++) advantages[i] = returns[i] - values[i];
  return { advantages, returns, valid };
}

/** The A2C loss and its parts (scalars). */
export interface A2cLossTerms {
  /** pg + c_v·vf − c_e·H: what the gradient step minimises. */
  loss: tf.Scalar;
  /** −mean Â log π_θ(a|s). */
  policyLoss: tf.Scalar;
  /** mean (R − V_φ(s))². */
  valueLoss: tf.Scalar;
  /** mean H(π_θ(·|s)), nats. */
  entropy: tf.Scalar;
}

/**
 * The A2C loss (Mnih et al. 2016; SB3 `A2C.train`):
 * L = −mean(Â · log π) + c_v · mean((R − V)²) − c_e · mean(H). The advantages and returns are constants.
 *
 * @param input `logProbs` log π_θ(a_t|s_t), `entropy` H(π_θ(·|s_t)), `values` V_φ(s_t) (all [B], from
 *   the variables inside the tape), `advantages` Â_t and `returns` R_t ([B] tensors or numbers), and
 *   the coefficients c_v = `vfCoef`, c_e = `entCoef`.
 * @throws RangeError when the lengths differ or B = 0.
 */
export function a2cLoss(input: {
  logProbs: tf.Tensor1D;
  entropy: tf.Tensor1D;
  values: tf.Tensor1D;
  advantages: tf.Tensor1D | ArrayLike<number>;
  returns: tf.Tensor1D | ArrayLike<number>;
  vfCoef: number;
  entCoef: number;
}): A2cLossTerms {
  const { logProbs, entropy, values, vfCoef, entCoef } = input;
  const B = logProbs.shape[0];
  const len = (x: tf.Tensor | ArrayLike<number>) => (x instanceof tf.Tensor ? x.shape[0] : x.length);
  if (B === 0 || [entropy, values, input.advantages, input.returns].some((x) => len(x) !== B)) {
    throw new RangeError(`a2cLoss: logProbs, entropy, values, advantages and returns must all have the same positive length (logProbs: ${B})`);
  }
  return tf.tidy(() => {
    const asT = (x: tf.Tensor1D | ArrayLike<number>) => (x instanceof tf.Tensor ? stopGradient(x) : tf.tensor1d(Float32Array.from(x)));
    const advantages = asT(input.advantages);
    const returns = asT(input.returns);
    const policyLoss = tf.neg(tf.mean(tf.mul(advantages, logProbs))) as tf.Scalar;
    const valueLoss = tf.mean(tf.square(tf.sub(returns, values))) as tf.Scalar;
    const meanEntropy = tf.mean(entropy) as tf.Scalar;
    const loss = tf.sub(tf.add(policyLoss, tf.mul(valueLoss, vfCoef)), tf.mul(meanEntropy, entCoef)) as tf.Scalar;
    return { loss, policyLoss, valueLoss, entropy: meanEntropy };
  });
}

// ---------------------------------------------------------------------------------------------
// The algorithm
// ---------------------------------------------------------------------------------------------

/** A2C's update rule: the advantages of the rollout, then one gradient step on the A2C loss over actor and critic together. */
function a2cRule(c: Resolved<typeof A2C_SCHEMA>, { spec, policy, valueNet }: OnPolicyContext): UpdateRule<PolicyGradientUpdate> {
  const lrAt = toSchedule(c.learningRate, "learningRate", "trainA2c");
  const opt = new FlatOptimizer([...policy.variables, ...valueNet.weights], { kind: c.optimizer, learningRate: lrAt(0), epsilon: 1e-5, maxGradNorm: c.maxGradNorm ?? undefined });
  return {
    // Returns R_t (n-step or λ-return) and advantages Â_t = R_t − V_φ(s_t).
    advantages(buffer, lastValues) {
      const { advantages, returns } = a2cAdvantages(buffer.rollout(lastValues), c);
      buffer.setAdvantages(advantages, returns);
    },
    update(batch, update) {
      opt.learningRate = lrAt(update);
      const B = batch.size;
      if (c.normalizeAdvantages && B > 1) standardizeInPlace(batch.advantages);
      const t = [tf.tensor2d(batch.obs, [B, spec.obsDim]), actionsTensor(spec, batch.actions, B), tf.tensor1d(batch.advantages), tf.tensor1d(batch.returns)] as const;
      try {
        const step = opt.step(() => {
          const [obs, actions, advantages, returns] = t;
          const { logProb, entropy } = logProbAndEntropy(policy, obs, actions);
          const terms = a2cLoss({ logProbs: logProb, entropy, values: valuesOf(valueNet, obs), advantages, returns, vfCoef: c.vfCoef, entCoef: c.entCoef });
          return { loss: terms.loss, metrics: { policyLoss: terms.policyLoss, valueLoss: terms.valueLoss, entropy: terms.entropy } };
        });
        return { policyLoss: step.metrics.policyLoss, valueLoss: step.metrics.valueLoss, entropy: step.metrics.entropy, gradNorm: step.gradNorm };
      } finally {
        tf.dispose([...t]);
      }
    },
    dispose: () => opt.dispose(),
  };
}

/**
 * Trains an actor-critic with synchronous A2C on a vector env.
 *
 * @example
 * const { log, agent } = await trainA2c({ env: "CartPole-v1", totalSteps: 200_000, seed: 0 });
 * console.log(log.episodes.at(-1)?.return, log.updates.at(-1)?.valueLoss);
 * agent.dispose();
 *
 * @returns the log, the trained agent and the resolved config. Reproducible from `seed` on a given backend.
 * @throws TypeError on an unknown config field or unsupported spaces; RangeError on out-of-range values.
 */
export async function trainA2c(input: A2cConfig = {}): Promise<A2cResult> {
  const config = resolveConfig(A2C_SCHEMA, input, "trainA2c");
  const run = await trainOnPolicy("trainA2c", config, input.onProgress, (ctx) => a2cRule(config, ctx));
  return { ...run, config };
}
