/**
 * What the prediction methods (MC, TD(0), n-step TD, TD(λ)) build around their update rules: the
 * policy's sampler, the value table V_0, the episode recorder and the run's random streams, and the
 * {@link PredictionResult} they return.
 */
import type { Rng } from "../random";
import type { Env } from "../envs/core";
import {
  EpisodeRecorder,
  initialTable,
  runContext,
  type EpisodeContext,
  type PredictionConfig,
  type PredictionResult,
  type ResolvedRun,
} from "./common";
import { toPolicySampler, type Policy, type PolicySampler } from "./policy";

/** The working parts of a prediction run. */
export interface PredictionParts {
  /** The checked policy π. */
  pi: PolicySampler;
  /** The value estimate, length nS, initialised from `config.initialValue` (default 0). */
  V: Float64Array;
  /** Collects returns, lengths and RMS errors (against `config.trueValues`). */
  recorder: EpisodeRecorder;
  /** The env, nS, the seed of its first reset, the step guard and the algorithm's name. */
  ctx: EpisodeContext;
  /** The agent's generator (action draws). */
  rng: Rng;
}

/**
 * Checks the policy and the {@link PredictionConfig} fields, in this order: `policy`, `initialValue`,
 * `trueValues`/`errorStates`; then splits the run's seed into its streams (`runContext`).
 *
 * @param nS number of states; `nA` number of actions (from `openRun`).
 * @param run the resolved run settings (from `openRun`).
 * @param where the algorithm's name, for error messages.
 * @throws TypeError/RangeError on a malformed policy, `initialValue`, `trueValues` or `errorStates`.
 */
export function predictionParts(
  env: Env<number, number>,
  policy: Policy,
  config: PredictionConfig,
  nS: number,
  nA: number,
  run: ResolvedRun,
  where: string,
): PredictionParts {
  const pi = toPolicySampler(policy, nS, nA, where);
  const V = initialTable(config.initialValue ?? 0, nS, "initialValue", where);
  const recorder = new EpisodeRecorder(run.onEpisode, nS, where, config.trueValues, config.errorStates);
  const { ctx, rng } = runContext(env, nS, run, where);
  return { pi, V, recorder, ctx, rng };
}

/** The {@link PredictionResult} of a run: V and the recorder's histories (the arrays themselves, not copies). */
export function predictionResult(V: Float64Array, recorder: EpisodeRecorder): PredictionResult {
  return { V, episodeReturns: recorder.episodeReturns, episodeLengths: recorder.episodeLengths, rmsErrors: recorder.rmsErrors };
}
