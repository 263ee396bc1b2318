/**
 * What the two mountain cars of Gymnasium 1.4.0 share (`gymnasium/envs/classic_control/mountain_car.py`
 * and `continuous_mountain_car.py`): the track, the speed limit, the observation, the `goalVelocity`
 * option, the starting state and the clipped move with its inelastic left wall. Each env adds its
 * own actions, engine, goal position and reward (see `MountainCarEnv`, `ContinuousMountainCarEnv`).
 */
import { BaseEnv, checkOptionNames, numberOption, type Info } from "../core";
import { Box } from "../spaces";
import { maybeParseResetBounds } from "./cartpole";

/**
 * Base class of `MountainCarEnv` and `ContinuousMountainCarEnv`: a car on the track
 * `y = sin(3x)`, x ∈ [−1.2, 0.6], with |velocity| ≤ 0.07. Not exported by the library's entry point.
 *
 * @typeParam Act the action type of the concrete env.
 */
export abstract class MountainCarBase<Act> extends BaseEnv<Float32Array, Act> {
  /** Left wall. */
  readonly minPosition = -1.2;
  /** Right end of the track. */
  readonly maxPosition = 0.6;
  /** Speed limit. */
  readonly maxSpeed = 0.07;
  /** Minimum velocity at the flag for the episode to terminate. */
  readonly goalVelocity: number;

  /** `Box([-1.2, -0.07], [0.6, 0.07])`: position and velocity, float32. */
  readonly observationSpace = new Box([this.minPosition, -this.maxSpeed], [this.maxPosition, this.maxSpeed]);
  /** No render modes (no rendering); Gymnasium's frame rate of 30 fps. */
  override readonly metadata = { renderModes: [] as string[], renderFps: 30 };

  /**
   * The float64 dynamics state `[position, velocity]` (Gymnasium's `env.unwrapped.state`). Tests
   * may assign it. `step` updates it in place: copy it to keep a snapshot. All zeros before the
   * first `reset`.
   */
  state: Float64Array = new Float64Array(2);

  /** The concrete class's name, used in error messages (e.g. `"MountainCarEnv"`). */
  private readonly envName: string;

  /**
   * @param options the constructor options: only `goalVelocity` (a finite number, default 0).
   * @param envName the concrete class's name, for error messages.
   * @throws TypeError on an unknown option or a non-finite `goalVelocity`.
   */
  protected constructor(options: { goalVelocity?: number }, envName: string) {
    super();
    const opts = options as Record<string, unknown>;
    checkOptionNames(opts, ["goalVelocity"], envName);
    this.goalVelocity = numberOption(opts, "goalVelocity", 0, envName);
    this.envName = envName;
  }

  /** The observation of the current state: `state` rounded to float32. */
  getObs(): Float32Array {
    const obs = new Float32Array(2);
    obs[0] = this.state[0];
    obs[1] = this.state[1];
    return obs;
  }

  /**
   * Draws the starting position uniformly from `[low, high)` (default [−0.6, −0.4)); the velocity
   * is 0, kept in float64.
   * @throws TypeError/RangeError on bad `low`/`high` options or unknown option names.
   */
  protected resetEnv(options: Record<string, unknown>): [Float32Array, Info] {
    const [low, high] = maybeParseResetBounds(options, -0.6, -0.4, `${this.envName}.reset`);
    const s = new Float64Array(2);
    s[0] = this.rng.uniform(low, high);
    s[1] = 0;
    this.state = s;
    return [this.getObs(), {}];
  }

  /**
   * The part of a step both Gymnasium versions write alike:
   * `velocity ← clip(velocity + dv, −0.07, 0.07)`, `position ← clip(position + velocity, −1.2, 0.6)`,
   * and a negative velocity becomes 0 at the left wall (an inelastic collision).
   *
   * @param dv the velocity change of the engine and gravity this step (the env computes it with
   *   Gymnasium's order of operations).
   * @returns the new `[position, velocity]` (float64; `state` is not modified).
   */
  protected move(position: number, velocity: number, dv: number): [position: number, velocity: number] {
    velocity += dv;
    velocity = Math.min(Math.max(velocity, -this.maxSpeed), this.maxSpeed);
    position += velocity;
    position = Math.min(Math.max(position, this.minPosition), this.maxPosition);
    if (position === this.minPosition && velocity < 0) velocity = 0;
    return [position, velocity];
  }
}
