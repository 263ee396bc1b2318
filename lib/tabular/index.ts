/**
 * Model-free tabular prediction and control (Sutton & Barto, 2nd ed., chapters 5–7 and 12):
 * Monte Carlo, TD(0), n-step TD, TD(λ) (forward and backward views), SARSA, Expected SARSA,
 * Q-learning and Double Q-learning, on any env with Discrete states and actions; plus the one-step
 * pieces (TD error, targets, traces, λ-returns), Q-table helpers, ε schedules and the random walk;
 * and the exploration pieces: count bonuses, potential-based shaping, reward-shaping and
 * start-distribution wrappers.
 *
 * @example
 * import { make, qLearning, greedyRollout } from "rl-course";
 * const env = make("CliffWalking-v1");
 * const { Q, episodeReturns } = qLearning(env, { alpha: 0.5, epsilon: 0.1, episodes: 500, seed: 0 });
 * greedyRollout(env, Q).return; // −13: the path along the cliff
 */
export {
  DEFAULT_MAX_STEPS_PER_EPISODE,
  rmsError,
  tabularSizes,
  type ControlResult,
  type Episode,
  type EpisodeInfo,
  type PredictionConfig,
  type PredictionResult,
  type RunConfig,
  type TabularSizes,
} from "./common";
export {
  createQTable,
  epsilonGreedyAction,
  epsilonGreedyProbs,
  greedyAction,
  maxQ,
  qRow,
  stateValuesFromQ,
} from "./qtable";
export { type Policy, type PolicyFunction } from "./policy";
export {
  discountedReturns,
  everyVisitMCPrediction,
  firstVisitMCPrediction,
  firstVisits,
  mcControl,
  mcPrediction,
  sampleEpisode,
  type MCControlConfig,
  type MCPredictionConfig,
  type SampleEpisodeOptions,
} from "./monte_carlo";
export { nStepReturn, nStepTDPrediction, td0Prediction, td0Update, tdError, type NStepTDConfig, type TDConfig } from "./td";
export {
  lambdaReturnIncrements,
  lambdaReturnPrediction,
  lambdaReturns,
  tdLambdaPrediction,
  traceIncrements,
  updateTraces,
  type BackwardTDLambdaConfig,
  type TDLambdaConfig,
  type TraceKind,
} from "./td_lambda";
export {
  doubleQLearning,
  doubleQLearningTarget,
  expectedSarsa,
  expectedSarsaTarget,
  greedyRollout,
  qLearning,
  qLearningTarget,
  qUpdate,
  sarsa,
  sarsaTarget,
  type DoubleQResult,
  type GreedyRolloutOptions,
  type GreedyRolloutResult,
  type TDControlConfig,
} from "./control";
export {
  RANDOM_WALK_ACTIONS,
  RANDOM_WALK_OPTION_NAMES,
  RandomWalkEnv,
  randomWalkTrueValues,
  type RandomWalkOptions,
} from "./random_walk";
export {
  RewardShaping,
  StartDistribution,
  countBonus,
  potentialShaping,
  type ShapingFunction,
} from "./exploration";
