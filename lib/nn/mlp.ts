/**
 * Multilayer perceptrons as plain functions of explicit weights: an {@link Mlp} is a list of
 * `tf.Variable`s [W₀, b₀, W₁, b₁, …] and an `apply(x)` that runs y = act(x W + b) layer by layer,
 * each layer a fused matMul+bias(+ReLU) kernel with a hand-written gradient ({@link dense}). No
 * tfjs-layers model: fewer ops per update, and weights that are easy to clip, copy (target
 * networks), save and load.
 */
import * as tf from "@tensorflow/tfjs";
import { type Rng, toRng } from "../random";
import { fanInUniform, orthogonal } from "./init";
import { loadWeights, type NamedTensor, weightsToJSON, type WeightsJSON } from "./serialize";

/** Activation functions of {@link Mlp} layers. */
export type Activation = "tanh" | "relu" | "linear";

/** How {@link Mlp} initialises its weights. */
export type MlpInit =
  /** Orthogonal weights with `hiddenGain` / `outputGain`, zero biases (CleanRL's `layer_init`; Engstrom et al. 2020 "Implementation Matters"). */
  | "orthogonal"
  /** PyTorch's `nn.Linear` default: weights and biases uniform in ±1/√fanIn (CleanRL's DQN). */
  | "torch-default";

/** Options of {@link mlp}. */
export interface MlpOptions {
  /** Layer widths [input, hidden…, output], at least two entries, e.g. [4, 64, 64, 2]. */
  sizes: readonly number[];
  /** Seed or stream for the initial weights. */
  rng: Rng | number;
  /** Hidden activation; default "tanh". */
  activation?: Activation;
  /** Output activation; default "linear". */
  outputActivation?: Activation;
  /** Initialisation scheme; default "orthogonal". */
  init?: MlpInit;
  /** Gain of the orthogonal hidden layers; default √2 (CleanRL). */
  hiddenGain?: number;
  /** Gain of the orthogonal output layer; default 1 (CleanRL: 0.01 for a policy head, 1 for a value head). */
  outputGain?: number;
}

const ACTIVATIONS: readonly Activation[] = ["tanh", "relu", "linear"];

type DenseFn = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/**
 * One dense layer act(x W + b) as a single tape node with a hand-written gradient:
 * dz = dy ⊙ act'(z) (tanh: 1 − y², ReLU: [y > 0]), dx = dz Wᵀ, dW = xᵀ dz, db = Σ_rows dz.
 * On the wasm backend the transposes are explicit, because tfjs-wasm 4.22's matMul with transpose
 * flags is several times slower than a transpose followed by a plain matMul (64×256 · 256×64:
 * ~2.4 ms against ~0.4 ms); other backends use the flags.
 */
function makeDense(act: Activation): DenseFn {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    let y = tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: act === "relu" ? "relu" : "linear" }) as tf.Tensor;
    if (act === "tanh") y = tf.tanh(y);
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved;
        const g = dy as tf.Tensor2D;
        const dz = act === "tanh" ? tf.mul(g, tf.sub(1, tf.square(ys))) : act === "relu" ? tf.mul(g, tf.step(ys)) : g;
        if (tf.getBackend() !== "wasm") {
          return [tf.matMul(dz as tf.Tensor2D, ws as tf.Tensor2D, false, true), tf.matMul(xs as tf.Tensor2D, dz as tf.Tensor2D, true, false), tf.sum(dz, 0)];
        }
        return [
          tf.matMul(dz as tf.Tensor2D, tf.transpose(ws) as tf.Tensor2D),
          tf.matMul(tf.transpose(xs) as tf.Tensor2D, dz as tf.Tensor2D),
          tf.sum(dz, 0),
        ];
      },
    };
  });
  return f as unknown as DenseFn;
}

const DENSE: Record<Activation, DenseFn> = { tanh: makeDense("tanh"), relu: makeDense("relu"), linear: makeDense("linear") };

/**
 * A dense layer y = act(x W + b), differentiable in x, W and b.
 * @param x [batch, in]; @param w [in, out]; @param b [out].
 * @returns [batch, out].
 * @throws Error when the shapes do not fit.
 */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation = "linear"): tf.Tensor2D {
  if (x.rank !== 2 || w.rank !== 2 || b.rank !== 1 || x.shape[1] !== w.shape[0] || w.shape[1] !== b.shape[0]) {
    throw new Error(`dense: shapes x [${x.shape}], w [${w.shape}], b [${b.shape}] do not fit x W + b`);
  }
  const f = DENSE[activation];
  if (f === undefined) throw new Error(`dense: unknown activation ${String(activation)}`);
  return f(x, w, b);
}

/**
 * A multilayer perceptron with explicit weights. Create it with {@link mlp}.
 *
 * Weights are `tf.Variable`s in the order [W₀, b₀, W₁, b₁, …], Wₖ of shape [sizes[k], sizes[k+1]]
 * (input-major, the transpose of PyTorch's `Linear.weight`) and bₖ of shape [sizes[k+1]]; their
 * stable names are "k.weight" and "k.bias" ({@link names}). Call {@link dispose} when done.
 */
export class Mlp {
  /** Layer widths [input, hidden…, output]. */
  readonly sizes: readonly number[];
  /** Hidden activation. */
  readonly activation: Activation;
  /** Output activation. */
  readonly outputActivation: Activation;
  /** [W₀, b₀, W₁, b₁, …], trainable. */
  readonly weights: tf.Variable[];
  /** Stable names of {@link weights}: "0.weight", "0.bias", "1.weight", … */
  readonly names: readonly string[];

  /** @internal use {@link mlp}. */
  constructor(sizes: readonly number[], activation: Activation, outputActivation: Activation, values: Float32Array[]) {
    this.sizes = [...sizes];
    this.activation = activation;
    this.outputActivation = outputActivation;
    const names: string[] = [];
    this.weights = values.map((v, i) => {
      const k = i >> 1;
      const shape = i % 2 === 0 ? [sizes[k], sizes[k + 1]] : [sizes[k + 1]];
      names.push(`${k}.${i % 2 === 0 ? "weight" : "bias"}`);
      return tf.tidy(() => tf.variable(tf.tensor(v, shape, "float32"), true));
    });
    this.names = names;
  }

  /** Number of layers (weight matrices). */
  get numLayers(): number {
    return this.sizes.length - 1;
  }

  /** Total number of scalar parameters. */
  get numParams(): number {
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  /**
   * The forward pass y = act_L(… act_1(x W₀ + b₀) … W_L + b_L).
   * @param x a batch of inputs, [batch, sizes[0]].
   * @returns [batch, sizes[last]]; a new tensor (wrap calls in `tf.tidy`).
   * @throws Error when x's width is not sizes[0].
   */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.sizes[0]) {
      throw new Error(`Mlp.apply: expected input of shape [batch, ${this.sizes[0]}], got [${x.shape.join(", ")}]`);
    }
    return tf.tidy(() => {
      let h: tf.Tensor2D = x;
      const L = this.numLayers;
      for (let k = 0; k < L; k++) {
        h = dense(h, this.weights[2 * k] as tf.Tensor2D, this.weights[2 * k + 1] as tf.Tensor1D, k === L - 1 ? this.outputActivation : this.activation);
      }
      return h;
    });
  }

  /** The weights with their stable names, e.g. for {@link weightsToJSON}. */
  namedWeights(): NamedTensor[] {
    return this.weights.map((tensor, i) => ({ name: this.names[i], tensor }));
  }

  /** The weights as a {@link WeightsJSON} document (`JSON.stringify` it to save). */
  toJSON(): WeightsJSON {
    return weightsToJSON(this.namedWeights());
  }

  /**
   * Loads weights saved by {@link toJSON} (object or JSON text).
   * @throws TypeError when names, shapes or dtypes do not match this network; nothing changes then.
   */
  load(json: WeightsJSON | string): void {
    loadWeights(this.weights.map((variable, i) => ({ name: this.names[i], variable })), json);
  }

  /** Frees the variables. */
  dispose(): void {
    for (const w of this.weights) w.dispose();
  }
}

/**
 * Builds an {@link Mlp} with freshly initialised weights.
 *
 * @example
 * const critic = mlp({ sizes: [4, 64, 64, 1], rng: 0, outputGain: 1 });
 * const actor = mlp({ sizes: [4, 64, 64, 2], rng: 1, outputGain: 0.01 });
 * const logits = tf.tidy(() => actor.apply(tf.tensor2d(obs, [numEnvs, 4])));
 * @throws RangeError on fewer than two sizes, a size that is not a positive integer, or an unknown activation or init.
 */
export function mlp(options: MlpOptions): Mlp {
  const { sizes, activation = "tanh", outputActivation = "linear", init = "orthogonal", hiddenGain = Math.SQRT2, outputGain = 1 } = options;
  if (sizes.length < 2) throw new RangeError(`mlp: sizes needs at least [input, output], got [${sizes.join(", ")}]`);
  if (!sizes.every((s) => Number.isSafeInteger(s) && s >= 1)) throw new RangeError(`mlp: sizes must be positive integers, got [${sizes.join(", ")}]`);
  if (!ACTIVATIONS.includes(activation) || !ACTIVATIONS.includes(outputActivation)) {
    throw new RangeError(`mlp: activations must be one of ${ACTIVATIONS.join(", ")}, got ${activation} / ${outputActivation}`);
  }
  if (init !== "orthogonal" && init !== "torch-default") throw new RangeError(`mlp: init must be "orthogonal" or "torch-default", got ${String(init)}`);
  const rng = toRng(options.rng);
  const values: Float32Array[] = [];
  for (let k = 0; k < sizes.length - 1; k++) {
    const [fanIn, fanOut] = [sizes[k], sizes[k + 1]];
    if (init === "orthogonal") {
      values.push(orthogonal(fanIn, fanOut, rng, k === sizes.length - 2 ? outputGain : hiddenGain), new Float32Array(fanOut));
    } else {
      values.push(fanInUniform(fanIn, fanOut, rng), fanInUniform(1, fanOut, rng, fanIn));
    }
  }
  return new Mlp(sizes, activation, outputActivation, values);
}

/**
 * Copies weights into a target network: target ← τ·source + (1 − τ)·target, variable by variable
 * (τ = 1: hard copy, DQN's target network, Mnih et al. 2015; τ < 1: Polyak averaging, as DDPG/SAC).
 * @param tau τ ∈ [0, 1]; default 1.
 * @throws RangeError when the lists differ in length or shapes, or τ is outside [0, 1].
 */
export function copyWeights(source: { weights: readonly tf.Variable[] } | readonly tf.Tensor[], target: { weights: readonly tf.Variable[] } | readonly tf.Variable[], tau = 1): void {
  const src = Array.isArray(source) ? (source as readonly tf.Tensor[]) : (source as { weights: readonly tf.Variable[] }).weights;
  const dst = Array.isArray(target) ? (target as readonly tf.Variable[]) : (target as { weights: readonly tf.Variable[] }).weights;
  if (!(tau >= 0 && tau <= 1)) throw new RangeError(`tau must be in [0, 1], got ${tau}`);
  if (src.length !== dst.length) throw new RangeError(`copyWeights: ${src.length} source tensors, ${dst.length} targets`);
  src.forEach((s, i) => {
    if (s.shape.join() !== dst[i].shape.join()) throw new RangeError(`copyWeights: tensor ${i} has shape [${s.shape}] in the source, [${dst[i].shape}] in the target`);
  });
  tf.tidy(() => {
    src.forEach((s, i) => dst[i].assign(tau === 1 ? s : tf.add(tf.mul(s, tau), tf.mul(dst[i], 1 - tau))));
  });
}
