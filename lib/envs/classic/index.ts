/**
 * The classic-control environments of Gymnasium 1.4.0 (`gymnasium/envs/classic_control`) and their
 * registry entries, with Gymnasium's ids, time limits (`max_episode_steps`) and reward thresholds.
 * The helpers (`wrap`, `bound`, `angleNormalize`, `maybeParseResetBounds`) are exported by their own
 * modules only, to keep generic names out of the library's namespace.
 */
import type { RegistryEntry } from "../registry";
import { AcrobotEnv } from "./acrobot";
import { CartPoleEnv, type CartPoleOptions } from "./cartpole";
import { ContinuousMountainCarEnv, type ContinuousMountainCarOptions } from "./continuous_mountain_car";
import { MountainCarEnv, type MountainCarOptions } from "./mountain_car";
import { PendulumEnv, type PendulumOptions } from "./pendulum";

export { AcrobotEnv } from "./acrobot";
export { CartPoleEnv, type CartPoleOptions } from "./cartpole";
export { ContinuousMountainCarEnv, type ContinuousMountainCarOptions } from "./continuous_mountain_car";
export { MountainCarEnv, type MountainCarOptions } from "./mountain_car";
export { PendulumEnv, type PendulumOptions } from "./pendulum";

/**
 * Registry entries of the five classic-control envs, as registered by Gymnasium 1.4.0:
 *
 * | id                        | maxEpisodeSteps | rewardThreshold | options             |
 * |---------------------------|-----------------|-----------------|---------------------|
 * | CartPole-v1               | 500             | 475             | `suttonBartoReward` |
 * | Acrobot-v1                | 500             | −100            | none                |
 * | MountainCar-v0            | 200             | −110            | `goalVelocity`      |
 * | MountainCarContinuous-v0  | 999             | 90              | `goalVelocity`      |
 * | Pendulum-v1               | 200             | none            | `g`                 |
 */
export const classicControlEntries: RegistryEntry[] = [
  {
    id: "CartPole-v1",
    create: (options) => new CartPoleEnv(options as CartPoleOptions),
    optionNames: ["suttonBartoReward"],
    maxEpisodeSteps: 500,
    rewardThreshold: 475.0,
  },
  {
    id: "Acrobot-v1",
    create: (options) => new AcrobotEnv(options as Record<string, never>),
    optionNames: [],
    maxEpisodeSteps: 500,
    rewardThreshold: -100.0,
  },
  {
    id: "MountainCar-v0",
    create: (options) => new MountainCarEnv(options as MountainCarOptions),
    optionNames: ["goalVelocity"],
    maxEpisodeSteps: 200,
    rewardThreshold: -110.0,
  },
  {
    id: "MountainCarContinuous-v0",
    create: (options) => new ContinuousMountainCarEnv(options as ContinuousMountainCarOptions),
    optionNames: ["goalVelocity"],
    maxEpisodeSteps: 999,
    rewardThreshold: 90.0,
  },
  {
    id: "Pendulum-v1",
    create: (options) => new PendulumEnv(options as PendulumOptions),
    optionNames: ["g"],
    maxEpisodeSteps: 200,
  },
];
