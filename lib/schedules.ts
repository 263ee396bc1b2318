/**
 * Schedules: plain functions of a step, update or episode index t = 0, 1, 2, … giving the value of
 * a hyperparameter at t — the exploration rate ε (tabular control, DQN), a learning rate
 * (`linearSchedule(lr0, 0, numUpdates)` is CleanRL's `anneal_lr`), prioritized replay's β.
 * The tabular control methods call a schedule once per episode with the episode index.
 *
 * @example
 * const eps = linearSchedule(1, 0.05, 200); // 1 at episode 0, 0.05 from episode 200 on
 * qLearning(env, { epsilon: eps });
 */

/** A schedule: the value to use at index t (t ≥ 0; episode or step). */
export type Schedule = (t: number) => number;

function checkIndex(t: number, where: string): void {
  if (typeof t !== "number" || !(t >= 0) || !Number.isFinite(t)) {
    throw new RangeError(`${where}: the index t must be a finite number >= 0, got ${String(t)}`);
  }
}

function checkValue(value: unknown, name: string, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`${where}: ${name} must be a finite number, got ${String(value)}`);
  }
  return value;
}

/**
 * The same value at every index: ε(t) = value.
 * @throws RangeError when `value` is not finite; the schedule throws on a negative or non-finite t.
 */
export function constantSchedule(value: number): Schedule {
  checkValue(value, "value", "constantSchedule");
  return (t: number) => {
    checkIndex(t, "constantSchedule");
    return value;
  };
}

/**
 * Linear interpolation from `start` to `end` over `duration` indices, then constant:
 * ε(t) = start + (end − start) · min(t / duration, 1). So ε(0) = start, ε(duration/2) is the
 * midpoint and ε(t) = end for t ≥ duration (CleanRL's `linear_schedule`, in either direction).
 *
 * @param start value at t = 0.
 * @param end value from t = duration on.
 * @param duration number of indices of the ramp, > 0.
 * @throws RangeError when `start`/`end` are not finite or `duration` is not a positive finite number.
 */
export function linearSchedule(start: number, end: number, duration: number): Schedule {
  checkValue(start, "start", "linearSchedule");
  checkValue(end, "end", "linearSchedule");
  if (typeof duration !== "number" || !(duration > 0) || !Number.isFinite(duration)) {
    throw new RangeError(`linearSchedule: duration must be a positive finite number, got ${String(duration)}`);
  }
  return (t: number) => {
    checkIndex(t, "linearSchedule");
    return t >= duration ? end : start + (end - start) * (t / duration);
  };
}

/**
 * Exponential decay with a floor: ε(t) = max(minValue, start · decay^t).
 *
 * @param start value at t = 0.
 * @param decay factor per index, in (0, 1].
 * @param minValue the floor (default 0), at most `start`.
 * @throws RangeError when `decay` is outside (0, 1], a value is not finite, or `minValue > start`.
 */
export function exponentialSchedule(start: number, decay: number, minValue = 0): Schedule {
  checkValue(start, "start", "exponentialSchedule");
  checkValue(minValue, "minValue", "exponentialSchedule");
  if (typeof decay !== "number" || !(decay > 0 && decay <= 1)) {
    throw new RangeError(`exponentialSchedule: decay must be a number in (0, 1], got ${String(decay)}`);
  }
  if (minValue > start) throw new RangeError(`exponentialSchedule: minValue (${minValue}) must be at most start (${start})`);
  return (t: number) => {
    checkIndex(t, "exponentialSchedule");
    return Math.max(minValue, start * decay ** t);
  };
}

/**
 * A number becomes a constant schedule; a function is returned as it is.
 * @throws TypeError naming `name` when `value` is neither.
 */
export function toSchedule(value: number | Schedule, name = "value", where = "toSchedule"): Schedule {
  if (typeof value === "function") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`${where}: ${name} must be finite, got ${value}`);
    return () => value;
  }
  throw new TypeError(`${where}: ${name} must be a number or a schedule function, got ${String(value)}`);
}
