/**
 * Temporal-difference prediction (Sutton & Barto, 2nd ed.): tabular TD(0) (§6.1) and n-step TD
 * (§7.1), with the one-step pieces the notebooks teach: the TD error δ (eq. 6.5), the TD(0) update
 * (eq. 6.2) and the n-step return (eq. 7.1).
 *
 * Terminal versus truncated: a transition into a terminal state (`terminated`) has no future, so
 * V(terminal) = 0 and nothing is bootstrapped; a transition cut by a time limit (`truncated`) lands
 * in an ordinary state, so the target bootstraps from its value V(S').
 */
import type { Env } from "../envs/core";
import {
  PREDICTION_CONFIG_KEYS,
  checkPositiveInteger,
  checkState,
  checkStepSize,
  checkUnitInterval,
  openRun,
  resetEpisode,
  stepEpisode,
  type PredictionConfig,
  type PredictionResult,
} from "./common";
import type { Policy } from "./policy";
import { predictionParts, predictionResult } from "./prediction_run";

/**
 * The TD error (S&B eq. 6.5): δ = R + γ V(S') − V(S), with V(S') taken as 0 when S' is terminal.
 *
 * @param reward R_{t+1}.
 * @param gamma discount γ.
 * @param vNext V(S_{t+1}) (ignored when `terminated`).
 * @param v V(S_t).
 * @param terminated true when S_{t+1} is terminal (not when the episode was only truncated).
 */
export function tdError(reward: number, gamma: number, vNext: number, v: number, terminated = false): number {
  return reward + (terminated ? 0 : gamma * vNext) - v;
}

/**
 * One tabular TD(0) update in place (S&B eq. 6.2): V(S) ← V(S) + α[R + γV(S') − V(S)].
 *
 * @param V value table, length nS (modified).
 * @param s S_t.
 * @param reward R_{t+1}.
 * @param sNext S_{t+1}.
 * @param alpha step size α.
 * @param gamma discount γ.
 * @param terminated true when S_{t+1} is terminal (then V(S') counts as 0).
 * @returns the TD error δ.
 * @throws RangeError when `s` or `sNext` is not an index of V.
 */
export function td0Update(V: Float64Array, s: number, reward: number, sNext: number, alpha: number, gamma: number, terminated = false): number {
  if (!Number.isInteger(s) || s < 0 || s >= V.length) throw new RangeError(`td0Update: s must be a state in 0…${V.length - 1}, got ${s}`);
  if (!Number.isInteger(sNext) || sNext < 0 || sNext >= V.length) {
    throw new RangeError(`td0Update: sNext must be a state in 0…${V.length - 1}, got ${sNext}`);
  }
  const delta = tdError(reward, gamma, V[sNext], V[s], terminated);
  V[s] += alpha * delta;
  return delta;
}

/**
 * The n-step return (S&B eq. 7.1): G_{t:t+n} = R_{t+1} + γR_{t+2} + … + γ^{n−1}R_{t+n} + γ^n V(S_{t+n}),
 * where n = `rewards.length`. Pass `bootstrapValue` = V(S_{t+n}), or 0 (the default) when the
 * episode terminated within the n steps (then G_{t:t+n} = G_t, eq. 7.1's t + n ≥ T case).
 *
 * @param rewards R_{t+1} … R_{t+n}.
 * @param gamma discount γ in [0, 1].
 * @throws RangeError when `gamma` is outside [0, 1].
 */
export function nStepReturn(rewards: ArrayLike<number>, gamma: number, bootstrapValue = 0): number {
  checkUnitInterval(gamma, "gamma", "nStepReturn");
  let G = 0;
  let discount = 1;
  for (let i = 0; i < rewards.length; i++) {
    G += discount * rewards[i];
    discount *= gamma;
  }
  return G + discount * bootstrapValue;
}

/** Configuration of {@link td0Prediction}: {@link PredictionConfig} plus `alpha`. `episodes` defaults to 100. */
export interface TDConfig extends PredictionConfig {
  /** Step size α in (0, 1] (default 0.1). */
  alpha?: number;
}

const TD_KEYS = [...PREDICTION_CONFIG_KEYS, "alpha"];

/**
 * Tabular TD(0) for estimating v_π (S&B §6.1): after every step, V(S) ← V(S) + α[R + γV(S') − V(S)],
 * with V(S') = 0 when S' is terminal and bootstrapping from V(S') when the step was truncated.
 *
 * @param env a tabular env (Discrete observations and actions).
 * @param policy the policy π to evaluate ({@link Policy}).
 * @returns V (length nS), the per-episode returns and lengths, and `rmsErrors` when `trueValues` is given.
 * @throws TypeError when the env is not tabular or on an unknown config field; RangeError on an
 *   invalid config value (α outside (0, 1], γ outside [0, 1], …) or a malformed policy.
 */
export function td0Prediction(env: Env<number, number>, policy: Policy, config: TDConfig = {}): PredictionResult {
  const where = "td0Prediction";
  const { nS, nA, run } = openRun(env, config, TD_KEYS, 100, where);
  const alpha = checkStepSize(config.alpha ?? 0.1, "alpha", where);
  const gamma = run.gamma;
  const { pi, V, recorder, ctx, rng } = predictionParts(env, policy, config, nS, nA, run, where);

  for (let ep = 0; ep < run.episodes; ep++) {
    // Initialize S; loop for each step: A ← action given by π for S; take A, observe R, S'; V(S) ← V(S) + α δ.
    const act = (s: number) => pi.sample(s, rng);
    const end = stepEpisode(ctx, ep, act, (s, _a, reward, sNext, terminated) => {
      V[s] += alpha * tdError(reward, gamma, V[sNext], V[s], terminated);
    });
    recorder.recordOutcome(ep, end, V);
  }
  return predictionResult(V, recorder);
}

/** Configuration of {@link nStepTDPrediction}: {@link TDConfig} plus `n`. `episodes` defaults to 100. */
export interface NStepTDConfig extends TDConfig {
  /** Number of steps n ≥ 1 before bootstrapping (default 1, which is TD(0)). */
  n?: number;
}

const NSTEP_KEYS = [...TD_KEYS, "n"];

/**
 * n-step TD for estimating v_π (S&B §7.1, the boxed algorithm): at time τ = t − n + 1,
 * V(S_τ) ← V(S_τ) + α[G_{τ:τ+n} − V(S_τ)] with the n-step return of eq. 7.1. Near the end of an
 * episode of length T the return stops at T: with nothing more when S_T is terminal, plus
 * γ^{T−τ} V(S_T) when the episode was truncated. With n = 1 it performs exactly TD(0)'s updates.
 *
 * @param env a tabular env (Discrete observations and actions).
 * @param policy the policy π to evaluate ({@link Policy}).
 * @returns V (length nS), the per-episode returns and lengths, and `rmsErrors` when `trueValues` is given.
 * @throws TypeError when the env is not tabular or on an unknown config field; RangeError on an
 *   invalid config value (n not a positive integer, α outside (0, 1], …) or a malformed policy.
 */
export function nStepTDPrediction(env: Env<number, number>, policy: Policy, config: NStepTDConfig = {}): PredictionResult {
  const where = "nStepTDPrediction";
  const { nS, nA, run } = openRun(env, config, NSTEP_KEYS, 100, where);
  const alpha = checkStepSize(config.alpha ?? 0.1, "alpha", where);
  const n = checkPositiveInteger(config.n ?? 1, "n", where);
  const gamma = run.gamma;
  const { pi, V, recorder, ctx, rng } = predictionParts(env, policy, config, nS, nA, run, where);
  const states: number[] = []; // S_0, S_1, …
  const rewards: number[] = []; // rewards[i − 1] = R_i

  for (let ep = 0; ep < run.episodes; ep++) {
    states.length = 0;
    rewards.length = 0;
    states.push(resetEpisode(env, ep, ctx.envSeed, nS, where)); // Initialize and store S_0
    let T = Infinity;
    let truncated = false;
    let ret = 0;
    for (let t = 0; ; t++) {
      if (t < T) {
        const a = pi.sample(states[t], rng); // take an action according to π(·|S_t)
        const [obs, reward, term, trunc] = env.step(a); // observe and store R_{t+1}, S_{t+1}
        rewards.push(reward);
        states.push(checkState(obs, nS, where));
        ret += reward;
        if (term || trunc || t + 1 >= run.maxStepsPerEpisode) {
          T = t + 1;
          truncated = !term;
        }
      }
      const tau = t - n + 1; // the time whose estimate is being updated
      if (tau >= 0) {
        const end = Math.min(tau + n, T);
        let G = 0;
        let discount = 1;
        for (let i = tau + 1; i <= end; i++) {
          G += discount * rewards[i - 1]; // γ^{i−τ−1} R_i
          discount *= gamma;
        }
        if (tau + n < T || truncated) G += discount * V[states[end]]; // γ^n V(S_{τ+n}), or γ^{T−τ} V(S_T) when truncated
        const s = states[tau];
        V[s] += alpha * (G - V[s]);
      }
      if (tau === T - 1) break;
    }
    recorder.record(ep, ret, T, !truncated, truncated, V);
  }
  return predictionResult(V, recorder);
}
