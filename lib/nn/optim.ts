/**
 * Optimisation helpers: global gradient-norm clipping (Pascanu, Mikolov & Bengio, "On the difficulty
 * of training recurrent neural networks", ICML 2013; PyTorch's `clip_grad_norm_`), learning-rate
 * schedules, and {@link Adam} (Kingma & Ba, ICLR 2015) wrapped so that one call computes the
 * gradients, clips them, applies them and frees every intermediate tensor.
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

/** Options of {@link Adam}. */
export interface AdamOptions {
  /** Step size; default 3e-4. Change it later through {@link Adam.learningRate} (e.g. from `linearSchedule(lr0, 0, numUpdates)` in lib/schedules). */
  learningRate?: number;
  /** β₁; default 0.9. */
  beta1?: number;
  /** β₂; default 0.999. */
  beta2?: number;
  /** ε in θ ← θ − lr · m̂ / (√v̂ + ε); default 1e-8 (PyTorch). CleanRL's PPO uses 1e-5. */
  epsilon?: number;
  /** Clip the global gradient norm to this value before each update (PPO: 0.5); default none. */
  maxGradNorm?: number;
}

/** What a loss function given to {@link Adam.step} returns: the loss, optionally with scalar metrics to read out. */
export type LossOutput = tf.Scalar | { loss: tf.Scalar; metrics?: Record<string, tf.Tensor> };

/** The numbers one {@link Adam.step} produced. */
export interface AdamStepResult {
  /** The loss before the update. */
  loss: number;
  /** The global gradient norm before clipping. */
  gradNorm: number;
  /** The loss function's metrics (each tensor's first value, e.g. a scalar), read after the update. */
  metrics: Record<string, number>;
}

/**
 * Adam with a settable learning rate, optional global-norm clipping and leak-free steps.
 *
 * @example
 * const opt = new Adam({ learningRate: 2.5e-4, epsilon: 1e-5, maxGradNorm: 0.5 });
 * const { loss, gradNorm } = opt.step(() => tf.losses.meanSquaredError(y, net.apply(x)), net.weights);
 * opt.learningRate = linearLr(2.5e-4, numUpdates)(update);
 */
export class Adam {
  /** The tfjs optimizer (its moments are tfjs variables; {@link dispose} frees them). */
  readonly optimizer: tf.AdamOptimizer;
  /** See {@link AdamOptions.maxGradNorm}. */
  maxGradNorm: number | undefined;
  private lr: number;

  /** @throws RangeError on a non-positive learning rate, ε or maxGradNorm, or β outside [0, 1). */
  constructor(options: AdamOptions = {}) {
    const { learningRate = 3e-4, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, maxGradNorm } = options;
    if (!(learningRate >= 0) || !Number.isFinite(learningRate)) throw new RangeError(`learningRate must be finite and >= 0, got ${learningRate}`);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new RangeError(`beta1 and beta2 must be in [0, 1), got ${beta1}, ${beta2}`);
    if (!(epsilon > 0)) throw new RangeError(`epsilon must be > 0, got ${epsilon}`);
    if (maxGradNorm !== undefined && !(maxGradNorm > 0)) throw new RangeError(`maxGradNorm must be > 0, got ${maxGradNorm}`);
    this.lr = learningRate;
    this.maxGradNorm = maxGradNorm;
    this.optimizer = tf.train.adam(learningRate, beta1, beta2, epsilon);
  }

  /** The current step size; set it before a step to follow an {@link LrSchedule}. */
  get learningRate(): number {
    return this.lr;
  }

  set learningRate(value: number) {
    if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`learningRate must be finite and >= 0, got ${value}`);
    this.lr = value;
    // tfjs's AdamOptimizer reads this field on every applyGradients.
    (this.optimizer as unknown as { learningRate: number }).learningRate = value;
  }

  /** Number of updates applied so far. */
  get iterations(): number {
    return (this.optimizer as unknown as { iterations_: number }).iterations_ ?? 0;
  }

  /**
   * One update: gradients of `lossFn` with respect to `variables`, global-norm clipping (when
   * `maxGradNorm` is set), the Adam update; every intermediate tensor is freed.
   *
   * Always pass the same variables in the same order: tfjs's Adam keeps its moments by position.
   * Variables the loss does not depend on are left unchanged.
   *
   * @param lossFn computes the scalar loss (and optional metrics) from the variables.
   * @param variables the trainable variables to update.
   * @returns the loss, the pre-clip gradient norm and the metrics as numbers (read synchronously).
   * @throws Error when the loss depends on none of the variables.
   */
  step(lossFn: () => LossOutput, variables: readonly tf.Variable[]): AdamStepResult {
    let metricTensors: Record<string, tf.Tensor> = {};
    const result = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const out = lossFn();
        if (out instanceof tf.Tensor) return out;
        metricTensors = {};
        for (const [k, v] of Object.entries(out.metrics ?? {})) metricTensors[k] = tf.keep(v);
        return out.loss;
      }, [...variables]);
      const list = variables.map((v) => grads[v.name] ?? null);
      const present = list.filter((g): g is tf.Tensor => g !== null);
      const norm = globalNorm(present);
      let applied: (tf.Tensor | null)[] = list;
      if (this.maxGradNorm !== undefined) {
        const scale = tf.div(this.maxGradNorm, tf.maximum(norm, this.maxGradNorm));
        applied = list.map((g) => (g === null ? null : tf.mul(g, scale)));
      }
      // The array form keeps the moments aligned with `variables` even when a gradient is missing.
      this.optimizer.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: applied[i] as tf.Tensor })));
      return { loss: value.dataSync()[0], gradNorm: norm.dataSync()[0] };
    });
    const metrics: Record<string, number> = {};
    for (const [k, t] of Object.entries(metricTensors)) {
      metrics[k] = t.dataSync()[0];
      t.dispose();
    }
    return { ...result, metrics };
  }

  /** Frees the optimizer's moment variables. */
  dispose(): void {
    this.optimizer.dispose();
  }
}
