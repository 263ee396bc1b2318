/**
 * TD(λ) prediction, tabular (Sutton & Barto, 2nd ed., chapter 12, with tabular features so that
 * ∇v̂(S_t) is the one-hot vector of S_t):
 * - the forward view: the offline λ-return algorithm (§12.1), which moves V(S_t) towards the
 *   λ-return G^λ_t (eq. 12.2/12.3) after the episode;
 * - the backward view: TD(λ) with eligibility traces (§12.2, eq. 12.5–12.7), accumulating or
 *   replacing, online (V changes every step) or offline (the step updates α δ_t e_t are summed over
 *   the episode and applied at its end).
 *
 * With accumulating traces, offline, the backward view's summed updates equal the forward view's
 * exactly (S&B §12.2 and Sutton 1988): Σ_t α δ_t e_t(s) = Σ_{t: S_t = s} α (G^λ_t − V(S_t)), because
 * G^λ_t − V(S_t) = δ_t + γλ (G^λ_{t+1} − V(S_{t+1})). With λ = 1 both are every-visit constant-α MC.
 *
 * Terminal versus truncated: V(S_T) = 0 when S_T is terminal; when the episode was truncated the
 * last λ-return and TD error bootstrap from V(S_T) (the truncated λ-return with horizon T, eq. 12.9).
 */
import type { Env } from "../envs/core";
import {
  PREDICTION_CONFIG_KEYS,
  checkStepSize,
  checkUnitInterval,
  emptyEpisode,
  openRun,
  runEpisode,
  stepEpisode,
  type Episode,
  type PredictionConfig,
  type PredictionResult,
} from "./common";
import type { Policy } from "./policy";
import { predictionParts, predictionResult } from "./prediction_run";
import { tdError } from "./td";

/** Kinds of eligibility trace: accumulating (S&B eq. 12.5) or replacing (S&B §12.2, Singh & Sutton 1996). */
export type TraceKind = "accumulating" | "replacing";

const TRACE_KINDS: readonly TraceKind[] = ["accumulating", "replacing"];

function checkKind(kind: unknown, where: string): TraceKind {
  if (!TRACE_KINDS.includes(kind as TraceKind)) {
    throw new RangeError(`${where}: traces must be "accumulating" or "replacing", got ${JSON.stringify(kind)}`);
  }
  return kind as TraceKind;
}

/**
 * One step of the eligibility traces of a tabular TD(λ), in place: every trace decays,
 * e ← γλ e, then the trace of the current state S_t is bumped:
 * - `"accumulating"` (S&B eq. 12.5 with one-hot features): e(S_t) ← e(S_t) + 1;
 * - `"replacing"`: e(S_t) ← 1.
 *
 * @param e traces, one per state (modified).
 * @param s the current state S_t.
 * @returns `e`.
 * @throws RangeError when `s` is not an index of `e`, `kind` is unknown, or γ/λ is outside [0, 1].
 */
export function updateTraces(e: Float64Array, s: number, kind: TraceKind, gamma: number, lambda: number): Float64Array {
  const where = "updateTraces";
  if (!Number.isInteger(s) || s < 0 || s >= e.length) throw new RangeError(`${where}: s must be a state in 0…${e.length - 1}, got ${s}`);
  checkKind(kind, where);
  checkUnitInterval(gamma, "gamma", where);
  checkUnitInterval(lambda, "lambda", where);
  stepTraces(e, s, kind === "replacing", gamma * lambda);
  return e;
}

function stepTraces(e: Float64Array, s: number, replacing: boolean, decay: number): void {
  for (let i = 0; i < e.length; i++) e[i] *= decay;
  if (replacing) e[s] = 1;
  else e[s] += 1;
}

/**
 * The λ-returns G^λ_0 … G^λ_{T−1} of an episode (S&B eq. 12.2–12.3), computed backwards with the
 * recursion G^λ_t = R_{t+1} + γ[(1 − λ) V(S_{t+1}) + λ G^λ_{t+1}], starting from
 * G^λ_{T−1} = R_T + γ V(S_T).
 *
 * Pass `values[T]` = 0 when S_T is terminal: then G^λ_t is eq. 12.3's λ-return (λ = 0: the TD(0)
 * target R_{t+1} + γV(S_{t+1}); λ = 1: the Monte Carlo return G_t). Pass `values[T]` = V(S_T) for a
 * truncated episode: then G^λ_t is the truncated λ-return G^λ_{t:T} (eq. 12.9).
 *
 * @param rewards R_1 … R_T (length T).
 * @param values V(S_0) … V(S_T) (length T + 1; `values[0]` is not used).
 * @param gamma discount γ in [0, 1].
 * @param lambda trace-decay λ in [0, 1].
 * @returns Float64Array of length T.
 * @throws RangeError when `values.length` ≠ `rewards.length` + 1 or γ/λ is outside [0, 1].
 */
export function lambdaReturns(rewards: ArrayLike<number>, values: ArrayLike<number>, gamma: number, lambda: number): Float64Array {
  const where = "lambdaReturns";
  checkUnitInterval(gamma, "gamma", where);
  checkUnitInterval(lambda, "lambda", where);
  const T = rewards.length;
  if (values.length !== T + 1) {
    throw new RangeError(`${where}: values must hold V(S_0) … V(S_T), ${T + 1} numbers for ${T} rewards, got ${values.length}`);
  }
  const G = new Float64Array(T);
  let next = values[T]; // G^λ_T "=" V(S_T), so that the recursion gives G^λ_{T−1} = R_T + γV(S_T)
  for (let t = T - 1; t >= 0; t--) {
    next = rewards[t] + gamma * ((1 - lambda) * values[t + 1] + lambda * next);
    G[t] = next;
  }
  return G;
}

function checkEpisode(V: Float64Array, episode: Episode, where: string): number {
  const T = episode.rewards.length;
  if (episode.states.length !== T + 1) {
    throw new RangeError(`${where}: episode.states must hold S_0 … S_T, ${T + 1} states for ${T} rewards, got ${episode.states.length}`);
  }
  for (const s of episode.states) {
    if (!Number.isInteger(s) || s < 0 || s >= V.length) throw new RangeError(`${where}: episode state ${s} is not in 0…${V.length - 1}`);
  }
  return T;
}

/**
 * The forward view's updates for one episode, offline (S&B §12.1, eq. 12.4 with V held fixed
 * during the episode): ΔV(s) = Σ_{t: S_t = s} α (G^λ_t − V(S_t)). `V` is not modified.
 *
 * @param V the value table the λ-returns bootstrap from (length nS).
 * @param episode S_0 … S_T and R_1 … R_T; `episode.terminated` decides whether V(S_T) counts as 0.
 * @returns ΔV, a Float64Array of length nS.
 * @throws RangeError on a malformed episode or α/γ/λ out of range.
 */
export function lambdaReturnIncrements(V: Float64Array, episode: Episode, alpha: number, gamma: number, lambda: number): Float64Array {
  const where = "lambdaReturnIncrements";
  checkStepSize(alpha, "alpha", where);
  const T = checkEpisode(V, episode, where);
  const values = new Float64Array(T + 1);
  for (let t = 0; t < T; t++) values[t] = V[episode.states[t]];
  values[T] = episode.terminated ? 0 : V[episode.states[T]];
  const G = lambdaReturns(episode.rewards, values, gamma, lambda);
  const dV = new Float64Array(V.length);
  for (let t = 0; t < T; t++) dV[episode.states[t]] += alpha * (G[t] - values[t]);
  return dV;
}

/**
 * The backward view's updates for one episode, offline: the sum over the episode of the TD(λ) step
 * updates α δ_t e_t (S&B eq. 12.5–12.7), with V held fixed. `V` is not modified.
 *
 * @param V the value table (length nS).
 * @param episode S_0 … S_T and R_1 … R_T; `episode.terminated` decides whether V(S_T) counts as 0.
 * @param kind `"accumulating"` or `"replacing"` traces.
 * @returns ΔV, a Float64Array of length nS.
 * @throws RangeError on a malformed episode, an unknown `kind` or α/γ/λ out of range.
 */
export function traceIncrements(V: Float64Array, episode: Episode, alpha: number, gamma: number, lambda: number, kind: TraceKind = "accumulating"): Float64Array {
  const where = "traceIncrements";
  checkStepSize(alpha, "alpha", where);
  checkUnitInterval(gamma, "gamma", where);
  checkUnitInterval(lambda, "lambda", where);
  checkKind(kind, where);
  const T = checkEpisode(V, episode, where);
  const e = new Float64Array(V.length);
  const dV = new Float64Array(V.length);
  for (let t = 0; t < T; t++) {
    const s = episode.states[t];
    const sNext = episode.states[t + 1];
    stepTraces(e, s, kind === "replacing", gamma * lambda);
    const delta = tdError(episode.rewards[t], gamma, V[sNext], V[s], episode.terminated && t === T - 1);
    for (let i = 0; i < dV.length; i++) dV[i] += alpha * delta * e[i];
  }
  return dV;
}

/** Configuration of the TD(λ) prediction methods: {@link PredictionConfig} plus these. `episodes` defaults to 100. */
export interface TDLambdaConfig extends PredictionConfig {
  /** Step size α in (0, 1] (default 0.1). */
  alpha?: number;
  /** Trace-decay parameter λ in [0, 1] (default 0.9). λ = 0 is TD(0), λ = 1 Monte Carlo. */
  lambda?: number;
}

/** Configuration of {@link tdLambdaPrediction}: {@link TDLambdaConfig} plus the kind of traces and when updates apply. */
export interface BackwardTDLambdaConfig extends TDLambdaConfig {
  /** `"accumulating"` (default) or `"replacing"` traces. */
  traces?: TraceKind;
  /**
   * true (default): V changes after every step (online TD(λ), S&B's boxed algorithm of §12.2);
   * false: the step updates are summed and applied at the end of the episode (offline).
   */
  online?: boolean;
}

const LAMBDA_KEYS = [...PREDICTION_CONFIG_KEYS, "alpha", "lambda"];
const BACKWARD_KEYS = [...LAMBDA_KEYS, "traces", "online"];

/**
 * The offline λ-return algorithm (S&B §12.1), the forward view of TD(λ): after each episode,
 * V(S_t) moves towards the λ-return, ΔV(S_t) += α[G^λ_t − V(S_t)] for t = 0 … T−1, all computed from
 * V as it was during the episode and applied together ({@link lambdaReturnIncrements}).
 *
 * @param env a tabular env (Discrete observations and actions).
 * @param policy the policy π to evaluate ({@link Policy}).
 * @returns V (length nS), the per-episode returns and lengths, and `rmsErrors` when `trueValues` is given.
 * @throws TypeError when the env is not tabular or on an unknown config field; RangeError on an
 *   invalid config value (λ outside [0, 1], α outside (0, 1], …) or a malformed policy.
 */
export function lambdaReturnPrediction(env: Env<number, number>, policy: Policy, config: TDLambdaConfig = {}): PredictionResult {
  const where = "lambdaReturnPrediction";
  const { nS, nA, run } = openRun(env, config, LAMBDA_KEYS, 100, where);
  const alpha = checkStepSize(config.alpha ?? 0.1, "alpha", where);
  const lambda = checkUnitInterval(config.lambda ?? 0.9, "lambda", where);
  const { pi, V, recorder, ctx, rng } = predictionParts(env, policy, config, nS, nA, run, where);
  const episode = emptyEpisode();

  for (let ep = 0; ep < run.episodes; ep++) {
    const ret = runEpisode(ctx, ep, (s) => pi.sample(s, rng), episode);
    const dV = lambdaReturnIncrements(V, episode, alpha, run.gamma, lambda);
    for (let s = 0; s < nS; s++) V[s] += dV[s];
    recorder.record(ep, ret, episode.rewards.length, episode.terminated, episode.truncated, V);
  }
  return predictionResult(V, recorder);
}

/**
 * TD(λ) with eligibility traces for estimating v_π (S&B §12.2, the backward view; tabular
 * semi-gradient TD(λ)). Every step: e ← γλe, bump e(S) ({@link updateTraces}),
 * δ ← R + γV(S') − V(S) ({@link tdError}; V(S') = 0 when S' is terminal, bootstrapped when the
 * step was truncated), then V ← V + α δ e for every state — at once (`online: true`, default) or
 * summed and applied at the end of the episode (`online: false`; with accumulating traces this
 * equals {@link lambdaReturnPrediction}'s updates, and with λ = 1 every-visit constant-α MC's).
 *
 * @param env a tabular env (Discrete observations and actions).
 * @param policy the policy π to evaluate ({@link Policy}).
 * @returns V (length nS), the per-episode returns and lengths, and `rmsErrors` when `trueValues` is given.
 * @throws TypeError when the env is not tabular or on an unknown config field; RangeError on an
 *   invalid config value (λ outside [0, 1], α outside (0, 1], unknown `traces`, …) or a malformed policy.
 */
export function tdLambdaPrediction(env: Env<number, number>, policy: Policy, config: BackwardTDLambdaConfig = {}): PredictionResult {
  const where = "tdLambdaPrediction";
  const { nS, nA, run } = openRun(env, config, BACKWARD_KEYS, 100, where);
  const alpha = checkStepSize(config.alpha ?? 0.1, "alpha", where);
  const lambda = checkUnitInterval(config.lambda ?? 0.9, "lambda", where);
  const replacing = checkKind(config.traces ?? "accumulating", where) === "replacing";
  const online = config.online ?? true;
  if (typeof online !== "boolean") throw new TypeError(`${where}: online must be true or false, got ${String(online)}`);
  const gamma = run.gamma;
  const { pi, V, recorder, ctx, rng } = predictionParts(env, policy, config, nS, nA, run, where);
  const e = new Float64Array(nS); // eligibility traces
  const dV = new Float64Array(nS); // offline: the episode's summed updates
  const target = online ? V : dV;

  for (let ep = 0; ep < run.episodes; ep++) {
    e.fill(0);
    const act = (s: number) => pi.sample(s, rng);
    const end = stepEpisode(ctx, ep, act, (s, _a, reward, sNext, terminated) => {
      stepTraces(e, s, replacing, gamma * lambda);
      const delta = tdError(reward, gamma, V[sNext], V[s], terminated);
      for (let i = 0; i < nS; i++) target[i] += alpha * delta * e[i];
    });
    if (!online) {
      for (let i = 0; i < nS; i++) V[i] += dV[i];
      dV.fill(0);
    }
    recorder.recordOutcome(ep, end, V);
  }
  return predictionResult(V, recorder);
}
