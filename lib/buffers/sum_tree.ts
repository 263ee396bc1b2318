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

function leafCount(capacity: number): number {
  if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  let p = 1;
  while (p < capacity) p *= 2;
  return p;
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
export class SumTree {
  /** Number of leaves (items), fixed. */
  readonly capacity: number;
  private readonly leaves: number;
  private readonly tree: Float64Array;

  /** @throws RangeError unless `capacity` is a positive integer. */
  constructor(capacity: number) {
    this.leaves = leafCount(capacity);
    this.capacity = capacity;
    this.tree = new Float64Array(2 * this.leaves);
  }

  /** Σ of all priorities (the root). */
  get total(): number {
    return this.tree[1];
  }

  /** Bytes held by the tree's array. */
  get byteLength(): number {
    return this.tree.byteLength;
  }

  /** The priority of item `index`. @throws RangeError when `index` is out of range. */
  get(index: number): number {
    this.checkIndex(index);
    return this.tree[this.leaves + index];
  }

  /**
   * Sets the priority of item `index` and updates its ancestors, O(log n).
   * @throws RangeError when `index` is out of range or `priority` is negative or not finite.
   */
  update(index: number, priority: number): void {
    this.checkIndex(index);
    if (!(priority >= 0) || !Number.isFinite(priority)) throw new RangeError(`priority must be finite and >= 0, got ${priority}`);
    const tree = this.tree;
    let j = this.leaves + index;
    tree[j] = priority;
    for (j >>= 1; j >= 1; j >>= 1) tree[j] = tree[2 * j] + tree[2 * j + 1];
  }

  /**
   * The item i whose cumulative interval [Σ_{k<i} p_k, Σ_{k≤i} p_k) contains `prefixSum`, O(log n).
   * Items of priority 0 are never returned; a `prefixSum` at or past the total (round-off) gives the
   * last item of positive priority.
   * @throws RangeError when the total is 0 or `prefixSum` is negative or NaN.
   */
  find(prefixSum: number): number {
    const tree = this.tree;
    if (!(tree[1] > 0)) throw new RangeError("SumTree.find: all priorities are 0");
    if (!(prefixSum >= 0)) throw new RangeError(`SumTree.find: prefixSum must be >= 0, got ${prefixSum}`);
    let u = prefixSum;
    let j = 1;
    while (j < this.leaves) {
      const left = 2 * j;
      if (u < tree[left] || tree[left + 1] === 0) {
        j = left;
      } else {
        u -= tree[left];
        j = left + 1;
      }
    }
    return j - this.leaves;
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

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) {
      throw new RangeError(`index must be an integer in [0, ${this.capacity}), got ${index}`);
    }
  }
}

/**
 * Minimum of priorities over a binary tree, O(log n) per update; unset items count as +∞.
 * Prioritized replay uses it for the largest importance weight over the whole buffer.
 */
export class MinTree {
  /** Number of leaves (items), fixed. */
  readonly capacity: number;
  private readonly leaves: number;
  private readonly tree: Float64Array;

  /** @throws RangeError unless `capacity` is a positive integer. */
  constructor(capacity: number) {
    this.leaves = leafCount(capacity);
    this.capacity = capacity;
    this.tree = new Float64Array(2 * this.leaves).fill(Infinity);
  }

  /** The smallest priority set so far (+∞ when none). */
  get min(): number {
    return this.tree[1];
  }

  /** Bytes held by the tree's array. */
  get byteLength(): number {
    return this.tree.byteLength;
  }

  /**
   * Sets the priority of item `index`, O(log n). `Infinity` unsets it.
   * @throws RangeError when `index` is out of range or `priority` is negative or NaN.
   */
  update(index: number, priority: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) {
      throw new RangeError(`index must be an integer in [0, ${this.capacity}), got ${index}`);
    }
    if (!(priority >= 0)) throw new RangeError(`priority must be >= 0, got ${priority}`);
    const tree = this.tree;
    let j = this.leaves + index;
    tree[j] = priority;
    for (j >>= 1; j >= 1; j >>= 1) tree[j] = Math.min(tree[2 * j], tree[2 * j + 1]);
  }
}
