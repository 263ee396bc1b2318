import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../lib/random";
import {
  discountCumsum,
  rolloutReturns,
  episodeGae,
  episodeLambdaReturns,
  episodeNStepReturns,
  gae,
  rolloutLambdaReturns,
  rolloutNStepReturns,
  rewardToGo,
  shiftValues,
  rolloutTdErrors,
} from "../lib/returns";

/** A rollout of T steps × N envs with terminations and truncations in several envs (fixed seed). */
function randomRollout(seed: number, T = 12, N = 5) {
  const rng = new Rng(seed);
  const size = T * N;
  const rewards = Float64Array.from({ length: size }, () => rng.normal());
  const values = Float32Array.from({ length: size }, () => rng.normal());
  const finalValues = Float64Array.from({ length: size }, () => rng.normal(0, 3));
  const lastValues = Float64Array.from({ length: N }, () => rng.normal());
  const terminated = new Array<boolean>(size).fill(false);
  const truncated = new Array<boolean>(size).fill(false);
  const at = (t: number, e: number) => t * N + e;
  // env 0: terminated at 3, truncated at 8; env 1: truncated at 2, terminated at 5 and at the last step;
  // env 2: no episode end; env 3: terminated and truncated together at 6, truncated at the last step;
  // env 4: random ends.
  terminated[at(3, 0)] = true;
  truncated[at(8, 0)] = true;
  truncated[at(2, 1)] = true;
  terminated[at(5, 1)] = true;
  terminated[at(T - 1, 1)] = true;
  terminated[at(6, 3)] = true;
  truncated[at(6, 3)] = true;
  truncated[at(T - 1, 3)] = true;
  for (let t = 0; t < T; t++) {
    const u = rng.random();
    if (u < 0.15) terminated[at(t, 4)] = true;
    else if (u < 0.3) truncated[at(t, 4)] = true;
  }
  return { rewards, values, finalValues, lastValues, terminated, truncated, numSteps: T, numEnvs: N };
}

type Rollout = ReturnType<typeof randomRollout>;

/** V(s_{t+1}) of transition (t, e), straight from the definitions. */
function nextValue(r: Rollout, t: number, e: number): number {
  const i = t * r.numEnvs + e;
  if (r.terminated[i]) return 0;
  if (r.truncated[i]) return r.finalValues[i];
  if (t === r.numSteps - 1) return r.lastValues[e];
  return r.values[i + r.numEnvs];
}

/** Steps from t to the end of its episode within the rollout (inclusive). */
function stepsLeft(r: Rollout, t: number, e: number): number {
  let k = t;
  while (k < r.numSteps - 1 && !r.terminated[k * r.numEnvs + e] && !r.truncated[k * r.numEnvs + e]) k++;
  return k - t + 1;
}

/** n-step return by the direct sum Σ_{k<m} γ^k r_{t+k} + γ^m V(s_{t+m}), m = min(n, steps left). */
function directNStep(r: Rollout, gamma: number, n: number, t: number, e: number): number {
  const m = Math.min(n, stepsLeft(r, t, e));
  let g = 0;
  for (let k = 0; k < m; k++) g += gamma ** k * r.rewards[(t + k) * r.numEnvs + e];
  return g + gamma ** m * nextValue(r, t + m - 1, e);
}

/** GAE as the λ-weighted average of n-step advantages (Schulman et al. 2016, eq. 11–16), with the weight of all n ≥ L on A^(L). */
function directGae(r: Rollout, gamma: number, lambda: number, t: number, e: number): number {
  const L = stepsLeft(r, t, e);
  const v = r.values[t * r.numEnvs + e];
  let a = 0;
  for (let n = 1; n < L; n++) a += (1 - lambda) * lambda ** (n - 1) * (directNStep(r, gamma, n, t, e) - v);
  return a + lambda ** (L - 1) * (directNStep(r, gamma, L, t, e) - v);
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test("GAE equals the λ-weighted sum of n-step advantages, with terminations and truncations in several envs", () => {
  for (const seed of [1, 2, 3]) {
    const r = randomRollout(seed);
    for (const gamma of [0.99, 0.9]) {
      for (const gaeLambda of [0, 0.3, 0.95, 1]) {
        const { advantages, returns } = gae({ ...r, gamma, gaeLambda });
        const expected = Array.from({ length: r.numSteps * r.numEnvs }, (_, i) => directGae(r, gamma, gaeLambda, Math.floor(i / r.numEnvs), i % r.numEnvs));
        assertClose(advantages, expected, 1e-12, `seed ${seed} γ ${gamma} λ ${gaeLambda}`);
        for (let i = 0; i < returns.length; i++) assert.equal(returns[i], advantages[i] + r.values[i]);
      }
    }
  }
});

test("GAE(λ=1) is the discounted return minus V; GAE(λ=0) is the one-step TD error", () => {
  const r = randomRollout(11);
  const gamma = 0.97;
  const size = r.numSteps * r.numEnvs;
  const mc = Array.from({ length: size }, (_, i) => directNStep(r, gamma, r.numSteps, Math.floor(i / r.numEnvs), i % r.numEnvs));
  assertClose(rolloutReturns({ ...r, gamma }), mc, 1e-12, "rolloutReturns");
  assertClose(gae({ ...r, gamma, gaeLambda: 1 }).advantages, mc.map((g, i) => g - r.values[i]), 1e-12, "GAE(1)");
  const td = Array.from({ length: size }, (_, i) => r.rewards[i] + gamma * nextValue(r, Math.floor(i / r.numEnvs), i % r.numEnvs) - r.values[i]);
  assertClose(rolloutTdErrors({ ...r, gamma }), td, 1e-14, "rolloutTdErrors");
  assertClose(gae({ ...r, gamma, gaeLambda: 0 }).advantages, td, 1e-14, "GAE(0)");
});

test("a truncation bootstraps from the final value; a termination from 0; the next episode is never used", () => {
  const base = {
    rewards: [1, 1, 1],
    values: [0.5, 0.6, 0.7],
    terminated: [false, false, false],
    truncated: [false, true, false],
    finalValues: [0, 10, 0],
    lastValues: [2],
    gamma: 0.5,
    gaeLambda: 1,
    numSteps: 3,
    numEnvs: 1,
  };
  // A_2 = 1 + 0.5·2 − 0.7; A_1 = 1 + 0.5·10 − 0.6 (V(final obs) = 10); A_0 = (1 + 0.5·0.6 − 0.5) + 0.5·A_1.
  assertClose(gae(base).advantages, [3.5, 5.4, 1.3], 1e-15, "truncated");
  // The value of the next episode's first state (values[2]) does not reach A_1 or A_0.
  const other = gae({ ...base, values: [0.5, 0.6, 100] }).advantages;
  assertClose(other.subarray(0, 2), [3.5, 5.4], 1e-15, "next episode ignored");
  // Terminated (also when truncated at the same time): V(s_2) = 0.
  assertClose(gae({ ...base, terminated: [false, true, false] }).advantages, [0.8 + 0.5 * 0.4, 0.4, 1.3], 1e-15, "terminated");
  // The final value is required where a transition is truncated.
  assert.throws(() => gae({ ...base, finalValues: undefined }), /truncated: pass finalValues/);
  assert.throws(() => gae({ ...base, lastValues: undefined }), /lastValues/);
  // lastValues may be omitted when every env's last transition ends its episode.
  assertClose(rolloutReturns({ ...base, truncated: [false, false, true], finalValues: [0, 0, 4], lastValues: undefined }), [1.5 + 0.25 * 3, 1 + 0.5 * 3, 3], 1e-15, "no lastValues");
});

test("nextValues (e.g. shiftValues under next-step autoreset) replaces values[t+1], finalValues and lastValues", () => {
  const r = randomRollout(5);
  const shifted = shiftValues(r.values, r.lastValues, r.numSteps, r.numEnvs);
  // Same as passing, at each truncation, the value that follows it in the rollout as the final value.
  const a = gae({ ...r, gamma: 0.9, gaeLambda: 0.8, nextValues: shifted, finalValues: undefined, lastValues: undefined });
  const b = gae({ ...r, gamma: 0.9, gaeLambda: 0.8, finalValues: shifted });
  assert.notDeepEqual(a.advantages, gae({ ...r, gamma: 0.9, gaeLambda: 0.8 }).advantages);
  assert.deepEqual(a.advantages, b.advantages);
  assert.equal(shifted[0], r.values[r.numEnvs]);
  assert.equal(shifted[shifted.length - 1], r.lastValues[r.numEnvs - 1]);
});

test("n-step returns match the direct sum; n = 1 is the TD target, large n the discounted return", () => {
  const r = randomRollout(7);
  const gamma = 0.95;
  const size = r.numSteps * r.numEnvs;
  for (const n of [1, 2, 3, 5, 100]) {
    const expected = Array.from({ length: size }, (_, i) => directNStep(r, gamma, n, Math.floor(i / r.numEnvs), i % r.numEnvs));
    assertClose(rolloutNStepReturns({ ...r, gamma, n }), expected, 1e-12, `n=${n}`);
  }
  const td = rolloutTdErrors({ ...r, gamma });
  assertClose(rolloutNStepReturns({ ...r, gamma, n: 1 }), Array.from(td, (d, i) => d + r.values[i]), 1e-12, "n=1");
  assertClose(rolloutNStepReturns({ ...r, gamma, n: r.numSteps }), rolloutReturns({ ...r, gamma }), 1e-12, "n=T");
  assert.throws(() => rolloutNStepReturns({ ...r, gamma, n: 0 }), /n must be a positive integer/);
});

test("λ-returns by their recursion equal GAE's returns and the λ-average of n-step returns", () => {
  const r = randomRollout(9);
  for (const lambda of [0, 0.5, 0.9, 1]) {
    const g = rolloutLambdaReturns({ ...r, gamma: 0.9, lambda });
    assertClose(g, gae({ ...r, gamma: 0.9, gaeLambda: lambda }).returns, 1e-12, `λ=${lambda}`);
    const direct = Array.from(g, (_, i) => directGae(r, 0.9, lambda, Math.floor(i / r.numEnvs), i % r.numEnvs) + r.values[i]);
    assertClose(g, direct, 1e-12, `direct λ=${lambda}`);
  }
});

test("outputs are float64 by default, float32 on request; float32 inputs work", () => {
  const r = randomRollout(3);
  assert.ok(gae({ ...r, gamma: 0.99, gaeLambda: 0.95 }).advantages instanceof Float64Array);
  const f32 = gae({ ...r, rewards: Float32Array.from(r.rewards), gamma: 0.99, gaeLambda: 0.95, dtype: "float32" });
  assert.ok(f32.advantages instanceof Float32Array && f32.returns instanceof Float32Array);
  const f64 = gae({ ...r, rewards: Float32Array.from(r.rewards), gamma: 0.99, gaeLambda: 0.95 });
  assertClose(f32.advantages, f64.advantages, 1e-6, "float32");
  // Flags as Uint8Array (what RolloutBuffer stores).
  const u8 = gae({ ...r, terminated: Uint8Array.from(r.terminated, Number), truncated: Uint8Array.from(r.truncated, Number), gamma: 0.99, gaeLambda: 0.95 });
  assert.deepEqual(u8.advantages, gae({ ...r, gamma: 0.99, gaeLambda: 0.95 }).advantages);
});

test("argument errors name the problem", () => {
  const r = randomRollout(3);
  assert.throws(() => gae({ ...r, gamma: 1.5, gaeLambda: 0.9 }), /gamma must be in \[0, 1\]/);
  assert.throws(() => gae({ ...r, gamma: 0.9, gaeLambda: -0.1 }), /gaeLambda must be in \[0, 1\]/);
  assert.throws(() => gae({ ...r, rewards: r.rewards.subarray(1), gamma: 0.9, gaeLambda: 0.9 }), /rewards has length 59, expected 60/);
  assert.throws(() => gae({ ...r, lastValues: [1], gamma: 0.9, gaeLambda: 0.9 }), /lastValues has length 1, expected 5/);
  assert.throws(() => gae({ ...r, numSteps: 0, gamma: 0.9, gaeLambda: 0.9 }), /numSteps/);
});

test("NaN and ±Infinity in rewards, values or a bootstrap value that is used: an error naming the array and index", () => {
  // One env, three steps: step 1 truncated (finalValues[1] used), step 2 the rollout's last (lastValues[0] used).
  const base = { rewards: [1, 2, 3], values: [0.5, 0.5, 0.5], terminated: [0, 0, 0], truncated: [0, 1, 0], finalValues: [NaN, 4, NaN], lastValues: [6], gamma: 0.9, gaeLambda: 0.95, numSteps: 3, numEnvs: 1 };
  assert.ok(Number.isFinite(gae(base).advantages[0]), "finalValues of untruncated steps are never read, so NaN there is fine");
  assert.throws(() => gae({ ...base, rewards: [1, NaN, 3] }), /rewards\[1\] is NaN: expected finite numbers/);
  assert.throws(() => gae({ ...base, values: [0.5, 0.5, -Infinity] }), /values\[2\] is -Infinity/);
  assert.throws(() => gae({ ...base, finalValues: [0, Infinity, 0] }), /finalValues\[1\] is Infinity/);
  assert.throws(() => gae({ ...base, lastValues: [NaN] }), /lastValues\[0\] is NaN/);
  assert.throws(() => rolloutReturns({ ...base, nextValues: [0, 0, NaN] }), /nextValues\[2\] is NaN/);
  assert.throws(() => discountCumsum([1, NaN], 0.9), /x\[1\] is NaN/);
  assert.throws(() => rewardToGo([1, Infinity]), /rewards\[1\] is Infinity/);
  assert.throws(() => rewardToGo([1, 2], 0.9, NaN), /lastValue is NaN: expected a finite number/);
});

test("episode forms: discountCumsum, reward-to-go, n-step, λ-returns and GAE on plain arrays", () => {
  assert.deepEqual(discountCumsum([1, 1, 1], 0.5), [1.75, 1.5, 1]);
  assert.deepEqual(discountCumsum([], 0.9), []);
  assert.deepEqual(rewardToGo([1, 2, 3]), [6, 5, 3]);
  assert.deepEqual(rewardToGo([1, 2, 3], 0.5, 8), [1 + 0.5 * 2 + 0.25 * 3 + 0.125 * 8, 2 + 0.5 * 3 + 0.25 * 8, 3 + 0.5 * 8]);
  const rewards = [1, 0, 2, -1];
  const values = [0.5, 0.2, -0.3, 0.8];
  const { advantages, returns } = episodeGae(rewards, values, 0.9, 0.8, 1.5);
  assert.ok(Array.isArray(advantages) && Array.isArray(returns));
  // Reference: Σ_l (γλ)^l δ_{t+l} with δ from the definitions.
  const next = [...values.slice(1), 1.5];
  const deltas = rewards.map((r, t) => r + 0.9 * next[t] - values[t]);
  assertClose(advantages, discountCumsum(deltas, 0.9 * 0.8), 1e-14, "episodeGae");
  assertClose(returns, advantages.map((a, t) => a + values[t]), 0, "returns");
  assertClose(episodeGae(rewards, values, 0.9, 1).advantages, rewardToGo(rewards, 0.9).map((g, t) => g - values[t]), 1e-14, "GAE(1)");
  assertClose(episodeNStepReturns(rewards, values, 2, 0.9, 1.5), [1 + 0 + 0.81 * -0.3, 0 + 0.9 * 2 + 0.81 * 0.8, 2 - 0.9 + 0.81 * 1.5, -1 + 0.9 * 1.5], 1e-14, "2-step");
  assertClose(episodeLambdaReturns(rewards, values, 0.9, 0.8, 1.5), returns, 1e-14, "λ-returns");
  assert.throws(() => episodeGae([1, 2], [1], 0.9, 0.9), /values has length 1/);
});
