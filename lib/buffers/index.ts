/**
 * Experience storage on typed arrays: uniform replay ({@link ReplayBuffer}), proportional prioritized
 * replay ({@link PrioritizedReplayBuffer} over a {@link SumTree}), and the on-policy
 * {@link RolloutBuffer}.
 */
export * from "./replay";
export * from "./sum_tree";
export * from "./prioritized";
export * from "./rollout";
