/**
 * Segment trees over a fixed number of non-negative priorities: {@link SumTree} (prefix-sum search,
 * for proportional sampling) and {@link MinTree} (running minimum), both with O(log n) updates.
 * They back prioritized experience replay (Schaul et al., "Prioritized Experience Replay", ICLR 2016,
 * Appendix B.2.1: "a 'sum-tree' data structure, where every node is the sum of its children").
 *
 * Layout: an implicit binary heap in a `Float64Array` of length 2P, where P is `capacity` rounded
 * up to a power of two; the root is at index 1 and leaf i at index P + i. Every update recomputes
 * the parents from their children (no running deltas), so sums do not drift however many updates
 * are made.
 */
import type { Rng } from "../random";

/**
 * The implicit binary heap both trees are made of (see the module note): `nodes` has length 2P, P
 * being `capacity` rounded up to a power of two; the root is `nodes[1]`, leaf i is `nodes[P + i]`,
 * and every parent is the sum (`"sum"`) or the minimum (`"min"`) of its two children. Unset leaves
 * hold the identity of that operation (0 or +∞). Not exported: the base of {@link SumTree} and
 * {@link MinTree} only.
 */
abstract class HeapTree {
  /** Number of leaves (items), fixed. */
  readonly capacity: number;
  /** P, the number of leaves of the heap (a power of two ≥ capacity). */
  protected readonly leaves: number;
  /** The 2P nodes (index 0 unused; the root at 1). */
  protected readonly nodes: Float64Array;
  private readonly kind: "sum" | "min";

  /** @throws RangeError unless `capacity` is a positive integer. */
  protected constructor(capacity: number, kind: "sum" | "min") {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    let p = 1;
    while (p < capacity) p *= 2;
    this.leaves = p;
    this.capacity = capacity;
    this.nodes = new Float64Array(2 * p);
    if (kind === "min") this.nodes.fill(Infinity);
    this.kind = kind;
  }

  /** Bytes held by the tree's array. */
  get byteLength(): number {
    return this.nodes.byteLength;
  }

  /** @throws RangeError unless `index` is an integer in [0, capacity). */
  protected checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) {
      throw new RangeError(`index must be an integer in [0, ${this.capacity}), got ${index}`);
    }
  }

  /** Sets leaf `index` to `value` and recomputes its ancestors from their children, O(log n). Unchecked. */
  protected set(index: number, value: number): void {
    const nodes = this.nodes;
    let j = this.leaves + index;
    nodes[j] = value;
    // One loop per operation (not a callback): this runs on every priority update of prioritized replay.
    if (this.kind === "sum") for (j >>= 1; j >= 1; j >>= 1) nodes[j] = nodes[2 * j] + nodes[2 * j + 1];
    else for (j >>= 1; j >= 1; j >>= 1) nodes[j] = Math.min(nodes[2 * j], nodes[2 * j + 1]);
  }
}

/**
 * Sums of priorities over a binary tree: set one priority in O(log n), find the item at a prefix sum
 * in O(log n), and draw items with probability proportional to their priority.
 *
 * @example
 * const tree = new SumTree(4);
 * tree.update(0, 1); tree.update(2, 3);
 * tree.total;      // 4
 * tree.find(0.5);  // 0
 * tree.find(1.5);  // 2
 */
export class SumTree extends HeapTree {
  /** @throws RangeError unless `capacity` is a positive integer. */
  constructor(capacity: number) {
    super(capacity, "sum");
  }

  /** Σ of all priorities (the root). */
  get total(): number {
    return this.nodes[1];
  }

  /** The priority of item `index`. @throws RangeError when `index` is out of range. */
  get(index: number): number {
    this.checkIndex(index);
    return this.nodes[this.leaves + index];
  }

  /**
   * Sets the priority of item `index` and updates its ancestors, O(log n).
   * @throws RangeError when `index` is out of range or `priority` is negative or not finite.
   */
  update(index: number, priority: number): void {
    this.checkIndex(index);
    if (!(priority >= 0) || !Number.isFinite(priority)) throw new RangeError(`priority must be finite and >= 0, got ${priority}`);
    this.set(index, priority);
  }

  /**
   * The item i whose cumulative interval [Σ_{k<i} p_k, Σ_{k≤i} p_k) contains `prefixSum`, O(log n).
   * Items of priority 0 are never returned; a `prefixSum` at or past the total (round-off) gives the
   * last item of positive priority.
   * @throws RangeError when the total is 0 or `prefixSum` is negative or NaN.
   */
  find(prefixSum: number): number {
    const { nodes: tree, leaves } = this;
    if (!(tree[1] > 0)) throw new RangeError("SumTree.find: all priorities are 0");
    if (!(prefixSum >= 0)) throw new RangeError(`SumTree.find: prefixSum must be >= 0, got ${prefixSum}`);
    let u = prefixSum;
    let j = 1;
    while (j < leaves) {
      const left = 2 * j;
      if (u < tree[left] || tree[left + 1] === 0) {
        j = left;
      } else {
        u -= tree[left];
        j = left + 1;
      }
    }
    return j - leaves;
  }

  /**
   * Draws `batchSize` items with P(i) = p_i / Σ p_k by stratified sampling: the range [0, total) is
   * split into `batchSize` equal segments and one prefix sum is drawn uniformly in each (Schaul et al.
   * 2016, Appendix B.2.1).
   *
   * @param out optional array of length ≥ `batchSize` to fill (no allocation).
   * @returns the item indices (`out` when given).
   * @throws RangeError when the total is 0 or `batchSize` is not a positive integer.
   */
  sampleStratified(batchSize: number, rng: Rng, out?: Int32Array): Int32Array {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    const indices = out ?? new Int32Array(batchSize);
    if (indices.length < batchSize) throw new RangeError(`out has length ${indices.length} < batchSize ${batchSize}`);
    const segment = this.total / batchSize;
    for (let k = 0; k < batchSize; k++) indices[k] = this.find((k + rng.random()) * segment);
    return indices;
  }

  /** Draws one item with P(i) = p_i / Σ p_k. @throws RangeError when the total is 0. */
  sample(rng: Rng): number {
    return this.find(rng.random() * this.total);
  }
}

/**
 * Minimum of priorities over a binary tree, O(log n) per update; unset items count as +∞.
 * Prioritized replay uses it for the largest importance weight over the whole buffer.
 */
export class MinTree extends HeapTree {
  /** @throws RangeError unless `capacity` is a positive integer. */
  constructor(capacity: number) {
    super(capacity, "min");
  }

  /** The smallest priority set so far (+∞ when none). */
  get min(): number {
    return this.nodes[1];
  }

  /**
   * Sets the priority of item `index`, O(log n). `Infinity` unsets it.
   * @throws RangeError when `index` is out of range or `priority` is negative or NaN.
   */
  update(index: number, priority: number): void {
    this.checkIndex(index);
    if (!(priority >= 0)) throw new RangeError(`priority must be >= 0, got ${priority}`);
    this.set(index, priority);
  }
}
