/**
 * The environment API, after Gymnasium 1.x (`gymnasium.Env`, `gymnasium.Wrapper`):
 * `reset({ seed, options })` returns `[obs, info]` and `step(action)` returns
 * `[obs, reward, terminated, truncated, info]`.
 */
import { Rng } from "../random";
import type { Space } from "./spaces";

/** Extra information returned by `reset` and `step` (Gymnasium's `info` dict). */
export type Info = Record<string, unknown>;

/** What `step` returns: `[observation, reward, terminated, truncated, info]`. */
export type StepResult<Obs> = [obs: Obs, reward: number, terminated: boolean, truncated: boolean, info: Info];

/** Arguments of `reset` (Gymnasium: `reset(seed=None, options=None)`). */
export interface ResetArgs {
  /** Re-seeds the env's generator when given (a non-negative integer). */
  seed?: number;
  /** Env-specific reset options (e.g. Classic Control's `{ low, high }` bounds). */
  options?: Record<string, unknown>;
}

/** Registry entry describing how an env was made (Gymnasium's `EnvSpec`, trimmed). */
export interface EnvSpec {
  id: string;
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  /** The options `make` passed to the env's constructor. */
  options: Record<string, unknown>;
}

/** Anything that behaves as a Gymnasium environment: raw envs and wrappers alike. */
export interface Env<Obs = unknown, Act = unknown> {
  readonly observationSpace: Space<Obs>;
  readonly actionSpace: Space<Act>;
  /** Gymnasium-style metadata: render modes and frame rate. */
  readonly metadata: { renderModes: string[]; renderFps?: number };
  /** How the env was made, when it came from `make`. */
  spec?: EnvSpec;
  /** The innermost, unwrapped env: tests set its `state` directly. */
  readonly unwrapped: Env;
  reset(args?: ResetArgs): [Obs, Info];
  step(action: Act): StepResult<Obs>;
  close(): void;
}

/**
 * Base class of the raw environments. It owns the env's random generator (`rng`, Gymnasium's
 * `np_random`), validates every action against `actionSpace`, and refuses `step` before the first
 * `reset` or after the episode terminated (Gymnasium's `OrderEnforcing` plus its checker's warning,
 * made an error). Subclasses implement {@link BaseEnv.resetEnv} and {@link BaseEnv.stepEnv}.
 */
export abstract class BaseEnv<Obs, Act> implements Env<Obs, Act> {
  abstract readonly observationSpace: Space<Obs>;
  abstract readonly actionSpace: Space<Act>;
  readonly metadata: { renderModes: string[]; renderFps?: number } = { renderModes: [] };
  spec?: EnvSpec;
  /** The env's generator; re-created by `reset({ seed })`. */
  rng: Rng = new Rng();
  private needsReset = true;
  private endedBy = "";

  get unwrapped(): Env {
    return this;
  }

  /**
   * Starts a new episode. With `seed`, re-seeds {@link BaseEnv.rng} first (Gymnasium semantics:
   * seed once, then reset without a seed to continue the same stream).
   * @throws TypeError when `seed` is not a non-negative integer, or on options the env rejects.
   */
  reset(args: ResetArgs = {}): [Obs, Info] {
    if (args.seed !== undefined) this.rng = new Rng(args.seed);
    const result = this.resetEnv(args.options ?? {});
    this.needsReset = false;
    return result;
  }

  /**
   * Advances one time step.
   * @throws Error when called before `reset()` or after the episode terminated.
   * @throws TypeError/RangeError when `action` is not a valid element of `actionSpace`.
   */
  step(action: Act): StepResult<Obs> {
    if (this.needsReset) {
      throw new Error(
        this.endedBy
          ? `${this.constructor.name}.step() called after the episode ${this.endedBy}; call reset() first`
          : `${this.constructor.name}.step() called before reset(); call reset() first`,
      );
    }
    this.actionSpace.validate(action, "action");
    // The caller's value goes on unchanged (a number[] keeps its float64 precision, as in Gymnasium).
    const result = this.stepEnv(action);
    if (result[2]) {
      this.needsReset = true;
      this.endedBy = "terminated";
    }
    return result;
  }

  close(): void {}

  /** Resets the env's own state; `this.rng` is already seeded. */
  protected abstract resetEnv(options: Record<string, unknown>): [Obs, Info];
  /** One transition from an action that `actionSpace.validate` accepted. */
  protected abstract stepEnv(action: Act): StepResult<Obs>;
}

/**
 * Base class of wrappers (Gymnasium's `Wrapper`): forwards everything to `env` unless overridden.
 * `WObs`/`WAct` are the wrapper's observation/action types when it changes them.
 */
export class Wrapper<Obs, Act, WObs = Obs, WAct = Act> implements Env<WObs, WAct> {
  constructor(readonly env: Env<Obs, Act>) {}

  get observationSpace(): Space<WObs> {
    return this.env.observationSpace as unknown as Space<WObs>;
  }
  get actionSpace(): Space<WAct> {
    return this.env.actionSpace as unknown as Space<WAct>;
  }
  get metadata(): { renderModes: string[]; renderFps?: number } {
    return this.env.metadata;
  }
  get spec(): EnvSpec | undefined {
    return this.env.spec;
  }
  set spec(value: EnvSpec | undefined) {
    this.env.spec = value;
  }
  get unwrapped(): Env {
    return this.env.unwrapped;
  }
  reset(args?: ResetArgs): [WObs, Info] {
    return this.env.reset(args) as unknown as [WObs, Info];
  }
  step(action: WAct): StepResult<WObs> {
    return this.env.step(action as unknown as Act) as unknown as StepResult<WObs>;
  }
  close(): void {
    this.env.close();
  }
}

/**
 * Reads option `name` from an options object, checking its type; `fallback` when absent.
 * Used by envs to validate their reset options and constructor options.
 * @throws TypeError naming `where` and `name` when the value has the wrong type.
 */
export function numberOption(options: Record<string, unknown>, name: string, fallback: number, where: string): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${where}: option ${name} must be a finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Throws when `options` holds a key not in `allowed`, naming it and listing the accepted ones.
 */
export function checkOptionNames(options: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const accepted = allowed.length ? allowed.join(", ") : "none";
      throw new TypeError(`${where}: unknown option '${key}' (accepted: ${accepted})`);
    }
  }
}
