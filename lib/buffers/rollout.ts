/**
 * Rollout buffer for on-policy methods (A2C, PPO): `numSteps × numEnvs` transitions collected by the
 * current policy from a vector env, stored step-major (transition t of env e at flat index
 * `t * numEnvs + e`, as `gae` of `returns.ts` expects), the advantages computed from it, and
 * shuffled minibatches over the flat indices (CleanRL `ppo.py`:
 * `b_inds = np.arange(batch_size); np.random.shuffle(b_inds)`).
 *
 * It does not compute advantages itself (buffers sit above `returns.ts` in the module order):
 * `gae({ ...buffer.rollout(), lastValues, gamma, gaeLambda })`, then {@link RolloutBuffer.setAdvantages}.
 */
import type { Rng } from "../random";
import type { ActionArray } from "./replay";

/** Options of {@link RolloutBuffer}. */
export interface RolloutBufferOptions {
  /** T, steps per env per rollout. */
  numSteps: number;
  /** N, number of envs. */
  numEnvs: number;
  /** Numbers per observation (1 for a Discrete observation space). */
  obsDim: number;
  /** Numbers per action: 1 for a Discrete action space (default), d for a Box of dimension d. */
  actionDim?: number;
  /** Integer actions in an `Int32Array` (default `true`); `false`: real actions in a `Float32Array`. */
  discrete?: boolean;
}

/** One step of every env, as {@link RolloutBuffer.add} takes it (each field has one entry, or row, per env). */
export interface RolloutStep {
  /** s_t, numEnvs×obsDim: the observations the actions were chosen from. */
  obs: ArrayLike<number>;
  /** a_t, numEnvs×actionDim. */
  actions: ArrayLike<number>;
  /** log π(a_t | s_t) under the policy that acted, numEnvs. */
  logProbs: ArrayLike<number>;
  /** r_t, numEnvs. */
  rewards: ArrayLike<number>;
  /** terminated flags of the step, numEnvs. */
  terminated: ArrayLike<boolean | number>;
  /** truncated flags of the step, numEnvs. */
  truncated: ArrayLike<boolean | number>;
  /** V(s_t), numEnvs. */
  values: ArrayLike<number>;
  /** V(final observation) where truncated (other entries ignored), numEnvs; required when some env is truncated and terminated is false. */
  finalValues?: ArrayLike<number>;
}

/** Gathered minibatch rows; every array is row-major with B rows. */
export interface RolloutMinibatch<A extends ActionArray = ActionArray> {
  /** B, the number of transitions. */
  size: number;
  /** Flat indices t·numEnvs + e of the rows. */
  indices: Int32Array;
  /** B×obsDim. */
  obs: Float32Array;
  /** B×actionDim. */
  actions: A;
  /** log π_old(a|s), B. */
  logProbs: Float32Array;
  /** Â, B. */
  advantages: Float32Array;
  /** Value targets Â + V, B. */
  returns: Float32Array;
  /** V_old(s), B. */
  values: Float32Array;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Fixed-size storage of one rollout.
 *
 * @typeParam A `Int32Array` (discrete actions) or `Float32Array` (continuous), matching `discrete`.
 *
 * @example
 * const buf = new RolloutBuffer<Int32Array>({ numSteps: 128, numEnvs: 4, obsDim: 4 });
 * for (let t = 0; t < 128; t++) buf.add({ obs, actions, logProbs, rewards, terminated, truncated, values, finalValues });
 * const { advantages, returns } = gae({ ...buf.rollout(), lastValues, gamma: 0.99, gaeLambda: 0.95 });
 * buf.setAdvantages(advantages, returns);
 * for (let epoch = 0; epoch < 4; epoch++) for (const mb of buf.minibatches(128, rng)) { … }
 * buf.reset();
 */
export class RolloutBuffer<A extends ActionArray = ActionArray> {
  /** T, steps per env. */
  readonly numSteps: number;
  /** N, number of envs. */
  readonly numEnvs: number;
  /** Numbers per observation. */
  readonly obsDim: number;
  /** Numbers per action. */
  readonly actionDim: number;
  /** Whether actions are integers (`Int32Array`). */
  readonly discrete: boolean;
  /** s_t, (T·N)×obsDim. */
  readonly obs: Float32Array;
  /** a_t, (T·N)×actionDim. */
  readonly actions: A;
  /** log π_old(a_t|s_t), T·N. */
  readonly logProbs: Float32Array;
  /** r_t, T·N (float64: the env's rewards unrounded). */
  readonly rewards: Float64Array;
  /** 0/1, T·N. */
  readonly terminated: Uint8Array;
  /** 0/1, T·N. */
  readonly truncated: Uint8Array;
  /** V_old(s_t), T·N. */
  readonly values: Float32Array;
  /** V(final observation) at truncated transitions (0 elsewhere), T·N. */
  readonly finalValues: Float32Array;
  /** Â_t after {@link setAdvantages}, T·N. */
  readonly advantages: Float32Array;
  /** Â_t + V(s_t) after {@link setAdvantages}, T·N. */
  readonly returns: Float32Array;
  private stepCount = 0;

  /** @throws RangeError unless the sizes are positive integers. */
  constructor(options: RolloutBufferOptions) {
    this.numSteps = positiveInt("numSteps", options.numSteps);
    this.numEnvs = positiveInt("numEnvs", options.numEnvs);
    this.obsDim = positiveInt("obsDim", options.obsDim);
    this.actionDim = positiveInt("actionDim", options.actionDim ?? 1);
    this.discrete = options.discrete ?? true;
    const n = this.numSteps * this.numEnvs;
    this.obs = new Float32Array(n * this.obsDim);
    this.actions = (this.discrete ? new Int32Array(n * this.actionDim) : new Float32Array(n * this.actionDim)) as A;
    this.logProbs = new Float32Array(n);
    this.rewards = new Float64Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.values = new Float32Array(n);
    this.finalValues = new Float32Array(n);
    this.advantages = new Float32Array(n);
    this.returns = new Float32Array(n);
  }

  /** T·N, the number of transitions of a full rollout. */
  get batchSize(): number {
    return this.numSteps * this.numEnvs;
  }

  /** Number of steps added since the last {@link reset}. */
  get step(): number {
    return this.stepCount;
  }

  /** Whether all numSteps steps have been added. */
  get full(): boolean {
    return this.stepCount === this.numSteps;
  }

  /**
   * Stores one step of every env at the next step index.
   * @throws RangeError when the buffer is full, a field has the wrong length, or a truncated step
   * lacks `finalValues`.
   */
  add(step: RolloutStep): void {
    if (this.full) throw new RangeError(`the rollout buffer is full (${this.numSteps} steps): call reset()`);
    const N = this.numEnvs;
    const d = this.obsDim;
    const m = this.actionDim;
    const check = (name: string, a: ArrayLike<unknown> | undefined, len: number) => {
      if (a !== undefined && a.length !== len) throw new RangeError(`${name} has length ${a.length}, expected ${len}`);
    };
    check("obs", step.obs, N * d);
    check("actions", step.actions, N * m);
    check("logProbs", step.logProbs, N);
    check("rewards", step.rewards, N);
    check("terminated", step.terminated, N);
    check("truncated", step.truncated, N);
    check("values", step.values, N);
    check("finalValues", step.finalValues, N);
    if (step.finalValues === undefined) {
      for (let e = 0; e < N; e++) {
        if (step.truncated[e] && !step.terminated[e]) throw new RangeError(`env ${e} was truncated: pass finalValues (V of its final observation)`);
      }
    }
    const base = this.stepCount * N;
    this.obs.set(step.obs, base * d);
    this.actions.set(step.actions, base * m);
    for (let e = 0; e < N; e++) {
      const i = base + e;
      const term = step.terminated[e] ? 1 : 0;
      const trunc = step.truncated[e] ? 1 : 0;
      this.logProbs[i] = step.logProbs[e];
      this.rewards[i] = step.rewards[e];
      this.terminated[i] = term;
      this.truncated[i] = trunc;
      this.values[i] = step.values[e];
      this.finalValues[i] = trunc && !term ? step.finalValues![e] : 0;
    }
    this.stepCount++;
  }

  /**
   * The stored rollout in the form the functions of `returns.ts` take (the arrays themselves, not
   * copies), so that advantages are computed in plain sight:
   * @example
   * const { advantages, returns } = gae({ ...buf.rollout(), lastValues, gamma: 0.99, gaeLambda: 0.95 });
   * buf.setAdvantages(advantages, returns);
   * @throws RangeError when the buffer is not full.
   */
  rollout(): {
    rewards: Float64Array;
    values: Float32Array;
    terminated: Uint8Array;
    truncated: Uint8Array;
    finalValues: Float32Array;
    numSteps: number;
    numEnvs: number;
  } {
    if (!this.full) throw new RangeError(`the rollout holds ${this.stepCount} of ${this.numSteps} steps`);
    const { rewards, values, terminated, truncated, finalValues, numSteps, numEnvs } = this;
    return { rewards, values, terminated, truncated, finalValues, numSteps, numEnvs };
  }

  /**
   * Stores the advantages Â and value targets (returns) of the rollout, e.g. from `gae`, step-major.
   * @throws RangeError when a length is not numSteps·numEnvs.
   */
  setAdvantages(advantages: ArrayLike<number>, returns: ArrayLike<number>): void {
    const n = this.batchSize;
    if (advantages.length !== n || returns.length !== n) {
      throw new RangeError(`advantages and returns must have length numSteps·numEnvs = ${n}, got ${advantages.length} and ${returns.length}`);
    }
    this.advantages.set(advantages);
    this.returns.set(returns);
  }

  /**
   * Shuffled flat indices in chunks of `batchSize` (the last chunk is smaller when T·N is not a
   * multiple): one epoch over the rollout, each transition exactly once.
   * @throws RangeError when `batchSize` is not a positive integer.
   */
  *minibatchIndices(batchSize: number, rng: Rng): Generator<Int32Array> {
    positiveInt("batchSize", batchSize);
    const order = rng.permutation(this.batchSize);
    for (let start = 0; start < order.length; start += batchSize) yield order.subarray(start, Math.min(start + batchSize, order.length));
  }

  /**
   * One epoch of shuffled minibatches, gathered into typed arrays (see {@link minibatchIndices}).
   * @throws RangeError when `batchSize` is not a positive integer.
   */
  *minibatches(batchSize: number, rng: Rng): Generator<RolloutMinibatch<A>> {
    for (const indices of this.minibatchIndices(batchSize, rng)) yield this.gather(indices);
  }

  /**
   * Copies the rows at flat `indices` into new typed arrays.
   * @throws RangeError when an index is outside [0, T·N).
   */
  gather(indices: ArrayLike<number>): RolloutMinibatch<A> {
    const B = indices.length;
    const d = this.obsDim;
    const m = this.actionDim;
    const out: RolloutMinibatch<A> = {
      size: B,
      indices: Int32Array.from(indices),
      obs: new Float32Array(B * d),
      actions: (this.discrete ? new Int32Array(B * m) : new Float32Array(B * m)) as A,
      logProbs: new Float32Array(B),
      advantages: new Float32Array(B),
      returns: new Float32Array(B),
      values: new Float32Array(B),
    };
    const n = this.batchSize;
    for (let b = 0; b < B; b++) {
      const i = indices[b];
      if (!(i >= 0 && i < n) || !Number.isInteger(i)) throw new RangeError(`index ${i} is outside [0, ${n})`);
      for (let k = 0; k < d; k++) out.obs[b * d + k] = this.obs[i * d + k];
      for (let k = 0; k < m; k++) out.actions[b * m + k] = this.actions[i * m + k];
      out.logProbs[b] = this.logProbs[i];
      out.advantages[b] = this.advantages[i];
      out.returns[b] = this.returns[i];
      out.values[b] = this.values[i];
    }
    return out;
  }

  /** Starts a new rollout (step 0); the arrays are overwritten by later {@link add}s. */
  reset(): void {
    this.stepCount = 0;
  }
}
