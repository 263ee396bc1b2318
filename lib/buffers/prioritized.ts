/**
 * Prioritized experience replay, proportional variant (Schaul et al., "Prioritized Experience
 * Replay", ICLR 2016):
 * - priority p_i = |δ_i| + ε of the transition's last TD error δ_i (§3.3);
 * - sampling probability P(i) = p_i^α / Σ_k p_k^α (eq. 1), drawn by stratified sampling from a
 *   {@link SumTree} holding p_i^α (Appendix B.2.1);
 * - importance-sampling weights w_i = (N · P(i))^−β, normalised by their maximum (§3.4); β is
 *   annealed from β₀ to 1 by the caller, who passes the current β to {@link PrioritizedReplayBuffer.sample};
 * - a new transition gets the largest priority seen so far, so it is replayed at least once soon
 *   (Algorithm 1, line 6).
 */
import type { Rng } from "../random";
import { type ActionArray, ReplayBuffer, type ReplayBatch, type ReplayBufferOptions, type TransitionBatch } from "./replay";
import { MinTree, SumTree } from "./sum_tree";

/** Options of {@link PrioritizedReplayBuffer}. */
export interface PrioritizedReplayOptions extends ReplayBufferOptions {
  /** α ≥ 0: how much prioritisation is used (0 = uniform); default 0.6 (the paper's proportional variant). */
  alpha?: number;
  /** ε > 0 added to |δ| so that no transition has probability 0; default 1e-6. */
  epsilon?: number;
  /**
   * What the weights are divided by: `"batch"` (default) the largest w_i in the sampled batch;
   * `"buffer"` the largest possible w over the whole buffer, (N · min_k P(k))^−β, as OpenAI Baselines.
   */
  weightNormalization?: "batch" | "buffer";
}

/** A prioritized batch: a {@link ReplayBatch} plus the importance-sampling weights. */
export interface PrioritizedBatch<A extends ActionArray = ActionArray> extends ReplayBatch<A> {
  /** w_i / max w, length B, in (0, 1]. */
  weights: Float32Array;
}

/**
 * A replay buffer whose sampling probability follows each transition's TD error.
 *
 * @example
 * const per = new PrioritizedReplayBuffer<Int32Array>({ capacity: 100_000, obsDim: 4, alpha: 0.6 });
 * per.add(obs, action, reward, nextObs, terminated);
 * const batch = per.sample(32, rng, beta);            // beta annealed by the caller towards 1
 * // … loss = mean(batch.weights · δ²) …
 * per.updatePriorities(batch.indices, tdErrors);
 */
export class PrioritizedReplayBuffer<A extends ActionArray = ActionArray> {
  /** The transitions (uniform {@link ReplayBuffer} storage). */
  readonly storage: ReplayBuffer<A>;
  /** p_i^α of every slot. */
  readonly tree: SumTree;
  /** α. */
  readonly alpha: number;
  /** ε. */
  readonly epsilon: number;
  /** See {@link PrioritizedReplayOptions.weightNormalization}. */
  readonly weightNormalization: "batch" | "buffer";
  private readonly minTree: MinTree;
  private maxSeen = 1;

  /** @throws RangeError when α < 0, ε ≤ 0, or as {@link ReplayBuffer}. */
  constructor(options: PrioritizedReplayOptions) {
    this.storage = new ReplayBuffer<A>(options);
    this.alpha = options.alpha ?? 0.6;
    this.epsilon = options.epsilon ?? 1e-6;
    this.weightNormalization = options.weightNormalization ?? "batch";
    if (!(this.alpha >= 0) || !Number.isFinite(this.alpha)) throw new RangeError(`alpha must be finite and >= 0, got ${this.alpha}`);
    if (!(this.epsilon > 0)) throw new RangeError(`epsilon must be > 0, got ${this.epsilon}`);
    if (this.weightNormalization !== "batch" && this.weightNormalization !== "buffer") {
      throw new RangeError(`weightNormalization must be "batch" or "buffer", got ${String(this.weightNormalization)}`);
    }
    this.tree = new SumTree(this.storage.capacity);
    this.minTree = new MinTree(this.storage.capacity);
  }

  /** Number of transitions stored. */
  get size(): number {
    return this.storage.size;
  }

  /** Maximum number of transitions. */
  get capacity(): number {
    return this.storage.capacity;
  }

  /** The largest priority p = |δ| + ε seen so far (1 before any update), given to new transitions. */
  get maxPriority(): number {
    return this.maxSeen;
  }

  /** Bytes held by the transitions and both trees. */
  get byteLength(): number {
    return this.storage.byteLength + this.tree.byteLength + this.minTree.byteLength;
  }

  /** Stores one transition with the maximal priority (see {@link ReplayBuffer.add}). @returns its slot. */
  add(obs: ArrayLike<number>, action: number | ArrayLike<number>, reward: number, nextObs: ArrayLike<number>, terminated: boolean | number): number {
    const slot = this.storage.add(obs, action, reward, nextObs, terminated);
    this.setPriority(slot, this.maxSeen);
    return slot;
  }

  /** Stores n transitions with the maximal priority (see {@link ReplayBuffer.addBatch}). @returns the first slot. */
  addBatch(batch: TransitionBatch): number {
    const first = this.storage.addBatch(batch);
    const n = batch.rewards.length;
    for (let k = Math.max(0, n - this.capacity); k < n; k++) this.setPriority((first + k) % this.capacity, this.maxSeen);
    return first;
  }

  /** P(i) = p_i^α / Σ_k p_k^α of slot `index`. */
  probability(index: number): number {
    return this.tree.get(index) / this.tree.total;
  }

  /**
   * Draws `batchSize` transitions with P(i) ∝ p_i^α (stratified) and their importance weights
   * w_i = (N · P(i))^−β / max w, N = {@link size}.
   *
   * @param beta β ∈ [0, 1] (0: no correction, 1: full correction).
   * @param out a batch from an earlier call with the same size, to refill without allocating.
   * @throws RangeError when the buffer is empty, β is outside [0, 1], or `batchSize` is not a positive integer.
   */
  sample(batchSize: number, rng: Rng, beta: number, out?: PrioritizedBatch<A>): PrioritizedBatch<A> {
    if (!(beta >= 0 && beta <= 1)) throw new RangeError(`beta must be in [0, 1], got ${beta}`);
    if (this.size === 0) throw new RangeError("cannot sample from an empty replay buffer");
    const batch = out ?? { ...this.storage.allocBatch(batchSize), weights: new Float32Array(batchSize) };
    if (batch.size !== batchSize) throw new RangeError(`out holds ${batch.size} transitions, batchSize is ${batchSize}`);
    this.tree.sampleStratified(batchSize, rng, batch.indices);
    this.storage.gather(batch.indices, batch);
    const total = this.tree.total;
    const n = this.size;
    let maxWeight = 0;
    const raw = batch.weights;
    // Compute in float64, store the normalised values in float32.
    if (this.weightNormalization === "buffer") maxWeight = Math.pow((n * this.minTree.min) / total, -beta);
    else {
      for (let b = 0; b < batchSize; b++) maxWeight = Math.max(maxWeight, Math.pow((n * this.tree.get(batch.indices[b])) / total, -beta));
    }
    for (let b = 0; b < batchSize; b++) raw[b] = Math.pow((n * this.tree.get(batch.indices[b])) / total, -beta) / maxWeight;
    return batch;
  }

  /**
   * Sets p_i = |δ_i| + ε for the sampled slots (after computing their new TD errors δ).
   * @throws RangeError when the lengths differ, a slot is not filled, or a δ is not finite.
   */
  updatePriorities(indices: ArrayLike<number>, tdErrors: ArrayLike<number>): void {
    if (indices.length !== tdErrors.length) throw new RangeError(`indices (${indices.length}) and tdErrors (${tdErrors.length}) differ in length`);
    for (let b = 0; b < indices.length; b++) {
      const i = indices[b];
      if (!(i >= 0 && i < this.size) || !Number.isInteger(i)) throw new RangeError(`index ${i} is not a filled slot (size ${this.size})`);
      const delta = tdErrors[b];
      if (!Number.isFinite(delta)) throw new RangeError(`tdErrors[${b}] = ${delta} is not finite`);
      const p = Math.abs(delta) + this.epsilon;
      this.setPriority(i, p);
      if (p > this.maxSeen) this.maxSeen = p;
    }
  }

  private setPriority(slot: number, p: number): void {
    const q = Math.pow(p, this.alpha);
    this.tree.update(slot, q);
    this.minTree.update(slot, q);
  }
}
