/**
 * Exploration pieces of lib/tabular (exploration.ts): the count bonus against β/√n, potential-based
 * shaping against its telescoping closed form and Ng et al.'s Q*_shaped = Q* − Φ, the reward-shaping
 * wrapper, and the start-distribution wrapper's frequencies and seeding.
 *
 * Run: node --import tsx --test test/exploration.test.ts
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { Rng } from "../lib/random";
import { make, CombinationLockEnv, type Env } from "../lib/envs";
import { RewardShaping, StartDistribution, countBonus, potentialShaping, qLearning, greedyRollout } from "../lib/tabular";
import { mdpFromEnv, mdpFromTable, sampleTrajectory, uniformPolicy, valueIteration } from "../lib/mdp";
import type { TransitionTable } from "../lib/envs/toytext/discrete_env";

const close = (a: number, b: number, tol = 1e-12): boolean => Math.abs(a - b) <= tol;

describe("countBonus", () => {
  test("increments N(s, a) and returns β/√N, leaving the other counts alone", () => {
    const N = new Float64Array(3 * 2);
    const bonuses = [1, 2, 3, 4].map(() => countBonus(N, 2, 1, 0, 0.5));
    bonuses.forEach((b, k) => assert.ok(close(b, 0.5 / Math.sqrt(k + 1)), `visit ${k + 1}: ${b}`));
    assert.deepEqual(Array.from(N), [0, 0, 4, 0, 0, 0]);
    assert.ok(close(countBonus(N, 2, 2, 1, 0.5), 0.5), "a first visit earns β");
  });

  test("rejects pairs outside the table and a negative β", () => {
    const N = new Float64Array(4);
    assert.throws(() => countBonus(N, 2, 2, 0, 1), RangeError);
    assert.throws(() => countBonus(N, 2, 0, 2, 1), RangeError);
    assert.throws(() => countBonus(N, 3, 0, 0, 1), RangeError);
    assert.throws(() => countBonus(N, 2, 0, 0, -1), RangeError);
  });
});

describe("potentialShaping", () => {
  test("F = γΦ(s′) − Φ(s), with Φ(s′) = 0 on a terminating transition", () => {
    const phi = [0.5, 2, -1];
    assert.ok(close(potentialShaping(phi, 0.9, 0, 1, false), 0.9 * 2 - 0.5));
    assert.ok(close(potentialShaping(phi, 0.9, 1, 2, true), -2));
    assert.throws(() => potentialShaping(phi, 0.9, 3, 0, false), RangeError);
    assert.throws(() => potentialShaping(phi, 1.5, 0, 0, false), RangeError);
  });

  test("the shaped discounted return of a terminated episode is G − Φ(S_0); of a truncated one G + γ^T Φ(S_T) − Φ(S_0)", () => {
    const env = make("CombinationLock-v0", { horizon: 6, nActions: 3, wrongAction: "reset" });
    const mdp = mdpFromEnv(env, 0.95);
    const rng = new Rng(5);
    const phi = Array.from({ length: mdp.nS }, () => rng.uniform(-2, 2));
    const pi = uniformPolicy(mdp.nS, mdp.nA);
    for (let i = 0; i < 50; i++) {
      const traj = sampleTrajectory(mdp, pi, rng, { maxSteps: 40 });
      let G = 0;
      let shaped = 0;
      const T = traj.actions.length;
      for (let t = T - 1; t >= 0; t--) {
        const term = traj.terminated && t === T - 1;
        G = traj.rewards[t] + 0.95 * G;
        shaped = traj.rewards[t] + potentialShaping(phi, 0.95, traj.states[t], traj.states[t + 1], term) + 0.95 * shaped;
      }
      const tail = traj.terminated ? 0 : 0.95 ** T * phi[traj.states[T]];
      assert.ok(close(shaped, G + tail - phi[traj.states[0]], 1e-10), `episode ${i}: ${shaped} vs ${G + tail - phi[traj.states[0]]}`);
    }
  });

  test("Ng et al.: the optimal Q of the shaped MDP is Q* − Φ(s), so the optimal policy is the same", () => {
    const env = make("CombinationLock-v0", { horizon: 7, nActions: 3, lockSeed: 2 });
    const mdp = mdpFromEnv(env, 0.9);
    const rng = new Rng(9);
    const phi = Array.from({ length: mdp.nS }, () => rng.uniform(0, 3));
    const P: TransitionTable = mdp.P.map((row, s) =>
      row.map((outcomes) => outcomes.map(([p, s2, r, term]) => [p, s2, r + potentialShaping(phi, 0.9, s, s2, term), term])),
    );
    const plain = valueIteration(mdp, { tol: 1e-12 });
    const shaped = valueIteration(mdpFromTable(P, 0.9, mdp.initialDistribution), { tol: 1e-12 });
    for (let s = 0; s < mdp.nS; s++) {
      for (let a = 0; a < mdp.nA; a++) {
        const i = s * mdp.nA + a;
        assert.ok(close(shaped.Q[i], plain.Q[i] - phi[s], 1e-8), `Q(${s}, ${a})`);
      }
    }
    const lock = env.unwrapped as CombinationLockEnv;
    for (let s = 0; s < lock.horizon; s++) assert.equal(shaped.actions[s], lock.combination[s], `state ${s}`);
  });
});

describe("RewardShaping", () => {
  test("adds fn(s, a, s′, terminated) to each reward and keeps the unshaped episode return", () => {
    const env = make("CombinationLock-v0", { combination: [1, 0] });
    const seen: [number, number, number, boolean][] = [];
    const shaped = new RewardShaping(env, (s, a, s2, term) => {
      seen.push([s, a, s2, term]);
      return 10 * s + a;
    });
    shaped.reset({ seed: 0 });
    const r1 = shaped.step(1)[1];
    const r2 = shaped.step(0)[1];
    assert.deepEqual(seen, [
      [0, 1, 1, false],
      [1, 0, 2, true],
    ]);
    assert.equal(r1, 0 + 1);
    assert.equal(r2, 1 + 10);
    assert.equal(shaped.episodeReturn, 1);
    shaped.reset();
    assert.equal(shaped.episodeReturn, 0);
    assert.throws(() => new RewardShaping(make("CartPole-v1") as unknown as Env<number, number>, () => 0), TypeError);
  });

  test("a count bonus makes Q-learning open a 12-state lock that ε-greedy alone does not (seeded)", () => {
    const env = make("CombinationLock-v0", { horizon: 12 });
    const plain = qLearning(env, { epsilon: 0.1, episodes: 500, gamma: 0.99, seed: 0 });
    assert.equal(greedyRollout(env, plain.Q).return, 0);
    const N = new Float64Array(14 * 2);
    const bonusEnv = new RewardShaping(env, (s, a) => countBonus(N, 2, s, a, 0.1));
    const run = qLearning(bonusEnv, { epsilon: 0.1, episodes: 500, gamma: 0.99, seed: 0 });
    assert.equal(greedyRollout(env, run.Q).return, 1);
  });
});

describe("StartDistribution", () => {
  test("draws S_0 from μ, sets the env's state, and is reproducible from the reset seed", () => {
    const env = make("CombinationLock-v0", { horizon: 4 });
    const mu = [0.1, 0.2, 0.3, 0.4, 0, 0];
    const starts = new StartDistribution(env, mu);
    const counts = new Array(6).fill(0);
    const n = 20_000;
    const first: number[] = [];
    for (let i = 0; i < n; i++) {
      const [s] = starts.reset(i === 0 ? { seed: 3 } : {});
      assert.equal((env.unwrapped as CombinationLockEnv).state, s);
      counts[s] += 1;
      if (i < 20) first.push(s);
    }
    mu.forEach((p, s) => assert.ok(Math.abs(counts[s] / n - p) < 4 * Math.sqrt((p * (1 - p)) / n) + 1e-12, `state ${s}: ${counts[s] / n}`));
    const again = Array.from({ length: 20 }, (_, i) => starts.reset(i === 0 ? { seed: 3 } : {})[0]);
    assert.deepEqual(again, first);
    // Stepping continues from the drawn state: from state 3 (the last) the correct action opens the lock.
    const lock = env.unwrapped as CombinationLockEnv;
    const onlyLast = new StartDistribution(env, [0, 0, 0, 1, 0, 0]);
    onlyLast.reset({ seed: 0 });
    const [s2, r, term] = onlyLast.step(lock.combination[3]);
    assert.deepEqual([s2, r, term], [4, 1, true]);
  });

  test("rejects a μ of the wrong length or mass", () => {
    const env = make("CombinationLock-v0", { horizon: 2 });
    assert.throws(() => new StartDistribution(env, [1, 0]), RangeError);
    assert.throws(() => new StartDistribution(env, [0.5, 0.4, 0, 0]), RangeError);
  });
});
