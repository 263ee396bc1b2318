/**
 * CartPole-v1, after Gymnasium 1.4.0's `gymnasium/envs/classic_control/cartpole.py`
 * (itself after Sutton's `pole.c`). Also home of {@link maybeParseResetBounds}, the reset-option
 * parser shared by the classic-control environments.
 */
import { BaseEnv, checkOptionNames, numberOption, type Info, type StepResult } from "../core";
import { Box, Discrete } from "../spaces";

/**
 * Reads the `{ low, high }` reset options of a classic-control env (Gymnasium's
 * `utils.maybe_parse_reset_bounds`): each bound falls back to its default when absent.
 * Unlike Gymnasium, numeric strings are not accepted, and unknown option names are rejected.
 *
 * @param options the `options` given to `reset`.
 * @param defaultLow lower bound used when `options.low` is absent.
 * @param defaultHigh upper bound used when `options.high` is absent.
 * @param where the caller's name, used in error messages (e.g. `"CartPoleEnv.reset"`).
 * @returns `[low, high]`.
 * @throws TypeError when an option is not a finite number or an unknown option is given.
 * @throws RangeError when `low > high`.
 */
export function maybeParseResetBounds(
  options: Record<string, unknown>,
  defaultLow: number,
  defaultHigh: number,
  where: string,
): [low: number, high: number] {
  checkOptionNames(options, ["low", "high"], where);
  const low = numberOption(options, "low", defaultLow, where);
  const high = numberOption(options, "high", defaultHigh, where);
  if (low > high) {
    throw new RangeError(`${where}: option low (${low}) must not be greater than option high (${high})`);
  }
  return [low, high];
}

/** Constructor options of {@link CartPoleEnv}. */
export interface CartPoleOptions {
  /**
   * Use the reward of Sutton and Barto's original implementation: 0 on every step that does not
   * terminate, −1 on the terminating step (Gymnasium's `sutton_barto_reward`). Default `false`.
   */
  suttonBartoReward?: boolean;
}

/**
 * A pole balanced on a cart that moves along a frictionless track.
 * Source: Gymnasium 1.4.0 `CartPoleEnv` (`CartPole-v1`); constants, equations, order of floating-point
 * operations, reward and termination are Gymnasium's.
 *
 * ## Description
 * The cart-pole problem of Barto, Sutton and Anderson, "Neuronlike adaptive elements that can solve
 * difficult learning control problems" (1983). A pole stands on an unactuated hinge on top of a cart;
 * the agent pushes the cart left or right with a fixed force and must keep the pole from falling
 * and the cart on the track. The dynamics follow Florian's corrected equations, integrated with an
 * explicit Euler step of 0.02 s.
 *
 * ## Action Space
 * `Discrete(2)`: 0 pushes the cart to the left, 1 pushes it to the right, always with a force of
 * 10 N. How much the velocity changes depends on the pole's angle, since the pole's centre of mass
 * moves with it.
 *
 * ## Observation Space
 * A `Float32Array` of 4 numbers, `Box([-4.8, -Inf, -0.418, -Inf], [4.8, Inf, 0.418, Inf])`:
 *
 * | index | meaning               | min                  | max                |
 * |-------|-----------------------|----------------------|--------------------|
 * | 0     | cart position         | −4.8                 | 4.8                |
 * | 1     | cart velocity         | −Inf                 | Inf                |
 * | 2     | pole angle (rad)      | ≈ −0.418 (−24°)      | ≈ 0.418 (24°)      |
 * | 3     | pole angular velocity | −Inf                 | Inf                |
 *
 * The bounds are twice the termination thresholds, so the last observation of an episode still
 * lies inside the box; while the episode runs, position stays in (−2.4, 2.4) and the angle in
 * (−0.2095, 0.2095) rad (±12°).
 *
 * ## Rewards
 * +1 for every step, the terminating step included, so the return is the episode length (the
 * reward threshold of v1 is 475, the time limit 500). With `suttonBartoReward: true` every
 * non-terminating step gives 0 and the terminating step −1.
 *
 * ## Starting State
 * Each of the four state variables is drawn uniformly from [−0.05, 0.05) (or from
 * `[options.low, options.high)` when `reset` is given those options).
 *
 * ## Episode End
 * 1. Termination: the pole angle leaves [−12°, 12°].
 * 2. Termination: the cart position leaves [−2.4, 2.4] (the cart's centre reaches the edge of the display).
 * 3. Truncation: 500 steps (applied by the `TimeLimit` wrapper that `make` adds).
 *
 * ## Arguments
 * - Constructor: `{ suttonBartoReward?: boolean }` (see {@link CartPoleOptions}).
 * - `reset({ options: { low, high } })` changes the interval of the random starting state
 *   (defaults −0.05 and 0.05); custom bounds can give states outside the observation space.
 *
 * ## Version History
 * - v1: time limit raised to 500 steps; Gymnasium 1.0.0a2 added `sutton_barto_reward`.
 * - v0: first release (time limit 200, reward threshold 195).
 *
 * Differences from Gymnasium: a step after termination throws (Gymnasium warns and returns reward 0);
 * there is no rendering.
 */
export class CartPoleEnv extends BaseEnv<Float32Array, number> {
  /** Gravity (m/s²). */
  readonly gravity = 9.8;
  /** Mass of the cart (kg). */
  readonly masscart = 1.0;
  /** Mass of the pole (kg). */
  readonly masspole = 0.1;
  /** Cart plus pole mass (kg). */
  readonly totalMass = this.masspole + this.masscart;
  /** Half the pole's length (m): the distance from the hinge to the pole's centre of mass. */
  readonly length = 0.5;
  /** `masspole * length`. */
  readonly polemassLength = this.masspole * this.length;
  /** Magnitude of the push (N). */
  readonly forceMag = 10.0;
  /** Time step (s). */
  readonly tau = 0.02;
  /**
   * Integrator: `"euler"` (Gymnasium's default: positions advance with the old velocities) or
   * `"semi-implicit euler"` (velocities first). Can be changed between steps.
   */
  kinematicsIntegrator: "euler" | "semi-implicit euler" = "euler";
  /** Angle beyond which the episode terminates: 12° in radians. */
  readonly thetaThresholdRadians = (12 * 2 * Math.PI) / 360;
  /** Cart position beyond which the episode terminates. */
  readonly xThreshold = 2.4;
  /** Whether the Sutton–Barto reward (0 per step, −1 on termination) is used. */
  readonly suttonBartoReward: boolean;

  /** `Discrete(2)`: 0 pushes the cart left, 1 pushes it right. */
  readonly actionSpace = new Discrete(2);
  /** `Box([-4.8, -Inf, -0.418, -Inf], [4.8, Inf, 0.418, Inf])`, float32 observations. */
  readonly observationSpace = new Box(
    [-this.xThreshold * 2, -Infinity, -this.thetaThresholdRadians * 2, -Infinity],
    [this.xThreshold * 2, Infinity, this.thetaThresholdRadians * 2, Infinity],
  );
  /** No render modes (no rendering); Gymnasium's frame rate of 50 fps. */
  override readonly metadata = { renderModes: [] as string[], renderFps: 50 };

  /**
   * The float64 dynamics state `[x, xDot, theta, thetaDot]` (Gymnasium's `env.unwrapped.state`).
   * Tests may assign it. `step` updates it in place: copy it to keep a snapshot. All zeros before
   * the first `reset`.
   */
  state: Float64Array = new Float64Array(4);

  /**
   * @param options see {@link CartPoleOptions}.
   * @throws TypeError on an unknown option or a non-boolean `suttonBartoReward`.
   */
  constructor(options: CartPoleOptions = {}) {
    super();
    const opts = options as Record<string, unknown>;
    checkOptionNames(opts, ["suttonBartoReward"], "CartPoleEnv");
    const sb = opts.suttonBartoReward;
    if (sb !== undefined && typeof sb !== "boolean") {
      throw new TypeError(`CartPoleEnv: option suttonBartoReward must be a boolean, got ${JSON.stringify(sb)}`);
    }
    this.suttonBartoReward = sb ?? false;
  }

  /** The observation of the current state: `state` rounded to float32. */
  getObs(): Float32Array {
    const obs = new Float32Array(4);
    obs[0] = this.state[0];
    obs[1] = this.state[1];
    obs[2] = this.state[2];
    obs[3] = this.state[3];
    return obs;
  }

  /**
   * Draws the starting state uniformly from `[low, high)` per component.
   * @throws TypeError/RangeError on bad `low`/`high` options or unknown option names.
   */
  protected resetEnv(options: Record<string, unknown>): [Float32Array, Info] {
    const [low, high] = maybeParseResetBounds(options, -0.05, 0.05, "CartPoleEnv.reset");
    const s = new Float64Array(4);
    for (let i = 0; i < 4; i++) s[i] = this.rng.uniform(low, high);
    this.state = s;
    return [this.getObs(), {}];
  }

  /** One Euler step of 0.02 s under a push to the left (0) or right (1). */
  protected stepEnv(action: number): StepResult<Float32Array> {
    const s = this.state;
    let x = s[0];
    let xDot = s[1];
    let theta = s[2];
    let thetaDot = s[3];
    const force = action === 1 ? this.forceMag : -this.forceMag;
    const costheta = Math.cos(theta);
    const sintheta = Math.sin(theta);

    // Same expressions, in the same order, as Gymnasium (see Florian, "Correct equations for the
    // dynamics of the cart-pole system", 2007).
    const temp = (force + this.polemassLength * (thetaDot * thetaDot) * sintheta) / this.totalMass;
    const thetaacc =
      (this.gravity * sintheta - costheta * temp) /
      (this.length * (4.0 / 3.0 - (this.masspole * (costheta * costheta)) / this.totalMass));
    const xacc = temp - (this.polemassLength * thetaacc * costheta) / this.totalMass;

    if (this.kinematicsIntegrator === "euler") {
      x = x + this.tau * xDot;
      xDot = xDot + this.tau * xacc;
      theta = theta + this.tau * thetaDot;
      thetaDot = thetaDot + this.tau * thetaacc;
    } else {
      xDot = xDot + this.tau * xacc;
      x = x + this.tau * xDot;
      thetaDot = thetaDot + this.tau * thetaacc;
      theta = theta + this.tau * thetaDot;
    }
    s[0] = x;
    s[1] = xDot;
    s[2] = theta;
    s[3] = thetaDot;

    const terminated =
      x < -this.xThreshold ||
      x > this.xThreshold ||
      theta < -this.thetaThresholdRadians ||
      theta > this.thetaThresholdRadians;
    let reward: number;
    if (this.suttonBartoReward) reward = terminated ? -1.0 : 0.0;
    else reward = 1.0;

    const obs = new Float32Array(4);
    obs[0] = x;
    obs[1] = xDot;
    obs[2] = theta;
    obs[3] = thetaDot;
    return [obs, reward, terminated, false, {}];
  }
}
