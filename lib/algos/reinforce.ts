/**
 * REINFORCE (Williams, "Simple statistical gradient-following algorithms for connectionist
 * reinforcement learning", Machine Learning 8, 1992; Sutton & Barto, *Reinforcement Learning: An
 * Introduction*, 2nd ed., §13.3 "REINFORCE: Monte Carlo Policy Gradient" and §13.4 "REINFORCE with
 * Baseline"), batched over episodes as in Spinning Up's "Vanilla Policy Gradient".
 *
 * The policy-gradient theorem gives ∇J(θ) = E_π[ Σ_t Ψ_t ∇_θ log π_θ(A_t|S_t) ], estimated from a
 * batch of N sampled episodes by the score-function estimator ĝ = (1/M) Σ_{i,t} Ψ_{i,t} ∇_θ log π_θ(a_{i,t}|s_{i,t})
 * (M = number of steps in the batch), with the weight Ψ_t one of
 * - the total return G_0 = Σ_k γ^k r_k of the episode (Williams' original form);
 * - the reward-to-go G_t = Σ_{k≥t} γ^{k−t} r_k (actions cannot affect earlier rewards: lower variance);
 * - either of them minus a learned baseline V_φ(s_t) (S&B §13.4), fitted by regression on G_t.
 *
 * As in Spinning Up (and nearly every implementation) the γ^t factor of S&B's pseudocode is dropped,
 * and the gradient is averaged over steps, not summed. ĝ is the gradient of the surrogate loss
 * L(θ) = −(1/M) Σ Ψ log π_θ(a|s) ({@link reinforceLoss}); one Adam step on it per batch.
 *
 * Defaults: Spinning Up's VPG (`spinup/algos/pytorch/vpg/vpg.py`: γ 0.99, pi_lr 3e-4, vf_lr 1e-3,
 * train_v_iters 80, hidden (64, 64) tanh, log σ₀ −0.5), adapted for CartPole-v1 where stated in
 * {@link ReinforceConfig}: whole episodes per batch instead of 4000 steps, and a larger policy step.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import type { Env } from "../envs/core";
import { stopGradient } from "../nn/gradients";
import type { Mlp } from "../nn/mlp";
import { FlatOptimizer } from "../nn/optim";
import { Rng } from "../random";
import { rewardToGo, standardizeInPlace } from "../returns";
import { actionsTensor, disposePolicy, logProbAndEntropy, makePolicy, makeValueNet, valuesOf } from "./actor_critic";
import { makeAgent } from "./agent";
import { bool, type ConfigOf, field, finite, nonNegative, oneOf, orNull, positive, positiveInt, resolveConfig, type Resolved, unitInterval } from "./config";
import { createEnv } from "./env_source";
import { ENV_FIELDS, NETWORK_FIELDS, type OnPolicyRun, type PolicyGradientProgress, type PolicyGradientUpdate, RUN_FIELDS, TrainingRun } from "./on_policy";
import { PolicySampler } from "./sampler";
import { actionWidth, envAction, spacesSpec, writeObs } from "./spaces_spec";

/** How each log-probability is weighted in the REINFORCE gradient. */
export type ReinforceWeighting =
  /** Ψ_t = G_t = Σ_{k≥t} γ^{k−t} r_k, the return that follows the action (default). */
  | "reward-to-go"
  /** Ψ_t = G_0, the whole episode's discounted return, for every step (Williams 1992). */
  | "total-return";

/** The fields of {@link ReinforceConfig} (defaults: Spinning Up's VPG, adapted for CartPole-v1 where stated). */
export const REINFORCE_SCHEMA = {
  ...ENV_FIELDS,
  /** Env-step budget; training stops after the batch that reaches it. Default 300 000. */
  totalSteps: field(300_000, positiveInt),
  /** N, episodes per update, run side by side (one forward pass per step over the unfinished ones). Default 8 (Spinning Up: 4000 steps per epoch instead). Episodes must end (use a time limit). */
  episodesPerBatch: field(8, positiveInt),
  /** Discount γ ∈ [0, 1] of the returns. Default 0.99 (Spinning Up). */
  gamma: field(0.99, unitInterval),
  /** Ψ_t: "reward-to-go" (default) or "total-return". */
  weighting: field<ReinforceWeighting>("reward-to-go", oneOf("reward-to-go", "total-return")),
  /** Subtract a learned baseline V_φ(s_t) from Ψ_t (S&B §13.4). Default true. */
  baseline: field(true, bool),
  /** Normalise the weights Ψ − b over the batch to mean 0, std 1 (Spinning Up's VPG does). Default true. */
  normalizeAdvantages: field(true, bool),
  /** Adam step size of the policy. Default 0.01, tuned on CartPole-v1 (Spinning Up: 3e-4 with 4000-step epochs); with 8-episode batches, seeds 0–4 reach a mean return of 475 in 23k–35k steps at 0.01 and in 34k–58k at 3e-3. */
  policyLr: field(0.01, nonNegative),
  /** Adam step size of the value function. Default 1e-3 (Spinning Up). */
  valueLr: field(1e-3, nonNegative),
  /** Gradient steps on the value loss per batch (full batch). Default 80 (Spinning Up's train_v_iters); the fit is most of an update's time, and 20 makes updates ~3× faster (CartPole seeds 0–4 then reach 475 in 24k–53k steps). */
  valueIters: field(80, positiveInt),
  /** Clip the policy gradient's global norm to this; default null (none, as Spinning Up). */
  maxGradNorm: field<number | null>(null, orNull(positive)),
  ...NETWORK_FIELDS,
  /** Initial log σ of a Gaussian policy (continuous actions). Default −0.5 (Spinning Up). */
  initLogStd: field(-0.5, finite),
  /** With a baseline: complete the return of an episode cut by a time limit with γ^{L−t} V_φ(s_L) (Spinning Up does). Default true. */
  bootstrapTruncated: field(true, bool),
  ...RUN_FIELDS,
};

/** Configuration of {@link trainReinforce}; every field is optional. */
export type ReinforceConfig = ConfigOf<typeof REINFORCE_SCHEMA> & {
  /** Called after every update (e.g. to draw a live chart). */
  onProgress?: (progress: PolicyGradientProgress) => void;
};

/** What {@link trainReinforce} returns (`obsStats` and `rewardStats` are null: REINFORCE does not normalise). */
export interface ReinforceResult extends OnPolicyRun<PolicyGradientUpdate> {
  /** The config with every default filled in (without `onProgress`). */
  config: Resolved<typeof REINFORCE_SCHEMA>;
}

// ---------------------------------------------------------------------------------------------
// The pieces the notebooks teach
// ---------------------------------------------------------------------------------------------

/**
 * The REINFORCE surrogate loss L(θ) = −(1/M) Σ_i Ψ_i log π_θ(a_i|s_i), whose gradient is minus the
 * score-function estimate of ∇J(θ) (see `scoreFunctionGradient`). The weights are constants: no
 * gradient flows into them.
 *
 * @param logProbs log π_θ(a_i|s_i), [M], computed from θ inside the gradient tape.
 * @param weights Ψ_i, [M] (a tensor or numbers): returns, rewards-to-go or advantages.
 * @returns the scalar loss.
 * @throws RangeError when the lengths differ or M = 0.
 */
export function reinforceLoss(logProbs: tf.Tensor1D, weights: tf.Tensor1D | ArrayLike<number>): tf.Scalar {
  const M = logProbs.shape[0];
  const n = weights instanceof tf.Tensor ? weights.shape[0] : weights.length;
  if (M === 0 || n !== M) throw new RangeError(`reinforceLoss: ${M} log-probabilities and ${n} weights (need the same positive number)`);
  return tf.tidy(() => {
    const w = weights instanceof tf.Tensor ? stopGradient(weights) : tf.tensor1d(Float32Array.from(weights as ArrayLike<number>));
    return tf.neg(tf.mean(tf.mul(logProbs, w))) as tf.Scalar;
  });
}

/**
 * The weights Ψ_t of one episode's steps before any baseline: its rewards-to-go G_t (discounted
 * cumulative sums, `discountCumsum` of the rewards) or its total return G_0 at every step.
 *
 * @param rewards r_0 … r_{L−1}.
 * @param options γ, the weighting, and `lastValue` V(s_L) that closes an episode cut by a time limit (0 after termination).
 * @returns L weights.
 * @throws RangeError when γ is outside [0, 1].
 */
export function reinforceWeights(
  rewards: ArrayLike<number>,
  options: { gamma: number; weighting?: ReinforceWeighting; lastValue?: number },
): number[] {
  const { gamma, weighting = "reward-to-go", lastValue = 0 } = options;
  const g = rewardToGo(rewards, gamma, lastValue);
  return weighting === "reward-to-go" ? g : g.map(() => g[0]);
}

/**
 * The score-function (likelihood-ratio) estimator of a policy gradient, one sample at a time
 * (Williams 1992; Sutton & Barto §13.3):
 *
 *   ĝ = (1/N) Σ_i w_i ∇_θ log π_θ(a_i | s_i),
 *
 * with weights w_i such as the return G_t or an advantage. It is slow (one backward pass per sample)
 * and exists to be compared with the gradient of a surrogate loss: ĝ = −∇_θ `reinforceLoss`.
 *
 * @param logProbAt returns the scalar log π_θ(a_i|s_i) of sample i, computed from `variables`.
 * @param weights w_0 … w_{N−1}.
 * @param variables θ.
 * @returns ĝ, one tensor per variable (same shapes; zeros where log π does not depend on it); the caller disposes them.
 * @throws RangeError when `weights` is empty.
 */
export function scoreFunctionGradient(logProbAt: (i: number) => tf.Scalar, weights: ArrayLike<number>, variables: readonly tf.Variable[]): tf.Tensor[] {
  const N = weights.length;
  if (N === 0) throw new RangeError("scoreFunctionGradient: no samples");
  let acc: tf.Tensor[] = variables.map((v) => tf.zerosLike(v));
  for (let i = 0; i < N; i++) {
    const next = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => logProbAt(i), [...variables]); // ∇_θ log π_θ(a_i|s_i)
      return acc.map((a, k) => {
        const g = grads[variables[k].name];
        return g === undefined || g === null ? tf.clone(a) : tf.add(a, tf.mul(g, weights[i] / N));
      });
    });
    for (const a of acc) a.dispose();
    acc = next;
  }
  return acc;
}

/** A growable row store for one episode: obs rows, action rows, rewards. */
class EpisodeStore {
  obs: Float32Array;
  actions: Int32Array | Float32Array;
  rewards: number[] = [];
  length = 0;
  terminated = false;
  /** The observation after the last step, for bootstrapping a truncated episode. */
  finalObs: Float32Array;

  constructor(
    private readonly obsDim: number,
    private readonly actWidth: number,
    private readonly discrete: boolean,
  ) {
    this.obs = new Float32Array(256 * obsDim);
    this.actions = discrete ? new Int32Array(256 * actWidth) : new Float32Array(256 * actWidth);
    this.finalObs = new Float32Array(obsDim);
  }

  clear(): void {
    this.rewards.length = 0;
    this.length = 0;
    this.terminated = false;
  }

  /** Appends row `row` of the batch obs and actions. */
  push(obs: Float32Array, actions: Int32Array | Float32Array, row: number, reward: number): void {
    const d = this.obsDim;
    const m = this.actWidth;
    if ((this.length + 1) * d > this.obs.length) {
      const grown = new Float32Array(this.obs.length * 2);
      grown.set(this.obs);
      this.obs = grown;
      const grownA = this.discrete ? new Int32Array(this.actions.length * 2) : new Float32Array(this.actions.length * 2);
      grownA.set(this.actions);
      this.actions = grownA;
    }
    this.obs.set(obs.subarray(row * d, (row + 1) * d), this.length * d);
    for (let k = 0; k < m; k++) this.actions[this.length * m + k] = actions[row * m + k];
    this.rewards.push(reward);
    this.length++;
  }
}

// ---------------------------------------------------------------------------------------------
// The algorithm
// ---------------------------------------------------------------------------------------------

/**
 * Trains a stochastic policy with REINFORCE (optionally with a learned baseline), one update per
 * batch of complete episodes.
 *
 * @example
 * const { log, agent } = await trainReinforce({ env: "CartPole-v1", totalSteps: 100_000, seed: 1 });
 * plot.lineChart({ name: "return", x: log.episodes.map((e) => e.globalStep), y: log.episodes.map((e) => e.return) }, { window: 20 });
 * agent.dispose();
 *
 * @returns the log, the trained agent and the resolved config. Reproducible from `seed` on a given backend.
 * @throws TypeError on an unknown config field or unsupported spaces; RangeError on out-of-range values.
 */
export async function trainReinforce(input: ReinforceConfig = {}): Promise<ReinforceResult> {
  const config = resolveConfig(REINFORCE_SCHEMA, input, "trainReinforce");
  const { env: envSource, envOptions, totalSteps, episodesPerBatch, gamma, weighting, baseline, normalizeAdvantages, hiddenSizes, activation, initLogStd, bootstrapTruncated } = config;
  await initBackend();

  // Seeding: one stream per purpose, all from `seed`.
  const [initRng, sampleRng, envRng, agentRng] = new Rng(config.seed).split(4);
  const envs: Env<any, any>[] = Array.from({ length: episodesPerBatch }, () => createEnv(envSource, envOptions));
  const envSeeds = envs.map(() => envRng.integers(0, 2 ** 31));
  const spec = spacesSpec(envs[0].observationSpace, envs[0].actionSpace);
  const D = spec.obsDim;
  const m = actionWidth(spec);
  const discrete = spec.action.kind === "discrete";

  // Initialise the policy parameters θ (and the baseline's φ).
  const policy = makePolicy(spec, { hiddenSizes, activation, rng: initRng, initLogStd });
  const valueNet: Mlp | null = baseline ? makeValueNet(D, { hiddenSizes, activation, rng: initRng }) : null;
  const sampler = new PolicySampler(policy); // π_θ on the host, for acting
  const piOpt = new FlatOptimizer(policy.variables, { kind: "adam", learningRate: config.policyLr, maxGradNorm: config.maxGradNorm ?? undefined });
  const vOpt = valueNet === null ? null : new FlatOptimizer(valueNet.weights, { kind: "adam", learningRate: config.valueLr });

  const run = new TrainingRun<PolicyGradientUpdate>(config, input.onProgress);
  const { logger } = run;
  const stores = envs.map(() => new EpisodeStore(D, m, discrete));
  const current: (number | Float32Array)[] = new Array(episodesPerBatch);
  const obsBatch = new Float32Array(episodesPerBatch * D);
  const actBatch = discrete ? new Int32Array(episodesPerBatch) : new Float32Array(episodesPerBatch * m);
  let globalStep = 0;
  let firstReset = true;

  try {
    while (globalStep < totalSteps) {
      // 1. Generate N episodes S_0, A_0, R_1, …, following π_θ — all envs side by side, one batched
      //    forward pass per step over the episodes still running.
      let active: number[] = [];
      for (let i = 0; i < episodesPerBatch; i++) {
        stores[i].clear();
        [current[i]] = envs[i].reset(firstReset ? { seed: envSeeds[i] } : undefined);
        active.push(i);
      }
      firstReset = false;
      while (active.length > 0) {
        active.forEach((i, row) => writeObs(spec, current[i], obsBatch, row));
        sampler.sample(obsBatch, active.length, sampleRng, actBatch);
        const still: number[] = [];
        active.forEach((i, row) => {
          const [next, reward, terminated, truncated] = envs[i].step(envAction(spec, actBatch, row));
          globalStep++;
          stores[i].push(obsBatch, actBatch, row, reward);
          if (terminated || truncated) {
            stores[i].terminated = terminated;
            writeObs(spec, next, stores[i].finalObs, 0);
            let ret = 0;
            for (const r of stores[i].rewards) ret += r;
            logger.add(ret, stores[i].length, globalStep);
          } else {
            current[i] = next;
            still.push(i);
          }
        });
        active = still;
      }

      // Gather the batch: M steps in episode order, plus each episode's final observation.
      const M = stores.reduce((n, s) => n + s.length, 0);
      const obsAll = new Float32Array((M + episodesPerBatch) * D);
      const actAll = discrete ? new Int32Array(M) : new Float32Array(M * m);
      let offset = 0;
      stores.forEach((s, i) => {
        obsAll.set(s.obs.subarray(0, s.length * D), offset * D);
        actAll.set(s.actions.subarray(0, s.length * m), offset * m);
        obsAll.set(s.finalObs, (M + i) * D);
        offset += s.length;
      });

      // 2. The baseline b(s_t) = V_φ(s_t) of every step, and V_φ(s_L) of every final observation,
      //    in one forward pass (with the value function of before this batch's fit).
      let values: Float32Array | null = null;
      if (valueNet !== null) {
        values = tf.tidy(() => valuesOf(valueNet, tf.tensor2d(obsAll, [M + episodesPerBatch, D])).dataSync() as Float32Array).slice();
      }

      // 3. Weights Ψ_t (reward-to-go or total return) minus the baseline, and the value targets G_t.
      const advantages = new Float32Array(M);
      const targets = new Float32Array(M);
      offset = 0;
      stores.forEach((s, i) => {
        const lastValue = values !== null && bootstrapTruncated && !s.terminated ? values[M + i] : 0;
        const psi = reinforceWeights(s.rewards, { gamma, weighting, lastValue });
        const rtg = weighting === "reward-to-go" ? psi : rewardToGo(s.rewards, gamma, lastValue);
        for (let t = 0; t < s.length; t++) {
          targets[offset + t] = rtg[t];
          advantages[offset + t] = psi[t] - (values !== null ? values[offset + t] : 0);
        }
        offset += s.length;
      });
      if (normalizeAdvantages) standardizeInPlace(advantages);

      // 4. Policy step: θ ← θ + α ĝ, ĝ = −∇_θ L(θ), L = −mean_t Ψ_t log π_θ(a_t|s_t).
      const obsT = tf.tensor2d(obsAll.subarray(0, M * D), [M, D]);
      const actT = actionsTensor(spec, actAll, M);
      const advT = tf.tensor1d(advantages);
      const targT = tf.tensor1d(targets);
      let piStep: { loss: number; gradNorm: number; metrics: Record<string, number> };
      let valueLoss = NaN;
      try {
        piStep = piOpt.step(() => {
          const { logProb, entropy } = logProbAndEntropy(policy, obsT, actT);
          return { loss: reinforceLoss(logProb, advT), metrics: { entropy: tf.mean(entropy) as tf.Scalar } };
        });

        // 5. Baseline step: fit V_φ to the returns G_t by regression (valueIters full-batch steps on the MSE).
        if (valueNet !== null && vOpt !== null) {
          const mse = () => ({ loss: tf.mean(tf.square(tf.sub(valuesOf(valueNet, obsT), targT))) as tf.Scalar });
          for (let k = 0; k < config.valueIters; k++) {
            const { loss } = vOpt.step(mse);
            if (k === 0) valueLoss = loss; // the loss before the fit
          }
        }
      } finally {
        tf.dispose([obsT, actT, advT, targT]);
      }
      sampler.sync();

      const record: PolicyGradientUpdate = {
        update: run.updates.length,
        globalStep,
        policyLoss: piStep.loss,
        valueLoss,
        entropy: piStep.metrics.entropy,
        gradNorm: piStep.gradNorm,
      };
      if (run.record(record)) break;
    }
  } catch (err) {
    disposePolicy(policy);
    valueNet?.dispose();
    throw err;
  } finally {
    piOpt.dispose();
    vOpt?.dispose();
    for (const env of envs) env.close();
  }

  return { log: run.log(globalStep), agent: makeAgent(policy, valueNet, agentRng), obsStats: null, rewardStats: null, config };
}
