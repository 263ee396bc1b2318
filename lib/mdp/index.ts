/**
 * Tabular MDPs and dynamic programming (Sutton & Barto chapters 3–4): the MDP of a toy-text env,
 * Bellman operators, policies as tables, policy evaluation (iterative and exact), policy and value
 * iteration, discounted state visitation, and sampling.
 *
 * Layouts: V has `nS` entries; Q, advantages and policies `nS · nA` (index `s * nA + a`).
 *
 * @example
 * import { make, mdpFromEnv, valueIteration, evaluatePolicyByRollouts } from "rl-course";
 * const env = make("FrozenLake-v1");
 * const { policy } = valueIteration(mdpFromEnv(env, 0.99));
 * evaluatePolicyByRollouts(env, policy, 1000, 0).successRate; // ≈ 0.74
 */
export {
  TabularMDP,
  mdpFromArrays,
  mdpFromEnv,
  mdpFromTable,
  type MDPArrays,
  type TabularEnvLike,
} from "./mdp";
export {
  actionValue,
  advantage,
  bellmanExpectationBackupQ,
  bellmanExpectationBackupV,
  bellmanOptimalityBackupQ,
  bellmanOptimalityBackupV,
  bellmanResidual,
  qFromV,
  vFromQ,
} from "./bellman";
export {
  actionsFromPolicy,
  boltzmannPolicy,
  epsilonGreedyPolicy,
  greedyPolicy,
  policyFromActions,
  sampleAction,
  softmaxPolicy,
  uniformPolicy,
  type GreedyOptions,
  type PolicyTable,
  type TieBreak,
} from "./policies";
export { SingularMatrixError, solveLinearSystem, type SolveOptions } from "./linalg";
export {
  exactPolicyEvaluation,
  iterativePolicyEvaluation,
  policyDynamics,
  type IterativeEvaluationOptions,
  type IterativeEvaluationResult,
  type PolicyDynamics,
} from "./evaluation";
export {
  policyImprovement,
  policyIteration,
  valueIteration,
  type PolicyImprovementOptions,
  type PolicyImprovementResult,
  type PolicyIterationOptions,
  type PolicyIterationResult,
  type ValueIterationOptions,
  type ValueIterationResult,
} from "./dp";
export { discountedStateVisitation, startValue, stateOccupancy, type VisitationOptions } from "./visitation";
export {
  discountedReturn,
  evaluatePolicyByRollouts,
  sampleTrajectory,
  type EpisodeSummary,
  type PolicyLike,
  type RolloutOptions,
  type RolloutResult,
  type Trajectory,
  type TrajectoryOptions,
} from "./sampling";
