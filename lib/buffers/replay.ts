/**
 * Experience replay (Lin 1992; Mnih et al., "Human-level control through deep reinforcement
 * learning", Nature 2015): a fixed-capacity circular store of transitions (s, a, r, s', terminated)
 * in preallocated typed arrays, sampled uniformly with replacement.
 *
 * Store `terminated` only: a transition cut by a time limit is stored with `terminated = false` and
 * `nextObs` = the final observation, so its target bootstraps from Q(s', ·).
 *
 * Memory: (2·obsDim + actionDim + 1)·4 + 1 bytes per transition, e.g. 41 bytes for CartPole
 * (obsDim 4, one discrete action): one million transitions take 41 MB.
 */
import type { Rng } from "../random";

/** The action store: `Int32Array` for discrete actions, `Float32Array` for continuous ones. */
export type ActionArray = Int32Array | Float32Array;

/** Options of {@link ReplayBuffer}. */
export interface ReplayBufferOptions {
  /** Maximum number of transitions; the oldest are overwritten once full. */
  capacity: number;
  /** Numbers per observation (1 for a Discrete observation space). */
  obsDim: number;
  /** Numbers per action; default 1. */
  actionDim?: number;
  /** Integer actions in an `Int32Array` (default `true`); `false`: real actions in a `Float32Array`. */
  discrete?: boolean;
}

/**
 * A sampled batch of B transitions, row-major, ready for `tf.tensor2d(batch.obs, [B, obsDim])`.
 * @typeParam A the action array type.
 */
export interface ReplayBatch<A extends ActionArray = ActionArray> {
  /** Number of transitions B. */
  size: number;
  /** s, B×obsDim. */
  obs: Float32Array;
  /** a, B×actionDim. */
  actions: A;
  /** r, length B. */
  rewards: Float32Array;
  /** s', B×obsDim. */
  nextObs: Float32Array;
  /** 1 where s' is terminal, else 0 (float, for `(1 − terminated)` masks), length B. */
  terminated: Float32Array;
  /** The buffer slots the transitions came from, length B. */
  indices: Int32Array;
}

/** Transitions to add at once: n = `rewards.length`, the other fields n×(their width). */
export interface TransitionBatch {
  /** s, n×obsDim. */
  obs: ArrayLike<number>;
  /** a, n×actionDim. */
  actions: ArrayLike<number>;
  /** r, length n. */
  rewards: ArrayLike<number>;
  /** s', n×obsDim. */
  nextObs: ArrayLike<number>;
  /** terminated flags, length n. */
  terminated: ArrayLike<boolean | number>;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * A circular replay buffer on typed arrays.
 *
 * @typeParam A `Int32Array` (discrete actions) or `Float32Array` (continuous), matching `discrete`.
 *
 * @example
 * const buffer = new ReplayBuffer<Int32Array>({ capacity: 10_000, obsDim: 4 });
 * buffer.add(obs, action, reward, nextObs, terminated);
 * const batch = buffer.sample(128, rng); // batch.obs: Float32Array(128 × 4)
 */
export class ReplayBuffer<A extends ActionArray = ActionArray> {
  /** Maximum number of transitions. */
  readonly capacity: number;
  /** Numbers per observation. */
  readonly obsDim: number;
  /** Numbers per action. */
  readonly actionDim: number;
  /** Whether actions are integers. */
  readonly discrete: boolean;
  /** s of each slot, capacity×obsDim. */
  readonly obs: Float32Array;
  /** s' of each slot, capacity×obsDim. */
  readonly nextObs: Float32Array;
  /** a of each slot, capacity×actionDim. */
  readonly actions: A;
  /** r of each slot. */
  readonly rewards: Float32Array;
  /** terminated flag (0/1) of each slot. */
  readonly terminated: Uint8Array;
  private pos = 0;
  private count = 0;

  /** @throws RangeError unless capacity, obsDim and actionDim are positive integers. */
  constructor(options: ReplayBufferOptions) {
    this.capacity = positiveInt("capacity", options.capacity);
    this.obsDim = positiveInt("obsDim", options.obsDim);
    this.actionDim = positiveInt("actionDim", options.actionDim ?? 1);
    this.discrete = options.discrete ?? true;
    this.obs = new Float32Array(this.capacity * this.obsDim);
    this.nextObs = new Float32Array(this.capacity * this.obsDim);
    this.actions = (this.discrete ? new Int32Array(this.capacity * this.actionDim) : new Float32Array(this.capacity * this.actionDim)) as A;
    this.rewards = new Float32Array(this.capacity);
    this.terminated = new Uint8Array(this.capacity);
  }

  /** Number of transitions stored (≤ capacity). */
  get size(): number {
    return this.count;
  }

  /** The slot the next transition goes to. */
  get position(): number {
    return this.pos;
  }

  /** Bytes held by the buffer's arrays. */
  get byteLength(): number {
    return this.obs.byteLength + this.nextObs.byteLength + this.actions.byteLength + this.rewards.byteLength + this.terminated.byteLength;
  }

  /**
   * Stores one transition, overwriting the oldest when full.
   * @param action an integer (or d numbers for actionDim d).
   * @returns the slot written.
   * @throws RangeError when `obs`/`nextObs`/`action` have the wrong length.
   */
  add(obs: ArrayLike<number>, action: number | ArrayLike<number>, reward: number, nextObs: ArrayLike<number>, terminated: boolean | number): number {
    const d = this.obsDim;
    if (obs.length !== d || nextObs.length !== d) throw new RangeError(`obs and nextObs must have length obsDim = ${d}, got ${obs.length} and ${nextObs.length}`);
    const slot = this.pos;
    const o = slot * d;
    for (let k = 0; k < d; k++) {
      this.obs[o + k] = obs[k];
      this.nextObs[o + k] = nextObs[k];
    }
    const m = this.actionDim;
    if (typeof action === "number") {
      if (m !== 1) throw new RangeError(`action must have length actionDim = ${m}`);
      this.actions[slot] = action;
    } else {
      if (action.length !== m) throw new RangeError(`action must have length actionDim = ${m}, got ${action.length}`);
      for (let k = 0; k < m; k++) this.actions[slot * m + k] = action[k];
    }
    this.rewards[slot] = reward;
    this.terminated[slot] = terminated ? 1 : 0;
    this.advance(1);
    return slot;
  }

  /**
   * Stores n transitions (e.g. one step of a vector env), in order; wraps around when full.
   * @returns the first slot written; transition k went to `(first + k) % capacity`.
   * @throws RangeError when the fields' lengths do not agree with n = `rewards.length`.
   */
  addBatch(batch: TransitionBatch): number {
    const n = batch.rewards.length;
    const d = this.obsDim;
    const m = this.actionDim;
    if (batch.obs.length !== n * d || batch.nextObs.length !== n * d) {
      throw new RangeError(`obs and nextObs must have length n×obsDim = ${n * d}, got ${batch.obs.length} and ${batch.nextObs.length}`);
    }
    if (batch.actions.length !== n * m) throw new RangeError(`actions must have length n×actionDim = ${n * m}, got ${batch.actions.length}`);
    if (batch.terminated.length !== n) throw new RangeError(`terminated must have length n = ${n}, got ${batch.terminated.length}`);
    const first = this.pos;
    for (let j = 0; j < n; j++) {
      const slot = this.pos;
      for (let k = 0; k < d; k++) {
        this.obs[slot * d + k] = batch.obs[j * d + k];
        this.nextObs[slot * d + k] = batch.nextObs[j * d + k];
      }
      for (let k = 0; k < m; k++) this.actions[slot * m + k] = batch.actions[j * m + k];
      this.rewards[slot] = batch.rewards[j];
      this.terminated[slot] = batch.terminated[j] ? 1 : 0;
      this.advance(1);
    }
    return first;
  }

  /**
   * Draws `batchSize` transitions uniformly with replacement.
   * @param out a batch from an earlier call with the same `batchSize`, to refill without allocating.
   * @throws RangeError when the buffer is empty or `batchSize` is not a positive integer.
   */
  sample(batchSize: number, rng: Rng, out?: ReplayBatch<A>): ReplayBatch<A> {
    positiveInt("batchSize", batchSize);
    if (this.count === 0) throw new RangeError("cannot sample from an empty replay buffer");
    const batch = out ?? this.allocBatch(batchSize);
    if (batch.size !== batchSize) throw new RangeError(`out holds ${batch.size} transitions, batchSize is ${batchSize}`);
    const indices = batch.indices;
    for (let b = 0; b < batchSize; b++) indices[b] = rng.integers(0, this.count);
    return this.gather(indices, batch);
  }

  /** A batch of `batchSize` zeroed transitions with this buffer's widths, to pass to {@link sample} or {@link gather}. */
  allocBatch(batchSize: number): ReplayBatch<A> {
    positiveInt("batchSize", batchSize);
    return {
      size: batchSize,
      obs: new Float32Array(batchSize * this.obsDim),
      actions: (this.discrete ? new Int32Array(batchSize * this.actionDim) : new Float32Array(batchSize * this.actionDim)) as A,
      rewards: new Float32Array(batchSize),
      nextObs: new Float32Array(batchSize * this.obsDim),
      terminated: new Float32Array(batchSize),
      indices: new Int32Array(batchSize),
    };
  }

  /**
   * Copies the transitions at slots `indices` into `out` (allocated when omitted); `out.indices`
   * receives a copy of `indices` unless it is the same array.
   * @throws RangeError when an index is not a filled slot or `out` has a different size.
   */
  gather(indices: ArrayLike<number>, out?: ReplayBatch<A>): ReplayBatch<A> {
    const n = indices.length;
    const batch = out ?? this.allocBatch(n);
    if (batch.size !== n) throw new RangeError(`out holds ${batch.size} transitions, got ${n} indices`);
    const d = this.obsDim;
    const m = this.actionDim;
    for (let b = 0; b < n; b++) {
      const i = indices[b];
      if (!(i >= 0 && i < this.count) || !Number.isInteger(i)) throw new RangeError(`index ${i} is not a filled slot (size ${this.count})`);
      for (let k = 0; k < d; k++) {
        batch.obs[b * d + k] = this.obs[i * d + k];
        batch.nextObs[b * d + k] = this.nextObs[i * d + k];
      }
      for (let k = 0; k < m; k++) batch.actions[b * m + k] = this.actions[i * m + k];
      batch.rewards[b] = this.rewards[i];
      batch.terminated[b] = this.terminated[i];
      if (batch.indices !== indices) batch.indices[b] = i;
    }
    return batch;
  }

  /** Forgets every transition (the arrays keep their contents until overwritten). */
  clear(): void {
    this.pos = 0;
    this.count = 0;
  }

  private advance(n: number): void {
    this.pos = (this.pos + n) % this.capacity;
    this.count = Math.min(this.count + n, this.capacity);
  }
}
