/**
 * What the policy-gradient algorithms (REINFORCE, A2C) share: the stochastic policy network for
 * discrete actions (a {@link Categorical} over logits) or continuous actions (a {@link DiagGaussian}
 * with a state-independent log σ), the value network, acting on host copies of the networks
 * ({@link PolicySampler}: one batched pass over all envs, no tensors per env step), the score-function
 * gradient estimator, and the training log.
 *
 * Networks follow Stable-Baselines3's `ActorCriticPolicy` and CleanRL's `ppo.py`: separate actor and
 * critic MLPs (64, 64) with tanh, orthogonal weights (gain √2 for hidden layers, 0.01 for the policy
 * head, 1 for the value head; Engstrom et al. 2020, "Implementation Matters in Deep Policy Gradients"),
 * zero biases, and log σ a free [D] vector (SB3's `log_std_init`); or, with {@link makeActorCritic},
 * one shared trunk with a policy head and a value head.
 */
import * as tf from "@tensorflow/tfjs";
import type { Env } from "../envs/core";
import { make, type MakeOptions } from "../envs"; // the index, which registers every env
import { Box, Discrete, type Space } from "../envs/spaces";
import { Categorical, DiagGaussian } from "../nn/distributions";
import { HostMlp } from "../nn/host_mlp";
import { type Activation, type Mlp, type MlpInit, mlp } from "../nn/mlp";
import { Rng } from "../random";
import type { EpisodeRecord } from "./log";

// ---------------------------------------------------------------------------------------------
// Spaces
// ---------------------------------------------------------------------------------------------

/** The action space as the policy sees it. */
export type ActionSpec =
  /** `n` actions; the env receives `start + k` for the sampled index k. */
  | { kind: "discrete"; n: number; start: number }
  /** Real vectors of dimension `dim`; the env receives the sample clipped to [low, high]. */
  | { kind: "continuous"; dim: number; low: Float32Array; high: Float32Array };

/** Observation and action spaces reduced to what the networks need. */
export interface SpacesSpec {
  /** Width of the network input: the Box dimension, or n for a Discrete space (one-hot). */
  obsDim: number;
  /** For a Discrete observation space {start, …, start + n − 1}: its `start` (the one-hot index is obs − start); null for a Box. */
  obsStart: number | null;
  /** The action space. */
  action: ActionSpec;
}

/**
 * Reads an env's spaces: a one-dimensional Box or a Discrete observation space (one-hot encoded),
 * a Discrete or one-dimensional Box action space.
 * @throws TypeError for any other space.
 */
export function spacesSpec(observationSpace: Space<unknown>, actionSpace: Space<unknown>): SpacesSpec {
  let obsDim: number;
  let obsStart: number | null = null;
  if (observationSpace instanceof Box && observationSpace.shape.length === 1) obsDim = observationSpace.shape[0];
  else if (observationSpace instanceof Discrete) {
    obsDim = observationSpace.n;
    obsStart = observationSpace.start;
  } else throw new TypeError(`policy: observation space ${String(observationSpace)} is neither a 1-D Box nor Discrete`);
  let action: ActionSpec;
  if (actionSpace instanceof Discrete) action = { kind: "discrete", n: actionSpace.n, start: actionSpace.start };
  else if (actionSpace instanceof Box && actionSpace.shape.length === 1) {
    action = { kind: "continuous", dim: actionSpace.shape[0], low: actionSpace.low, high: actionSpace.high };
  } else throw new TypeError(`policy: action space ${String(actionSpace)} is neither Discrete nor a 1-D Box`);
  return { obsDim, obsStart, action };
}

/** Numbers per stored action: 1 (discrete) or D (continuous). */
export function actionWidth(spec: SpacesSpec): number {
  return spec.action.kind === "discrete" ? 1 : spec.action.dim;
}

/**
 * Writes one observation as network input row `row` of `out` (a copy of a Box observation, or the
 * one-hot vector of a Discrete one).
 * @param out [rows, spec.obsDim], row-major.
 */
export function writeObs(spec: SpacesSpec, obs: number | ArrayLike<number>, out: Float32Array, row: number): void {
  const d = spec.obsDim;
  const base = row * d;
  if (spec.obsStart === null) {
    const o = obs as ArrayLike<number>;
    for (let k = 0; k < d; k++) out[base + k] = o[k];
  } else {
    out.fill(0, base, base + d);
    out[base + (obs as number) - spec.obsStart] = 1;
  }
}

/**
 * Writes a vector env's batched observations (Box: rows×d numbers; Discrete: one integer per row) as
 * network inputs, rows×obsDim.
 */
export function writeBatchObs(spec: SpacesSpec, obs: Float32Array | Int32Array, rows: number, out: Float32Array): void {
  if (spec.obsStart === null) {
    out.set(obs.subarray(0, rows * spec.obsDim));
    return;
  }
  for (let i = 0; i < rows; i++) writeObs(spec, obs[i], out, i);
}

/**
 * The action to give the env for stored action row `row`: `start + k` for a discrete index k, or a new
 * `Float32Array` clipped to the Box bounds (as SB3 clips; the unclipped sample is what the policy's
 * log-probability is computed on).
 */
export function envAction(spec: SpacesSpec, actions: Int32Array | Float32Array, row: number): number | Float32Array {
  const a = spec.action;
  if (a.kind === "discrete") return a.start + actions[row];
  const out = new Float32Array(a.dim);
  for (let k = 0; k < a.dim; k++) out[k] = Math.min(Math.max(actions[row * a.dim + k], a.low[k]), a.high[k]);
  return out;
}

/**
 * Writes the actions of all rows in the form a `SyncVectorEnv` takes: `start + k` per env (discrete),
 * or numEnvs×D numbers clipped to the Box (continuous).
 * @param out Int32Array [rows] or Float32Array [rows·D].
 */
export function writeEnvActions(spec: SpacesSpec, actions: Int32Array | Float32Array, rows: number, out: Int32Array | Float32Array): void {
  const a = spec.action;
  if (a.kind === "discrete") {
    for (let i = 0; i < rows; i++) out[i] = a.start + actions[i];
    return;
  }
  const D = a.dim;
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < D; k++) out[i * D + k] = Math.min(Math.max(actions[i * D + k], a.low[k]), a.high[k]);
  }
}

// ---------------------------------------------------------------------------------------------
// Networks
// ---------------------------------------------------------------------------------------------

/** Options of {@link makePolicy} and {@link makeValueNet}. */
export interface NetOptions {
  /** Hidden layer widths; default [64, 64] (SB3 `MlpPolicy`, Spinning Up). */
  hiddenSizes?: readonly number[];
  /** Hidden activation; default "tanh". */
  activation?: Activation;
  /**
   * "orthogonal" (default: gains √2 hidden, 0.01 policy head, 1 value head, zero biases) or
   * "torch-default" (PyTorch's `nn.Linear` init, uniform ±1/√fanIn: the ablation of Engstrom et al. 2020).
   */
  init?: MlpInit;
  /** Seed or stream of the initial weights. */
  rng: Rng | number;
}

/**
 * A stochastic policy π_θ(a|s): an MLP from observations to logits [B, K] (discrete) or to the mean
 * μ [B, D] (continuous), and for continuous actions a free log σ [D] shared by all states.
 */
export interface StochasticPolicy {
  /** The spaces the policy was built for. */
  spec: SpacesSpec;
  /** A body shared with the value network ([obsDim, …hidden], hidden activation on every layer), or null for separate networks (see {@link makeActorCritic}). */
  trunk: Mlp | null;
  /** The network: [obsDim, …hidden, K or D], or the head [hidden_last, K or D] on top of {@link trunk}. */
  net: Mlp;
  /** log σ, [D], trainable; null for discrete actions. */
  logStd: tf.Variable | null;
  /** All trainable variables θ: the trunk's weights (if any), the network's, then log σ. Pass them to the optimizer in this order. */
  variables: tf.Variable[];
}

/**
 * Builds a {@link StochasticPolicy} with orthogonal initialisation (hidden gain √2, output gain 0.01: the
 * initial policy is nearly uniform / has mean ≈ 0) and log σ = `initLogStd`.
 * @param initLogStd initial log σ for continuous actions; default 0 (SB3; Spinning Up uses −0.5).
 * @throws RangeError on bad sizes (see `mlp`).
 */
export function makePolicy(spec: SpacesSpec, options: NetOptions & { initLogStd?: number }): StochasticPolicy {
  const { hiddenSizes = [64, 64], activation = "tanh", init, rng, initLogStd = 0 } = options;
  const out = spec.action.kind === "discrete" ? spec.action.n : spec.action.dim;
  const net = mlp({ sizes: [spec.obsDim, ...hiddenSizes, out], rng, activation, init, outputGain: 0.01 });
  return withLogStd(spec, null, net, initLogStd);
}

function withLogStd(spec: SpacesSpec, trunk: Mlp | null, net: Mlp, initLogStd: number): StochasticPolicy {
  const a = spec.action;
  const logStd = a.kind === "continuous" ? tf.tidy(() => tf.variable(tf.fill([a.dim], initLogStd), true)) : null;
  const variables = [...(trunk?.weights ?? []), ...net.weights, ...(logStd === null ? [] : [logStd])];
  return { spec, trunk, net, logStd, variables };
}

/**
 * Builds a value network V_φ(s): [obsDim, …hidden, 1], orthogonal with hidden gain √2 and output gain 1.
 * @throws RangeError on bad sizes (see `mlp`).
 */
export function makeValueNet(obsDim: number, options: NetOptions): Mlp {
  const { hiddenSizes = [64, 64], activation = "tanh", init, rng } = options;
  return mlp({ sizes: [obsDim, ...hiddenSizes, 1], rng, activation, init, outputGain: 1 });
}

/**
 * Builds an actor π_θ and a critic V_φ, either as two separate MLPs (`shared: false`, the default:
 * {@link makePolicy} then {@link makeValueNet}, as CleanRL's `ppo.py` and SB3's `MlpPolicy`) or with
 * one shared body (`shared: true`: a trunk [obsDim, …hidden] — orthogonal gain √2, hidden activation
 * on every layer — with a linear policy head (gain 0.01) and a linear value head (gain 1) on its
 * output, as CleanRL's `ppo_atari.py` and the PPO paper's Atari network). With a shared trunk, the
 * trunk belongs to `policy` (`policy.trunk`, first in `policy.variables`) and `valueNet` is the value
 * head only: evaluate V_φ with {@link evaluateActions} or {@link PolicySampler}, not with `valuesOf`.
 * The optimizer's variables are `[...policy.variables, ...valueNet.weights]` in both cases.
 * A numeric `rng` seeds one stream that every network draws from in turn, so the actor's and the
 * critic's weights are independent (never two networks seeded with the same number).
 * @throws RangeError on bad sizes (see `mlp`), or `shared` with no hidden layer.
 */
export function makeActorCritic(spec: SpacesSpec, options: NetOptions & { initLogStd?: number; shared?: boolean }): { policy: StochasticPolicy; valueNet: Mlp } {
  const { shared = false, hiddenSizes = [64, 64], activation = "tanh", init, initLogStd = 0 } = options;
  const rng = typeof options.rng === "number" ? new Rng(options.rng) : options.rng;
  if (!shared) return { policy: makePolicy(spec, { ...options, rng }), valueNet: makeValueNet(spec.obsDim, { ...options, rng }) };
  if (hiddenSizes.length === 0) throw new RangeError("makeActorCritic: a shared trunk needs at least one hidden layer (hiddenSizes is empty)");
  const trunk = mlp({ sizes: [spec.obsDim, ...hiddenSizes], rng, activation, outputActivation: activation, init, outputGain: Math.SQRT2 });
  const width = hiddenSizes[hiddenSizes.length - 1];
  const out = spec.action.kind === "discrete" ? spec.action.n : spec.action.dim;
  const net = mlp({ sizes: [width, out], rng, init, outputGain: 0.01 });
  const valueNet = mlp({ sizes: [width, 1], rng, init, outputGain: 1 });
  return { policy: withLogStd(spec, trunk, net, initLogStd), valueNet };
}

/** Frees a policy's variables (trunk, network, log σ). */
export function disposePolicy(policy: StochasticPolicy): void {
  policy.trunk?.dispose();
  policy.net.dispose();
  policy.logStd?.dispose();
}

/** V_φ(s) as a vector: the value network's output [B, 1] reshaped to [B]. */
export function valuesOf(valueNet: Mlp, obs: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(valueNet.apply(obs), [-1]) as tf.Tensor1D);
}

/**
 * π_θ(·|s) for a batch of observations: a {@link Categorical} over the logits, or a
 * {@link DiagGaussian} N(μ_θ(s), diag σ²). Differentiable in θ; build it inside `tf.tidy`.
 * @param obs [B, obsDim].
 */
export function policyDistribution(policy: StochasticPolicy, obs: tf.Tensor2D): Categorical | DiagGaussian {
  return headDistribution(policy, policy.trunk === null ? obs : policy.trunk.apply(obs));
}

function headDistribution(policy: StochasticPolicy, features: tf.Tensor2D): Categorical | DiagGaussian {
  const head = policy.net.apply(features);
  return policy.logStd === null ? new Categorical(head) : new DiagGaussian(head, policy.logStd);
}

/**
 * Everything an actor-critic loss needs for a batch, with a shared trunk evaluated once: the
 * distribution π_θ(·|s), log π_θ(a|s), H(π_θ(·|s)) and V_φ(s), all differentiable. Creates tensors
 * without a scope of its own: call it inside `tf.tidy` or a gradient tape (e.g. `FlatOptimizer.step`).
 * @param obs [B, obsDim]; @param actions int32 [B] (discrete indices) or [B, D] (continuous).
 * @returns `dist`, `logProb` [B], `entropy` [B], `values` [B].
 */
export function evaluateActions(
  policy: StochasticPolicy,
  valueNet: Mlp,
  obs: tf.Tensor2D,
  actions: tf.Tensor,
): { dist: Categorical | DiagGaussian; logProb: tf.Tensor1D; entropy: tf.Tensor1D; values: tf.Tensor1D } {
  const features = policy.trunk === null ? null : policy.trunk.apply(obs);
  const dist = headDistribution(policy, features ?? obs);
  const logProb = dist instanceof Categorical ? dist.logProb(actions as tf.Tensor1D) : dist.logProb(actions as tf.Tensor2D);
  return { dist, logProb, entropy: dist.entropy(), values: valuesOf(valueNet, features ?? obs) };
}

/**
 * log π_θ(a|s) and the entropy H(π_θ(·|s)) per row, both [B], differentiable in θ.
 * @param obs [B, obsDim]; @param actions int32 [B] (discrete indices) or [B, D] (continuous).
 */
export function logProbAndEntropy(policy: StochasticPolicy, obs: tf.Tensor2D, actions: tf.Tensor): { logProb: tf.Tensor1D; entropy: tf.Tensor1D } {
  return tf.tidy(() => {
    const dist = policyDistribution(policy, obs);
    const logProb = dist instanceof Categorical ? dist.logProb(actions as tf.Tensor1D) : dist.logProb(actions as tf.Tensor2D);
    return { logProb, entropy: dist.entropy() };
  });
}

/**
 * The stored actions of `rows` rows as the tensor {@link logProbAndEntropy} takes: int32 [rows] or float32 [rows, D].
 */
export function actionsTensor(spec: SpacesSpec, actions: Int32Array | Float32Array, rows: number): tf.Tensor {
  if (spec.action.kind === "discrete") return tf.tensor1d(actions.subarray(0, rows) as Int32Array, "int32");
  const D = spec.action.dim;
  return tf.tensor2d(actions.subarray(0, rows * D) as Float32Array, [rows, D]);
}

/**
 * Draws actions from π_θ(·|s) for a batch of observations — and evaluates V_φ(s) — on host copies of
 * the networks ({@link HostMlp}): no tensor per env step. Sampling runs on an {@link Rng} (inverse CDF
 * on the softmax for a Categorical, μ + σ·ε with ε ~ N(0, 1) for a Gaussian), so a run is reproducible
 * from its seed. Call {@link PolicySampler.sync} after every update of θ or φ.
 *
 * @example
 * const sampler = new PolicySampler(policy, valueNet);
 * sampler.sample(obs, numEnvs, rng, actions, { values });   // rollout step
 * …update θ, φ…; sampler.sync();
 */
export class PolicySampler {
  /** The policy sampled from. */
  readonly policy: StochasticPolicy;
  private readonly trunk: HostMlp | null;
  private readonly actor: HostMlp;
  private readonly critic: HostMlp | null;
  private features = new Float32Array(0);
  private std: Float32Array | null = null;
  private logStd: Float32Array | null = null;
  private head = new Float32Array(0);

  /** Copies the current weights of `policy` (and of `valueNet`, when given; with a shared trunk, the value head). */
  constructor(policy: StochasticPolicy, valueNet: Mlp | null = null) {
    this.policy = policy;
    this.trunk = policy.trunk === null ? null : new HostMlp(policy.trunk);
    this.actor = new HostMlp(policy.net);
    this.critic = valueNet === null ? null : new HostMlp(valueNet);
    this.sync();
  }

  /** Re-reads the weights (and σ = exp(log σ)) after an update. */
  sync(): void {
    this.trunk?.sync();
    this.actor.sync();
    this.critic?.sync();
    if (this.policy.logStd !== null) {
      this.logStd = this.policy.logStd.dataSync() as Float32Array;
      this.std = Float32Array.from(this.logStd, Math.exp);
    }
  }

  /**
   * V_φ(s) of `rows` observations into `out` (Float32Array [rows]).
   * @throws Error when the sampler has no value net.
   */
  values(obs: ArrayLike<number>, rows: number, out: Float32Array): Float32Array {
    if (this.critic === null) throw new Error("PolicySampler.values: the sampler has no value net");
    return this.critic.apply(this.body(obs, rows), rows, out);
  }

  /** The trunk's output for a shared body, else the observations themselves. */
  private body(obs: ArrayLike<number>, rows: number): ArrayLike<number> {
    if (this.trunk === null) return obs;
    const width = this.trunk.net.sizes[this.trunk.net.sizes.length - 1];
    if (this.features.length < rows * width) this.features = new Float32Array(rows * width);
    return this.trunk.apply(obs, rows, this.features);
  }

  /**
   * Samples one action per row.
   * @param obs network inputs, at least rows×obsDim numbers (row-major).
   * @param rows B, the number of observations.
   * @param out Int32Array [B] of action indices (discrete) or Float32Array [B·D] of unclipped actions (continuous).
   * @param options `values` (Float32Array [B]) to also write V_φ(s) (needs a value net); `logProbs`
   *   (Float32Array [B]) to also write log π_θ(a|s) of the returned actions (what PPO's ratio and TRPO's
   *   surrogate divide by; equal to {@link logProbAndEntropy} of the same rows to float32 round-off,
   *   ~1e-6); `deterministic` to take the mode (argmax / μ) instead of sampling.
   * @throws Error when `values` is asked for without a value net; RangeError when the policy outputs NaN
   *   or +∞ (a logit) or a non-finite mean, naming the observation.
   */
  sample(
    obs: ArrayLike<number>,
    rows: number,
    rng: Rng,
    out: Int32Array | Float32Array,
    options: { values?: Float32Array; logProbs?: Float32Array; deterministic?: boolean } = {},
  ): void {
    const { values, logProbs, deterministic = false } = options;
    const spec = this.policy.spec;
    const width = spec.action.kind === "discrete" ? spec.action.n : spec.action.dim;
    if (this.head.length < rows * width) this.head = new Float32Array(rows * width);
    if (values !== undefined && this.critic === null) throw new Error("PolicySampler.sample: values were asked for, but the sampler has no value net");
    const x = this.body(obs, rows);
    const head = this.actor.apply(x, rows, this.head);
    if (values !== undefined) this.critic!.apply(x, rows, values);
    for (let i = 0; i < rows * width; i++) {
      // −∞ is a legal logit (a masked action); NaN or +∞ (or any non-finite mean) is a broken network or input.
      if (Number.isNaN(head[i]) || head[i] === Infinity || (spec.action.kind === "continuous" && !Number.isFinite(head[i]))) {
        throw new RangeError(
          `PolicySampler.sample: the policy's output for observation ${Math.floor(i / width)} holds ${head[i]} ` +
            `(${spec.action.kind === "discrete" ? "logits" : "means"}): the network's weights or the observation hold NaN or ±Infinity`,
        );
      }
    }
    if (spec.action.kind === "discrete") {
      for (let r = 0; r < rows; r++) {
        const o = r * width;
        // log-sum-exp of the logits (shifted by the max): log π(k|s) = logit_k − mx − log z
        let mx = head[o];
        for (let k = 1; k < width; k++) mx = Math.max(mx, head[o + k]);
        if (deterministic) {
          const a = argmaxAt(head, o, width);
          out[r] = a;
          if (logProbs !== undefined) logProbs[r] = head[o + a] - mx - Math.log(sumExp(head, o, width, mx));
          continue;
        }
        // softmax in place, then one inverse-CDF draw
        const logits = logProbs === undefined ? null : head.slice(o, o + width);
        let z = 0;
        for (let k = 0; k < width; k++) z += (head[o + k] = Math.exp(head[o + k] - mx));
        for (let k = 0; k < width; k++) head[o + k] /= z;
        const a = rng.categorical(head, o, width);
        out[r] = a;
        if (logits !== null) logProbs![r] = logits[a] - mx - Math.log(z);
      }
    } else {
      const std = this.std as Float32Array;
      for (let i = 0; i < rows * width; i++) out[i] = deterministic ? head[i] : head[i] + std[i % width] * rng.normal();
      if (logProbs !== undefined) {
        // log N(a; μ, σ²) = −½ Σ_d ((a_d − μ_d)/σ_d)² − Σ_d log σ_d − (D/2) log 2π, on the stored (float32) action
        const logStd = this.logStd as Float32Array;
        for (let r = 0; r < rows; r++) {
          let s = -0.5 * width * LOG_2PI;
          for (let k = 0; k < width; k++) {
            const z = (out[r * width + k] - head[r * width + k]) / std[k];
            s -= 0.5 * z * z + logStd[k];
          }
          logProbs[r] = s;
        }
      }
    }
  }
}

const LOG_2PI = Math.log(2 * Math.PI);

function sumExp(x: ArrayLike<number>, offset: number, n: number, shift: number): number {
  let z = 0;
  for (let k = 0; k < n; k++) z += Math.exp(x[offset + k] - shift);
  return z;
}

function argmaxAt(p: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (p[offset + k] > p[offset + best]) best = k;
  return best;
}

const stopGradientFn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/**
 * The identity with a zero gradient (TensorFlow's `tf.stop_gradient`, PyTorch's `.detach()`, which
 * tfjs lacks): weights and targets computed from the networks inside a gradient tape stay constants.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientFn(x) as T;
}

// ---------------------------------------------------------------------------------------------
// The score-function estimator
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Training log and progress
// ---------------------------------------------------------------------------------------------

/** One parameter update. */
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

/** What `train` returns in `log`. */
export interface PolicyGradientLog {
  /** Per finished episode, in order. */
  episodes: EpisodeRecord[];
  /** Per update, in order. */
  updates: PolicyGradientUpdate[];
  /** Env steps taken in total. */
  globalStep: number;
  /** Wall-clock seconds of the run. */
  seconds: number;
  /** Global step at which the mean return of the last `returnWindow` episodes first reached `targetReturn` (null if never, or no target). */
  solvedAtStep: number | null;
  /** Seconds from the start to that point (null if never). */
  solvedAtSeconds: number | null;
}

/** What the progress callback receives after every update. */
export interface PolicyGradientProgress {
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
  last: PolicyGradientUpdate;
  /** Seconds since the start. */
  seconds: number;
}

/** A trained policy (and critic) ready to act. */
export interface PolicyAgent {
  /** π_θ. */
  policy: StochasticPolicy;
  /** V_φ, when the algorithm learned one. */
  valueNet: Mlp | null;
  /**
   * The action for one observation: the mode of π_θ(·|s) (argmax or μ, clipped) by default, a sample
   * when `deterministic` is false (drawn from `rng`, default the agent's own seeded stream).
   */
  act(obs: number | ArrayLike<number>, options?: { deterministic?: boolean; rng?: Rng }): number | Float32Array;
  /** Frees the networks. */
  dispose(): void;
}

/**
 * Builds a {@link PolicyAgent} around trained networks (it acts on host copies of their current weights).
 * @param options `transformObs`: applied in place to the network input of every observation before
 *   the policy sees it — e.g. `ObsNormalizer.frozen()`, so that an agent trained on normalised
 *   observations acts on the raw observations of a plain `make(id)` env.
 */
export function makeAgent(policy: StochasticPolicy, valueNet: Mlp | null, rng: Rng, options: { transformObs?: (x: Float32Array) => void } = {}): PolicyAgent {
  const sampler = new PolicySampler(policy);
  const x = new Float32Array(policy.spec.obsDim);
  const a = policy.spec.action.kind === "discrete" ? new Int32Array(1) : new Float32Array(policy.spec.action.dim);
  return {
    policy,
    valueNet,
    act(obs, actOptions = {}) {
      writeObs(policy.spec, obs, x, 0);
      options.transformObs?.(x);
      sampler.sample(x, 1, actOptions.rng ?? rng, a, { deterministic: actOptions.deterministic ?? true });
      return envAction(policy.spec, a, 0);
    },
    dispose() {
      disposePolicy(policy);
      valueNet?.dispose();
    },
  };
}

/**
 * Standardises advantages over a batch, in place: x ← (x − mean) / (std + 1e-8) (population std), as
 * Spinning Up, SB3 and CleanRL normalise them. Returns `x`.
 */
export function standardizeInPlace(x: Float32Array): Float32Array {
  const n = x.length;
  if (n === 0) return x;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i] - mean) ** 2;
  const std = Math.sqrt(v / n);
  for (let i = 0; i < n; i++) x[i] = (x[i] - mean) / (std + 1e-8);
  return x;
}

// ---------------------------------------------------------------------------------------------
// Config helpers
// ---------------------------------------------------------------------------------------------

/** How a train function receives its environment: a registered id (made with `make`) or a factory. */
export type EnvSource = string | (() => Env<any, any>);

/**
 * A new env from an {@link EnvSource}: `make(id, options)` (with the registry's time limit) or `factory()`.
 * @throws errors of `make` (unknown id, bad options).
 */
export function createEnv(source: EnvSource, options: MakeOptions = {}): Env<any, any> {
  return typeof source === "string" ? make(source, options) : source();
}

/**
 * Throws on config keys the algorithm does not know (a typo would otherwise silently use a default).
 * @internal
 */
export function checkKeys(config: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(config)) {
    if (!known.includes(key)) throw new TypeError(`${where}: unknown config field '${key}' (known: ${known.join(", ")})`);
  }
}

/** Throws a RangeError naming `name` unless `value` is a positive safe integer. @internal */
export function checkPositiveInt(value: number, name: string, where: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${where}: ${name} must be a positive integer, got ${value}`);
}

/** Throws a RangeError naming `name` unless `value` is a finite number ≥ 0. @internal */
export function checkNonNegative(value: number, name: string, where: string): void {
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${where}: ${name} must be a finite number >= 0, got ${value}`);
}
