/**
 * TD control (Sutton & Barto, 2nd ed., chapter 6): SARSA (§6.4), Q-learning (§6.5), Expected SARSA
 * (§6.6) and Double Q-learning (§6.7), each with its one-step target exported on its own, plus a
 * greedy rollout to read off what was learned.
 *
 * Every method behaves ε-greedily with respect to its current estimate (ties broken at random) and
 * returns Q as a flat nS × nA table. Terminal versus truncated: the target of a transition into a
 * terminal state is R alone (Q(terminal, ·) = 0); a transition cut by a time limit (or by
 * `maxStepsPerEpisode`) bootstraps from the next state as usual.
 *
 * Defaults follow S&B's Examples 6.5–6.6 (windy gridworld, cliff walking): α = 0.5, ε = 0.1, γ = 1.
 */
import type { Rng } from "../random";
import type { Env } from "../envs/core";
import {
  EpisodeRecorder,
  RUN_CONFIG_KEYS,
  checkConfigKeys,
  checkFinite,
  checkPositiveInteger,
  checkStepSize,
  checkUnitInterval,
  emptyEpisode,
  openRun,
  runEpisode,
  runContext,
  stepEpisode,
  tabularSizes,
  type ControlResult,
  type EpisodeContext,
  type RunConfig,
} from "./common";
import { argmaxAt, createQTable, epsilonGreedyAt, maxAt } from "./qtable";
import { toSchedule, type Schedule } from "../schedules";

function checkRow(row: ArrayLike<number>, name: string, where: string): void {
  if (row === null || typeof row !== "object" || typeof row.length !== "number" || row.length === 0) {
    throw new RangeError(`${where}: ${name} must be the non-empty row Q(S', ·), got ${String(row)}`);
  }
}

/**
 * The SARSA target (S&B eq. 6.7): R + γ Q(S', A'), or R when S' is terminal.
 * @param qNext Q(S', A') for the action A' the policy chose in S' (ignored when `terminated`).
 */
export function sarsaTarget(reward: number, gamma: number, qNext: number, terminated = false): number {
  return terminated ? reward : reward + gamma * qNext;
}

/**
 * The Q-learning target (S&B eq. 6.8): R + γ max_a Q(S', a), or R when S' is terminal.
 * @param qNextRow Q(S', ·), nA values (e.g. `qRow(Q, nA, sNext)`; ignored when `terminated`).
 * @throws RangeError when `qNextRow` is empty and S' is not terminal.
 */
export function qLearningTarget(reward: number, gamma: number, qNextRow: ArrayLike<number>, terminated = false): number {
  if (terminated) return reward;
  checkRow(qNextRow, "qNextRow", "qLearningTarget");
  return reward + gamma * maxAt(qNextRow, 0, qNextRow.length);
}

/**
 * The Expected SARSA target (S&B eq. 6.9): R + γ Σ_a π(a|S') Q(S', a), or R when S' is terminal.
 *
 * @param qNextRow Q(S', ·), nA values.
 * @param policy either π(·|S') as nA probabilities, or a number ε: the ε-greedy policy with respect
 *   to `qNextRow`, whose expectation is (1 − ε) max_a Q(S', a) + ε · mean_a Q(S', a). With ε = 0
 *   this is exactly Q-learning's target.
 * @throws RangeError when `qNextRow` is empty, ε is outside [0, 1], or the probabilities have the
 *   wrong length.
 */
export function expectedSarsaTarget(
  reward: number,
  gamma: number,
  qNextRow: ArrayLike<number>,
  policy: number | ArrayLike<number>,
  terminated = false,
): number {
  const where = "expectedSarsaTarget";
  if (terminated) return reward;
  checkRow(qNextRow, "qNextRow", where);
  if (typeof policy === "number") {
    checkUnitInterval(policy, "epsilon", where);
    return reward + gamma * epsilonGreedyExpectation(qNextRow, 0, qNextRow.length, policy);
  }
  if (policy === null || typeof policy !== "object" || policy.length !== qNextRow.length) {
    throw new RangeError(`${where}: policy must be ε or ${qNextRow.length} probabilities π(·|S'), got ${String(policy)}`);
  }
  let expectation = 0;
  for (let a = 0; a < qNextRow.length; a++) expectation += policy[a] * qNextRow[a];
  return reward + gamma * expectation;
}

/** Σ_a π(a) Q(a) for the ε-greedy π of the row at `offset`: (1 − ε) max + ε mean. No checks. */
function epsilonGreedyExpectation(values: ArrayLike<number>, offset: number, n: number, epsilon: number): number {
  const best = maxAt(values, offset, n);
  if (epsilon === 0) return best;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[offset + i];
  return (1 - epsilon) * best + epsilon * (sum / n);
}

/**
 * The Double Q-learning target (S&B eq. 6.10, updating Q1): R + γ Q2(S', argmax_a Q1(S', a)), or R
 * when S' is terminal. One table selects the action, the other evaluates it, which removes
 * Q-learning's maximisation bias.
 *
 * @param qSelectRow Q1(S', ·), used for the argmax (ties: at random with `rng`, else lowest index).
 * @param qEvalRow Q2(S', ·), used for the value.
 * @throws RangeError when a row is empty or the rows differ in length.
 */
export function doubleQLearningTarget(
  reward: number,
  gamma: number,
  qSelectRow: ArrayLike<number>,
  qEvalRow: ArrayLike<number>,
  terminated = false,
  rng?: Rng,
): number {
  const where = "doubleQLearningTarget";
  if (terminated) return reward;
  checkRow(qSelectRow, "qSelectRow", where);
  checkRow(qEvalRow, "qEvalRow", where);
  if (qSelectRow.length !== qEvalRow.length) {
    throw new RangeError(`${where}: qSelectRow has ${qSelectRow.length} actions but qEvalRow has ${qEvalRow.length}`);
  }
  return reward + gamma * qEvalRow[argmaxAt(qSelectRow, 0, qSelectRow.length, rng)];
}

/**
 * Moves Q(s, a) towards a target, in place: Q(s, a) ← Q(s, a) + α[target − Q(s, a)] (the common form
 * of S&B eq. 6.7–6.10).
 * @returns the error target − Q(s, a) before the update.
 * @throws RangeError when (s, a) is outside the table.
 */
export function qUpdate(Q: Float64Array, nA: number, s: number, a: number, target: number, alpha: number): number {
  if (!Number.isSafeInteger(nA) || nA <= 0 || Q.length % nA !== 0) throw new RangeError(`qUpdate: Q has length ${Q.length}, not a multiple of nA = ${nA}`);
  if (!Number.isInteger(s) || s < 0 || s >= Q.length / nA) throw new RangeError(`qUpdate: s must be a state in 0…${Q.length / nA - 1}, got ${s}`);
  if (!Number.isInteger(a) || a < 0 || a >= nA) throw new RangeError(`qUpdate: a must be an action in 0…${nA - 1}, got ${a}`);
  const i = s * nA + a;
  const error = target - Q[i];
  Q[i] += alpha * error;
  return error;
}

/** Configuration of the TD control methods: {@link RunConfig} plus these. `episodes` defaults to 500. */
export interface TDControlConfig extends RunConfig {
  /** Step size α in (0, 1] (default 0.5, as in S&B Examples 6.5–6.6). */
  alpha?: number;
  /** ε of the ε-greedy behaviour policy: a number in [0, 1] or a {@link Schedule} of the episode index (default 0.1). */
  epsilon?: number | Schedule;
  /** Initial value of every Q(s, a) (default 0; large values explore optimistically, S&B §2.6). */
  initialQ?: number;
}

const CONTROL_KEYS = [...RUN_CONFIG_KEYS, "alpha", "epsilon", "initialQ"];

interface ControlSetup {
  nS: number;
  nA: number;
  alpha: number;
  gamma: number;
  episodes: number;
  epsilonOf: Schedule;
  initialQ: number;
  ctx: EpisodeContext;
  rng: Rng;
  recorder: EpisodeRecorder;
}

function setup(env: Env<number, number>, config: TDControlConfig, where: string): ControlSetup {
  const { nS, nA, run } = openRun(env, config, CONTROL_KEYS, 500, where);
  const alpha = checkStepSize(config.alpha ?? 0.5, "alpha", where);
  const epsilonOf = toSchedule(config.epsilon ?? 0.1, "epsilon", where);
  const initialQ = checkFinite(config.initialQ ?? 0, "initialQ", where);
  const { ctx, rng } = runContext(env, nS, run, where);
  const recorder = new EpisodeRecorder(run.onEpisode, nS, where);
  return { nS, nA, alpha, gamma: run.gamma, episodes: run.episodes, epsilonOf, initialQ, ctx, rng, recorder };
}

/**
 * The episodes of a TD control method: for each, ε from the schedule (checked), a reset, the step
 * loop with the method's `act` and `learn` (given that episode's ε), and the record of the episode.
 */
function controlEpisodes(
  c: ControlSetup,
  act: (s: number, t: number, epsilon: number) => number,
  learn: (s: number, a: number, reward: number, sNext: number, terminated: boolean, epsilon: number) => void,
): void {
  for (let ep = 0; ep < c.episodes; ep++) {
    const epsilon = checkUnitInterval(c.epsilonOf(ep), `epsilon at episode ${ep}`, c.ctx.where);
    const end = stepEpisode(
      c.ctx,
      ep,
      (s, t) => act(s, t, epsilon),
      (s, a, reward, sNext, terminated) => learn(s, a, reward, sNext, terminated, epsilon),
    );
    c.recorder.recordOutcome(ep, end, undefined, epsilon);
  }
}

function result(Q: Float64Array, c: ControlSetup): ControlResult {
  const { recorder } = c;
  return { Q, nS: c.nS, nA: c.nA, episodeReturns: recorder.episodeReturns, episodeLengths: recorder.episodeLengths, epsilons: recorder.epsilons };
}

/**
 * SARSA: on-policy TD control (S&B §6.4, boxed algorithm). In each episode: choose A from S
 * ε-greedily; every step take A, observe R and S', choose A' from S' ε-greedily, then
 * Q(S, A) ← Q(S, A) + α[R + γQ(S', A') − Q(S, A)] ({@link sarsaTarget}); S ← S', A ← A'.
 *
 * @param env a tabular env (Discrete observations and actions).
 * @returns Q (flat nS × nA), the per-episode returns of the ε-greedy behaviour (the online
 *   performance of S&B Figure 6.4), lengths and ε.
 * @throws TypeError when the env is not tabular or on an unknown config field; RangeError on an
 *   invalid config value (α outside (0, 1], ε or a schedule value outside [0, 1], …).
 */
export function sarsa(env: Env<number, number>, config: TDControlConfig = {}): ControlResult {
  const where = "sarsa";
  const c = setup(env, config, where);
  const { nA, alpha, gamma, rng } = c;
  const Q = createQTable(c.nS, nA, c.initialQ);
  let aNext = 0; // A', chosen in S' before the update and taken at the next step
  controlEpisodes(
    c,
    (s, t, epsilon) => (t === 0 ? epsilonGreedyAt(Q, s * nA, nA, epsilon, rng) : aNext), // choose A from S ε-greedily
    (s, a, reward, sNext, terminated, epsilon) => {
      aNext = terminated ? 0 : epsilonGreedyAt(Q, sNext * nA, nA, epsilon, rng); // choose A' from S' ε-greedily
      const target = sarsaTarget(reward, gamma, Q[sNext * nA + aNext], terminated);
      Q[s * nA + a] += alpha * (target - Q[s * nA + a]);
    },
  );
  return result(Q, c);
}

/** Shared loop of Q-learning and Expected SARSA: choose A ε-greedily, step, move Q(S, A) towards the target. */
function offPolicyStyleControl(env: Env<number, number>, config: TDControlConfig, where: string, expected: boolean): ControlResult {
  const c = setup(env, config, where);
  const { nA, alpha, gamma, rng } = c;
  const Q = createQTable(c.nS, nA, c.initialQ);
  controlEpisodes(
    c,
    (s, _t, epsilon) => epsilonGreedyAt(Q, s * nA, nA, epsilon, rng), // choose A from S using the ε-greedy policy
    (s, a, reward, sNext, terminated, epsilon) => {
      // Q-learning: R + γ max_a Q(S', a); Expected SARSA: R + γ Σ_a π(a|S') Q(S', a), π ε-greedy.
      const next = expected ? epsilonGreedyExpectation(Q, sNext * nA, nA, epsilon) : maxAt(Q, sNext * nA, nA);
      const target = terminated ? reward : reward + gamma * next;
      Q[s * nA + a] += alpha * (target - Q[s * nA + a]);
    },
  );
  return result(Q, c);
}

/**
 * Q-learning: off-policy TD control (S&B §6.5, boxed algorithm). Every step: choose A from S
 * ε-greedily, take it, observe R and S', then Q(S, A) ← Q(S, A) + α[R + γ max_a Q(S', a) − Q(S, A)]
 * ({@link qLearningTarget}).
 *
 * @param env a tabular env (Discrete observations and actions).
 * @returns Q (flat nS × nA), the per-episode returns of the ε-greedy behaviour, lengths and ε.
 * @throws TypeError when the env is not tabular or on an unknown config field; RangeError on an
 *   invalid config value (α outside (0, 1], ε or a schedule value outside [0, 1], …).
 */
export function qLearning(env: Env<number, number>, config: TDControlConfig = {}): ControlResult {
  return offPolicyStyleControl(env, config, "qLearning", false);
}

/**
 * Expected SARSA (S&B §6.6), on-policy: like Q-learning, but the target averages over the next
 * action under the ε-greedy behaviour policy itself: R + γ Σ_a π(a|S') Q(S', a)
 * ({@link expectedSarsaTarget}). With ε = 0 it makes exactly Q-learning's updates.
 *
 * @param env a tabular env (Discrete observations and actions).
 * @returns Q (flat nS × nA), the per-episode returns of the ε-greedy behaviour, lengths and ε.
 * @throws TypeError when the env is not tabular or on an unknown config field; RangeError on an
 *   invalid config value (α outside (0, 1], ε or a schedule value outside [0, 1], …).
 */
export function expectedSarsa(env: Env<number, number>, config: TDControlConfig = {}): ControlResult {
  return offPolicyStyleControl(env, config, "expectedSarsa", true);
}

/** What {@link doubleQLearning} returns: a {@link ControlResult} whose `Q` is (Q1 + Q2)/2, plus both tables. */
export interface DoubleQResult extends ControlResult {
  /** The first table, flat nS × nA. */
  Q1: Float64Array;
  /** The second table, flat nS × nA. */
  Q2: Float64Array;
}

/**
 * Double Q-learning (S&B §6.7, boxed algorithm). Every step: choose A from S ε-greedily in
 * Q1 + Q2, take it, observe R and S'; then with probability 0.5
 * Q1(S, A) ← Q1(S, A) + α[R + γ Q2(S', argmax_a Q1(S', a)) − Q1(S, A)], else the same with Q1 and Q2
 * swapped ({@link doubleQLearningTarget}; argmax ties broken at random).
 *
 * @param env a tabular env (Discrete observations and actions).
 * @returns Q = (Q1 + Q2)/2 and both tables (flat nS × nA), the per-episode returns of the ε-greedy
 *   behaviour, lengths and ε.
 * @throws TypeError when the env is not tabular or on an unknown config field; RangeError on an
 *   invalid config value (α outside (0, 1], ε or a schedule value outside [0, 1], …).
 */
export function doubleQLearning(env: Env<number, number>, config: TDControlConfig = {}): DoubleQResult {
  const where = "doubleQLearning";
  const c = setup(env, config, where);
  const { nS, nA, alpha, gamma, rng } = c;
  const Q1 = createQTable(nS, nA, c.initialQ);
  const Q2 = createQTable(nS, nA, c.initialQ);
  const sumRow = new Float64Array(nA);
  controlEpisodes(
    c,
    (s, _t, epsilon) => {
      for (let i = 0; i < nA; i++) sumRow[i] = Q1[s * nA + i] + Q2[s * nA + i];
      return epsilonGreedyAt(sumRow, 0, nA, epsilon, rng); // ε-greedy in Q1 + Q2
    },
    (s, a, reward, sNext, terminated) => {
      const [update, other] = rng.random() < 0.5 ? [Q1, Q2] : [Q2, Q1];
      const target = terminated ? reward : reward + gamma * other[sNext * nA + argmaxAt(update, sNext * nA, nA, rng)];
      update[s * nA + a] += alpha * (target - update[s * nA + a]);
    },
  );
  const Q = new Float64Array(nS * nA);
  for (let i = 0; i < Q.length; i++) Q[i] = (Q1[i] + Q2[i]) / 2;
  return { ...result(Q, c), Q1, Q2 };
}

/** Options of {@link greedyRollout}. */
export interface GreedyRolloutOptions {
  /** Seed of the env's reset (default 0). */
  seed?: number;
  /** Stop (as truncated) after this many steps (default 1000), since a greedy policy may loop forever. */
  maxSteps?: number;
}

/** One episode of the greedy policy: its undiscounted return, length and trajectory. */
export interface GreedyRolloutResult {
  /** Undiscounted return Σ R. */
  return: number;
  /** Number of steps. */
  length: number;
  /** S_0 … S_T. */
  states: number[];
  /** A_0 … A_{T−1}. */
  actions: number[];
  /** True when the episode reached a terminal state. */
  terminated: boolean;
  /** True when it was cut by the env's time limit or `maxSteps`. */
  truncated: boolean;
}

/**
 * Runs one episode with the greedy policy of Q (lowest-numbered action on ties, as
 * `greedyPolicy` in lib/mdp), e.g. to check which path a learned Q takes on CliffWalking (the optimal
 * path along the cliff has return −13).
 *
 * @param env a tabular env (Discrete observations and actions).
 * @param Q flat nS × nA table.
 * @throws TypeError when the env is not tabular; RangeError when Q's length is not nS × nA.
 */
export function greedyRollout(env: Env<number, number>, Q: ArrayLike<number>, options: GreedyRolloutOptions = {}): GreedyRolloutResult {
  const where = "greedyRollout";
  checkConfigKeys(options, ["seed", "maxSteps"], where);
  const { nS, nA } = tabularSizes(env, where);
  if (Q.length !== nS * nA) throw new RangeError(`${where}: Q has length ${Q.length}, expected nS × nA = ${nS * nA}`);
  const maxSteps = checkPositiveInteger(options.maxSteps ?? 1000, "maxSteps", where);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new TypeError(`${where}: seed must be a non-negative integer, got ${seed}`);
  const episode = emptyEpisode();
  const ret = runEpisode({ env, nS, envSeed: seed, maxSteps, where }, 0, (s) => argmaxAt(Q, s * nA, nA), episode);
  const { states, actions, terminated, truncated } = episode;
  return { return: ret, length: actions.length, states, actions, terminated, truncated };
}
