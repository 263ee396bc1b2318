/**
 * Deep RL algorithms, each a `train…(config)` returning `{ agent, log, config }` (its config declared
 * once as a schema, ./config), plus the pieces the notebooks teach one at a time. The on-policy
 * algorithms (A2C, TRPO, PPO) share one loop (./on_policy); REINFORCE shares its bookkeeping.
 * Plumbing (the loop itself, the rollout collector, space encoding, schema helpers) stays inside
 * the package: import it from its module when you build your own trainer.
 */
export { type ConfigOf, type Resolved, resolveConfig } from "./config";
export { type ActionSpec, type SpacesSpec, spacesSpec } from "./spaces_spec";
export type { EnvSource } from "./env_source";
export * from "./actor_critic";
export * from "./sampler";
export * from "./agent";
export * from "./normalize";
export type { OnPolicyRun, PolicyGradientLog, PolicyGradientProgress, PolicyGradientUpdate } from "./on_policy";
export * from "./diagnostics";
export * from "./dqn";
export * from "./q_network";
export * from "./reinforce";
export * from "./a2c";
export * from "./ppo";
export {
  type ConjugateGradientOptions,
  type ConjugateGradientResult,
  conjugateGradient,
  surrogateObjective,
  meanKl,
  getFlatParams,
  setFlatParams,
  type FisherVectorProduct,
  fisherVectorProduct,
  trpoStepScale,
  type LineSearchEvaluation,
  type LineSearchInput,
  type LineSearchResult,
  backtrackingLineSearch,
} from "./natural_gradient";
export * from "./trpo";
