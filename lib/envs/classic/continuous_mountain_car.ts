/**
 * MountainCarContinuous-v0, after Gymnasium 1.4.0's
 * `gymnasium/envs/classic_control/continuous_mountain_car.py`.
 */
import type { StepResult } from "../core";
import { Box, type BoxValue } from "../spaces";
import { MountainCarBase } from "./mountain_car_base";

/** Constructor options of {@link ContinuousMountainCarEnv}. */
export interface ContinuousMountainCarOptions {
  /** Minimum velocity the car must have at the goal position to terminate (Gymnasium's `goal_velocity`). Default 0. */
  goalVelocity?: number;
}

/**
 * The mountain car with a continuous throttle. Source: Gymnasium 1.4.0
 * `Continuous_MountainCarEnv` (`MountainCarContinuous-v0`); constants, the update, clipping, reward,
 * termination and the float32 rounding of the state after each step are Gymnasium's, with the same
 * order of floating-point operations.
 *
 * ## Description
 * The valley of `MountainCarEnv` (Moore, 1990), in the version of Arnaud de Broissia: an
 * under-powered car starts near the bottom of `y = sin(3x)` and must reach the flag on the right
 * hill, now choosing how hard to push in either direction. Reaching the flag pays a large bonus and
 * every push costs a little, so the reward is sparse: a classic exploration problem.
 *
 * ## Action Space
 * `Box(-1, 1, (1,))`: the force on the car. Out-of-range actions are accepted (Gymnasium does not
 * reject them): the dynamics use the force clipped to [−1, 1] (`min(max(a, −1), 1)`), while the
 * reward's action cost uses the action as given, unclipped, exactly as in Gymnasium. NaN and
 * wrong-length actions are rejected. Actions given as `number[]` or `Float64Array` are used at full
 * double precision, like Gymnasium's float64 arrays (they are not rounded to float32).
 *
 * ## Observation Space
 * A `Float32Array` of 2 numbers, `Box([-1.2, -0.07], [0.6, 0.07])`:
 *
 * | index | meaning                     | min   | max  |
 * |-------|-----------------------------|-------|------|
 * | 0     | position along the x-axis   | −1.2  | 0.6  |
 * | 1     | velocity                    | −0.07 | 0.07 |
 *
 * ## Transition Dynamics
 * `velocity ← clip(velocity + force·0.0015 − 0.0025·cos(3·position), −0.07, 0.07)`, then
 * `position ← clip(position + velocity, −1.2, 0.6)`; at the left wall a negative velocity becomes 0.
 * The new state is then rounded to float32 (Gymnasium stores it as a float32 array).
 *
 * ## Rewards
 * `−0.1·action²` per step, plus 100 on the step that reaches the goal. The reward threshold is 90.
 *
 * ## Starting State
 * The position is drawn uniformly from [−0.6, −0.4) (or from `[options.low, options.high)`), the
 * velocity is 0 (kept in float64 until the first step, as in Gymnasium).
 *
 * ## Episode End
 * 1. Termination: position ≥ 0.45 and velocity ≥ `goalVelocity`.
 * 2. Truncation: 999 steps (applied by the `TimeLimit` wrapper that `make` adds).
 *
 * ## Arguments
 * - Constructor: `{ goalVelocity?: number }` (default 0; see {@link ContinuousMountainCarOptions}).
 * - `reset({ options: { low, high } })` changes the interval of the starting position
 *   (defaults −0.6 and −0.4); custom bounds can give states outside the observation space.
 *
 * ## Version History
 * - v0: first release.
 *
 * Differences from Gymnasium: a step after termination throws; there is no rendering.
 */
export class ContinuousMountainCarEnv extends MountainCarBase<BoxValue> {
  /** Smallest force the dynamics use; smaller actions are clipped to it. */
  readonly minAction = -1.0;
  /** Largest force the dynamics use; larger actions are clipped to it. */
  readonly maxAction = 1.0;
  /** Position of the flag (0.45 here; 0.5 in the discrete version). */
  readonly goalPosition = 0.45;
  /** Velocity change per unit of force. */
  readonly power = 0.0015;

  /** `Box(-1, 1, (1,))`: the force; out-of-range values are clipped by the dynamics (see the class doc). */
  readonly actionSpace = new Box(this.minAction, this.maxAction, 1);

  /**
   * The dynamics state `[position, velocity]` (Gymnasium's `env.unwrapped.state`): float64 after
   * `reset`, float32 values after a step. Tests may assign it. `step` updates it in place: copy it
   * to keep a snapshot. All zeros before the first `reset`.
   */
  declare state: Float64Array;

  /**
   * @param options see {@link ContinuousMountainCarOptions}.
   * @throws TypeError on an unknown option or a non-finite `goalVelocity`.
   */
  constructor(options: ContinuousMountainCarOptions = {}) {
    super(options, "ContinuousMountainCarEnv");
  }

  /** One step of the dynamics with the (validated) action. */
  protected stepEnv(action: BoxValue): StepResult<Float32Array> {
    const a = action[0];
    const s = this.state;
    const force = Math.min(Math.max(a, this.minAction), this.maxAction);
    const [position, velocity] = this.move(s[0], s[1], force * this.power - 0.0025 * Math.cos(3 * s[0]));

    const terminated = position >= this.goalPosition && velocity >= this.goalVelocity;
    let reward = 0;
    if (terminated) reward = 100.0;
    reward -= a * a * 0.1; // the unclipped action, as in Gymnasium

    // Gymnasium stores the new state as a float32 array (and returns it as the observation).
    s[0] = Math.fround(position);
    s[1] = Math.fround(velocity);
    return [this.getObs(), reward, terminated, false, {}];
  }
}
