/**
 * Action distributions of stochastic policies, batched over tensors: {@link Categorical} (discrete
 * actions, from logits) and {@link DiagGaussian} (continuous actions, a diagonal Gaussian with a mean
 * and a log standard deviation that is either state-independent or an output of the network).
 *
 * Every method returns new tensors and is differentiable (except sampling a Categorical and `mode`
 * of a Categorical), so it can sit inside a loss given to `tf.variableGrads` or {@link Adam.step}.
 * A distribution holds tensors: build it inside `tf.tidy`, or call `dispose()`.
 *
 * Closed forms: Cover & Thomas, *Elements of Information Theory* (2nd ed.), eq. 2.1 and 8.x for the
 * entropies; KL of Gaussians as in Schulman et al., "Trust Region Policy Optimization", 2015, App. C.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../random";

const LOG_2PI = Math.log(2 * Math.PI);

/** What the distributions share. */
export interface Distribution<Sample extends tf.Tensor> {
  /** Draws one sample per batch row: through an {@link Rng} (reproducible on every backend) or tfjs's own generator with an optional integer seed. */
  sample(rng?: Rng | number): Sample;
  /** log π(x) per batch row, [batch]. */
  logProb(x: Sample): tf.Tensor1D;
  /** Entropy per batch row, [batch], in nats. */
  entropy(): tf.Tensor1D;
  /** The most likely value per batch row. */
  mode(): Sample;
  /** Frees the tensors the distribution holds. */
  dispose(): void;
}

/**
 * Categorical distribution over K actions per batch row, from unnormalised logits.
 *
 * @example
 * const dist = new Categorical(actor.apply(obs));   // logits [batch, K]
 * const actions = dist.sample(rng);                  // int32 [batch]
 * const logProb = dist.logProb(actions);             // [batch]
 */
export class Categorical implements Distribution<tf.Tensor1D> {
  /** Normalised log-probabilities log p_k = logits_k − logsumexp(logits), [batch, K]. */
  readonly logits: tf.Tensor2D;

  /**
   * @param logits unnormalised log-probabilities, [batch, K], finite.
   * @throws Error when `logits` is not rank 2.
   */
  constructor(logits: tf.Tensor2D) {
    if (logits.rank !== 2) throw new Error(`Categorical: logits must be [batch, K], got shape [${logits.shape.join(", ")}]`);
    this.logits = tf.logSoftmax(logits);
  }

  /** Batch size. */
  get batchSize(): number {
    return this.logits.shape[0];
  }

  /** K, the number of categories. */
  get numCategories(): number {
    return this.logits.shape[1];
  }

  /** Probabilities p_k, [batch, K] (new tensor). */
  probs(): tf.Tensor2D {
    return tf.exp(this.logits);
  }

  /**
   * One category per row, int32 [batch]. Not differentiable.
   * - With an {@link Rng}: `rng.categorical` (inverse CDF, one uniform draw per row) on the probabilities, read synchronously.
   * - With a number or nothing: the Gumbel-max trick, argmax_k(log p_k − log(−log U_k)) with
   *   U = `tf.randomUniform(…, seed)`. (`tf.multinomial` is avoided: tfjs 4.22's cpu backend reseeds
   *   its generator for every row, so all rows of a batch get the same draw.)
   */
  sample(rng?: Rng | number): tf.Tensor1D {
    if (rng === undefined || typeof rng === "number") {
      return tf.tidy(() => {
        const u = tf.randomUniform(this.logits.shape, 0, 1, "float32", rng);
        const gumbel = tf.neg(tf.log(tf.neg(tf.log(u))));
        return tf.argMax(tf.add(this.logits, gumbel), 1) as tf.Tensor1D;
      });
    }
    const [B, K] = this.logits.shape;
    const probs = tf.tidy(() => tf.exp(this.logits));
    const p = probs.dataSync();
    probs.dispose();
    const out = new Int32Array(B);
    for (let b = 0; b < B; b++) out[b] = rng.categorical(p, b * K, K);
    return tf.tensor1d(out, "int32");
  }

  /**
   * log p(a) of one action per row, [batch].
   * @param actions int32 tensor or numbers, [batch], each in [0, K).
   */
  logProb(actions: tf.Tensor1D | ArrayLike<number>): tf.Tensor1D {
    return tf.tidy(() => {
      const a = actions instanceof tf.Tensor ? actions : tf.tensor1d(Int32Array.from(actions as ArrayLike<number>), "int32");
      const oneHot = tf.oneHot(tf.cast(a, "int32") as tf.Tensor1D, this.numCategories);
      return tf.sum(tf.mul(this.logits, oneHot), 1) as tf.Tensor1D;
    });
  }

  /** H(p) = −Σ_k p_k log p_k, [batch], nats. */
  entropy(): tf.Tensor1D {
    return tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.exp(this.logits), this.logits), 1)) as tf.Tensor1D);
  }

  /**
   * KL(this ‖ other) = Σ_k p_k (log p_k − log q_k), [batch], nats.
   * @throws Error when the shapes differ.
   */
  kl(other: Categorical): tf.Tensor1D {
    if (other.logits.shape.join() !== this.logits.shape.join()) throw new Error(`Categorical.kl: shapes [${this.logits.shape}] and [${other.logits.shape}] differ`);
    return tf.tidy(() => tf.sum(tf.mul(tf.exp(this.logits), tf.sub(this.logits, other.logits)), 1) as tf.Tensor1D);
  }

  /** argmax_k p_k per row, int32 [batch]. */
  mode(): tf.Tensor1D {
    return tf.argMax(this.logits, 1) as tf.Tensor1D;
  }

  /** Frees the normalised logits. */
  dispose(): void {
    this.logits.dispose();
  }
}

/**
 * Diagonal Gaussian N(μ, diag σ²) over D-dimensional actions, per batch row.
 *
 * @example
 * // state-independent log σ (CleanRL's continuous PPO: a [D] variable initialised to 0)
 * const dist = new DiagGaussian(actorMean.apply(obs), logStd);
 * const actions = dist.sample(rng);                  // [batch, D]
 */
export class DiagGaussian implements Distribution<tf.Tensor2D> {
  /** μ, [batch, D]. */
  readonly mean: tf.Tensor2D;
  /** log σ broadcast to [batch, D]. */
  readonly logStd: tf.Tensor2D;

  /**
   * @param mean μ, [batch, D].
   * @param logStd log σ: [D] or [1, D] (state-independent, broadcast over the batch) or [batch, D] (state-dependent).
   * @throws Error when the shapes do not fit.
   */
  constructor(mean: tf.Tensor2D, logStd: tf.Tensor) {
    if (mean.rank !== 2) throw new Error(`DiagGaussian: mean must be [batch, D], got shape [${mean.shape.join(", ")}]`);
    const [B, D] = mean.shape;
    const s = logStd.shape;
    const fits = (s.length === 1 && s[0] === D) || (s.length === 2 && (s[0] === 1 || s[0] === B) && s[1] === D);
    if (!fits) throw new Error(`DiagGaussian: logStd must be [${D}], [1, ${D}] or [${B}, ${D}], got [${s.join(", ")}]`);
    this.mean = tf.clone(mean);
    this.logStd = s.length === 2 && s[0] === B ? tf.clone(logStd as tf.Tensor2D) : tf.broadcastTo(logStd, [B, D]);
  }

  /** Batch size. */
  get batchSize(): number {
    return this.mean.shape[0];
  }

  /** D, the action dimension. */
  get dim(): number {
    return this.mean.shape[1];
  }

  /** σ = exp(log σ), [batch, D] (new tensor). */
  std(): tf.Tensor2D {
    return tf.exp(this.logStd);
  }

  /**
   * x = μ + σ ⊙ ε, ε ~ N(0, I), [batch, D] (reparameterised: differentiable in μ and log σ).
   * With an {@link Rng}, ε comes from `rng.normal()` (row-major); with a number or nothing, from `tf.randomNormal` seeded by it.
   */
  sample(rng?: Rng | number): tf.Tensor2D {
    const shape: [number, number] = [this.batchSize, this.dim];
    return tf.tidy(() => {
      let eps: tf.Tensor2D;
      if (rng === undefined || typeof rng === "number") eps = tf.randomNormal(shape, 0, 1, "float32", rng);
      else {
        const e = new Float32Array(shape[0] * shape[1]);
        for (let i = 0; i < e.length; i++) e[i] = rng.normal();
        eps = tf.tensor2d(e, shape);
      }
      return tf.add(this.mean, tf.mul(tf.exp(this.logStd), eps));
    });
  }

  /**
   * log N(x; μ, σ²) = −½ Σ_d ((x_d − μ_d)/σ_d)² − Σ_d log σ_d − (D/2) log 2π, [batch].
   * @param x [batch, D].
   */
  logProb(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const z = tf.mul(tf.sub(x, this.mean), tf.exp(tf.neg(this.logStd)));
      const perDim = tf.add(tf.mul(tf.square(z), 0.5), this.logStd);
      return tf.sub(tf.neg(tf.sum(perDim, 1)), 0.5 * this.dim * LOG_2PI) as tf.Tensor1D;
    });
  }

  /** H = Σ_d log σ_d + (D/2)(1 + log 2π), [batch], nats. */
  entropy(): tf.Tensor1D {
    return tf.tidy(() => tf.add(tf.sum(this.logStd, 1), 0.5 * this.dim * (1 + LOG_2PI)) as tf.Tensor1D);
  }

  /**
   * KL(this ‖ other) = Σ_d [log σ_q − log σ_p + (σ_p² + (μ_p − μ_q)²) / (2σ_q²) − ½], [batch], nats.
   * @throws Error when the shapes differ.
   */
  kl(other: DiagGaussian): tf.Tensor1D {
    if (other.mean.shape.join() !== this.mean.shape.join()) throw new Error(`DiagGaussian.kl: shapes [${this.mean.shape}] and [${other.mean.shape}] differ`);
    return tf.tidy(() => {
      const varRatio = tf.exp(tf.mul(tf.sub(this.logStd, other.logStd), 2)); // σ_p² / σ_q²
      const meanTerm = tf.square(tf.mul(tf.sub(this.mean, other.mean), tf.exp(tf.neg(other.logStd)))); // (μ_p − μ_q)² / σ_q²
      const perDim = tf.add(tf.sub(other.logStd, this.logStd), tf.mul(tf.add(varRatio, meanTerm), 0.5));
      return tf.sub(tf.sum(perDim, 1), 0.5 * this.dim) as tf.Tensor1D;
    });
  }

  /** μ, [batch, D] (a copy). */
  mode(): tf.Tensor2D {
    return tf.clone(this.mean);
  }

  /** Frees the tensors held. */
  dispose(): void {
    this.mean.dispose();
    this.logStd.dispose();
  }
}
