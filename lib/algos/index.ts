/**
 * Deep RL algorithms, each a `train…(config)` returning the trained agent and its log, plus the
 * loss pieces the notebooks teach one at a time.
 */
export * from "./log";
export * from "./dqn";
export * from "./policy";
export * from "./reinforce";
export * from "./rollout";
export * from "./a2c";
export * from "./diagnostics";
export * from "./ppo";
export * from "./trpo";
