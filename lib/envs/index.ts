/**
 * Environments: spaces, the Env API, wrappers, vector envs, and the registry with every env of
 * the course registered (Gymnasium ids and course envs).
 */
import { classicControlEntries, type AcrobotEnv, type CartPoleEnv, type ContinuousMountainCarEnv, type MountainCarEnv, type PendulumEnv } from "./classic";
import type { Env } from "./core";
import { makeEnv, register, type MakeOptions } from "./registry";
import { toyTextEntries, type CliffWalkingEnv, type CombinationLockEnv, type FrozenLakeEnv, type GridWorldEnv, type TaxiEnv } from "./toytext";

for (const entry of [...classicControlEntries, ...toyTextEntries]) register(entry);

/** The raw env class behind each registered id: `make(id).unwrapped` has this type. */
export interface RegisteredEnvs {
  "CartPole-v1": CartPoleEnv;
  "Acrobot-v1": AcrobotEnv;
  "MountainCar-v0": MountainCarEnv;
  "MountainCarContinuous-v0": ContinuousMountainCarEnv;
  "Pendulum-v1": PendulumEnv;
  "FrozenLake-v1": FrozenLakeEnv;
  "FrozenLake8x8-v1": FrozenLakeEnv;
  "CliffWalking-v1": CliffWalkingEnv;
  "CliffWalkingSlippery-v1": CliffWalkingEnv;
  "Taxi-v4": TaxiEnv;
  "GridWorld-v0": GridWorldEnv;
  "CombinationLock-v0": CombinationLockEnv;
}

/** An env as `make` returns it: the raw env's observation and action types, and its class as `unwrapped`. */
export type MadeEnv<E> = E extends Env<infer Obs, infer Act> ? Env<Obs, Act> & { readonly unwrapped: E } : never;

/**
 * Creates a registered environment, wrapped as Gymnasium's `make` does (a TimeLimit when the
 * registry or `options.maxEpisodeSteps` gives a limit). For the course's ids the result is typed:
 * `make("FrozenLake-v1").unwrapped` is a `FrozenLakeEnv`, so its `P` and `desc` need no cast.
 *
 * @param id a registered id, e.g. `"CartPole-v1"`, `"FrozenLake-v1"`.
 * @param options the env's options (e.g. `{ mapName: "8x8", isSlippery: false }`) and `maxEpisodeSteps`.
 * @throws Error on an unknown id (listing the known ones); TypeError on an unknown or ill-typed option.
 */
export function make<K extends keyof RegisteredEnvs>(id: K, options?: MakeOptions): MadeEnv<RegisteredEnvs[K]>;
export function make<Obs = any, Act = any>(id: string, options?: MakeOptions): Env<Obs, Act>;
export function make(id: string, options: MakeOptions = {}): Env {
  return makeEnv(id, options);
}

// The public surface; option checks (numberOption, checkOptionNames), makeEnv and the registry
// tables stay inside the package.
export { BaseEnv, Wrapper, type Env, type EnvSpec, type Info, type ResetArgs, type StepResult } from "./core";
export * from "./spaces";
export { register, registeredIds, spec, type MakeOptions, type RegistryEntry } from "./registry";
export * from "./wrappers";
export * from "./vector";
export {
  AcrobotEnv,
  CartPoleEnv,
  ContinuousMountainCarEnv,
  MountainCarEnv,
  PendulumEnv,
  type CartPoleOptions,
  type ContinuousMountainCarOptions,
  type MountainCarOptions,
  type PendulumOptions,
} from "./classic";
export {
  DiscreteEnv,
  type Transition,
  type TransitionTable,
  FROZEN_LAKE_ACTIONS,
  FROZEN_LAKE_MAPS,
  FrozenLakeEnv,
  generateRandomMap,
  isValidMap,
  type FrozenLakeOptions,
  CLIFF_WALKING_ACTIONS,
  CliffWalkingEnv,
  type CliffWalkingOptions,
  TAXI_ACTIONS,
  TAXI_LOCATIONS,
  TAXI_MAP,
  TaxiEnv,
  type TaxiOptions,
  GRID_ACTIONS,
  GRID_ACTION_ARROWS,
  GRID_CELLS,
  GRIDWORLD_PRESETS,
  GridWorldEnv,
  type GridTeleport,
  type GridWorldOptions,
  CombinationLockEnv,
  type CombinationLockOptions,
  type LockWrongAction,
} from "./toytext";
