/**
 * The env registry and `make`, after Gymnasium's `gymnasium.register` / `gymnasium.make`:
 * an id maps to a constructor, a time limit (`maxEpisodeSteps`) and a `rewardThreshold`.
 */
import { checkOptionNames, type Env } from "./core";
import { TimeLimit } from "./wrappers";

/** One registered environment. */
export interface RegistryEntry {
  id: string;
  /** Builds the raw env from validated options. */
  create: (options: Record<string, unknown>) => Env;
  /** Names of the options the constructor accepts (camelCase, e.g. `mapName`, `isSlippery`). */
  optionNames: readonly string[];
  /** Episode length after which `make` truncates (Gymnasium's `max_episode_steps`). */
  maxEpisodeSteps?: number;
  /** Average return at which the task counts as solved (Gymnasium's `reward_threshold`). */
  rewardThreshold?: number;
}

const registry = new Map<string, RegistryEntry>();

/**
 * Adds an environment to the registry.
 * @throws Error when `entry.id` is already registered.
 */
export function register(entry: RegistryEntry): void {
  if (registry.has(entry.id)) throw new Error(`register: an env with id '${entry.id}' is already registered`);
  registry.set(entry.id, entry);
}

/** The registry entry for `id`, or undefined. */
export function spec(id: string): RegistryEntry | undefined {
  return registry.get(id);
}

/** All registered ids, in registration order. */
export function registeredIds(): string[] {
  return [...registry.keys()];
}

/** Options of `make`: the env's own options plus the time-limit override. */
export type MakeOptions = Record<string, unknown> & {
  /** Overrides the registered time limit; `null` removes it. */
  maxEpisodeSteps?: number | null;
};

/**
 * Creates a registered environment, wrapped as Gymnasium's `make` does: in a {@link TimeLimit} when
 * the registry (or `options.maxEpisodeSteps`) gives a limit. The public, typed entry point is
 * `make` in lib/envs/index.ts.
 *
 * @param id a registered id, e.g. `"CartPole-v1"`, `"FrozenLake-v1"`.
 * @param options the env's options (e.g. `{ mapName: "8x8", isSlippery: false }`) and `maxEpisodeSteps`.
 * @throws Error on an unknown id (listing the known ones); TypeError on an unknown or ill-typed option.
 */
export function makeEnv<Obs = any, Act = any>(id: string, options: MakeOptions = {}): Env<Obs, Act> {
  const entry = registry.get(id);
  if (!entry) throw new Error(`make: unknown env id '${id}' (registered: ${registeredIds().join(", ")})`);
  const { maxEpisodeSteps, ...envOptions } = options;
  checkOptionNames(envOptions, entry.optionNames, `make('${id}')`);
  if (maxEpisodeSteps !== undefined && maxEpisodeSteps !== null && (!Number.isSafeInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0)) {
    throw new TypeError(`make('${id}'): option maxEpisodeSteps must be a positive integer or null, got ${maxEpisodeSteps}`);
  }
  const limit = maxEpisodeSteps === undefined ? entry.maxEpisodeSteps : (maxEpisodeSteps ?? undefined);
  let env: Env = entry.create(envOptions);
  env.spec = { id, maxEpisodeSteps: limit, rewardThreshold: entry.rewardThreshold, options: envOptions };
  if (limit !== undefined) env = new TimeLimit(env, limit);
  return env as Env<Obs, Act>;
}
