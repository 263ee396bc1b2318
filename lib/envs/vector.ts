/**
 * A synchronous vector environment (Gymnasium 1.x `SyncVectorEnv`): `numEnvs` copies of an env
 * stepped one after the other in this process, with batched observations in typed arrays.
 */
import type { Env, Info, ResetArgs } from "./core";
import { makeEnv, type MakeOptions } from "./registry";
import { Box, Discrete, type Space } from "./spaces";

/**
 * What happens to a sub-env whose episode ended (Gymnasium's `AutoresetMode`):
 * - `"next-step"` (default): the *next* `step` resets it; that step ignores its action and returns
 *   the reset observation with reward 0 and `terminated = truncated = false`.
 * - `"same-step"`: it is reset within the step that ended it; the returned observation is the new
 *   episode's first one, and `infos[i].finalObs` / `infos[i].finalInfo` hold the last observation
 *   and info of the finished episode.
 * - `"disabled"`: nothing is reset automatically; call `reset({ options: { resetMask } })`.
 */
export type AutoresetMode = "next-step" | "same-step" | "disabled";

/** Batched observations: `Float32Array` of numEnvs×obsDim (row-major) for Box, `Int32Array` for Discrete. */
export type BatchObs<Obs> = Obs extends number ? Int32Array : Float32Array;

/** What {@link SyncVectorEnv.step} returns; one entry per sub-env. */
export type VectorStepResult<Obs> = [
  obs: BatchObs<Obs>,
  rewards: Float64Array,
  terminations: boolean[],
  truncations: boolean[],
  infos: Info[],
];

/** Reset arguments of a vector env: a seed `s` seeds sub-env i with `s + i`; an array seeds each. */
export interface VectorResetArgs {
  seed?: number | (number | undefined)[];
  /** Passed to every sub-env; `resetMask` (boolean[]) selects which sub-envs reset ("disabled" mode). */
  options?: Record<string, unknown> & { resetMask?: boolean[] };
}

/**
 * Runs `numEnvs` environments in lockstep.
 *
 * Actions: for a Discrete action space, one integer per env (`number[]` or `Int32Array`); for a
 * Box of dimension d, either one array per env or a flat array of numEnvs×d numbers.
 * Infos are one object per env (Gymnasium merges them into arrays with `_key` masks; a list is
 * the plainer form in TypeScript).
 */
export class SyncVectorEnv<Obs extends number | Float32Array, Act> {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<Obs>;
  readonly singleActionSpace: Space<Act>;
  /** Numbers per observation (1 for Discrete). */
  readonly obsDim: number;
  private readonly autoresetEnvs: boolean[];
  private readonly obs: BatchObs<Obs>;

  /**
   * @param envs the sub-envs (already made, e.g. by `make`), all with the same spaces.
   * @param autoresetMode see {@link AutoresetMode}; default `"next-step"`.
   * @throws RangeError when `envs` is empty; TypeError when their spaces differ in kind or shape.
   */
  constructor(
    readonly envs: Env<Obs, Act>[],
    readonly autoresetMode: AutoresetMode = "next-step",
  ) {
    if (envs.length === 0) throw new RangeError("SyncVectorEnv: envs must not be empty");
    if (!["next-step", "same-step", "disabled"].includes(autoresetMode)) {
      throw new RangeError(`SyncVectorEnv: autoresetMode must be "next-step", "same-step" or "disabled", got ${autoresetMode}`);
    }
    this.numEnvs = envs.length;
    this.singleObservationSpace = envs[0].observationSpace;
    this.singleActionSpace = envs[0].actionSpace;
    for (const [i, env] of envs.entries()) {
      if (String(env.observationSpace) !== String(this.singleObservationSpace) || String(env.actionSpace) !== String(this.singleActionSpace)) {
        throw new TypeError(`SyncVectorEnv: env ${i} has spaces ${env.observationSpace} / ${env.actionSpace}, env 0 has ${this.singleObservationSpace} / ${this.singleActionSpace}`);
      }
    }
    const discreteObs = this.singleObservationSpace instanceof Discrete;
    this.obsDim = discreteObs ? 1 : this.singleObservationSpace.shape[0];
    this.obs = (discreteObs ? new Int32Array(this.numEnvs) : new Float32Array(this.numEnvs * this.obsDim)) as BatchObs<Obs>;
    this.autoresetEnvs = new Array(this.numEnvs).fill(false);
  }

  /**
   * Resets every sub-env (or those selected by `options.resetMask`).
   * @returns a fresh copy of the batched observations and one info per env.
   * @throws RangeError when `seed` is an array of the wrong length or `resetMask` has the wrong length.
   */
  reset(args: VectorResetArgs = {}): [BatchObs<Obs>, Info[]] {
    const { seed } = args;
    const { resetMask, ...options } = args.options ?? {};
    if (Array.isArray(seed) && seed.length !== this.numEnvs) {
      throw new RangeError(`reset: seed has ${seed.length} entries, expected numEnvs = ${this.numEnvs}`);
    }
    if (resetMask !== undefined && (!Array.isArray(resetMask) || resetMask.length !== this.numEnvs)) {
      throw new RangeError(`reset: options.resetMask must be a boolean[] of length ${this.numEnvs}`);
    }
    const infos: Info[] = new Array(this.numEnvs).fill(undefined).map(() => ({}));
    for (let i = 0; i < this.numEnvs; i++) {
      if (resetMask && !resetMask[i]) continue;
      const envSeed = Array.isArray(seed) ? seed[i] : seed === undefined ? undefined : seed + i;
      const resetArgs: ResetArgs = { seed: envSeed, options };
      const [obs, info] = this.envs[i].reset(resetArgs);
      this.write(i, obs);
      infos[i] = info;
      this.autoresetEnvs[i] = false;
    }
    return [this.obs.slice() as BatchObs<Obs>, infos];
  }

  /**
   * Steps every sub-env with its action, auto-resetting per {@link AutoresetMode}.
   * @throws RangeError when the number of actions does not match `numEnvs`.
   */
  step(actions: ArrayLike<number> | readonly Act[]): VectorStepResult<Obs> {
    const rewards = new Float64Array(this.numEnvs);
    const terminations: boolean[] = new Array(this.numEnvs).fill(false);
    const truncations: boolean[] = new Array(this.numEnvs).fill(false);
    const infos: Info[] = new Array(this.numEnvs);
    for (let i = 0; i < this.numEnvs; i++) {
      const env = this.envs[i];
      if (this.autoresetMode === "next-step" && this.autoresetEnvs[i]) {
        const [obs, info] = env.reset();
        this.write(i, obs);
        infos[i] = info;
        this.autoresetEnvs[i] = false;
        continue;
      }
      const [obs, reward, terminated, truncated, info] = env.step(this.actionAt(actions, i));
      rewards[i] = reward;
      terminations[i] = terminated;
      truncations[i] = truncated;
      const ended = terminated || truncated;
      if (ended && this.autoresetMode === "same-step") {
        const [resetObs, resetInfo] = env.reset();
        this.write(i, resetObs);
        infos[i] = { ...resetInfo, finalObs: obs, finalInfo: info };
      } else {
        this.write(i, obs);
        infos[i] = info;
        this.autoresetEnvs[i] = ended;
      }
    }
    return [this.obs.slice() as BatchObs<Obs>, rewards, terminations, truncations, infos];
  }

  /** Closes every sub-env. */
  close(): void {
    for (const env of this.envs) env.close();
  }

  private write(i: number, obs: Obs): void {
    if (typeof obs === "number") (this.obs as Int32Array)[i] = obs;
    else (this.obs as Float32Array).set(obs as Float32Array, i * this.obsDim);
  }

  private actionAt(actions: ArrayLike<number> | readonly Act[], i: number): Act {
    const space = this.singleActionSpace;
    if (space instanceof Box && typeof actions[0] === "number") {
      const d = space.shape[0];
      if (actions.length !== this.numEnvs * d) {
        throw new RangeError(`step: a flat array of continuous actions needs numEnvs×${d} = ${this.numEnvs * d} numbers, got ${actions.length}`);
      }
      const flat = actions as ArrayLike<number>;
      return Float32Array.from({ length: d }, (_, k) => flat[i * d + k]) as Act;
    }
    if (actions.length !== this.numEnvs) {
      throw new RangeError(`step: got ${actions.length} actions, expected one per env (numEnvs = ${this.numEnvs})`);
    }
    return actions[i] as Act;
  }
}

/** Options of {@link makeVec}. */
export interface MakeVecOptions {
  /** The env's own options, as for `make`. */
  envOptions?: MakeOptions;
  /** Default `"next-step"`. */
  autoresetMode?: AutoresetMode;
  /** Applied to each sub-env after `make`, e.g. `(env) => new RecordEpisodeStatistics(env)`. */
  wrappers?: ((env: Env<any, any>) => Env<any, any>)[];
}

/**
 * `numEnvs` copies of a registered env in a {@link SyncVectorEnv} (Gymnasium `make_vec` with
 * `vectorization_mode="sync"`).
 * @throws RangeError when `numEnvs` is not a positive integer; errors of `make` otherwise.
 */
export function makeVec<Obs extends number | Float32Array = Float32Array, Act = number>(
  id: string,
  numEnvs: number,
  options: MakeVecOptions = {},
): SyncVectorEnv<Obs, Act> {
  if (!Number.isSafeInteger(numEnvs) || numEnvs <= 0) throw new RangeError(`makeVec: numEnvs must be a positive integer, got ${numEnvs}`);
  const envs = Array.from({ length: numEnvs }, () => {
    let env: Env<any, any> = makeEnv(id, options.envOptions);
    for (const wrap of options.wrappers ?? []) env = wrap(env);
    return env as Env<Obs, Act>;
  });
  return new SyncVectorEnv(envs, options.autoresetMode);
}
