/**
 * MountainCar-v0, after Gymnasium 1.4.0's `gymnasium/envs/classic_control/mountain_car.py`.
 */
import type { StepResult } from "../core";
import { Discrete } from "../spaces";
import { MountainCarBase } from "./mountain_car_base";

/** Constructor options of {@link MountainCarEnv}. */
export interface MountainCarOptions {
  /** Minimum velocity the car must have at the goal position to terminate (Gymnasium's `goal_velocity`). Default 0. */
  goalVelocity?: number;
}

/**
 * An under-powered car in a valley that must rock back and forth to reach the flag on the right
 * hill; discrete accelerations. Source: Gymnasium 1.4.0 `MountainCarEnv` (`MountainCar-v0`);
 * constants, the update, clipping, reward and termination are Gymnasium's, with the same order of
 * floating-point operations.
 *
 * ## Description
 * The mountain car of Andrew Moore's PhD thesis, "Efficient Memory-based Learning for Robot
 * Control" (1990). A car starts at the bottom of the sinusoidal valley `y = sin(3x)`; its engine
 * is too weak to drive straight up the right slope, so the agent has to build momentum by
 * driving up the left slope first. Gymnasium has two versions; this is the one with three discrete
 * actions (see `ContinuousMountainCarEnv` for the other).
 *
 * ## Action Space
 * `Discrete(3)`: 0 accelerates to the left, 1 does not accelerate, 2 accelerates to the right.
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
 * `velocity ← clip(velocity + (action − 1)·0.001 − 0.0025·cos(3·position), −0.07, 0.07)`, then
 * `position ← clip(position + velocity, −1.2, 0.6)`. Hitting the left wall is inelastic: when the
 * position is clipped to −1.2 with a negative velocity, the velocity becomes 0.
 *
 * ## Rewards
 * −1 per step, so the return counts the steps taken; the reward threshold is −110.
 *
 * ## Starting State
 * The position is drawn uniformly from [−0.6, −0.4) (or from `[options.low, options.high)`), the
 * velocity is 0.
 *
 * ## Episode End
 * 1. Termination: position ≥ 0.5 (the flag) and velocity ≥ `goalVelocity`.
 * 2. Truncation: 200 steps (applied by the `TimeLimit` wrapper that `make` adds).
 *
 * ## Arguments
 * - Constructor: `{ goalVelocity?: number }` (default 0; see {@link MountainCarOptions}).
 * - `reset({ options: { low, high } })` changes the interval of the starting position
 *   (defaults −0.6 and −0.4); custom bounds can give states outside the observation space.
 *
 * ## Version History
 * - v0: first release.
 *
 * Differences from Gymnasium: a step after termination throws; there is no rendering.
 */
export class MountainCarEnv extends MountainCarBase<number> {
  /** Position of the flag. */
  readonly goalPosition = 0.5;
  /** Acceleration of the engine per step. */
  readonly force = 0.001;
  /** Gravity factor: the slope adds `−gravity·cos(3·position)` to the velocity. */
  readonly gravity = 0.0025;

  /** `Discrete(3)`: accelerate left (0), do not accelerate (1), accelerate right (2). */
  readonly actionSpace = new Discrete(3);

  /**
   * @param options see {@link MountainCarOptions}.
   * @throws TypeError on an unknown option or a non-finite `goalVelocity`.
   */
  constructor(options: MountainCarOptions = {}) {
    super(options, "MountainCarEnv");
  }

  /** One step of the dynamics under acceleration left (0), none (1) or right (2). */
  protected stepEnv(action: number): StepResult<Float32Array> {
    const s = this.state;
    const [position, velocity] = this.move(s[0], s[1], (action - 1) * this.force + Math.cos(3 * s[0]) * -this.gravity);
    const terminated = position >= this.goalPosition && velocity >= this.goalVelocity;
    s[0] = position;
    s[1] = velocity;
    return [this.getObs(), -1.0, terminated, false, {}];
  }
}
