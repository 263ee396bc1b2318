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
import { initBackend } from "../backend";
import type { MakeOptions } from "../envs";
import { SyncVectorEnv } from "../envs/vector";
import type { Activation } from "../nn/mlp";
import { FlatOptimizer } from "../nn/optim";
import { Rng } from "../random";
import { type FloatArray, rolloutNStepReturns, shiftValues } from "../returns";
import { type Schedule, toSchedule } from "../schedules";
import {
  type PolicyAgent,
  type EnvSource,
  type PolicyGradientLog,
  type PolicyGradientProgress,
  type PolicyGradientUpdate,
  actionsTensor,
  checkKeys,
  checkNonNegative,
  checkPositiveInt,
  createEnv,
  disposePolicy,
  logProbAndEntropy,
  makeAgent,
  makePolicy,
  makeValueNet,
  PolicySampler,
  standardizeInPlace,
  spacesSpec,
  stopGradient,
  valuesOf,
} from "./policy";
import { EpisodeLogger } from "./log";
import { type Rollout, RolloutCollector, rolloutGae, validSteps } from "./rollout";

/** How A2C estimates advantages. */
export type A2cAdvantage =
  /** GAE(γ, λ) (Schulman et al. 2016) through `gae` of lib/returns; λ = 1 (default) is the n-step return of A3C. */
  | "gae"
  /** Â_t = G_t^{(n)} − V(s_t) with the n-step return of `rolloutNStepReturns` (n = `nStep`). */
  | "nstep";

/** Configuration of {@link trainA2c}; every field is optional. */
export interface A2cConfig {
  /** The environment: a registered id (made with `make`, so with its time limit) or a factory; default "CartPole-v1". */
  env?: EnvSource;
  /** Options for `make` when `env` is an id. */
  envOptions?: MakeOptions;
  /** N, envs stepped in lockstep (a `SyncVectorEnv`, next-step autoreset). Default 8 (RL-Zoo CartPole-v1). */
  numEnvs?: number;
  /** Env-step budget (all envs, reset steps included). Default 500 000 (RL-Zoo CartPole-v1). */
  totalSteps?: number;
  /** T, steps per env per update (batch = N·T). Default 5 (SB3 n_steps, A3C's t_max). */
  numSteps?: number;
  /** Discount γ ∈ [0, 1]. Default 0.99 (SB3). */
  gamma?: number;
  /** "gae" (default) or "nstep". */
  advantage?: A2cAdvantage;
  /** λ of GAE ∈ [0, 1]. Default 1.0 (SB3 A2C: the plain n-step return). */
  gaeLambda?: number;
  /** n of the "nstep" advantage (≥ 1). Default `numSteps`: every step bootstraps at the rollout's end, as A3C. */
  nStep?: number;
  /** Normalise the advantages over the batch. Default false (SB3 A2C). */
  normalizeAdvantages?: boolean;
  /** "adam" (default; ε = 1e-5) or "rmsprop" (SB3's default: PyTorch's RMSprop, α = 0.99, ε = 1e-5). Both through {@link FlatOptimizer}. */
  optimizer?: "adam" | "rmsprop";
  /** Step size, or a schedule of the update index (e.g. `linearSchedule(7e-4, 0, numUpdates)`). Default 7e-4 (SB3). */
  learningRate?: number | Schedule;
  /** c_v, weight of the value loss. Default 0.5 (SB3). */
  valueCoef?: number;
  /** c_e, weight of the entropy bonus. Default 0.0 (SB3, RL-Zoo CartPole-v1). */
  entCoef?: number;
  /** Clip the global gradient norm to this. Default 0.5 (SB3); null: no clipping. */
  maxGradNorm?: number | null;
  /** Hidden layer widths of the actor and of the critic (separate networks). Default [64, 64] (SB3). */
  hiddenSizes?: number[];
  /** Hidden activation. Default "tanh" (SB3). */
  activation?: Activation;
  /** Initial log σ of a Gaussian policy (continuous actions). Default 0 (SB3 log_std_init). */
  initLogStd?: number;
  /** Seed of everything: initial weights, action sampling and the envs' first resets. Default 0. */
  seed?: number;
  /** Stop once the mean return of the last `returnWindow` episodes reaches this. Default none (use the whole budget). */
  targetReturn?: number;
  /** Episodes in the moving mean of `targetReturn` and progress reports. Default 20. */
  returnWindow?: number;
  /** Called after every update (e.g. to draw a live chart). */
  onProgress?: (progress: PolicyGradientProgress) => void;
}

const KEYS = [
  "env",
  "envOptions",
  "numEnvs",
  "totalSteps",
  "numSteps",
  "gamma",
  "advantage",
  "gaeLambda",
  "nStep",
  "normalizeAdvantages",
  "optimizer",
  "learningRate",
  "valueCoef",
  "entCoef",
  "maxGradNorm",
  "hiddenSizes",
  "activation",
  "initLogStd",
  "seed",
  "targetReturn",
  "returnWindow",
  "onProgress",
] as const;

/** What {@link trainA2c} returns. */
export interface A2cResult {
  /** Per-episode returns and lengths, per-update losses, timings. */
  log: PolicyGradientLog;
  /** The trained actor and critic; `dispose()` it when done. */
  agent: PolicyAgent;
  /** The config with every default filled in (without `onProgress`). */
  config: Required<Omit<A2cConfig, "onProgress" | "targetReturn" | "envOptions">> & Pick<A2cConfig, "targetReturn" | "envOptions">;
}

// ---------------------------------------------------------------------------------------------
// The pieces the notebooks teach
// ---------------------------------------------------------------------------------------------

/** A rollout of T steps × N envs as {@link a2cAdvantages} takes it (step-major: index t·N + e); see {@link Rollout}. */
export type A2cRollout = Rollout;

/**
 * Advantages and value targets of an A2C rollout collected with next-step autoreset.
 *
 * V(s_{t+1}) is the next row's value of the same env (`shiftValues`), which at an episode end is V of
 * the final observation — the right bootstrap after truncation (and ignored after termination).
 * Then either R_t = the λ-return of `gae` ({@link rolloutGae}; Â_t = R_t − V(s_t)) or R_t = the n-step return of
 * `rolloutNStepReturns` (Â_t = R_t − V(s_t)). Neither sum crosses an episode end, so the reset steps
 * never leak into real transitions; their own entries are meaningless and `valid` is 0 there.
 *
 * @param rollout the rollout.
 * @param options γ, the estimator, λ (GAE) or n (n-step, default numSteps).
 * @returns `advantages` Â_t, `returns` R_t and `valid` (0 on reset steps), each T·N, step-major.
 * @throws RangeError on length mismatches or bad γ, λ, n (see lib/returns).
 */
export function a2cAdvantages(
  rollout: A2cRollout,
  options: { gamma: number; advantage?: A2cAdvantage; gaeLambda?: number; nStep?: number },
): { advantages: FloatArray; returns: FloatArray; valid: Uint8Array } {
  const { rewards, values, terminated, truncated, resetSteps, lastValues, numSteps, numEnvs } = rollout;
  const { gamma, advantage = "gae", gaeLambda = 1, nStep = numSteps } = options;
  if (advantage === "gae") return rolloutGae(rollout, { gamma, gaeLambda });
  if (advantage !== "nstep") throw new RangeError(`a2cAdvantages: advantage must be "gae" or "nstep", got ${String(advantage)}`);
  const size = numSteps * numEnvs;
  if (resetSteps.length !== size) throw new RangeError(`a2cAdvantages: resetSteps has length ${resetSteps.length}, expected ${size}`);
  const nextValues = shiftValues(values, lastValues, numSteps, numEnvs);
  const returns = rolloutNStepReturns({ rewards, values, terminated, truncated, nextValues, gamma, numSteps, numEnvs, n: nStep });
  const advantages = new Float64Array(size);
  for (let i = 0; i < size; i++) advantages[i] = returns[i] - values[i];
  return { advantages, returns, valid: validSteps(resetSteps) };
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
 *   the coefficients c_v = `valueCoef`, c_e = `entCoef`.
 * @throws RangeError when the lengths differ or B = 0.
 */
export function a2cLoss(input: {
  logProbs: tf.Tensor1D;
  entropy: tf.Tensor1D;
  values: tf.Tensor1D;
  advantages: tf.Tensor1D | ArrayLike<number>;
  returns: tf.Tensor1D | ArrayLike<number>;
  valueCoef: number;
  entCoef: number;
}): A2cLossTerms {
  const { logProbs, entropy, values, valueCoef, entCoef } = input;
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
    const loss = tf.sub(tf.add(policyLoss, tf.mul(valueLoss, valueCoef)), tf.mul(meanEntropy, entCoef)) as tf.Scalar;
    return { loss, policyLoss, valueLoss, entropy: meanEntropy };
  });
}

// ---------------------------------------------------------------------------------------------
// The algorithm
// ---------------------------------------------------------------------------------------------

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
export async function trainA2c(config: A2cConfig = {}): Promise<A2cResult> {
  const where = "trainA2c";
  checkKeys(config, KEYS, where);
  const {
    env: envSource = "CartPole-v1",
    envOptions,
    numEnvs = 8,
    totalSteps = 500_000,
    numSteps = 5,
    gamma = 0.99,
    advantage = "gae",
    gaeLambda = 1.0,
    nStep = numSteps,
    normalizeAdvantages = false,
    optimizer = "adam",
    learningRate = 7e-4,
    valueCoef = 0.5,
    entCoef = 0.0,
    maxGradNorm = 0.5,
    hiddenSizes = [64, 64],
    activation = "tanh",
    initLogStd = 0,
    seed = 0,
    targetReturn,
    returnWindow = 20,
    onProgress,
  } = config;
  checkPositiveInt(numEnvs, "numEnvs", where);
  checkPositiveInt(totalSteps, "totalSteps", where);
  checkPositiveInt(numSteps, "numSteps", where);
  checkPositiveInt(nStep, "nStep", where);
  checkPositiveInt(returnWindow, "returnWindow", where);
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`${where}: gamma must be in [0, 1], got ${gamma}`);
  if (!(gaeLambda >= 0 && gaeLambda <= 1)) throw new RangeError(`${where}: gaeLambda must be in [0, 1], got ${gaeLambda}`);
  if (advantage !== "gae" && advantage !== "nstep") throw new RangeError(`${where}: advantage must be "gae" or "nstep", got ${String(advantage)}`);
  if (optimizer !== "adam" && optimizer !== "rmsprop") throw new RangeError(`${where}: optimizer must be "adam" or "rmsprop", got ${String(optimizer)}`);
  checkNonNegative(valueCoef, "valueCoef", where);
  checkNonNegative(entCoef, "entCoef", where);
  if (maxGradNorm !== null && !(maxGradNorm > 0)) throw new RangeError(`${where}: maxGradNorm must be > 0 or null, got ${maxGradNorm}`);
  const lrAt = toSchedule(learningRate, "learningRate", where);
  await initBackend();

  // Seeding: one stream per purpose, all from `seed`.
  const [initRng, sampleRng, envRng, agentRng] = new Rng(seed).split(4);
  const envs = new SyncVectorEnv(Array.from({ length: numEnvs }, () => createEnv(envSource, envOptions)));
  const spec = spacesSpec(envs.singleObservationSpace, envs.singleActionSpace);
  const D = spec.obsDim;

  // Initialise the actor π_θ and the critic V_φ (separate networks, one optimizer over both).
  const policy = makePolicy(spec, { hiddenSizes, activation, rng: initRng, initLogStd });
  const valueNet = makeValueNet(D, { hiddenSizes, activation, rng: initRng });
  const variables = [...policy.variables, ...valueNet.weights];
  const sampler = new PolicySampler(policy, valueNet); // π_θ and V_φ on the host, for the rollouts
  const opt = new FlatOptimizer(variables, { kind: optimizer, learningRate: lrAt(0), epsilon: 1e-5, maxGradNorm: maxGradNorm ?? undefined });

  const logger = new EpisodeLogger(returnWindow, targetReturn);
  const collector = new RolloutCollector({ envs, sampler, numSteps, logger, rng: sampleRng, envRng });
  const updates: PolicyGradientUpdate[] = [];
  try {
    for (let update = 0; collector.globalStep < totalSteps; update++) {
      opt.learningRate = lrAt(update);

      // 1. Rollout: T steps of all N envs with π_θ (a_t ~ π_θ(·|s_t) and V_φ(s_t) from one host pass),
      // 2. then the bootstrap V_φ(s_T) of the observation after the last step.
      collector.collect();
      const globalStep = collector.globalStep;

      // 3. Returns R_t (n-step or λ-return) and advantages Â_t = R_t − V_φ(s_t); drop the reset steps.
      const est = a2cAdvantages(collector.rollout(), { gamma, advantage, gaeLambda, nStep });
      const batch = collector.batch(est.advantages, est.returns);
      const B = batch.size;
      if (B === 0) continue; // every step was a reset step (only possible with T = 1)
      if (normalizeAdvantages && B > 1) standardizeInPlace(batch.advantages);

      // 4. One gradient step on the A2C loss over actor and critic together, gradient clipped to maxGradNorm.
      const obsT = tf.tensor2d(batch.obs, [B, D]);
      const actT = actionsTensor(spec, batch.actions, B);
      const advT = tf.tensor1d(batch.advantages);
      const retT = tf.tensor1d(batch.returns);
      let step: { loss: number; gradNorm: number; metrics: Record<string, number> };
      try {
        step = opt.step(() => {
          const { logProb, entropy } = logProbAndEntropy(policy, obsT, actT);
          const terms = a2cLoss({ logProbs: logProb, entropy, values: valuesOf(valueNet, obsT), advantages: advT, returns: retT, valueCoef, entCoef });
          return { loss: terms.loss, metrics: { policyLoss: terms.policyLoss, valueLoss: terms.valueLoss, entropy: terms.entropy } };
        });
      } finally {
        tf.dispose([obsT, actT, advT, retT]);
      }
      sampler.sync();

      const record: PolicyGradientUpdate = {
        update,
        globalStep,
        policyLoss: step.metrics.policyLoss,
        valueLoss: step.metrics.valueLoss,
        entropy: step.metrics.entropy,
        gradNorm: step.gradNorm,
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

  const log: PolicyGradientLog = {
    episodes: logger.episodes,
    updates,
    globalStep: collector.globalStep,
    seconds: logger.seconds(),
    solvedAtStep: logger.solvedAtStep,
    solvedAtSeconds: logger.solvedAtSeconds,
  };
  return {
    log,
    agent: makeAgent(policy, valueNet, agentRng),
    config: {
      env: envSource,
      envOptions,
      numEnvs,
      totalSteps,
      numSteps,
      gamma,
      advantage,
      gaeLambda,
      nStep,
      normalizeAdvantages,
      optimizer,
      learningRate,
      valueCoef,
      entCoef,
      maxGradNorm,
      hiddenSizes,
      activation,
      initLogStd,
      seed,
      targetReturn,
      returnWindow,
    },
  };
}
