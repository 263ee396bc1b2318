/**
 * The actor π_θ and the critic V_φ of the policy-gradient algorithms: a stochastic policy network for
 * discrete actions (a {@link Categorical} over logits) or continuous actions (a {@link DiagGaussian}
 * with a state-independent log σ), the value network, and their evaluation on a batch.
 *
 * Networks follow Stable-Baselines3's `ActorCriticPolicy` and CleanRL's `ppo.py`: separate actor and
 * critic MLPs (64, 64) with tanh, orthogonal weights (gain √2 for hidden layers, 0.01 for the policy
 * head, 1 for the value head; Engstrom et al. 2020, "Implementation Matters in Deep Policy Gradients"),
 * zero biases, and log σ a free [D] vector (SB3's `log_std_init`); or, with {@link makeActorCritic},
 * one shared trunk with a policy head and a value head.
 */
import * as tf from "@tensorflow/tfjs";
import { Categorical, DiagGaussian } from "../nn/distributions";
import { type Activation, type Mlp, type MlpInit, mlp } from "../nn/mlp";
import { Rng } from "../random";
import type { SpacesSpec } from "./spaces_spec";

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
