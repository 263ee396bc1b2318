/**
 * Acrobot-v1, after Gymnasium 1.4.0's `gymnasium/envs/classic_control/acrobot.py` (itself from RLPy).
 */
import { BaseEnv, checkOptionNames, type Info, type StepResult } from "../core";
import { Box, Discrete } from "../spaces";
import { maybeParseResetBounds } from "./cartpole";

/**
 * Wraps `x` into [m, M] by adding or subtracting `M − m` (Gymnasium's `acrobot.wrap`): unlike
 * {@link bound}, which clips, it treats [m, M] as a circle. `wrap(3π/2, −π, π) = −π/2`.
 * Non-finite values are returned unchanged (Gymnasium would loop forever on ±Infinity), and values
 * beyond ±1e6 are first reduced with `%` (Gymnasium subtracts one period at a time).
 */
export function wrap(x: number, m: number, M: number): number {
  const diff = M - m;
  if (!Number.isFinite(x)) return x;
  if (Math.abs(x) > 1e6) x %= diff;
  while (x > M) x = x - diff;
  while (x < m) x = x + diff;
  return x;
}

/** Clips `x` to [m, M] (Gymnasium's `acrobot.bound`, `min(max(x, m), M)`). */
export function bound(x: number, m: number, M: number): number {
  return Math.min(Math.max(x, m), M);
}

/**
 * A two-link pendulum, actuated only at the joint between the links, that must swing its tip
 * above a line. Source: Gymnasium 1.4.0 `AcrobotEnv` (`Acrobot-v1`); constants, the equations of
 * motion (book and NIPS variants), the fourth-order Runge–Kutta step, angle wrapping, velocity
 * bounds, reward and termination are Gymnasium's, with the same order of floating-point operations.
 *
 * ## Description
 * The acrobot of Sutton, "Generalization in Reinforcement Learning: Successful Examples Using Sparse
 * Coarse Coding" (NIPS 1995) and of Sutton and Barto's book: two links hang in a chain from a fixed
 * pivot; only the joint between them can apply torque. Starting from hanging straight down, the
 * agent must pump energy into the system until the free end of the outer link rises above a height
 * of one link length over the pivot. Each step integrates the dynamics over 0.2 s with one RK4 step.
 *
 * ## Action Space
 * `Discrete(3)`: the torque on the actuated joint is −1 (action 0), 0 (action 1) or +1 (action 2) N·m.
 *
 * ## Observation Space
 * A `Float32Array` of 6 numbers:
 *
 * | index | meaning                            | min             | max            |
 * |-------|------------------------------------|-----------------|----------------|
 * | 0     | cos(θ1)                            | −1              | 1              |
 * | 1     | sin(θ1)                            | −1              | 1              |
 * | 2     | cos(θ2)                            | −1              | 1              |
 * | 3     | sin(θ2)                            | −1              | 1              |
 * | 4     | angular velocity of θ1 (rad/s)     | −4π ≈ −12.567   | 4π ≈ 12.567    |
 * | 5     | angular velocity of θ2 (rad/s)     | −9π ≈ −28.274   | 9π ≈ 28.274    |
 *
 * θ1 is the angle of the first link from straight down; θ2 is the angle of the second link
 * relative to the first (0: the links are aligned). `[1, 0, 1, 0, ·, ·]` means both links hang down.
 * The underlying `state` is `[θ1, θ2, θ1', θ2']`, angles wrapped into [−π, π] and velocities clipped
 * to ±4π and ±9π after every step.
 *
 * ## Rewards
 * −1 for every step that does not reach the target height, 0 for the step that does (which ends
 * the episode). The reward threshold is −100.
 *
 * ## Starting State
 * θ1, θ2 and both angular velocities are each drawn uniformly from [−0.1, 0.1) (or from
 * `[options.low, options.high)`), then rounded to float32 as Gymnasium does: both links hang
 * nearly straight down.
 *
 * ## Episode End
 * 1. Termination: the free end rises above the target height, `−cos(θ1) − cos(θ2 + θ1) > 1`.
 * 2. Truncation: 500 steps (applied by the `TimeLimit` wrapper that `make` adds).
 *
 * ## Arguments
 * - Constructor: no options (as in Gymnasium).
 * - `reset({ options: { low, high } })` changes the interval of the random starting state
 *   (defaults −0.1 and 0.1); custom bounds can give states outside the observation space.
 * - The public field {@link AcrobotEnv.bookOrNips} selects the dynamics: `"book"` (default; the
 *   equations of Sutton and Barto's book, which R. Sutton confirmed produced the published
 *   results) or `"nips"` (the NIPS paper's equations, which lack a term). Gymnasium:
 *   `env.unwrapped.book_or_nips = "nips"`.
 * - {@link AcrobotEnv.torqueNoiseMax} (default 0) adds uniform noise to the torque.
 *
 * ## Version History
 * - v1: time limit raised from 200 to 500 steps; observations give the cosine and sine of each
 *   angle instead of the angles themselves.
 * - v0: first release (removed from Gymnasium).
 *
 * Differences from Gymnasium: a step after termination throws; there is no rendering.
 */
export class AcrobotEnv extends BaseEnv<Float32Array, number> {
  /** Integration time per step (s). */
  readonly dt = 0.2;
  /** Length of link 1 (m). */
  readonly linkLength1 = 1.0;
  /** Length of link 2 (m). */
  readonly linkLength2 = 1.0;
  /** Mass of link 1 (kg). */
  readonly linkMass1 = 1.0;
  /** Mass of link 2 (kg). */
  readonly linkMass2 = 1.0;
  /** Position of the centre of mass of link 1, from its pivot (m). */
  readonly linkComPos1 = 0.5;
  /** Position of the centre of mass of link 2, from its pivot (m). */
  readonly linkComPos2 = 0.5;
  /** Moment of inertia of each link. */
  readonly linkMoi = 1.0;
  /** Bound on θ1' (rad/s): 4π. */
  readonly maxVel1 = 4 * Math.PI;
  /** Bound on θ2' (rad/s): 9π. */
  readonly maxVel2 = 9 * Math.PI;
  /** Torque for each action (N·m). */
  readonly availTorque: readonly number[] = [-1.0, 0.0, +1];
  /** Half-width of the uniform noise added to the torque (0: none). */
  torqueNoiseMax = 0.0;
  /** Which equations of motion to use: `"book"` (default) or `"nips"`. */
  bookOrNips: "book" | "nips" = "book";

  /** `Discrete(3)`: torque −1, 0 or +1 on the joint between the links. */
  readonly actionSpace = new Discrete(3);
  /** `Box([-1, -1, -1, -1, -4π, -9π], [1, 1, 1, 1, 4π, 9π])`, float32 observations. */
  readonly observationSpace = new Box(
    [-1, -1, -1, -1, -this.maxVel1, -this.maxVel2],
    [1, 1, 1, 1, this.maxVel1, this.maxVel2],
  );
  /** No render modes (no rendering); Gymnasium's frame rate of 15 fps. */
  override readonly metadata = { renderModes: [] as string[], renderFps: 15 };

  /**
   * The float64 dynamics state `[θ1, θ2, θ1', θ2']` (Gymnasium's `env.unwrapped.state`). Tests
   * may assign it. `step` updates it in place: copy it to keep a snapshot. All zeros before the
   * first `reset`.
   */
  state: Float64Array = new Float64Array(4);

  // Scratch buffers of the RK4 step (no allocation per step).
  private readonly k1 = new Float64Array(4);
  private readonly k2 = new Float64Array(4);
  private readonly k3 = new Float64Array(4);
  private readonly k4 = new Float64Array(4);

  /**
   * @param options none are accepted (Gymnasium's Acrobot takes only `render_mode`).
   * @throws TypeError on any option.
   */
  constructor(options: Record<string, never> = {}) {
    super();
    checkOptionNames(options, [], "AcrobotEnv");
  }

  /** The observation of the current state: `[cos θ1, sin θ1, cos θ2, sin θ2, θ1', θ2']` as float32. */
  getObs(): Float32Array {
    const s = this.state;
    const obs = new Float32Array(6);
    obs[0] = Math.cos(s[0]);
    obs[1] = Math.sin(s[0]);
    obs[2] = Math.cos(s[1]);
    obs[3] = Math.sin(s[1]);
    obs[4] = s[2];
    obs[5] = s[3];
    return obs;
  }

  /**
   * Draws the starting state uniformly from `[low, high)` per component, rounded to float32.
   * @throws TypeError/RangeError on bad `low`/`high` options or unknown option names.
   */
  protected resetEnv(options: Record<string, unknown>): [Float32Array, Info] {
    const [low, high] = maybeParseResetBounds(options, -0.1, 0.1, "AcrobotEnv.reset");
    const s = new Float64Array(4);
    for (let i = 0; i < 4; i++) s[i] = Math.fround(this.rng.uniform(low, high));
    this.state = s;
    return [this.getObs(), {}];
  }

  /** One RK4 step of 0.2 s under the chosen torque, then wrapping, bounding and the goal test. */
  protected stepEnv(action: number): StepResult<Float32Array> {
    const s = this.state;
    let torque = this.availTorque[action];
    if (this.torqueNoiseMax > 0) torque += this.rng.uniform(-this.torqueNoiseMax, this.torqueNoiseMax);

    // Runge–Kutta 4 over [0, dt] on (θ1, θ2, θ1', θ2'), the torque held constant (Gymnasium's `rk4`).
    const y0 = s[0];
    const y1 = s[1];
    const y2 = s[2];
    const y3 = s[3];
    const dt = this.dt - 0;
    const dt2 = dt / 2.0;
    const { k1, k2, k3, k4 } = this;
    this.dsdt(y0, y1, y2, y3, torque, k1);
    this.dsdt(y0 + dt2 * k1[0], y1 + dt2 * k1[1], y2 + dt2 * k1[2], y3 + dt2 * k1[3], torque, k2);
    this.dsdt(y0 + dt2 * k2[0], y1 + dt2 * k2[1], y2 + dt2 * k2[2], y3 + dt2 * k2[3], torque, k3);
    this.dsdt(y0 + dt * k3[0], y1 + dt * k3[1], y2 + dt * k3[2], y3 + dt * k3[3], torque, k4);
    const h = dt / 6.0;
    s[0] = wrap(y0 + h * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]), -Math.PI, Math.PI);
    s[1] = wrap(y1 + h * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]), -Math.PI, Math.PI);
    s[2] = bound(y2 + h * (k1[2] + 2 * k2[2] + 2 * k3[2] + k4[2]), -this.maxVel1, this.maxVel1);
    s[3] = bound(y3 + h * (k1[3] + 2 * k2[3] + 2 * k3[3] + k4[3]), -this.maxVel2, this.maxVel2);

    const terminated = this.isTerminal();
    const reward = terminated ? 0.0 : -1.0;
    return [this.getObs(), reward, terminated, false, {}];
  }

  /** True when the free end is above the target line: `−cos θ1 − cos(θ2 + θ1) > 1`. */
  isTerminal(): boolean {
    const s = this.state;
    return -Math.cos(s[0]) - Math.cos(s[1] + s[0]) > 1.0;
  }

  /** Time derivative of `[θ1, θ2, θ1', θ2']` under torque `a`, written into `out` (Gymnasium's `_dsdt`). */
  private dsdt(theta1: number, theta2: number, dtheta1: number, dtheta2: number, a: number, out: Float64Array): void {
    const m1 = this.linkMass1;
    const m2 = this.linkMass2;
    const l1 = this.linkLength1;
    const lc1 = this.linkComPos1;
    const lc2 = this.linkComPos2;
    const I1 = this.linkMoi;
    const I2 = this.linkMoi;
    const g = 9.8;
    const cos2 = Math.cos(theta2);
    const sin2 = Math.sin(theta2);
    const d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * cos2) + I1 + I2;
    const d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos2) + I2;
    const phi2 = m2 * lc2 * g * Math.cos(theta1 + theta2 - Math.PI / 2.0);
    const phi1 =
      -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sin2 -
      2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2 +
      (m1 * lc1 + m2 * l1) * g * Math.cos(theta1 - Math.PI / 2) +
      phi2;
    let ddtheta2: number;
    if (this.bookOrNips === "nips") {
      // The equation as printed in the NIPS paper.
      ddtheta2 = (a + (d2 / d1) * phi1 - phi2) / (m2 * (lc2 * lc2) + I2 - (d2 * d2) / d1);
    } else {
      // The book's equation (and the Java implementation's).
      ddtheta2 =
        (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sin2 - phi2) /
        (m2 * (lc2 * lc2) + I2 - (d2 * d2) / d1);
    }
    const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    out[0] = dtheta1;
    out[1] = dtheta2;
    out[2] = ddtheta1;
    out[3] = ddtheta2;
  }
}
