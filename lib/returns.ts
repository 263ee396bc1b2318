/**
 * Returns and advantages: discounted cumulative sums, reward-to-go, n-step returns, λ-returns and
 * generalized advantage estimation (GAE).
 *
 * Two forms of each:
 * - **rollout form** (`gae`, `rolloutReturns`, `rolloutTdErrors`, `rolloutNStepReturns`,
 *   `rolloutLambdaReturns`): a batch of `numSteps × numEnvs` transitions from a vector env, in typed
 *   or plain arrays laid out step-major (transition `t` of env `e` at index `t * numEnvs + e`), which may contain several
 *   episode ends per env;
 * - **episode form** (`discountCumsum`, `rewardToGo`, `episodeNStepReturns`, `episodeLambdaReturns`,
 *   `episodeGae`): one episode (or one unfinished piece of one) in plain `number[]`, for notebooks.
 *
 * ## Terminated versus truncated
 * Transition `t` goes from state s_t (value `values[t]` = V(s_t)) with reward r_t to s_{t+1}. The value
 * of s_{t+1} used to bootstrap — "the next value" — is:
 * - `0` when `terminated[t]`: s_{t+1} is terminal, nothing follows it (terminated wins when both flags are set);
 * - `finalValues[t]` = V(final observation) when `truncated[t]` (a time limit cut the episode: s_{t+1}
 *   is not terminal, but the vector env has already reset, so the caller evaluates V on the final
 *   observation — `infos[e].finalObs` with `autoresetMode: "same-step"` — and passes it);
 * - `values[t+1]` (same env, next step) otherwise, and `lastValues[e]` = V(s_T) after the last step.
 * Either flag is an episode boundary: sums and recursions never run across it.
 *
 * `nextValues` (one per transition) may replace all of this: when given it is used as V(s_{t+1}) for
 * every transition that is not terminated, and `values`/`finalValues`/`lastValues` only serve as V(s_t).
 * With `autoresetMode: "next-step"` the observation after a truncation *is* the final observation, so
 * `values[t+1]` already is V(final obs): pass `nextValues: shiftValues(values, lastValues, numSteps, numEnvs)`
 * (and leave the reset transitions that follow episode ends out of the loss).
 *
 * Sums are computed in float64. Outputs are `Float64Array` unless `dtype: "float32"`.
 *
 * Sources: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), eq. 3.8 (return),
 * 7.1 (n-step return), 12.2–12.3 (λ-return); Schulman et al., "High-Dimensional Continuous Control
 * Using Generalized Advantage Estimation", ICLR 2016, eq. 11–16.
 */

/** A float array in or out of the rollout functions. */
export type FloatArray = Float32Array | Float64Array;

/** Episode-end flags: `boolean[]`, or a typed array of 0/1 (as the rollout buffer stores them). */
export type EndFlags = ArrayLike<boolean | number>;

/** The transitions of a rollout, common to every rollout-form function. */
export interface RolloutReturnsInput {
  /** r_t, numSteps×numEnvs, step-major. */
  rewards: ArrayLike<number>;
  /** true where s_{t+1} is terminal (no bootstrap), numSteps×numEnvs. */
  terminated: EndFlags;
  /** true where a time limit cut the episode after transition t (bootstrap from `finalValues`), numSteps×numEnvs. */
  truncated: EndFlags;
  /**
   * V(s_{t+1}) of the final observation, numSteps×numEnvs; read only where `truncated` and not
   * `terminated` (other entries are ignored, e.g. 0). Required when some transition is truncated,
   * unless `nextValues` is given.
   */
  finalValues?: ArrayLike<number>;
  /** V(s_T) of the observation after the last step, one per env; required unless every env's last transition ends an episode or `nextValues` is given. */
  lastValues?: ArrayLike<number>;
  /** V(s_{t+1}) for every transition, numSteps×numEnvs; overrides `values[t+1]`, `finalValues` and `lastValues` (terminated transitions still get 0). */
  nextValues?: ArrayLike<number>;
  /** Discount factor γ ∈ [0, 1]. */
  gamma: number;
  /** T, the number of steps per env. */
  numSteps: number;
  /** N, the number of envs. */
  numEnvs: number;
  /** Element type of the outputs; default `"float64"`. */
  dtype?: "float32" | "float64";
}

/** Rollout input that also carries the values V(s_t). */
export interface RolloutValuesInput extends RolloutReturnsInput {
  /** V(s_t), numSteps×numEnvs, step-major. */
  values: ArrayLike<number>;
}

/** Advantages and returns of {@link gae} (and of {@link episodeGae} in plain arrays). */
export interface AdvantagesAndReturns<A> {
  /** Â_t, the GAE(γ, λ) advantage estimates. */
  advantages: A;
  /** Â_t + V(s_t): the λ-returns, the value function's regression targets (as CleanRL). */
  returns: A;
}

function checkUnit(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${value}`);
}

function checkLength(name: string, array: ArrayLike<unknown> | undefined, length: number): void {
  if (array !== undefined && array.length !== length) {
    throw new RangeError(`${name} has length ${array.length}, expected ${length}`);
  }
}

/** Throws when `array` holds a value that is not a finite number (NaN, ±Infinity). */
function checkFinite(name: string, array: ArrayLike<number> | undefined): void {
  if (array === undefined) return;
  for (let i = 0; i < array.length; i++) {
    if (!Number.isFinite(array[i])) throw new RangeError(`${name}[${i}] is ${array[i]}: expected finite numbers`);
  }
}

/** `array[i]`, which the caller is about to use as a value; throws when it is not finite. */
function finiteAt(name: string, array: ArrayLike<number>, i: number): number {
  const v = array[i];
  if (!Number.isFinite(v)) throw new RangeError(`${name}[${i}] is ${v}: expected finite numbers`);
  return v;
}

function alloc(dtype: "float32" | "float64" | undefined, length: number): FloatArray {
  if (dtype !== undefined && dtype !== "float32" && dtype !== "float64") {
    throw new RangeError(`dtype must be "float32" or "float64", got ${String(dtype)}`);
  }
  return dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
}

/**
 * Validates a rollout and resolves, for every transition, the value of the next state used to
 * bootstrap and whether the transition ends an episode (see the module documentation).
 */
function resolveNext(input: RolloutReturnsInput, values?: ArrayLike<number>): { next: Float64Array; boundary: Uint8Array } {
  const { rewards, terminated, truncated, finalValues, lastValues, nextValues, gamma, numSteps: T, numEnvs: N } = input;
  if (!Number.isSafeInteger(T) || T < 1) throw new RangeError(`numSteps must be a positive integer, got ${T}`);
  if (!Number.isSafeInteger(N) || N < 1) throw new RangeError(`numEnvs must be a positive integer, got ${N}`);
  checkUnit("gamma", gamma);
  const size = T * N;
  checkLength("rewards", rewards, size);
  checkLength("terminated", terminated, size);
  checkLength("truncated", truncated, size);
  checkLength("values", values, size);
  checkLength("finalValues", finalValues, size);
  checkLength("nextValues", nextValues, size);
  checkLength("lastValues", lastValues, N);
  checkFinite("rewards", rewards);
  checkFinite("values", values);
  // finalValues, nextValues and lastValues are checked where they are read: entries no transition
  // uses (finalValues of an untruncated step) may hold anything.
  const next = new Float64Array(size);
  const boundary = new Uint8Array(size);
  for (let t = 0; t < T; t++) {
    for (let e = 0; e < N; e++) {
      const i = t * N + e;
      const term = Boolean(terminated[i]);
      const trunc = Boolean(truncated[i]);
      boundary[i] = term || trunc ? 1 : 0;
      if (term) next[i] = 0;
      else if (nextValues !== undefined) next[i] = finiteAt("nextValues", nextValues, i);
      else if (trunc) {
        if (finalValues === undefined) {
          throw new RangeError(`transition ${i} (step ${t}, env ${e}) is truncated: pass finalValues (V of the final observation) or nextValues`);
        }
        next[i] = finiteAt("finalValues", finalValues, i);
      } else if (t < T - 1) {
        if (values === undefined) throw new RangeError("values are needed to bootstrap inside the rollout");
        next[i] = values[i + N];
      } else {
        if (lastValues === undefined) {
          throw new RangeError(`env ${e}'s last transition does not end its episode: pass lastValues (V of the observation after the last step) or nextValues`);
        }
        next[i] = finiteAt("lastValues", lastValues, e);
      }
    }
  }
  return { next, boundary };
}

/**
 * Discounted returns of a rollout (reward-to-go; Monte Carlo returns when every episode is complete):
 * G_t = r_t + γ G_{t+1} inside an episode, G_t = r_t + γ·(next value) at an episode boundary or after
 * the last step (0 after termination, `finalValues` after truncation, `lastValues` at the rollout's end).
 *
 * @returns G_t, numSteps×numEnvs, step-major.
 * @throws RangeError on a length mismatch, γ outside [0, 1], a bootstrap value that is needed but missing, or a
 *   reward, value or bootstrap value used that is NaN or ±Infinity (the message names the array and index).
 */
export function rolloutReturns(input: RolloutReturnsInput): FloatArray {
  const { rewards, gamma, numSteps: T, numEnvs: N } = input;
  // `values` is not needed: G_{t+1} replaces V(s_{t+1}) inside an episode.
  const { next, boundary } = resolveNextNoValues(input);
  const out = alloc(input.dtype, T * N);
  for (let e = 0; e < N; e++) {
    let g = 0;
    for (let t = T - 1; t >= 0; t--) {
      const i = t * N + e;
      g = rewards[i] + gamma * (boundary[i] || t === T - 1 ? next[i] : g);
      out[i] = g;
    }
  }
  return out;
}

/** {@link resolveNext} for functions that never bootstrap from `values[t+1]`. */
function resolveNextNoValues(input: RolloutReturnsInput): { next: Float64Array; boundary: Uint8Array } {
  // Inside an episode the next value is never read, so a zero placeholder stands in for values[t+1].
  return resolveNext(input, new Float64Array(input.numSteps * input.numEnvs));
}

/**
 * One-step temporal-difference errors δ_t = r_t + γ V(s_{t+1}) − V(s_t) (GAE paper, eq. 10), with
 * V(s_{t+1}) resolved as in the module documentation (0 after termination).
 *
 * @returns δ_t, numSteps×numEnvs, step-major.
 * @throws RangeError as {@link rolloutReturns}.
 */
export function rolloutTdErrors(input: RolloutValuesInput): FloatArray {
  const { rewards, values, gamma, numSteps: T, numEnvs: N } = input;
  const { next } = resolveNext(input, values);
  const out = alloc(input.dtype, T * N);
  for (let i = 0; i < T * N; i++) out[i] = rewards[i] + gamma * next[i] - values[i];
  return out;
}

/**
 * n-step returns (Sutton & Barto eq. 7.1):
 * G_t^{(n)} = r_t + γ r_{t+1} + … + γ^{m−1} r_{t+m−1} + γ^m V(s_{t+m}), where m = n, or fewer steps
 * when the episode ends (or the rollout stops) first; then the last transition's next value closes
 * the sum (0 after termination). n = 1 gives the TD target, n ≥ numSteps the (bootstrapped) Monte Carlo return.
 *
 * @param input the rollout, plus `n` ≥ 1 (integer).
 * @returns G_t^{(n)}, numSteps×numEnvs, step-major.
 * @throws RangeError when `n` is not a positive integer, or as {@link rolloutReturns}.
 */
export function rolloutNStepReturns(input: RolloutValuesInput & { n: number }): FloatArray {
  const { rewards, values, gamma, n, numSteps: T, numEnvs: N } = input;
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  const { next, boundary } = resolveNext(input, values);
  const out = alloc(input.dtype, T * N);
  for (let e = 0; e < N; e++) {
    for (let t = 0; t < T; t++) {
      let g = 0;
      let discount = 1;
      for (let k = t; ; k++) {
        const i = k * N + e;
        g += discount * rewards[i];
        discount *= gamma;
        if (k - t + 1 === n || boundary[i] || k === T - 1) {
          g += discount * next[i];
          break;
        }
      }
      out[t * N + e] = g;
    }
  }
  return out;
}

/**
 * Generalized advantage estimation (Schulman et al. 2016, eq. 16), by the backward recursion
 * Â_t = δ_t + γλ Â_{t+1}, cut at episode boundaries (Â_t = δ_t when transition t ends an episode or is
 * the rollout's last): Â_t = Σ_l (γλ)^l δ_{t+l} over the rest of the episode within the rollout.
 * λ = 0 gives the TD errors δ_t (eq. 17), λ = 1 the discounted return minus V(s_t) (eq. 18).
 *
 * @param input the rollout with `values` and `gaeLambda` = λ ∈ [0, 1].
 * @returns `advantages` Â_t and `returns` Â_t + V(s_t), each numSteps×numEnvs, step-major.
 * @throws RangeError when λ is outside [0, 1], or as {@link rolloutReturns}.
 *
 * @example
 * const { advantages, returns } = gae({ rewards, values, terminated, truncated, finalValues,
 *   lastValues, gamma: 0.99, gaeLambda: 0.95, numSteps: 128, numEnvs: 4 });
 */
export function gae(input: RolloutValuesInput & { gaeLambda: number }): AdvantagesAndReturns<FloatArray> {
  const { rewards, values, gamma, gaeLambda, numSteps: T, numEnvs: N } = input;
  checkUnit("gaeLambda", gaeLambda);
  const { next, boundary } = resolveNext(input, values);
  const advantages = alloc(input.dtype, T * N);
  const returns = alloc(input.dtype, T * N);
  for (let e = 0; e < N; e++) {
    let a = 0;
    for (let t = T - 1; t >= 0; t--) {
      const i = t * N + e;
      const delta = rewards[i] + gamma * next[i] - values[i];
      a = delta + (boundary[i] || t === T - 1 ? 0 : gamma * gaeLambda * a);
      advantages[i] = a;
      returns[i] = a + values[i];
    }
  }
  return { advantages, returns };
}

/**
 * λ-returns (Sutton & Barto eq. 12.2, recursive form): G_t^λ = r_t + γ[(1 − λ) V(s_{t+1}) + λ G_{t+1}^λ],
 * with G_{t+1}^λ replaced by the next value at an episode boundary or after the last step.
 * Equal to {@link gae}'s `returns` with `gaeLambda = lambda` (Â_t^{GAE} = G_t^λ − V(s_t)).
 *
 * @param input the rollout with `values` and `lambda` = λ ∈ [0, 1].
 * @returns G_t^λ, numSteps×numEnvs, step-major.
 * @throws RangeError as {@link gae}.
 */
export function rolloutLambdaReturns(input: RolloutValuesInput & { lambda: number }): FloatArray {
  const { rewards, values, gamma, lambda, numSteps: T, numEnvs: N } = input;
  checkUnit("lambda", lambda);
  const { next, boundary } = resolveNext(input, values);
  const out = alloc(input.dtype, T * N);
  for (let e = 0; e < N; e++) {
    let g = 0;
    for (let t = T - 1; t >= 0; t--) {
      const i = t * N + e;
      const end = boundary[i] || t === T - 1;
      g = rewards[i] + gamma * (end ? next[i] : (1 - lambda) * next[i] + lambda * g);
      out[i] = g;
    }
  }
  return out;
}

/**
 * V(s_{t+1}) for every transition when the observation that follows transition t in the rollout is
 * s_{t+1} itself, episode ends included (vector envs with `autoresetMode: "next-step"`):
 * next[t] = values[t+1] of the same env, next[T−1] = lastValues. Pass it as `nextValues`.
 *
 * @returns numSteps×numEnvs, step-major, `Float64Array`.
 * @throws RangeError on a length mismatch.
 */
export function shiftValues(values: ArrayLike<number>, lastValues: ArrayLike<number>, numSteps: number, numEnvs: number): Float64Array {
  checkLength("values", values, numSteps * numEnvs);
  checkLength("lastValues", lastValues, numEnvs);
  const out = new Float64Array(numSteps * numEnvs);
  for (let i = 0; i < (numSteps - 1) * numEnvs; i++) out[i] = values[i + numEnvs];
  for (let e = 0; e < numEnvs; e++) out[(numSteps - 1) * numEnvs + e] = lastValues[e];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Episode form: one episode in plain arrays.
// ---------------------------------------------------------------------------------------------

/**
 * Discounted cumulative sums y_t = Σ_{k≥0} γ^k x_{t+k} of one sequence (Spinning Up's `discount_cumsum`).
 *
 * @param x the sequence x_0 … x_{L−1}.
 * @param gamma discount γ ∈ [0, 1].
 * @returns y_0 … y_{L−1} (same length as `x`).
 * @throws RangeError when γ is outside [0, 1] or `x` holds NaN or ±Infinity.
 *
 * @example
 * discountCumsum([1, 1, 1], 0.5); // [1.75, 1.5, 1]
 */
export function discountCumsum(x: ArrayLike<number>, gamma: number): number[] {
  checkUnit("gamma", gamma);
  checkFinite("x", x);
  const out = new Array<number>(x.length);
  let acc = 0;
  for (let t = x.length - 1; t >= 0; t--) {
    acc = x[t] + gamma * acc;
    out[t] = acc;
  }
  return out;
}

/**
 * Reward-to-go of one episode: Ĝ_t = Σ_{k=t}^{L−1} γ^{k−t} r_k + γ^{L−t} V_L (Spinning Up's
 * "reward-to-go" policy gradient uses γ = 1 and V_L = 0).
 *
 * @param rewards r_0 … r_{L−1}.
 * @param gamma discount γ ∈ [0, 1]; default 1.
 * @param lastValue V_L: 0 (default) when the episode terminated, V(final observation) when it was truncated or is unfinished.
 * @returns Ĝ_0 … Ĝ_{L−1}.
 * @throws RangeError when γ is outside [0, 1], or `rewards` or `lastValue` is NaN or ±Infinity.
 */
export function rewardToGo(rewards: ArrayLike<number>, gamma = 1, lastValue = 0): number[] {
  checkUnit("gamma", gamma);
  checkFinite("rewards", rewards);
  if (!Number.isFinite(lastValue)) throw new RangeError(`lastValue is ${lastValue}: expected a finite number`);
  const out = new Array<number>(rewards.length);
  let acc = lastValue;
  for (let t = rewards.length - 1; t >= 0; t--) {
    acc = rewards[t] + gamma * acc;
    out[t] = acc;
  }
  return out;
}

/** Wraps one episode as a one-env rollout that ends after its last transition. */
function episodeInput(rewards: ArrayLike<number>, values: ArrayLike<number>, gamma: number, lastValue: number): RolloutValuesInput {
  if (values.length !== rewards.length) throw new RangeError(`values has length ${values.length}, rewards ${rewards.length}`);
  if (rewards.length === 0) throw new RangeError("the episode has no transitions");
  const flags = new Uint8Array(rewards.length);
  return { rewards, values, terminated: flags, truncated: flags, lastValues: [lastValue], gamma, numSteps: rewards.length, numEnvs: 1 };
}

/**
 * n-step returns of one episode: G_t^{(n)} = Σ_{k=0}^{m−1} γ^k r_{t+k} + γ^m V(s_{t+m}) with
 * m = min(n, L − t) and V(s_L) = `lastValue` (Sutton & Barto eq. 7.1).
 *
 * @param rewards r_0 … r_{L−1}.
 * @param values V(s_0) … V(s_{L−1}).
 * @param n steps before bootstrapping (positive integer).
 * @param gamma discount γ ∈ [0, 1].
 * @param lastValue V(s_L): 0 (default) after termination, V(final observation) after truncation.
 * @throws RangeError on mismatched lengths, an empty episode, or a bad `n` or γ.
 */
export function episodeNStepReturns(rewards: ArrayLike<number>, values: ArrayLike<number>, n: number, gamma: number, lastValue = 0): number[] {
  return Array.from(rolloutNStepReturns({ ...episodeInput(rewards, values, gamma, lastValue), n }));
}

/**
 * λ-returns of one episode: G_t^λ = r_t + γ[(1 − λ) V(s_{t+1}) + λ G_{t+1}^λ], G_L^λ = V(s_L) = `lastValue`
 * (Sutton & Barto eq. 12.2–12.3).
 *
 * @param lambda λ ∈ [0, 1].
 * @throws RangeError as {@link episodeNStepReturns}.
 */
export function episodeLambdaReturns(rewards: ArrayLike<number>, values: ArrayLike<number>, gamma: number, lambda: number, lastValue = 0): number[] {
  return Array.from(rolloutLambdaReturns({ ...episodeInput(rewards, values, gamma, lastValue), lambda }));
}

/**
 * GAE(γ, λ) over one episode (Schulman et al. 2016, eq. 16): δ_t = r_t + γ V(s_{t+1}) − V(s_t) with
 * V(s_L) = `lastValue`, Â_t = Σ_l (γλ)^l δ_{t+l}.
 *
 * @param gaeLambda λ ∈ [0, 1].
 * @returns advantages Â_t and returns Â_t + V(s_t).
 * @throws RangeError as {@link episodeNStepReturns}.
 *
 * @example
 * episodeGae([1, 1], [0.5, 0.5], 1, 1); // advantages [1.5, 0.5], returns [2, 1]
 */
export function episodeGae(rewards: ArrayLike<number>, values: ArrayLike<number>, gamma: number, gaeLambda: number, lastValue = 0): AdvantagesAndReturns<number[]> {
  const { advantages, returns } = gae({ ...episodeInput(rewards, values, gamma, lastValue), gaeLambda });
  return { advantages: Array.from(advantages), returns: Array.from(returns) };
}

/**
 * Standardises advantages over a batch, in place: x ← (x − mean) / (std + 1e-8) (population std), as
 * Spinning Up, SB3 and CleanRL normalise them. Returns `x`.
 */
export function standardizeInPlace(x: Float32Array): Float32Array {
  const n = x.length;
  if (n === 0) return x;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i] - mean) ** 2;
  const std = Math.sqrt(v / n);
  for (let i = 0; i < n; i++) x[i] = (x[i] - mean) / (std + 1e-8);
  return x;
}
