/**
 * Rollout buffer for on-policy methods (A2C, PPO, TRPO): `numSteps × numEnvs` steps collected by the
 * current policy from a vector env with next-step autoreset (Gymnasium 1.x's default), stored
 * step-major (step t of env e at flat index `t * numEnvs + e`, as `gae` of `returns.ts` expects).
 * The buffer owns the rest of the data path of an on-policy update: it knows which rows are reset
 * steps, computes GAE(γ, λ) over the rollout ({@link RolloutBuffer.computeAdvantages}), gathers the
 * real transitions into one batch ({@link RolloutBuffer.batch}) and iterates shuffled minibatches of
 * it ({@link RolloutBatch.minibatches}; CleanRL `ppo.py`: `np.random.shuffle(b_inds)`, then slices).
 *
 * Next-step autoreset: the step after an episode end is a reset step: the env ignores its action,
 * returns reward 0 and the first observation of the new episode, and the observation stored for that
 * row is the final observation of the episode that ended. So V of that row is what a truncated
 * episode bootstraps from (`shiftValues`), and the row itself (not a transition of the MDP) is flagged
 * in {@link RolloutBuffer.resetSteps} and left out of every batch.
 */
import type { Rng } from "../random";
import { type FloatArray, gae, shiftValues } from "../returns";
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
  /** s_t, numEnvs×obsDim: the observations the actions were chosen from (on a reset step: the final observation of the episode that ended). */
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
}

/** A rollout in the form the advantage estimators take (`RolloutBuffer.rollout` hands over the buffer's own arrays). */
export interface Rollout {
  /** r_t, T·N (0 on reset steps). */
  rewards: ArrayLike<number>;
  /** V(s_t), T·N. On a reset step s_t is the final observation of the episode that just ended. */
  values: ArrayLike<number>;
  /** T·N flags. */
  terminated: ArrayLike<boolean | number>;
  /** T·N flags. */
  truncated: ArrayLike<boolean | number>;
  /** T·N flags: 1 where the vector env reset the env instead of stepping it. */
  resetSteps: ArrayLike<boolean | number>;
  /** V(s_T) of the observation after the last step, N. */
  lastValues: ArrayLike<number>;
  /** T. */
  numSteps: number;
  /** N. */
  numEnvs: number;
}

/** Gathered rows; every array is row-major with `size` rows. */
export interface RolloutRows<A extends ActionArray = ActionArray> {
  /** The number of rows. */
  size: number;
  /** rows×obsDim. */
  obs: Float32Array;
  /** rows×actionDim. */
  actions: A;
  /** log π_old(a|s). */
  logProbs: Float32Array;
  /** Â. */
  advantages: Float32Array;
  /** Value targets Â + V. */
  returns: Float32Array;
  /** V_old(s). */
  values: Float32Array;
}

/** One minibatch of a {@link RolloutBatch}: gathered rows and each row's position in the batch. */
export type RolloutMinibatch<A extends ActionArray = ActionArray> = RolloutRows<A> & {
  /** The rows' positions in the batch. */
  rows: Int32Array;
};

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function allocRows<A extends ActionArray>(size: number, obsDim: number, actionDim: number, discrete: boolean): RolloutRows<A> {
  return {
    size,
    obs: new Float32Array(size * obsDim),
    actions: (discrete ? new Int32Array(size * actionDim) : new Float32Array(size * actionDim)) as A,
    logProbs: new Float32Array(size),
    advantages: new Float32Array(size),
    returns: new Float32Array(size),
    values: new Float32Array(size),
  };
}

/** Copies row `from` of `src` into row `to` of `dst`. */
function copyRow<A extends ActionArray>(src: RolloutRows<A>, from: number, dst: RolloutRows<A>, to: number, obsDim: number, actionDim: number): void {
  dst.obs.set(src.obs.subarray(from * obsDim, (from + 1) * obsDim), to * obsDim);
  for (let k = 0; k < actionDim; k++) dst.actions[to * actionDim + k] = src.actions[from * actionDim + k];
  dst.logProbs[to] = src.logProbs[from];
  dst.advantages[to] = src.advantages[from];
  dst.returns[to] = src.returns[from];
  dst.values[to] = src.values[from];
}

/**
 * The real transitions of one rollout (reset steps left out), in step-major order: what an on-policy
 * update trains on.
 */
export class RolloutBatch<A extends ActionArray = ActionArray> implements RolloutRows<A> {
  readonly size: number;
  readonly obs: Float32Array;
  readonly actions: A;
  readonly logProbs: Float32Array;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
  readonly values: Float32Array;

  /**
   * @param rows the gathered rows. @param indices each row's flat rollout index t·N + e.
   * @param obsDim numbers per observation. @param actionDim numbers per action.
   */
  constructor(
    rows: RolloutRows<A>,
    readonly indices: Int32Array,
    readonly obsDim: number,
    readonly actionDim: number,
  ) {
    ({ size: this.size, obs: this.obs, actions: this.actions, logProbs: this.logProbs, advantages: this.advantages, returns: this.returns, values: this.values } = rows);
  }

  /**
   * One epoch of shuffled minibatches: a permutation of the B rows from `rng`, cut into
   * `numMinibatches` nearly equal parts (part k holds positions ⌊kB/M⌋ … ⌊(k+1)B/M⌋ − 1), each gathered
   * into new arrays. `rows` gives each minibatch row's position in this batch (to gather per-row data
   * the algorithm keeps beside the batch).
   * @throws RangeError unless `numMinibatches` is a positive integer ≤ B.
   */
  *minibatches(numMinibatches: number, rng: Rng): Generator<RolloutMinibatch<A>> {
    positiveInt("numMinibatches", numMinibatches);
    const B = this.size;
    if (numMinibatches > B) throw new RangeError(`numMinibatches (${numMinibatches}) must be at most the batch size ${B}`);
    const order = rng.permutation(B);
    for (let k = 0; k < numMinibatches; k++) {
      const rows = order.subarray(Math.floor((k * B) / numMinibatches), Math.floor(((k + 1) * B) / numMinibatches));
      const mb = allocRows<A>(rows.length, this.obsDim, this.actionDim, this.actions instanceof Int32Array);
      for (let j = 0; j < rows.length; j++) copyRow(this, rows[j], mb, j, this.obsDim, this.actionDim);
      yield { ...mb, rows };
    }
  }
}

/**
 * Fixed-size storage of one rollout, with the reset steps of next-step autoreset tracked across
 * rollouts (an episode that ends at the last step of one rollout makes the first step of the next a
 * reset step).
 *
 * @typeParam A `Int32Array` (discrete actions) or `Float32Array` (continuous), matching `discrete`.
 *
 * @example
 * const buf = new RolloutBuffer<Int32Array>({ numSteps: 128, numEnvs: 4, obsDim: 4 });
 * for (let t = 0; t < 128; t++) buf.add({ obs, actions, logProbs, rewards, terminated, truncated, values });
 * buf.computeAdvantages({ lastValues, gamma: 0.99, gaeLambda: 0.95 });
 * const batch = buf.batch();                                   // reset steps left out
 * for (let epoch = 0; epoch < 4; epoch++) for (const mb of batch.minibatches(4, rng)) { … }
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
  /** 0/1, T·N: 1 where the step was a reset step (the env's previous step ended its episode). */
  readonly resetSteps: Uint8Array;
  /** Â_t after {@link computeAdvantages} or {@link setAdvantages}, T·N. */
  readonly advantages: Float32Array;
  /** Â_t + V(s_t) (the value targets), likewise, T·N. */
  readonly returns: Float32Array;
  /** N flags: 1 where env e's next step is a reset step (its last step ended an episode). */
  readonly nextIsReset: Uint8Array;
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
    this.resetSteps = new Uint8Array(n);
    this.advantages = new Float32Array(n);
    this.returns = new Float32Array(n);
    this.nextIsReset = new Uint8Array(this.numEnvs);
  }

  /** T·N, the number of rows of a full rollout (reset steps included). */
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
   * Stores one step of every env at the next step index; the rows of envs whose previous step ended
   * an episode are marked as reset steps.
   * @throws RangeError when the buffer is full or a field has the wrong length.
   */
  add(step: RolloutStep): void {
    if (this.full) throw new RangeError(`the rollout buffer is full (${this.numSteps} steps): call reset()`);
    const N = this.numEnvs;
    const sizes: [keyof RolloutStep, number][] = [["obs", N * this.obsDim], ["actions", N * this.actionDim], ["logProbs", N], ["rewards", N], ["terminated", N], ["truncated", N], ["values", N]];
    for (const [name, len] of sizes) if (step[name].length !== len) throw new RangeError(`${name} has length ${step[name].length}, expected ${len}`);
    const base = this.stepCount * N;
    this.obs.set(step.obs, base * this.obsDim);
    this.actions.set(step.actions, base * this.actionDim);
    for (let e = 0; e < N; e++) {
      const i = base + e;
      this.logProbs[i] = step.logProbs[e];
      this.rewards[i] = step.rewards[e];
      this.terminated[i] = step.terminated[e] ? 1 : 0;
      this.truncated[i] = step.truncated[e] ? 1 : 0;
      this.values[i] = step.values[e];
      this.resetSteps[i] = this.nextIsReset[e];
      this.nextIsReset[e] = this.terminated[i] || this.truncated[i] ? 1 : 0;
    }
    this.stepCount++;
  }

  /**
   * The stored rollout (the arrays themselves, not copies) with the bootstrap values V(s_T), in the
   * form the advantage estimators take.
   * @throws RangeError when the buffer is not full or `lastValues` does not have N entries.
   */
  rollout(lastValues: ArrayLike<number>): Rollout {
    if (!this.full) throw new RangeError(`the rollout holds ${this.stepCount} of ${this.numSteps} steps`);
    if (lastValues.length !== this.numEnvs) throw new RangeError(`lastValues has length ${lastValues.length}, expected ${this.numEnvs}`);
    const { rewards, values, terminated, truncated, resetSteps, numSteps, numEnvs } = this;
    return { rewards, values, terminated, truncated, resetSteps, lastValues, numSteps, numEnvs };
  }

  /**
   * GAE(γ, λ) advantages and λ-return value targets of the rollout (Schulman et al. 2016, "High-Dimensional
   * Continuous Control Using Generalized Advantage Estimation", eq. 16; CleanRL `ppo.py`), through
   * `gae` of lib/returns, stored in {@link advantages} and {@link returns}:
   *
   *   δ_t = r_t + γ V(s_{t+1}) (1 − terminated_t) − V(s_t),   Â_t = δ_t + γλ Â_{t+1} (0 across an episode end),
   *   R_t = Â_t + V(s_t).
   *
   * V(s_{t+1}) is the next row's value of the same env (`shiftValues`), which at an episode end is V of
   * the final observation: the right bootstrap after truncation. The sums never cross an episode end,
   * so reset steps never leak into real transitions (their own entries are meaningless; {@link batch}
   * leaves them out).
   * @param options `lastValues` V(s_T) per env, γ, λ.
   * @throws RangeError when the buffer is not full, on length mismatches, or γ, λ outside [0, 1]
   *   (see lib/returns); non-finite values are errors naming the array and index.
   */
  computeAdvantages(options: { lastValues: ArrayLike<number>; gamma: number; gaeLambda: number }): void {
    const { rewards, values, terminated, truncated, lastValues, numSteps, numEnvs } = this.rollout(options.lastValues);
    const nextValues = shiftValues(values, lastValues, numSteps, numEnvs);
    const out = gae({ rewards, values, terminated, truncated, nextValues, gamma: options.gamma, gaeLambda: options.gaeLambda, numSteps, numEnvs });
    this.setAdvantages(out.advantages, out.returns);
  }

  /**
   * Stores advantages Â and value targets of the rollout computed by another estimator (e.g. A2C's
   * n-step returns), step-major.
   * @throws RangeError when a length is not numSteps·numEnvs.
   */
  setAdvantages(advantages: ArrayLike<number> | FloatArray, returns: ArrayLike<number> | FloatArray): void {
    const n = this.batchSize;
    if (advantages.length !== n || returns.length !== n) {
      throw new RangeError(`advantages and returns must have length numSteps·numEnvs = ${n}, got ${advantages.length} and ${returns.length}`);
    }
    this.advantages.set(advantages);
    this.returns.set(returns);
  }

  /**
   * The real transitions of the rollout (reset steps left out), step-major, gathered into one
   * {@link RolloutBatch} of new arrays, with the advantages and returns stored last.
   */
  batch(): RolloutBatch<A> {
    const indices: number[] = [];
    for (let i = 0; i < this.batchSize; i++) if (!this.resetSteps[i]) indices.push(i);
    const rows = allocRows<A>(indices.length, this.obsDim, this.actionDim, this.discrete);
    indices.forEach((i, b) => copyRow(this.asRows(), i, rows, b, this.obsDim, this.actionDim));
    return new RolloutBatch(rows, Int32Array.from(indices), this.obsDim, this.actionDim);
  }

  /** Starts a new rollout (step 0); the arrays are overwritten by later {@link add}s. Which envs start with a reset step carries over. */
  reset(): void {
    this.stepCount = 0;
  }

  private asRows(): RolloutRows<A> {
    const { obs, actions, logProbs, advantages, returns, values } = this;
    return { size: this.batchSize, obs, actions, logProbs, advantages, returns, values };
  }
}
