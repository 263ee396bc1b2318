/**
 * Pendulum-v1, after Gymnasium 1.4.0's `gymnasium/envs/classic_control/pendulum.py`.
 */
import { BaseEnv, checkOptionNames, numberOption, type Info, type StepResult } from "../core";
import { Box, type BoxValue } from "../spaces";

/** Constructor options of {@link PendulumEnv}. */
export interface PendulumOptions {
  /** Acceleration of gravity (m/s²) used by the dynamics (Gymnasium's `g`). Default 10. */
  g?: number;
}

/**
 * Maps an angle to [−π, π) (Gymnasium's `angle_normalize`, `((x + π) mod 2π) − π`, with the
 * floored modulo of Python/numpy: the remainder takes the sign of 2π).
 */
export function angleNormalize(x: number): number {
  const twoPi = 2 * Math.PI;
  let r = (x + Math.PI) % twoPi;
  if (r < 0) r += twoPi;
  else if (r === 0) r = 0; // numpy returns +0 for a zero remainder
  return r - Math.PI;
}

/**
 * The inverted-pendulum swing-up. Source: Gymnasium 1.4.0 `PendulumEnv` (`Pendulum-v1`);
 * constants, the semi-implicit Euler step, clipping, the cost and the reset distribution are
 * Gymnasium's, with the same order of floating-point operations.
 *
 * ## Description
 * A classic control problem: a rigid pendulum (mass 1 kg, length 1 m) hangs from a fixed pivot and
 * the agent applies a torque at the pivot. It starts at a random angle and must swing up and stay
 * balanced upright, its centre of gravity right above the pivot. θ is measured from upright,
 * counter-clockwise positive; the torque is positive counter-clockwise.
 *
 * ## Action Space
 * `Box(-2, 2, (1,))`: the torque (N·m). Out-of-range actions are accepted and clipped to [−2, 2]
 * before both the dynamics and the cost (`np.clip(u, −2, 2)` in Gymnasium). NaN and wrong-length
 * actions are rejected. Actions given as `number[]` or `Float64Array` are used at full double
 * precision, like Gymnasium's float64 arrays (they are not rounded to float32).
 *
 * ## Observation Space
 * A `Float32Array` of 3 numbers:
 *
 * | index | meaning                | min  | max |
 * |-------|------------------------|------|-----|
 * | 0     | x = cos(θ)             | −1   | 1   |
 * | 1     | y = sin(θ)             | −1   | 1   |
 * | 2     | angular velocity θ'    | −8   | 8   |
 *
 * ## Rewards
 * `r = −(θ_n² + 0.1·θ'² + 0.001·u²)` with θ_n the angle normalised to [−π, π) (0 is upright) and
 * u the clipped torque, all taken before the step. The worst reward is
 * −(π² + 0.1·8² + 0.001·2²) ≈ −16.2736044, the best 0 (upright, at rest, no torque).
 * Pendulum has no reward threshold.
 *
 * ## Starting State
 * θ uniform in [−π, π) and θ' uniform in [−1, 1) (or in [−x_init, x_init) and [−y_init, y_init)
 * with the reset options `x_init`, `y_init`).
 *
 * ## Episode End
 * The episode never terminates; it is truncated after 200 steps (by the `TimeLimit` wrapper that
 * `make` adds).
 *
 * ## Arguments
 * - Constructor: `{ g?: number }`, the acceleration of gravity (default 10; see {@link PendulumOptions}).
 * - `reset({ options: { x_init, y_init } })` sets the half-widths of the starting intervals
 *   (defaults π and 1); they are symmetric around 0. Custom values can give states outside the
 *   observation space.
 *
 * ## Version History
 * - v1: the equations were simplified, with no change in behaviour.
 * - v0: first release.
 *
 * Differences from Gymnasium: there is no rendering (`lastU` is kept, as Gymnasium's `last_u`).
 */
export class PendulumEnv extends BaseEnv<Float32Array, BoxValue> {
  /** Speed limit (rad/s). */
  readonly maxSpeed = 8;
  /** Largest torque magnitude the dynamics use (N·m). */
  readonly maxTorque = 2.0;
  /** Time step (s). */
  readonly dt = 0.05;
  /** Acceleration of gravity (m/s²). */
  readonly g: number;
  /** Mass (kg). */
  readonly m = 1.0;
  /** Length (m). */
  readonly l = 1.0;
  /** The clipped torque of the last step (Gymnasium's `last_u`, used there for rendering); null after reset. */
  lastU: number | null = null;

  /** `Box(-2, 2, (1,))`: the torque; out-of-range values are clipped to [−2, 2]. */
  readonly actionSpace = new Box(-this.maxTorque, this.maxTorque, 1);
  /** `Box([-1, -1, -8], [1, 1, 8])`: cos θ, sin θ, θ', float32. */
  readonly observationSpace = new Box([-1.0, -1.0, -this.maxSpeed], [1.0, 1.0, this.maxSpeed]);
  /** No render modes (no rendering); Gymnasium's frame rate of 30 fps. */
  override readonly metadata = { renderModes: [] as string[], renderFps: 30 };

  /**
   * The float64 dynamics state `[θ, θ']` (Gymnasium's `env.unwrapped.state`). Tests may assign it.
   * `step` updates it in place: copy it to keep a snapshot. All zeros before the first `reset`.
   */
  state: Float64Array = new Float64Array(2);


  /**
   * @param options see {@link PendulumOptions}.
   * @throws TypeError on an unknown option or a non-finite `g`.
   */
  constructor(options: PendulumOptions = {}) {
    super();
    const opts = options as Record<string, unknown>;
    checkOptionNames(opts, ["g"], "PendulumEnv");
    this.g = numberOption(opts, "g", 10.0, "PendulumEnv");
  }


  /** The observation of the current state: `[cos θ, sin θ, θ']` as float32. */
  getObs(): Float32Array {
    const obs = new Float32Array(3);
    obs[0] = Math.cos(this.state[0]);
    obs[1] = Math.sin(this.state[0]);
    obs[2] = this.state[1];
    return obs;
  }

  /**
   * Draws θ uniformly from [−x_init, x_init) and θ' from [−y_init, y_init) (defaults π and 1).
   * @throws TypeError on a non-finite `x_init`/`y_init` or an unknown option name.
   */
  protected resetEnv(options: Record<string, unknown>): [Float32Array, Info] {
    checkOptionNames(options, ["x_init", "y_init"], "PendulumEnv.reset");
    const x = numberOption(options, "x_init", Math.PI, "PendulumEnv.reset");
    const y = numberOption(options, "y_init", 1.0, "PendulumEnv.reset");
    // Gymnasium draws uniform(low=-high, high=high); a negative half-width spans the same interval.
    const s = new Float64Array(2);
    s[0] = this.rng.uniform(-Math.abs(x), Math.abs(x));
    s[1] = this.rng.uniform(-Math.abs(y), Math.abs(y));
    this.state = s;
    this.lastU = null;
    return [this.getObs(), {}];
  }

  /** One semi-implicit Euler step of 0.05 s under the clipped torque. */
  protected stepEnv(action: BoxValue): StepResult<Float32Array> {
    const raw = action[0];
    const s = this.state;
    const th = s[0];
    const thdot = s[1];
    const g = this.g;
    const m = this.m;
    const l = this.l;
    const dt = this.dt;

    const u = Math.min(Math.max(raw, -this.maxTorque), this.maxTorque);
    this.lastU = u;
    const thn = angleNormalize(th);
    const costs = thn * thn + 0.1 * (thdot * thdot) + 0.001 * (u * u);

    let newthdot = thdot + (((3 * g) / (2 * l)) * Math.sin(th) + (3.0 / (m * (l * l))) * u) * dt;
    newthdot = Math.min(Math.max(newthdot, -this.maxSpeed), this.maxSpeed);
    const newth = th + newthdot * dt;

    s[0] = newth;
    s[1] = newthdot;
    return [this.getObs(), -costs, false, false, {}];
  }
}
