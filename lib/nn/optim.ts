/**
 * Optimisation helpers: global gradient-norm clipping (Pascanu, Mikolov & Bengio, "On the difficulty
 * of training recurrent neural networks", ICML 2013; PyTorch's `clip_grad_norm_`) and
 * {@link FlatOptimizer}, Adam (Kingma & Ba, ICLR 2015) or RMSprop over all variables at once, where
 * one call computes the gradients, clips them, applies them and frees every intermediate tensor.
 * Learning-rate schedules live in lib/schedules.ts.
 */
import * as tf from "@tensorflow/tfjs";

/**
 * The global L2 norm ‖g‖ = √(Σ_i ‖g_i‖²) over a list of gradients, as a scalar tensor.
 * @throws RangeError when the list is empty.
 */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  if (grads.length === 0) throw new RangeError("globalNorm: no gradients");
  return tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
}

/**
 * Scales every gradient by c = maxNorm / max(‖g‖, maxNorm), so that the global norm becomes exactly
 * `maxNorm` when it was larger and nothing changes otherwise (PyTorch adds 1e-6 to the denominator;
 * this does not, so a clipped norm equals `maxNorm` to float32 round-off).
 *
 * @param grads a list of gradients, or a name → gradient record (e.g. `tf.variableGrads(...).grads`); null entries are kept as null.
 * @param maxNorm the largest allowed global norm, > 0.
 * @returns new tensors `grads` (same order / keys) and `norm`, the global norm before clipping (scalar); the caller disposes them.
 * @throws RangeError when `maxNorm` is not positive or there are no gradients.
 */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: tf.Scalar };
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): { grads: tf.NamedTensorMap; norm: tf.Scalar };
export function clipByGlobalNorm(grads: readonly tf.Tensor[] | tf.NamedTensorMap, maxNorm: number): { grads: tf.Tensor[] | tf.NamedTensorMap; norm: tf.Scalar } {
  if (!(maxNorm > 0)) throw new RangeError(`maxNorm must be > 0, got ${maxNorm}`);
  const list = Array.isArray(grads) ? (grads as readonly tf.Tensor[]) : Object.values(grads as tf.NamedTensorMap);
  const present = list.filter((g) => g != null);
  return tf.tidy(() => {
    const norm = globalNorm(present);
    const scale = tf.div(maxNorm, tf.maximum(norm, maxNorm));
    const clip = (g: tf.Tensor) => (g == null ? g : tf.mul(g, scale));
    if (Array.isArray(grads)) return { grads: (grads as readonly tf.Tensor[]).map(clip), norm };
    const out: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads as tf.NamedTensorMap)) out[name] = clip(g);
    return { grads: out, norm };
  });
}

// ---------------------------------------------------------------------------------------------

/** Options of {@link FlatOptimizer}. */
export interface FlatOptimizerOptions {
  /** "adam" (Kingma & Ba 2015, as `torch.optim.Adam`) or "rmsprop" (as `torch.optim.RMSprop`, no momentum, not centred). */
  kind: "adam" | "rmsprop";
  /** Step size (settable later through {@link FlatOptimizer.learningRate}). */
  learningRate: number;
  /** Adam's β₁; default 0.9. */
  beta1?: number;
  /** Adam's β₂; default 0.999. */
  beta2?: number;
  /** RMSprop's smoothing constant α; default 0.99 (PyTorch, SB3). */
  alpha?: number;
  /** ε, added to the root of the second moment (PyTorch's placement); default 1e-8. */
  epsilon?: number;
  /** Clip the global gradient norm to this before the update; default none. */
  maxGradNorm?: number;
}

/**
 * Adam or RMSprop over all variables at once: the gradients are concatenated into one flat vector,
 * clipped by global norm, and the moments live in one flat tensor each, so an update costs ~3 tfjs
 * ops per variable plus ~15 in all, instead of the ~20 per variable of `tf.train.adam` with clipping.
 * On the wasm backend, where each op has a fixed cost of tens of microseconds, this makes A2C's whole
 * gradient step on CartPole (forward, backward and update of 13 variables) about 20% faster. The
 * arithmetic is PyTorch's:
 * - Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr · m̂ / (√v̂ + ε) with bias-corrected m̂, v̂;
 * - RMSprop (SB3's default optimizer for A2C, α = 0.99, ε = 1e-5): v ← αv + (1−α)g², θ ← θ − lr · g / (√v + ε).
 */
export class FlatOptimizer {
  /** The variables, in a fixed order. */
  readonly variables: readonly tf.Variable[];
  /** The options. */
  readonly options: Readonly<Required<Omit<FlatOptimizerOptions, "maxGradNorm">>> & { maxGradNorm?: number };
  private lr: number;
  private t = 0;
  private readonly sizes: number[];
  private readonly m: tf.Variable | null;
  private readonly v: tf.Variable;

  /** @throws RangeError on an empty variable list or a non-positive rate, ε or maxGradNorm. */
  constructor(variables: readonly tf.Variable[], options: FlatOptimizerOptions) {
    if (variables.length === 0) throw new RangeError("FlatOptimizer: no variables");
    const { kind, learningRate, beta1 = 0.9, beta2 = 0.999, alpha = 0.99, epsilon = 1e-8, maxGradNorm } = options;
    if (kind !== "adam" && kind !== "rmsprop") throw new RangeError(`FlatOptimizer: kind must be "adam" or "rmsprop", got ${String(kind)}`);
    if (!(learningRate >= 0) || !Number.isFinite(learningRate)) throw new RangeError(`FlatOptimizer: learningRate must be finite and >= 0, got ${learningRate}`);
    if (!(epsilon > 0)) throw new RangeError(`FlatOptimizer: epsilon must be > 0, got ${epsilon}`);
    if (maxGradNorm !== undefined && !(maxGradNorm > 0)) throw new RangeError(`FlatOptimizer: maxGradNorm must be > 0, got ${maxGradNorm}`);
    this.variables = [...variables];
    this.options = { kind, learningRate, beta1, beta2, alpha, epsilon, maxGradNorm };
    this.lr = learningRate;
    this.sizes = this.variables.map((x) => x.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    this.m = kind === "adam" ? tf.tidy(() => tf.variable(tf.zeros([total]), false)) : null;
    this.v = tf.tidy(() => tf.variable(tf.zeros([total]), false));
  }

  /** The current step size. */
  get learningRate(): number {
    return this.lr;
  }

  set learningRate(value: number) {
    if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`FlatOptimizer: learningRate must be finite and >= 0, got ${value}`);
    this.lr = value;
  }

  /**
   * One update: the gradients of `lossFn` with respect to the variables (zero where the loss does not
   * depend on one), global-norm clipping, the Adam or RMSprop step; every intermediate tensor freed,
   * and the loss, the pre-clip gradient norm and the metrics read back together once.
   * @param lossFn returns the scalar loss and optional scalar metrics (e.g. the loss's parts).
   */
  step(lossFn: () => { loss: tf.Scalar; metrics?: Record<string, tf.Scalar> }): { loss: number; gradNorm: number; metrics: Record<string, number> } {
    const { kind, beta1, beta2, alpha, epsilon, maxGradNorm } = this.options;
    this.t++;
    let names: string[] = [];
    const readout = tf.tidy(() => {
      let metricTensors: tf.Scalar[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const out = lossFn();
        names = Object.keys(out.metrics ?? {});
        metricTensors = names.map((k) => tf.keep(out.metrics![k])); // kept past the gradient scope, freed below
        return out.loss;
      }, [...this.variables]);
      const flat = tf.concat(this.variables.map((x) => (grads[x.name] ? tf.reshape(grads[x.name], [-1]) : tf.zeros([x.size]))));
      const norm = tf.sqrt(tf.sum(tf.square(flat)));
      const g = maxGradNorm === undefined ? flat : tf.mul(flat, tf.div(maxGradNorm, tf.maximum(norm, maxGradNorm)));
      let delta: tf.Tensor;
      if (kind === "adam") {
        const m = this.m as tf.Variable;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        this.v.assign(tf.add(tf.mul(this.v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        // lr·m̂/(√v̂ + ε) = [lr·√(1−β₂ᵗ)/(1−β₁ᵗ)] · m / (√v + ε·√(1−β₂ᵗ))
        const bc1 = 1 - beta1 ** this.t;
        const bc2 = Math.sqrt(1 - beta2 ** this.t);
        delta = tf.mul(tf.div(m, tf.add(tf.sqrt(this.v), epsilon * bc2)), (this.lr * bc2) / bc1);
      } else {
        this.v.assign(tf.add(tf.mul(this.v, alpha), tf.mul(tf.square(g), 1 - alpha)));
        delta = tf.mul(tf.div(g, tf.add(tf.sqrt(this.v), epsilon)), this.lr);
      }
      const parts = tf.split(delta, this.sizes);
      this.variables.forEach((x, i) => x.assign(tf.sub(x, tf.reshape(parts[i], x.shape))));
      const packed = tf.stack([value, norm, ...metricTensors]);
      tf.dispose(metricTensors);
      return packed;
    });
    const data = readout.dataSync(); // the one read-back of the update
    readout.dispose();
    const metrics: Record<string, number> = {};
    names.forEach((k, i) => (metrics[k] = data[2 + i]));
    return { loss: data[0], gradNorm: data[1], metrics };
  }

  /** Frees the moment tensors. */
  dispose(): void {
    this.m?.dispose();
    this.v.dispose();
  }
}
