/**
 * Tabular model-free prediction and control (lib/tabular): the one-step pieces against hand
 * computations, the forward/backward-view equivalence of offline TD(λ), Sutton & Barto's random walk
 * (Example 6.2) and cliff walking (Example 6.6) results, and input validation.
 *
 * Run: node --import tsx --test test/tabular.test.ts
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { Rng } from "../lib/random";
import { constantSchedule, exponentialSchedule, linearSchedule, toSchedule } from "../lib/schedules";
import { make, CliffWalkingEnv, TimeLimit, type Env } from "../lib/envs";
import * as T from "../lib/tabular";
import { actionsFromPolicy, epsilonGreedyPolicy, greedyPolicy, policyFromActions, uniformPolicy } from "../lib/mdp";

const mean = (xs: ArrayLike<number>): number => {
  let total = 0;
  for (let i = 0; i < xs.length; i++) total += xs[i];
  return total / xs.length;
};

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`);
  }
}

/** Q* of a toy-text env by value iteration on its transition table (γ = 1, deterministic tasks). */
function optimalQ(env: { P: [number, number, number, boolean][][][] }, nA: number, sweeps = 500): Float64Array {
  const nS = env.P.length;
  const Q = new Float64Array(nS * nA);
  for (let k = 0; k < sweeps; k++) {
    for (let s = 0; s < nS; s++) {
      for (let a = 0; a < nA; a++) {
        let q = 0;
        for (const [p, next, r, done] of env.P[s][a]) q += p * (r + (done ? 0 : T.maxQ(Q, nA, next)));
        Q[s * nA + a] = q;
      }
    }
  }
  return Q;
}

/** A random episode over nS states with revisits and normal rewards, terminated or truncated. */
function randomEpisode(rng: Rng, nS: number, terminated: boolean): T.Episode {
  const len = rng.integers(1, 40);
  const states = Array.from({ length: len + 1 }, () => rng.integers(0, nS));
  const rewards = Array.from({ length: len }, () => rng.normal(0, 1));
  return { states, actions: new Array(len).fill(0), rewards, terminated, truncated: !terminated };
}

describe("Q tables and action selection", () => {
  test("greedyAction breaks ties uniformly at random; epsilonGreedyAction follows epsilonGreedyProbs", () => {
    const Q = Float64Array.from([0, 5, 5, 5, 1, 3, 3, 0]); // 2 states × 4 actions
    const rng = new Rng(1);
    const counts = [0, 0, 0, 0];
    const n = 30_000;
    for (let i = 0; i < n; i++) counts[T.greedyAction(Q, 4, 0, rng)] += 1;
    assert.equal(counts[0], 0);
    for (const a of [1, 2, 3]) assert.ok(Math.abs(counts[a] / n - 1 / 3) < 0.015, `action ${a}: ${counts[a] / n}`);
    assert.equal(T.greedyAction(Q, 4, 0), 1, "without rng: the lowest maximal action");

    const probs = T.epsilonGreedyProbs(Q, 4, 1, 0.2);
    assertClose(probs, [0.05, 0.45, 0.45, 0.05], 1e-15, "ε-greedy probabilities");
    const freq = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) freq[T.epsilonGreedyAction(Q, 4, 1, 0.2, rng)] += 1;
    for (let a = 0; a < 4; a++) assert.ok(Math.abs(freq[a] / n - probs[a]) < 0.015, `ε-greedy frequency of ${a}: ${freq[a] / n}`);

    assert.deepEqual(Array.from(actionsFromPolicy(greedyPolicy(Q, 4), 4)), [1, 1]);
    assert.deepEqual(Array.from(T.stateValuesFromQ(Q, 4)), [5, 3]);
    assert.equal(T.maxQ(Q, 4, 1), 3);
    assert.deepEqual(Array.from(epsilonGreedyPolicy(Q, 4, 0, { ties: "split" })), [0, 1 / 3, 1 / 3, 1 / 3, 0, 0.5, 0.5, 0]);
  });

  test("ε schedules give the documented values", () => {
    const lin = linearSchedule(1, 0.1, 100);
    assert.equal(lin(0), 1);
    assert.ok(Math.abs(lin(50) - 0.55) < 1e-15);
    assert.equal(lin(100), 0.1);
    assert.equal(lin(10_000), 0.1);
    const up = linearSchedule(0, 1, 4);
    assert.equal(up(1), 0.25);
    const exp = exponentialSchedule(1, 0.99, 0.05);
    assert.equal(exp(0), 1);
    assert.equal(exp(10), 0.99 ** 10);
    assert.equal(exp(1000), 0.05);
    assert.equal(constantSchedule(0.1)(123), 0.1);
    assert.equal(toSchedule(0.3)(7), 0.3);
    assert.throws(() => lin(-1), /t must be a finite number >= 0/);
    assert.throws(() => linearSchedule(1, 0, 0), /duration must be a positive/);
    assert.throws(() => exponentialSchedule(1, 1.5), /decay must be a number in \(0, 1\]/);
    assert.throws(() => exponentialSchedule(0.1, 0.9, 0.5), /minValue \(0.5\) must be at most start/);
  });

  test("a control run records the scheduled ε of every episode", () => {
    const r = T.qLearning(make("CliffWalking-v1"), { episodes: 20, epsilon: linearSchedule(0.5, 0, 10) });
    assert.deepEqual(r.epsilons.slice(0, 3), [0.5, 0.45, 0.4]);
    assert.equal(r.epsilons[15], 0);
  });
});

describe("one-step pieces", () => {
  test("tdError, td0Update, nStepReturn, discountedReturns by hand", () => {
    assert.equal(T.tdError(1, 0.9, 2, 0.5), 1 + 0.9 * 2 - 0.5);
    assert.equal(T.tdError(1, 0.9, 2, 0.5, true), 0.5, "no bootstrap from a terminal state");
    const V = Float64Array.from([0, 0.5, 2]);
    const delta = T.td0Update(V, 1, 1, 2, 0.1, 0.9);
    assert.equal(delta, 2.3);
    assert.ok(Math.abs(V[1] - 0.73) < 1e-15);
    assert.equal(T.nStepReturn([1, 2, 3], 0.5, 8), 1 + 0.5 * 2 + 0.25 * 3 + 0.125 * 8);
    assert.equal(T.nStepReturn([1, 2], 0.5), 2);
    assertClose(T.discountedReturns([1, 2, 3], 0.5), [1 + 1 + 0.75, 2 + 1.5, 3], 0, "G_t");
    assert.deepEqual(T.firstVisits([3, 1, 3, 2, 1]), [true, true, false, true, false]);
  });

  test("SARSA, Q-learning, Expected SARSA and Double Q targets by hand", () => {
    const row = [1, 4, 4, 2];
    assert.equal(T.sarsaTarget(-1, 0.5, 3), 0.5);
    assert.equal(T.sarsaTarget(-1, 0.5, 3, true), -1);
    assert.equal(T.qLearningTarget(-1, 0.5, row), 1);
    assert.equal(T.qLearningTarget(-1, 0.5, row, true), -1);
    // ε-greedy expectation: (1 − ε) max + ε mean = 0.8 · 4 + 0.2 · 2.75
    assert.ok(Math.abs(T.expectedSarsaTarget(-1, 0.5, row, 0.2) - (-1 + 0.5 * (0.8 * 4 + 0.2 * 2.75))) < 1e-15);
    assert.equal(T.expectedSarsaTarget(-1, 0.5, row, [0.25, 0.25, 0.25, 0.25]), -1 + 0.5 * 2.75);
    assert.equal(T.expectedSarsaTarget(-1, 0.5, row, 0.2, true), -1);
    assert.equal(T.doubleQLearningTarget(0, 1, [0, 9, 1], [5, -2, 7]), -2, "Q2 evaluates Q1's argmax");
    const Q = T.createQTable(2, 2);
    assert.equal(T.qUpdate(Q, 2, 1, 0, 4, 0.25), 4);
    assert.deepEqual(Array.from(Q), [0, 0, 1, 0]);
  });

  test("Expected SARSA with ε = 0 gives exactly Q-learning's target", () => {
    const rng = new Rng(3);
    for (let i = 0; i < 1000; i++) {
      const row = Array.from({ length: 1 + rng.integers(0, 6) }, () => rng.normal(0, 10));
      const r = rng.normal();
      const gamma = rng.random();
      assert.equal(T.expectedSarsaTarget(r, gamma, row, 0), T.qLearningTarget(r, gamma, row));
    }
    // So whole runs coincide too.
    const a = T.expectedSarsa(make("CliffWalking-v1"), { epsilon: 0, episodes: 30, seed: 4 });
    const b = T.qLearning(make("CliffWalking-v1"), { epsilon: 0, episodes: 30, seed: 4 });
    assert.deepEqual(a.Q, b.Q);
  });

  test("updateTraces: accumulating adds 1, replacing sets 1, after decaying by γλ", () => {
    const e = Float64Array.from([1, 0.5, 0]);
    T.updateTraces(e, 1, "accumulating", 0.5, 0.5);
    assertClose(e, [0.25, 1.125, 0], 1e-15, "accumulating");
    T.updateTraces(e, 1, "replacing", 1, 0.5);
    assertClose(e, [0.125, 1, 0], 1e-15, "replacing");
  });

  test("λ-returns: λ = 0 gives the TD(0) targets, λ = 1 the Monte Carlo returns, by hand in between", () => {
    const rewards = [1, -2, 3];
    const values = [0.5, 1, 2, 0]; // V(S_0..S_2), V(S_3) = 0: terminal
    assertClose(T.lambdaReturns(rewards, values, 0.9, 0), [1 + 0.9 * 1, -2 + 0.9 * 2, 3], 1e-15, "λ = 0");
    assertClose(T.lambdaReturns(rewards, values, 0.9, 1), T.discountedReturns(rewards, 0.9), 1e-15, "λ = 1");
    // λ = 0.5, γ = 1 from eq. 12.3: G^λ_0 = (1 − λ)(G_{0:1} + λ G_{0:2}) + λ² G_0.
    const G01 = 1 + 1;
    const G02 = 1 - 2 + 2;
    const G0 = 1 - 2 + 3;
    assert.ok(Math.abs(T.lambdaReturns(rewards, values, 1, 0.5)[0] - (0.5 * (G01 + 0.5 * G02) + 0.25 * G0)) < 1e-15);
    // Truncated: the last value bootstraps (eq. 12.9), G^λ_{2:3} = R_3 + γ V(S_3).
    assert.equal(T.lambdaReturns(rewards, [0.5, 1, 2, 10], 0.9, 0.5)[2], 3 + 9);
  });
});

describe("offline TD(λ): backward view = forward view", () => {
  test("summed accumulating-trace updates equal the λ-return updates to 1e-10 (λ ∈ {0, 0.5, 0.9, 1}, random episodes)", () => {
    const rng = new Rng(2024);
    const nS = 6;
    let maxDiff = 0;
    for (const lambda of [0, 0.5, 0.9, 1]) {
      for (let i = 0; i < 200; i++) {
        const V = Float64Array.from({ length: nS }, () => rng.normal(0, 2));
        const episode = randomEpisode(rng, nS, i % 2 === 0);
        const gamma = i % 3 === 0 ? 1 : 0.5 + 0.5 * rng.random();
        const alpha = 0.1;
        const backward = T.traceIncrements(V, episode, alpha, gamma, lambda, "accumulating");
        const forward = T.lambdaReturnIncrements(V, episode, alpha, gamma, lambda);
        for (let s = 0; s < nS; s++) maxDiff = Math.max(maxDiff, Math.abs(backward[s] - forward[s]));
        assertClose(backward, forward, 1e-10, `λ = ${lambda}, episode ${i}`);
      }
    }
    console.log(`  offline TD(λ): max |backward − forward| over 800 episodes = ${maxDiff.toExponential(2)}`);
  });

  test("replacing traces differ from the λ-return when a state is revisited (and agree when none is)", () => {
    const V = Float64Array.from([0.1, 0.2, 0.3]);
    const revisit: T.Episode = { states: [0, 1, 0, 2], actions: [0, 0, 0], rewards: [1, 0, 1], terminated: true, truncated: false };
    const forward = T.lambdaReturnIncrements(V, revisit, 0.1, 1, 0.8);
    assert.ok(Math.abs(T.traceIncrements(V, revisit, 0.1, 1, 0.8, "replacing")[0] - forward[0]) > 1e-3);
    const noRevisit: T.Episode = { states: [0, 1, 2, 2], actions: [0, 0, 0], rewards: [1, 0, 1], terminated: true, truncated: false };
    assertClose(T.traceIncrements(V, noRevisit, 0.1, 1, 0.8, "replacing"), T.lambdaReturnIncrements(V, noRevisit, 0.1, 1, 0.8), 1e-15, "no revisits");
  });

  test("TD(1) offline equals every-visit constant-α Monte Carlo (per episode and over whole runs)", () => {
    const rng = new Rng(7);
    for (let i = 0; i < 100; i++) {
      const V = Float64Array.from({ length: 5 }, () => rng.normal());
      const episode = randomEpisode(rng, 5, true);
      const gamma = 0.5 + 0.5 * rng.random();
      const G = T.discountedReturns(episode.rewards, gamma);
      const mc = new Float64Array(5);
      for (let t = 0; t < G.length; t++) mc[episode.states[t]] += 0.05 * (G[t] - V[episode.states[t]]);
      assertClose(T.traceIncrements(V, episode, 0.05, gamma, 1), mc, 1e-10, `episode ${i}`);
    }
    const env19 = () => new T.RandomWalkEnv({ nStates: 19, leftReward: -1 });
    const pi = uniformPolicy(21, 2);
    const td1 = T.tdLambdaPrediction(env19(), pi, { lambda: 1, alpha: 0.05, online: false, episodes: 50, seed: 3, gamma: 0.95 });
    const mc = T.everyVisitMCPrediction(env19(), pi, { alpha: 0.05, episodes: 50, seed: 3, gamma: 0.95 });
    assertClose(td1.V, mc.V, 1e-10, "TD(1) offline vs every-visit MC");
    assert.ok(mean(td1.episodeLengths) > 19, "the runs are not trivial");
  });

  test("offline backward TD(λ) and the offline λ-return algorithm give the same V over whole runs, also with time-limit truncation", () => {
    const pi = uniformPolicy(21, 2);
    for (const lambda of [0, 0.5, 0.9, 1]) {
      const cfg = { lambda, alpha: 0.1, episodes: 50, seed: 11, gamma: 0.9 };
      const backward = T.tdLambdaPrediction(new T.RandomWalkEnv({ nStates: 19, leftReward: -1 }), pi, { ...cfg, online: false });
      const forward = T.lambdaReturnPrediction(new T.RandomWalkEnv({ nStates: 19, leftReward: -1 }), pi, cfg);
      assertClose(backward.V, forward.V, 1e-10, `λ = ${lambda}`);
    }
    // GridWorld-v0 has a 100-step time limit: both bootstrap from V(S_T) on truncation.
    const grid = () => make("GridWorld-v0", { maxEpisodeSteps: 8 });
    const cfg = { lambda: 0.7, alpha: 0.1, episodes: 40, seed: 5 };
    const backward = T.tdLambdaPrediction(grid(), uniformPolicy(16, 4), { ...cfg, online: false });
    const forward = T.lambdaReturnPrediction(grid(), uniformPolicy(16, 4), cfg);
    assert.ok(backward.episodeLengths.includes(8), "some episodes were truncated");
    assertClose(backward.V, forward.V, 1e-10, "GridWorld with truncation");
  });

  test("online TD(λ) with λ = 0 makes exactly TD(0)'s updates", () => {
    const pi = uniformPolicy(7, 2);
    const cfg = { alpha: 0.1, episodes: 100, seed: 9, initialValue: 0.5 };
    const td0 = T.td0Prediction(new T.RandomWalkEnv(), pi, cfg);
    for (const traces of ["accumulating", "replacing"] as const) {
      const tdl = T.tdLambdaPrediction(new T.RandomWalkEnv(), pi, { ...cfg, lambda: 0, traces });
      assert.deepEqual(tdl.V, td0.V);
    }
  });
});

describe("the random walk (S&B Example 6.2)", () => {
  test("states A…E between two terminal states, start C, +1 on the right; true values 1/6 … 5/6", () => {
    const env = new T.RandomWalkEnv();
    assert.equal(env.observationSpace.n, 7);
    assert.equal(env.actionSpace.n, 2);
    assert.deepEqual(env.nonTerminalStates, [1, 2, 3, 4, 5]);
    assertClose(env.trueValues(), [0, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 0], 1e-15, "true values");
    assert.deepEqual(env.reset({ seed: 0 })[0], 3);
    assert.equal(env.render(), "T A B [C] D E T\n");
    assert.deepEqual(env.step(T.RANDOM_WALK_ACTIONS.RIGHT).slice(0, 4), [4, 0, false, false]);
    env.step(1);
    assert.deepEqual(env.step(1).slice(0, 4), [6, 1, true, false]);
    env.reset();
    env.step(0);
    env.step(0);
    assert.deepEqual(env.step(0).slice(0, 4), [0, 0, true, false]);
    assertClose(T.randomWalkTrueValues(19, -1, 1).subarray(1, 20), Array.from({ length: 19 }, (_, i) => (i - 9) / 10), 1e-15, "19 states");
    assert.equal(new T.RandomWalkEnv({ nStates: 19 }).startState, 10);
    assert.throws(() => new T.RandomWalkEnv({ nStates: 0 }), /nStates must be an integer in \[1, 1000\]/);
    assert.throws(() => new T.RandomWalkEnv({ states: 5 } as never), /unknown option 'states'/);
  });

  test("MC (sample averages) and TD(0) (α = 0.01) converge to 1/6 … 5/6 (mean over 10 runs of 1000 episodes, within 0.02)", () => {
    const tv = T.randomWalkTrueValues();
    const pi = uniformPolicy(7, 2);
    const runs = 10;
    const mc = new Float64Array(7);
    const td = new Float64Array(7);
    for (let seed = 0; seed < runs; seed++) {
      T.firstVisitMCPrediction(new T.RandomWalkEnv(), pi, { episodes: 1000, seed }).V.forEach((v, s) => (mc[s] += v / runs));
      T.td0Prediction(new T.RandomWalkEnv(), pi, { alpha: 0.01, episodes: 1000, seed, initialValue: 0.5 }).V.forEach((v, s) => (td[s] += v / runs));
    }
    const err = (V: Float64Array) => Math.max(...[1, 2, 3, 4, 5].map((s) => Math.abs(V[s] - tv[s])));
    console.log(`  random walk, max |V − v| over A…E: MC ${err(mc).toFixed(4)}, TD(0) ${err(td).toFixed(4)}`);
    console.log(`    MC    ${Array.from(mc.subarray(1, 6), (v) => v.toFixed(3)).join(" ")}`);
    console.log(`    TD(0) ${Array.from(td.subarray(1, 6), (v) => v.toFixed(3)).join(" ")}`);
    assert.ok(err(mc) < 0.02, `MC error ${err(mc)}`);
    assert.ok(err(td) < 0.02, `TD(0) error ${err(td)}`);
  });

  test("RMS error after 100 episodes (mean of 100 runs, V_0 = 0.5): every TD(0) α ∈ {.05, .1, .15} beats every constant-α MC α ∈ {.01, .02, .03, .04}", () => {
    const env = new T.RandomWalkEnv();
    const trueValues = env.trueValues();
    const pi = uniformPolicy(7, 2);
    const curve = (method: "td" | "mc", alpha: number): Float64Array => {
      const acc = new Float64Array(100);
      for (let run = 0; run < 100; run++) {
        const cfg = { alpha, episodes: 100, seed: run, initialValue: 0.5, trueValues, errorStates: env.nonTerminalStates };
        const r = method === "td" ? T.td0Prediction(new T.RandomWalkEnv(), pi, cfg) : T.everyVisitMCPrediction(new T.RandomWalkEnv(), pi, cfg);
        r.rmsErrors.forEach((e, i) => (acc[i] += e / 100));
      }
      return acc;
    };
    const td = [0.05, 0.1, 0.15].map((a) => [a, curve("td", a)] as const);
    const mc = [0.01, 0.02, 0.03, 0.04].map((a) => [a, curve("mc", a)] as const);
    for (const [name, curves] of [["TD(0)", td], ["MC   ", mc]] as const) {
      for (const [a, c] of curves) console.log(`  ${name} α=${a}: RMS after 1, 10, 50, 100 episodes: ${[0, 9, 49, 99].map((i) => c[i].toFixed(3)).join(", ")}`);
    }
    const tdWorst = Math.max(...td.map(([, c]) => c[99]));
    const mcBest = Math.min(...mc.map(([, c]) => c[99]));
    assert.ok(tdWorst < mcBest, `worst TD ${tdWorst} vs best MC ${mcBest}`);
    // The headline comparison: TD(0) α = 0.1 well below MC α = 0.01.
    assert.ok(td[1][1][99] < 0.7 * mc[0][1][99], `TD α=0.1 ${td[1][1][99]} vs MC α=0.01 ${mc[0][1][99]}`);
    // Both start from the same error (V_0 = 0.5 everywhere: sqrt(mean((0.5 − k/6)²)) ≈ 0.236) and go down.
    for (const [, c] of [...td, ...mc]) assert.ok(c[0] < 0.236 && c[99] < c[0]);
  });
});

describe("prediction methods", () => {
  test("n-step TD with n = 1 makes exactly TD(0)'s updates (random walk, and GridWorld with truncation)", () => {
    const rw = () => new T.RandomWalkEnv();
    const tv = T.randomWalkTrueValues();
    const cfg = { alpha: 0.1, episodes: 100, seed: 1, initialValue: 0.5, trueValues: tv };
    const td0 = T.td0Prediction(rw(), uniformPolicy(7, 2), cfg);
    const n1 = T.nStepTDPrediction(rw(), uniformPolicy(7, 2), { ...cfg, n: 1 });
    assert.deepEqual(n1.V, td0.V);
    assert.deepEqual(n1.rmsErrors, td0.rmsErrors);
    const grid = () => make("GridWorld-v0", { maxEpisodeSteps: 10 });
    const g0 = T.td0Prediction(grid(), uniformPolicy(16, 4), { alpha: 0.2, episodes: 200, gamma: 0.9 });
    const g1 = T.nStepTDPrediction(grid(), uniformPolicy(16, 4), { alpha: 0.2, episodes: 200, gamma: 0.9, n: 1 });
    assert.ok(g0.episodeLengths.includes(10));
    assert.deepEqual(g1.V, g0.V);
  });

  test("n-step TD learns the 19-state walk faster with n = 4 than with n = 1 at α = 0.2 (S&B Figure 7.2)", () => {
    const env = new T.RandomWalkEnv({ nStates: 19, leftReward: -1 });
    const tv = env.trueValues();
    const avg = (n: number) => {
      let total = 0;
      for (let seed = 0; seed < 50; seed++) {
        const r = T.nStepTDPrediction(new T.RandomWalkEnv({ nStates: 19, leftReward: -1 }), uniformPolicy(21, 2), {
          n, alpha: 0.2, episodes: 10, seed, trueValues: tv, errorStates: env.nonTerminalStates,
        });
        total += mean(r.rmsErrors) / 50;
      }
      return total;
    };
    const [e1, e4] = [avg(1), avg(4)];
    console.log(`  19-state walk, RMS averaged over the first 10 episodes and 50 runs, α = 0.2: n=1 ${e1.toFixed(3)}, n=4 ${e4.toFixed(3)}`);
    assert.ok(e4 < e1);
  });

  test("terminated vs truncated: no bootstrap past a terminal state, bootstrap from V(S') on a time limit, MC uses the truncated return", () => {
    const right = policyFromActions([1, 1, 1, 1, 1, 1, 1], 2); // always step right
    const V0 = [0, 0, 0, 0, 0.4, 0.7, 100]; // V(terminal) = 100 would show any bootstrap from a terminal state
    // Untruncated: C → D → E → terminal (+1). TD(0) with α = 1: V(E) = 1, V(D) = γ·0.7, V(C) = γ·0.4.
    const td = T.td0Prediction(new T.RandomWalkEnv(), right, { alpha: 1, gamma: 0.5, episodes: 1, initialValue: V0 });
    assertClose(td.V, [0, 0, 0, 0.2, 0.35, 1, 100], 0, "TD(0), terminated");
    // Truncated after 2 steps (C → D → E, E not terminal): the last update bootstraps from V(E) = 0.7.
    const limited = () => new TimeLimit(new T.RandomWalkEnv(), 2);
    const tdT = T.td0Prediction(limited(), right, { alpha: 1, gamma: 0.5, episodes: 1, initialValue: V0 });
    assertClose(tdT.V, [0, 0, 0, 0.2, 0.35, 0.7, 100], 0, "TD(0), truncated");
    // n-step (n = 2): G_{0:2} = R_1 + γR_2 + γ² V(S_2) when truncated at T = 2; G_{1:2} = R_2 + γ V(S_2).
    const n2 = T.nStepTDPrediction(limited(), right, { n: 2, alpha: 1, gamma: 0.5, episodes: 1, initialValue: V0 });
    assertClose(n2.V, [0, 0, 0, 0.25 * 0.7, 0.35, 0.7, 100], 0, "2-step TD, truncated");
    // The same with the guard maxStepsPerEpisode instead of a TimeLimit wrapper.
    const n2g = T.nStepTDPrediction(new T.RandomWalkEnv(), right, { n: 2, alpha: 1, gamma: 0.5, episodes: 1, initialValue: V0, maxStepsPerEpisode: 2 });
    assert.deepEqual(n2g.V, n2.V);
    // TD(λ) (backward, online) and the λ-return: the last TD error bootstraps from V(E).
    const lr = T.lambdaReturnPrediction(limited(), right, { lambda: 0.5, alpha: 1, gamma: 0.5, episodes: 1, initialValue: V0 });
    // G^λ_1 = 0 + 0.5·0.7 = 0.35; G^λ_0 = 0 + 0.5·(0.5·0.4 + 0.5·0.35) = 0.1875.
    assertClose(lr.V, [0, 0, 0, 0.1875, 0.35, 0.7, 100], 1e-15, "λ-return, truncated");
    // MC: the truncated return (0 here), no bootstrapping.
    const mc = T.mcPrediction(limited(), right, { alpha: 1, gamma: 0.5, episodes: 1, initialValue: V0 });
    assertClose(mc.V, [0, 0, 0, 0, 0, 0.7, 100], 0, "MC, truncated");
    assert.deepEqual([mc.episodeLengths, tdT.episodeReturns], [[2], [0]]);
  });

  test("runs are reproducible from their seed and report per-episode history through onEpisode", () => {
    const pi = uniformPolicy(7, 2);
    const infos: T.EpisodeInfo[] = [];
    const tv = T.randomWalkTrueValues();
    const a = T.tdLambdaPrediction(new T.RandomWalkEnv(), pi, { episodes: 20, seed: 5, trueValues: tv, onEpisode: (i) => infos.push(i) });
    const b = T.tdLambdaPrediction(new T.RandomWalkEnv(), pi, { episodes: 20, seed: 5, trueValues: tv });
    const c = T.tdLambdaPrediction(new T.RandomWalkEnv(), pi, { episodes: 20, seed: 6, trueValues: tv });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.V, c.V);
    assert.equal(infos.length, 20);
    assert.deepEqual(infos.map((i) => i.episode), Array.from({ length: 20 }, (_, i) => i));
    assert.deepEqual(infos.map((i) => i.length), a.episodeLengths);
    assert.deepEqual(infos.map((i) => i.rmsError), a.rmsErrors);
    assert.ok(infos.every((i) => i.terminated && !i.truncated && (i.return === 0 || i.return === 1)));
    const e = T.sampleEpisode(new T.RandomWalkEnv(), pi, { seed: 2 });
    assert.equal(e.states.length, e.rewards.length + 1);
    assert.ok(e.terminated && (e.states.at(-1) === 0 || e.states.at(-1) === 6));
    assert.deepEqual(T.sampleEpisode(new T.RandomWalkEnv(), pi, { seed: 2 }), e);
  });

  test("policies as functions, flat tables and row arrays give the same run", () => {
    const cfg = { episodes: 30, seed: 8, alpha: 0.1 };
    const fromFn = T.td0Prediction(new T.RandomWalkEnv(), () => [0.3, 0.7], cfg);
    const fromRows = T.td0Prediction(new T.RandomWalkEnv(), Array.from({ length: 7 }, () => [0.3, 0.7]), cfg);
    const fromFlat = T.td0Prediction(new T.RandomWalkEnv(), Float64Array.from({ length: 14 }, (_, i) => (i % 2 ? 0.7 : 0.3)), cfg);
    assert.deepEqual(fromFn.V, fromRows.V);
    assert.deepEqual(fromFn.V, fromFlat.V);
  });
});

describe("control", () => {
  test("CliffWalking (S&B Example 6.6, α = 0.5, ε = 0.1, 500 episodes, 10 runs): Q-learning's greedy path is the cliff edge (−13); SARSA's online return is higher", () => {
    const runs = 10;
    const online = { sarsa: [] as number[], qLearning: [] as number[], expectedSarsa: [] as number[] };
    const greedy = { sarsa: [] as number[], qLearning: [] as number[], expectedSarsa: [] as number[] };
    const qPaths: number[][] = [];
    for (const algo of ["sarsa", "qLearning", "expectedSarsa"] as const) {
      for (let seed = 0; seed < runs; seed++) {
        const r = T[algo](make("CliffWalking-v1"), { alpha: 0.5, epsilon: 0.1, episodes: 500, seed });
        online[algo].push(mean(r.episodeReturns.slice(100))); // after the first 100 episodes, as the plateau of Figure 6.4
        const roll = T.greedyRollout(make("CliffWalking-v1"), r.Q);
        greedy[algo].push(roll.return);
        if (algo === "qLearning") qPaths.push(roll.states);
      }
    }
    const s = mean(online.sarsa);
    const q = mean(online.qLearning);
    const es = mean(online.expectedSarsa);
    console.log(`  CliffWalking online return, episodes 100–499, mean of ${runs} runs: SARSA ${s.toFixed(1)}, Q-learning ${q.toFixed(1)}, Expected SARSA ${es.toFixed(1)}`);
    console.log(`  greedy rollout returns: Q-learning ${greedy.qLearning.join(",")}; SARSA ${greedy.sarsa.join(",")}; Expected SARSA ${greedy.expectedSarsa.join(",")}`);
    assert.deepEqual(greedy.qLearning, new Array(runs).fill(-13));
    const edge = [36, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 47]; // up, right along the cliff, down
    for (const path of qPaths) assert.deepEqual(path, edge);
    assert.ok(s > q + 15, `SARSA ${s} vs Q-learning ${q}`);
    assert.ok(s > -35 && s < -20, `SARSA ≈ −25, got ${s}`);
    assert.ok(q > -60 && q < -40, `Q-learning ≈ −50, got ${q}`);
    assert.ok(es > q, `Expected SARSA ${es} vs Q-learning ${q}`);
  });

  test("Q-learning: 500 CliffWalking episodes take well under a second", () => {
    T.qLearning(make("CliffWalking-v1"), { episodes: 50 }); // warm up the JIT
    const t0 = performance.now();
    const r = T.qLearning(make("CliffWalking-v1"), { alpha: 0.5, epsilon: 0.1, episodes: 500, seed: 123 });
    const ms = performance.now() - t0;
    console.log(`  Q-learning, CliffWalking, 500 episodes (${r.episodeLengths.reduce((a, b) => a + b)} steps): ${ms.toFixed(1)} ms`);
    assert.ok(ms < 500, `${ms} ms`);
  });

  test("Double Q-learning converges to Q* on CliffWalking and learns the optimal path", () => {
    const qStar = optimalQ(new CliffWalkingEnv(), 4);
    const reachable = Array.from({ length: 37 }, (_, s) => s); // rows 0–2 and the start
    const r = T.doubleQLearning(make("CliffWalking-v1"), { alpha: 0.5, epsilon: 1, episodes: 100, seed: 0 });
    let maxErr = 0;
    for (const s of reachable) for (let a = 0; a < 4; a++) maxErr = Math.max(maxErr, Math.abs(r.Q1[s * 4 + a] - qStar[s * 4 + a]), Math.abs(r.Q2[s * 4 + a] - qStar[s * 4 + a]));
    console.log(`  Double Q-learning, uniform behaviour, 100 episodes: max |Q_i − Q*| = ${maxErr.toExponential(2)}`);
    assert.ok(maxErr < 1e-3, `max error ${maxErr}`);
    assertClose(r.Q, Array.from(r.Q1, (q1, i) => (q1 + r.Q2[i]) / 2), 0, "Q = (Q1 + Q2)/2");
    for (let seed = 0; seed < 3; seed++) {
      const d = T.doubleQLearning(make("CliffWalking-v1"), { alpha: 0.5, epsilon: linearSchedule(1, 0.01, 300), episodes: 500, seed });
      assert.equal(T.greedyRollout(make("CliffWalking-v1"), d.Q).return, -13, `seed ${seed}`);
    }
  });

  test("on-policy first-visit MC control (ε-soft) and Monte Carlo ES find the shortest paths of GridWorld (S&B Example 4.1)", () => {
    // Distance to the nearer terminal corner of the 4x4 grid, and the cell an action leads to.
    const dist = (s: number) => Math.min(Math.floor(s / 4) + (s % 4), 6 - Math.floor(s / 4) - (s % 4));
    const move = (s: number, a: number) => {
      let [r, c] = [Math.floor(s / 4), s % 4];
      if (a === 0) c = Math.max(0, c - 1);
      if (a === 1) r = Math.min(3, r + 1);
      if (a === 2) c = Math.min(3, c + 1);
      if (a === 3) r = Math.max(0, r - 1);
      return r * 4 + c;
    };
    const suboptimal = (Q: Float64Array) => {
      const pi = actionsFromPolicy(greedyPolicy(Q, 4), 4);
      return Array.from({ length: 14 }, (_, i) => i + 1).filter((s) => dist(move(s, pi[s])) !== dist(s) - 1);
    };
    for (let seed = 0; seed < 5; seed++) {
      const soft = T.mcControl(make("GridWorld-v0"), { epsilon: linearSchedule(1, 0.05, 1000), episodes: 2000, seed });
      assert.deepEqual(suboptimal(soft.Q), [], `ε-soft, seed ${seed}`);
      const es = T.mcControl(make("GridWorld-v0"), { exploringStarts: true, alpha: 0.1, episodes: 2000, seed });
      assert.deepEqual(suboptimal(es.Q), [], `exploring starts, seed ${seed}`);
      assert.ok(es.epsilons.every((e) => e === 0), "Monte Carlo ES is greedy");
    }
  });

  test("SARSA on GridWorld (S&B Example 4.1 grid): the online return rises from ≈ −10 to near the optimum −2", () => {
    // Starts are uniform over the 14 non-terminal cells, whose mean distance to a corner is 2.
    for (let seed = 0; seed < 5; seed++) {
      const r = T.sarsa(make("GridWorld-v0"), { episodes: 300, seed, alpha: 0.5, epsilon: 0.1 });
      const first = mean(r.episodeReturns.slice(0, 20));
      const last = mean(r.episodeReturns.slice(-100));
      assert.ok(first < -6 && last > -3, `seed ${seed}: first 20 episodes ${first}, last 100 ${last}`);
    }
  });
});

describe("bad inputs throw, naming the argument", () => {
  const rw = () => new T.RandomWalkEnv();
  const pi = uniformPolicy(7, 2);
  test("step sizes, γ, ε, λ, n and episodes out of range", () => {
    assert.throws(() => T.td0Prediction(rw(), pi, { alpha: 0 }), /td0Prediction: alpha must be a step size in \(0, 1\], got 0/);
    assert.throws(() => T.qLearning(rw(), { alpha: -0.1 }), /qLearning: alpha must be a step size in \(0, 1\]/);
    assert.throws(() => T.sarsa(rw(), { alpha: 1.5 }), RangeError);
    assert.throws(() => T.mcPrediction(rw(), pi, { alpha: 0 }), /mcPrediction: alpha/);
    assert.throws(() => T.tdLambdaPrediction(rw(), pi, { lambda: 1.2 }), /tdLambdaPrediction: lambda must be a number in \[0, 1\], got 1.2/);
    assert.throws(() => T.lambdaReturnPrediction(rw(), pi, { lambda: -0.1 }), /lambda must be a number in \[0, 1\]/);
    assert.throws(() => T.lambdaReturns([1], [0, 0], 0.9, 2), /lambdaReturns: lambda must be a number in \[0, 1\]/);
    assert.throws(() => T.updateTraces(new Float64Array(3), 0, "accumulating", 1, 1.5), /updateTraces: lambda/);
    assert.throws(() => T.updateTraces(new Float64Array(3), 0, "dutch" as T.TraceKind, 1, 0.5), /traces must be "accumulating" or "replacing"/);
    assert.throws(() => T.updateTraces(new Float64Array(3), 3, "accumulating", 1, 0.5), /s must be a state in 0…2/);
    assert.throws(() => T.td0Prediction(rw(), pi, { gamma: 1.1 }), /gamma must be a number in \[0, 1\]/);
    assert.throws(() => T.qLearning(rw(), { epsilon: 1.5 }), /epsilon at episode 0 must be a number in \[0, 1\]/);
    assert.throws(() => T.sarsa(rw(), { epsilon: (t) => (t < 3 ? 0.1 : 2), episodes: 5 }), /epsilon at episode 3/);
    assert.throws(() => T.nStepTDPrediction(rw(), pi, { n: 0 }), /n must be a positive integer, got 0/);
    assert.throws(() => T.qLearning(rw(), { episodes: 2.5 }), /episodes must be a positive integer/);
    assert.throws(() => T.qLearning(rw(), { seed: -1 }), /seed must be a non-negative integer/);
    assert.throws(() => T.lambdaReturns([1, 2], [0, 0], 1, 0.5), /values must hold V\(S_0\) … V\(S_T\), 3 numbers for 2 rewards, got 2/);
  });

  test("non-tabular envs, malformed policies, unknown config fields", () => {
    const cartPole = make("CartPole-v1") as unknown as Env<number, number>;
    assert.throws(() => T.qLearning(cartPole), (e: Error) => e instanceof TypeError && /qLearning: env.observationSpace must be Discrete\(n\).*got Box/.test(e.message));
    assert.throws(() => T.td0Prediction(cartPole, pi), /td0Prediction: env.observationSpace must be Discrete/);
    assert.throws(() => T.tabularSizes(make("MountainCarContinuous-v0") as unknown as Env<number, number>), TypeError);
    assert.throws(() => T.td0Prediction(rw(), uniformPolicy(7, 3)), /flat policy table has length 21, expected nS × nA = 14/);
    assert.throws(() => T.td0Prediction(rw(), [[0.5, 0.5]]), /policy table has 1 rows, expected nS = 7/);
    assert.throws(() => T.td0Prediction(rw(), () => [0.5, 0.6]), /policy\(3\) sums to 1.1/);
    assert.throws(() => T.td0Prediction(rw(), pi, { lamda: 0.5 } as never), /unknown config field 'lamda'/);
    assert.throws(() => T.td0Prediction(rw(), pi, { initialValue: [1, 2] }), /initialValue has length 2, expected 7/);
    assert.throws(() => T.td0Prediction(rw(), pi, { errorStates: [9], trueValues: T.randomWalkTrueValues() }), /errorStates holds 9/);
    assert.throws(() => T.greedyRollout(rw(), new Float64Array(3)), /Q has length 3, expected nS × nA = 14/);
    assert.throws(() => T.mcControl(rw(), { exploringStarts: [42] }), /exploringStarts holds 42/);
    assert.throws(() => T.rmsError([1, 2], [1]), /V has length 2 but trueValues has length 1/);
    assert.throws(() => T.createQTable(0, 4), /nS must be a positive integer/);
  });
});
