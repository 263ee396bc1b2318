/**
 * Tabular ("toy text") environments: Gymnasium 1.4.0's FrozenLake, CliffWalking and Taxi, plus the
 * course's GridWorld and CombinationLock, all defined by a transition table `P` in Gymnasium's
 * `env.P` format, and their registry entries.
 */
import type { RegistryEntry } from "../registry";
import { CLIFF_WALKING_OPTION_NAMES, CliffWalkingEnv, type CliffWalkingOptions } from "./cliff_walking";
import { COMBINATION_LOCK_OPTION_NAMES, CombinationLockEnv, type CombinationLockOptions } from "./combination_lock";
import { FROZEN_LAKE_OPTION_NAMES, FrozenLakeEnv, type FrozenLakeOptions } from "./frozen_lake";
import { GRIDWORLD_OPTION_NAMES, GridWorldEnv, type GridWorldOptions } from "./gridworld";
import { TAXI_OPTION_NAMES, TaxiEnv, type TaxiOptions } from "./taxi";

export { DiscreteEnv, type Transition, type TransitionTable } from "./discrete_env";
export {
  FROZEN_LAKE_ACTIONS,
  FROZEN_LAKE_MAPS,
  FROZEN_LAKE_OPTION_NAMES,
  FrozenLakeEnv,
  generateRandomMap,
  isValidMap,
  type FrozenLakeOptions,
} from "./frozen_lake";
export { CLIFF_WALKING_ACTIONS, CLIFF_WALKING_OPTION_NAMES, CliffWalkingEnv, type CliffWalkingOptions } from "./cliff_walking";
export { TAXI_ACTIONS, TAXI_LOCATIONS, TAXI_MAP, TAXI_OPTION_NAMES, TaxiEnv, type TaxiOptions } from "./taxi";
export {
  GRID_ACTIONS,
  GRID_ACTION_ARROWS,
  GRID_CELLS,
  GRIDWORLD_OPTION_NAMES,
  GRIDWORLD_PRESETS,
  GridWorldEnv,
  type GridTeleport,
  type GridWorldOptions,
} from "./gridworld";
export {
  COMBINATION_LOCK_OPTION_NAMES,
  CombinationLockEnv,
  type CombinationLockOptions,
  type LockWrongAction,
} from "./combination_lock";

/**
 * Registry entries of the toy-text envs. Time limits and reward thresholds of the Gymnasium ids are
 * those of Gymnasium 1.4.0's registry:
 * - `FrozenLake-v1`: 100 steps, threshold 0.70 (options `mapName`, `desc`, `isSlippery`,
 *   `successRate`, `rewardSchedule`); `FrozenLake8x8-v1`: the same env on the 8x8 map, 200 steps,
 *   threshold 0.85.
 * - `CliffWalking-v1`: no time limit, no threshold (option `isSlippery`); `CliffWalkingSlippery-v1`:
 *   the same with `isSlippery: true` by default.
 * - `Taxi-v4`: 200 steps, threshold 8 (options `isRainy`, `ficklePassenger`, `rainyProbability`,
 *   `fickleProbability`).
 * - `GridWorld-v0` (course): 100 steps (options of {@link GridWorldOptions}).
 * - `CombinationLock-v0` (course): no time limit (options of {@link CombinationLockOptions}).
 */
export const toyTextEntries: RegistryEntry[] = [
  {
    id: "FrozenLake-v1",
    create: (options) => new FrozenLakeEnv({ mapName: "4x4", ...(options as FrozenLakeOptions) }),
    optionNames: FROZEN_LAKE_OPTION_NAMES,
    maxEpisodeSteps: 100,
    rewardThreshold: 0.7,
  },
  {
    id: "FrozenLake8x8-v1",
    create: (options) => new FrozenLakeEnv({ mapName: "8x8", ...(options as FrozenLakeOptions) }),
    optionNames: FROZEN_LAKE_OPTION_NAMES,
    maxEpisodeSteps: 200,
    rewardThreshold: 0.85,
  },
  {
    id: "CliffWalking-v1",
    create: (options) => new CliffWalkingEnv(options as CliffWalkingOptions),
    optionNames: CLIFF_WALKING_OPTION_NAMES,
  },
  {
    id: "CliffWalkingSlippery-v1",
    create: (options) => new CliffWalkingEnv({ isSlippery: true, ...(options as CliffWalkingOptions) }),
    optionNames: CLIFF_WALKING_OPTION_NAMES,
  },
  {
    id: "Taxi-v4",
    create: (options) => new TaxiEnv(options as TaxiOptions),
    optionNames: TAXI_OPTION_NAMES,
    maxEpisodeSteps: 200,
    rewardThreshold: 8,
  },
  {
    id: "GridWorld-v0",
    create: (options) => new GridWorldEnv(options as GridWorldOptions),
    optionNames: GRIDWORLD_OPTION_NAMES,
    maxEpisodeSteps: 100,
  },
  {
    id: "CombinationLock-v0",
    create: (options) => new CombinationLockEnv(options as CombinationLockOptions),
    optionNames: COMBINATION_LOCK_OPTION_NAMES,
  },
];
