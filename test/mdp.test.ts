/**
 * Tabular MDPs and dynamic programming (lib/mdp): constructors, Bellman operators, policies, exact
 * and iterative policy evaluation, policy and value iteration, discounted state visitation, sampling,
 * and the greedy policies' performance on the real envs (make + TimeLimit).
 *
 * Run: node --import tsx --test test/mdp.test.ts
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { make } from "../lib/envs";
import { Rng } from "../lib/random";
import {
  SingularMatrixError,
  TabularMDP,
  actionsFromPolicy,
  advantage,
  bellmanExpectationBackupQ,
  bellmanExpectationBackupV,
  bellmanOptimalityBackupQ,
  bellmanOptimalityBackupV,
  bellmanResidual,
  discountedReturn,
  discountedStateVisitation,
  epsilonGreedyPolicy,
  evaluatePolicyByRollouts,
  exactPolicyEvaluation,
  greedyPolicy,
  iterativePolicyEvaluation,
  mdpFromArrays,
  mdpFromEnv,
  mdpFromTable,
  policyFromActions,
  policyImprovement,
  policyIteration,
  qFromV,
  sampleTrajectory,
  softmaxPolicy,
  solveLinearSystem,
  startValue,
  stateOccupancy,
  uniformPolicy,
  vFromQ,
  valueIteration,
} from "../lib/mdp";

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, "lengths differ");
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  const d = maxDiff(actual, expected);
  assert.ok(d <= tol, `${what}: max |difference| ${d} > ${tol}`);
}

/**
 * Exact probability that a stationary policy ends an episode with a positive terminal reward within
 * `horizon` steps, and its expected undiscounted return, from the start distribution (backward
 * recursion over P: what a TimeLimit-wrapped env measures).
 */
function finiteHorizon(mdp: TabularMDP, policy: ArrayLike<number>, horizon: number): { success: number; meanReturn: number } {
  const { nS, nA } = mdp;
  let S = new Float64Array(nS);
  let G = new Float64Array(nS);
  for (let k = 0; k < horizon; k++) {
    const S2 = new Float64Array(nS);
    const G2 = new Float64Array(nS);
    for (let s = 0; s < nS; s++) {
      for (let a = 0; a < nA; a++) {
        const p = policy[s * nA + a];
        if (p === 0) continue;
        for (const [q, s2, r, t] of mdp.P[s][a]) {
          S2[s] += p * q * (t ? (r > 0 ? 1 : 0) : S[s2]);
          G2[s] += p * q * (r + (t ? 0 : G[s2]));
        }
      }
    }
    [S, G] = [S2, G2];
  }
  return { success: startValue(mdp, S), meanReturn: startValue(mdp, G) };
}

const frozenLake = (gamma: number) => mdpFromEnv(make("FrozenLake-v1"), gamma);
const taxi = (gamma: number) => mdpFromEnv(make("Taxi-v4"), gamma);

/** S&B Figure 4.1: v_π of the equiprobable random policy in Example 4.1 (γ = 1). */
const EXAMPLE_4_1_RANDOM = [0, -14, -20, -22, -14, -18, -20, -20, -20, -20, -18, -14, -22, -20, -14, 0];
/** v_* of Example 4.1: minus the number of steps to the nearest corner. */
const EXAMPLE_4_1_OPTIMAL = [0, -1, -2, -3, -1, -2, -3, -2, -2, -3, -2, -1, -3, -2, -1, 0];

describe("TabularMDP constructors", () => {
  test("mdpFromEnv builds T, R and terminationProb consistent with P (FrozenLake 4x4)", () => {
    const env = make("FrozenLake-v1");
    const mdp = mdpFromEnv(env, 0.9);
    const { nS, nA, T, R, terminationProb } = mdp;
    assert.equal(nS, 16);
    assert.equal(nA, 4);
    assert.equal(mdp.P, (env.unwrapped as unknown as { P: unknown }).P, "P is the env's own table");
    assert.deepEqual(Array.from(mdp.initialDistribution), [1, ...new Array(15).fill(0)]);
    for (let sa = 0; sa < nS * nA; sa++) {
      let total = 0;
      for (let s2 = 0; s2 < nS; s2++) total += T[sa * nS + s2];
      assert.ok(Math.abs(total - 1) < 1e-12, `row ${sa} of T sums to ${total}`);
    }
    // From state 14 (left of the goal), RIGHT reaches the goal 15 with prob 1/3, reward 1, terminating.
    const sa = 14 * nA + 2;
    assert.ok(Math.abs(T[sa * nS + 15] - 1 / 3) < 1e-15);
    assert.equal(terminationProb[sa * nS + 15], 1);
    assert.equal(terminationProb[sa * nS + 10], 0);
    assert.ok(Math.abs(R[sa] - 1 / 3) < 1e-15);
    // Entering a hole (5) terminates; the hole itself is absorbing-terminal.
    assert.equal(terminationProb[(1 * nA + 1) * nS + 5], 1);
    assert.equal(T[(5 * nA + 0) * nS + 5], 1);
  });

  test("mdpFromArrays reproduces an env's MDP from its dense arrays (flat), and accepts nested arrays", () => {
    const mdp = frozenLake(0.95);
    const copy = mdpFromArrays({ T: mdp.T, R: mdp.R, terminal: mdp.terminationProb, gamma: 0.95, initialDistribution: mdp.initialDistribution });
    assert.equal(copy.nS, 16);
    assert.equal(copy.nA, 4);
    const pi = uniformPolicy(16, 4);
    assertClose(exactPolicyEvaluation(copy, pi), exactPolicyEvaluation(mdp, pi), 1e-12, "v_π of the copy");

    // Nested: one state, two actions; action 1 pays 1 and ends the episode, action 0 pays 0.5 and stays.
    // terminal has nS·nA·nS = 2 entries: Pr(terminated | s, a, s′) for (0, 0, 0) and (0, 1, 0).
    const tiny = mdpFromArrays({ T: [[[1], [1]]], R: [[0.5, 1]], terminal: [0, 1], gamma: 0.9 });
    assertClose(valueIteration(tiny, { tol: 1e-13 }).V, [5], 1e-9, "v_* = 0.5 / (1 − 0.9)");
    // Per-state terminal flags and per-transition rewards.
    const chain = mdpFromArrays({
      T: [[[0, 1]], [[0, 1]]],
      R: [[[0, 2]], [[0, 0]]],
      terminal: [false, true],
      gamma: 1,
      initialDistribution: [1, 0],
    });
    assertClose(exactPolicyEvaluation(chain, uniformPolicy(2, 1)), [2, 0], 1e-12, "two-state chain");
  });

  test("a fractional termination probability splits an outcome in P", () => {
    const mdp = mdpFromArrays({ T: [1], R: [1], terminal: [0.25], gamma: 1, nS: 1, nA: 1 });
    assert.deepEqual(mdp.P[0][0], [
      [0.75, 0, 1, false],
      [0.25, 0, 1, true],
    ]);
    assert.equal(mdp.terminationProb[0], 0.25);
    // v = 1 + 0.75 v  =>  v = 4 (expected number of steps of a geometric episode).
    assertClose(exactPolicyEvaluation(mdp, [1]), [4], 1e-12, "geometric episode");
  });

  test("withGamma shares the arrays and changes only γ", () => {
    const a = frozenLake(0.9);
    const b = a.withGamma(0.5);
    assert.ok(b instanceof TabularMDP);
    assert.equal(b.gamma, 0.5);
    assert.equal(a.gamma, 0.9);
    assert.equal(b.R, a.R);
    assert.equal(b.outcomeNext, a.outcomeNext);
    assert.throws(() => a.withGamma(2), /gamma must be a number in \[0, 1\]/);
  });

  test("bad inputs throw clear errors", () => {
    assert.throws(() => mdpFromEnv(make("CartPole-v1"), 0.9), /has no transition table P/);
    assert.throws(() => mdpFromEnv(make("FrozenLake-v1"), 1.5), /gamma must be a number in \[0, 1\], got 1.5/);
    assert.throws(() => mdpFromEnv(make("FrozenLake-v1"), -0.1), /gamma/);
    assert.throws(() => mdpFromEnv(make("FrozenLake-v1"), NaN), /gamma/);
    assert.throws(() => mdpFromTable([[[[0.5, 0, 0, false]]]], 0.9), /P\[0\]\[0\]: probabilities sum to 0.5, expected 1/);
    assert.throws(() => mdpFromTable([[[[1, 3, 0, false]]]], 0.9), /nextState 3 is not a state in \[0, 0\]/);
    assert.throws(() => mdpFromTable([[[[1, 0, NaN, false]]]], 0.9), /reward NaN is not a finite number/);
    assert.throws(() => mdpFromTable([[[[1, 0, 0, 0]]]] as never, 0.9), /terminated must be true or false/);
    assert.throws(() => mdpFromTable([[[[1, 0, 0, false]], [[1, 0, 0, false]]], [[[1, 0, 0, false]]]], 0.9), /P\[1\] has 1 actions, expected 2/);
    assert.throws(() => mdpFromTable([[[[1, 0, 0, false]]]], 0.9, [0.5]), /initialDistribution sums to 0.5/);
    assert.throws(() => mdpFromArrays({ T: [0.5, 0.4], R: [0], gamma: 0.9, nS: 1, nA: 2 }), /R has 1 entries, expected nS·nA = 2 or nS·nA·nS = 2/);
    assert.throws(() => mdpFromArrays({ T: [[[0.5, 0.4], [1, 0]], [[1, 0], [1, 0]]], R: [[0, 0], [0, 0]], gamma: 0.9 }), /T\[0\]\[0\]\[·\] sums to 0.9/);
    assert.throws(() => mdpFromArrays({ T: [1, 0, 0], R: [0, 0], gamma: 0.9 }), /cannot infer nS and nA/);
    assert.throws(() => mdpFromArrays({ T: [1], R: [0], gamma: 0.9, nS: 1, nA: 1, terminal: [2] }), /terminal\[0\] = 2 is not a probability/);
    const mdp = frozenLake(0.9);
    const bad = uniformPolicy(16, 4);
    bad[7] = 0.5;
    assert.throws(() => exactPolicyEvaluation(mdp, bad), /policy row 1 \(π\(· \| 1\)\) sums to 1.25/);
    assert.throws(() => exactPolicyEvaluation(mdp, uniformPolicy(16, 3)), /policy has 48 entries, expected 64/);
    assert.throws(() => qFromV(mdp, new Float64Array(15)), /qFromV: V has 15 entries, expected 16/);
    assert.throws(() => qFromV(mdp, new Float64Array(16).fill(NaN)), /V\[0\] = NaN is not a finite number/);
    assert.throws(() => valueIteration(make("FrozenLake-v1") as never), /mdp must be a TabularMDP/);
    assert.throws(() => iterativePolicyEvaluation(mdp, uniformPolicy(16, 4), { tol: -1 }), /tol must be a finite number >= 0/);
    assert.throws(() => policyIteration(mdp, { evaluation: "magic" as never }), /evaluation must be "exact" or "iterative"/);
  });
});

describe("linear solve (Gaussian elimination with partial pivoting)", () => {
  test("solves a system that needs pivoting, and a random well-conditioned one", () => {
    // A[0][0] = 0: elimination without pivoting would divide by zero.
    const x = solveLinearSystem(Float64Array.from([0, 2, 1, 1, 1, 1, 2, 1, 3]), Float64Array.from([5, 4, 7]));
    assertClose(x, [1, 2, 1], 1e-12, "x");
    const rng = new Rng(1);
    const n = 60;
    const A = new Float64Array(n * n).map(() => rng.uniform(-1, 1));
    for (let i = 0; i < n; i++) A[i * n + i] += n;
    const xTrue = new Float64Array(n).map(() => rng.normal());
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += A[i * n + j] * xTrue[j];
    const Acopy = A.slice();
    assertClose(solveLinearSystem(A, b), xTrue, 1e-10, "random system");
    assert.deepEqual(A, Acopy, "A is not modified without overwrite");
  });

  test("throws SingularMatrixError on a singular matrix", () => {
    assert.throws(() => solveLinearSystem(Float64Array.from([1, 2, 2, 4]), Float64Array.from([1, 2])), SingularMatrixError);
    assert.throws(() => solveLinearSystem(Float64Array.from([1, 2, 3]), Float64Array.from([1, 2])), /A has 3 entries, expected n² = 4/);
  });
});

describe("policy evaluation", () => {
  for (const [name, build] of [
    ["FrozenLake 4x4 slippery", () => frozenLake(0.99)],
    ["Taxi-v4", () => taxi(0.99)],
  ] as const) {
    test(`exact and iterative (synchronous and in-place) agree to 1e-8 on ${name}, random policy, γ = 0.99`, () => {
      const mdp = build();
      const pi = uniformPolicy(mdp.nS, mdp.nA);
      const exact = exactPolicyEvaluation(mdp, pi);
      const sync = iterativePolicyEvaluation(mdp, pi, { tol: 1e-11 });
      const gaussSeidel = iterativePolicyEvaluation(mdp, pi, { tol: 1e-11, inPlace: true });
      assert.ok(sync.converged && gaussSeidel.converged);
      assertClose(sync.V, exact, 1e-8, "synchronous vs exact");
      assertClose(gaussSeidel.V, exact, 1e-8, "in-place vs exact");
      assert.equal(sync.deltas.length, sync.iterations);
      assert.ok(sync.deltas[sync.iterations - 1] < 1e-11);
      assert.ok(gaussSeidel.iterations <= sync.iterations, "in-place needs no more sweeps than synchronous");
      assert.ok(bellmanResidual(mdp, exact, pi) < 1e-8, "v_π is a fixed point of T^π");
    });
  }

  test("S&B Example 4.1 (GridWorld-v0): random-policy values −14, −20, −22, … with γ = 1, both methods", () => {
    const mdp = mdpFromEnv(make("GridWorld-v0"), 1);
    const pi = uniformPolicy(16, 4);
    assertClose(exactPolicyEvaluation(mdp, pi), EXAMPLE_4_1_RANDOM, 1e-6, "exact");
    const sync = iterativePolicyEvaluation(mdp, pi, { tol: 1e-12 });
    const inPlace = iterativePolicyEvaluation(mdp, pi, { tol: 1e-12, inPlace: true });
    assertClose(sync.V, EXAMPLE_4_1_RANDOM, 1e-6, "iterative, synchronous");
    assertClose(inPlace.V, EXAMPLE_4_1_RANDOM, 1e-6, "iterative, in-place");
    // S&B Figure 4.1, k = 1 (synchronous): −1 everywhere but the terminal corners.
    const k1 = iterativePolicyEvaluation(mdp, pi, { maxIterations: 1 });
    assert.deepEqual(Array.from(k1.V), [0, ...new Array(14).fill(-1), 0]);
    assert.equal(k1.converged, false);
  });

  test("γ = 1 with a policy that never terminates: exact throws, iterative stops unconverged", () => {
    const mdp = mdpFromEnv(make("GridWorld-v0"), 1);
    const left = policyFromActions(new Array(16).fill(0), 4); // bumps into the left wall forever
    assert.throws(() => exactPolicyEvaluation(mdp, left), /I − γP_π is singular \(γ = 1\)/);
    const it = iterativePolicyEvaluation(mdp, left, { maxIterations: 200 });
    assert.equal(it.converged, false);
    assert.equal(it.iterations, 200);
    assert.throws(() => stateOccupancy(mdp, left), /singular/);
  });
});

describe("Bellman operators, V/Q/A", () => {
  test("v_π, q_π and v_*, q_* are fixed points (residual < 1e-8); Q ↔ V conversions", () => {
    const mdp = frozenLake(0.99);
    const pi = softmaxPolicy(new Float64Array(64).map((_, i) => Math.sin(i)), 4, 0.5);
    const V = exactPolicyEvaluation(mdp, pi);
    const Q = qFromV(mdp, V);
    assertClose(bellmanExpectationBackupV(mdp, pi, V), V, 1e-8, "T^π v_π = v_π");
    assertClose(bellmanExpectationBackupQ(mdp, pi, Q), Q, 1e-8, "T^π q_π = q_π");
    assertClose(vFromQ(mdp, Q, pi), V, 1e-12, "v_π = Σ_a π q_π");

    const { V: Vstar, Q: Qstar } = valueIteration(mdp, { tol: 1e-13 });
    assert.ok(bellmanResidual(mdp, Vstar) < 1e-8);
    assertClose(bellmanOptimalityBackupV(mdp, Vstar), Vstar, 1e-8, "T* v_* = v_*");
    assertClose(bellmanOptimalityBackupQ(mdp, Qstar), Qstar, 1e-8, "T* q_* = q_*");
    assertClose(vFromQ(mdp, Qstar), Vstar, 1e-8, "v_* = max_a q_*");
    const out = new Float64Array(16);
    assert.equal(bellmanOptimalityBackupV(mdp, Vstar, out), out);
    assert.throws(() => bellmanOptimalityBackupV(mdp, out, out), /out must not be the input array/);
  });

  test("E_{a∼π}[A_π(s, a)] = 0 in every state", () => {
    for (const mdp of [frozenLake(0.99), taxi(0.9)]) {
      const pi = epsilonGreedyPolicy(new Float64Array(mdp.nS * mdp.nA).map((_, i) => Math.cos(3 * i)), mdp.nA, 0.3);
      const V = exactPolicyEvaluation(mdp, pi);
      const A = advantage(mdp, qFromV(mdp, V), V);
      for (let s = 0; s < mdp.nS; s++) {
        let mean = 0;
        for (let a = 0; a < mdp.nA; a++) mean += pi[s * mdp.nA + a] * A[s * mdp.nA + a];
        assert.ok(Math.abs(mean) < 1e-9, `state ${s}: E[A] = ${mean}`);
      }
    }
  });

  test("terminating transitions do not bootstrap: q(s, a) ignores V of a terminal successor", () => {
    const mdp = frozenLake(0.9);
    const V = new Float64Array(16);
    V[15] = 1000; // value of "starting at the goal": must not leak into q(14, RIGHT)
    V[10] = 3;
    const q = qFromV(mdp, V)[14 * 4 + 2]; // RIGHT from 14: 1/3 → 15 (terminal, +1), 1/3 → 10, 1/3 → 14
    assert.ok(Math.abs(q - (1 / 3 + 0.9 * (1 / 3) * 3)) < 1e-12, `q = ${q}`);
  });
});

describe("policies", () => {
  const Q = Float64Array.from([1, 3, 3, 0, /* s1 */ -5, -4, -6, -4.5]);

  test("greedy: lowest index on ties by default, or split equally", () => {
    assert.deepEqual(Array.from(greedyPolicy(Q, 4)), [0, 1, 0, 0, 0, 1, 0, 0]);
    assert.deepEqual(Array.from(greedyPolicy(Q, 4, { ties: "split" })), [0, 0.5, 0.5, 0, 0, 1, 0, 0]);
    // Round-off below the tie tolerance still ties; tieTolerance 0 is exact.
    const nearly = Float64Array.from([1, 3, 3 + 1e-13, 0]);
    assert.deepEqual(Array.from(greedyPolicy(nearly, 4)), [0, 1, 0, 0]);
    assert.deepEqual(Array.from(greedyPolicy(nearly, 4, { tieTolerance: 0 })), [0, 0, 1, 0]);
    assert.throws(() => greedyPolicy(Q, 3), /Q has 8 entries, not a positive multiple of nA = 3/);
  });

  test("ε-greedy probabilities", () => {
    const pi = epsilonGreedyPolicy(Q, 4, 0.2);
    assertClose(pi, [0.05, 0.85, 0.05, 0.05, 0.05, 0.85, 0.05, 0.05], 1e-15, "ε = 0.2");
    assertClose(epsilonGreedyPolicy(Q, 4, 0.2, { ties: "split" }), [0.05, 0.45, 0.45, 0.05, 0.05, 0.85, 0.05, 0.05], 1e-15, "split");
    assert.deepEqual(epsilonGreedyPolicy(Q, 4, 0), greedyPolicy(Q, 4));
    assertClose(epsilonGreedyPolicy(Q, 4, 1), uniformPolicy(2, 4), 0, "ε = 1 is uniform");
    assert.throws(() => epsilonGreedyPolicy(Q, 4, 1.5), /epsilon must be a number in \[0, 1\]/);
  });

  test("softmax: T = 1e-3 equals greedy (ties split), T → ∞ uniform, stable for huge values", () => {
    assertClose(softmaxPolicy(Q, 4, 1e-3), greedyPolicy(Q, 4, { ties: "split" }), 1e-12, "T = 1e-3 on Q");
    const mdp = mdpFromEnv(make("GridWorld-v0"), 1);
    const { Q: Qstar } = valueIteration(mdp);
    assertClose(softmaxPolicy(Qstar, 4, 1e-3), greedyPolicy(Qstar, 4, { ties: "split" }), 1e-12, "T = 1e-3 on Example 4.1's q_*");
    assertClose(softmaxPolicy(Q, 4, Infinity), uniformPolicy(2, 4), 0, "T = ∞");
    const big = softmaxPolicy(Float64Array.from([1e300, -1e300, 1e300 * 0.5, 0]), 4, 1);
    assert.deepEqual(Array.from(big), [1, 0, 0, 0]);
    const p = softmaxPolicy(Float64Array.from([0, Math.log(3)]), 2, 1);
    assertClose(p, [0.25, 0.75], 1e-15, "exp weights");
    assert.throws(() => softmaxPolicy(Q, 4, 0), /temperature must be a number > 0/);
  });

  test("policyFromActions / actionsFromPolicy round trip; uniform policy", () => {
    const actions = [3, 0, 2, 1, 1];
    const pi = policyFromActions(actions, 4);
    assert.equal(pi.length, 20);
    assert.deepEqual(Array.from(actionsFromPolicy(pi, 4)), actions);
    assert.deepEqual(Array.from(uniformPolicy(1, 4)), [0.25, 0.25, 0.25, 0.25]);
    assert.throws(() => policyFromActions([0, 4], 4), /actions\[1\] = 4 is not an action in \[0, 3\]/);
    assert.throws(() => actionsFromPolicy([0.5, 0.6], 2), /sums to 1.1/);
  });
});

describe("policy iteration and value iteration", () => {
  const cases: [string, () => TabularMDP][] = [
    ["FrozenLake 4x4", () => frozenLake(0.99)],
    ["FrozenLake 8x8", () => mdpFromEnv(make("FrozenLake-v1", { mapName: "8x8" }), 0.99)],
    ["CliffWalking-v1", () => mdpFromEnv(make("CliffWalking-v1"), 0.99)],
    ["Taxi-v4", () => taxi(0.99)],
  ];
  for (const [name, build] of cases) {
    test(`VI and PI (exact and iterative evaluation) reach the same v_* (1e-6) on ${name}, γ = 0.99`, () => {
      const mdp = build();
      const vi = valueIteration(mdp, { tol: 1e-11 });
      const pi = policyIteration(mdp);
      const piIterative = policyIteration(mdp, { evaluation: "iterative", tol: 1e-11, inPlace: true });
      assert.ok(vi.converged && pi.converged && piIterative.converged);
      assertClose(pi.V, vi.V, 1e-6, "PI (exact) vs VI");
      assertClose(piIterative.V, vi.V, 1e-6, "PI (iterative) vs VI");
      assert.ok(bellmanResidual(mdp, pi.V) < 1e-8, "v_* satisfies the Bellman optimality equation");
      // PI's policy is greedy for its own value and VI's greedy policy has (nearly) the same value.
      assert.ok(policyImprovement(mdp, pi.V, { currentPolicy: pi.policy }).stable);
      assertClose(exactPolicyEvaluation(mdp, vi.policy), pi.V, 1e-6, "value of VI's greedy policy");
      // History for charts: one entry per evaluated policy, values non-decreasing (policy improvement theorem).
      assert.equal(pi.history.values.length, pi.iterations);
      assert.equal(pi.history.policies.length, pi.iterations);
      for (let k = 1; k < pi.iterations; k++) {
        for (let s = 0; s < mdp.nS; s++) assert.ok(pi.history.values[k][s] >= pi.history.values[k - 1][s] - 1e-9);
      }
      assert.deepEqual(Array.from(pi.actions), Array.from(actionsFromPolicy(pi.policy, mdp.nA)));
      assert.equal(vi.deltas.length, vi.iterations);
    });
  }

  test("S&B Example 4.1 with γ = 1: PI from the random policy and VI give v_* = −(steps to a corner)", () => {
    const mdp = mdpFromEnv(make("GridWorld-v0"), 1);
    const pi = policyIteration(mdp);
    assertClose(pi.history.values[0], EXAMPLE_4_1_RANDOM, 1e-9, "v_{π_0}");
    assertClose(pi.V, EXAMPLE_4_1_OPTIMAL, 1e-9, "PI");
    const vi = valueIteration(mdp, { keepValues: true });
    assertClose(vi.V, EXAMPLE_4_1_OPTIMAL, 1e-9, "VI");
    assert.equal(vi.iterations, 4, "3 sweeps to propagate, 1 to see no change");
    assert.equal(vi.valueHistory?.length, 4);
    assert.deepEqual(Array.from(vi.deltas), [1, 1, 1, 0]);
  });

  test("ties do not make policy iteration oscillate (all actions equally good)", () => {
    // One state, three actions with identical outcomes: any policy is optimal.
    const P = [[0, 1, 2].map(() => [[1, 0, 1, false] as [number, number, number, boolean]])];
    const result = policyIteration(mdpFromTable(P, 0.9), { initialPolicy: policyFromActions([2], 3) });
    assert.equal(result.iterations, 1);
    assert.deepEqual(Array.from(result.actions), [2], "keeps its action among ties");
    const iterative = policyIteration(mdpFromTable(P, 0.9), { evaluation: "iterative", tol: 1e-3 });
    assert.ok(iterative.converged);
    assert.ok(iterative.iterations <= 3);
  });
});

describe("discounted state visitation", () => {
  test("sums to 1 − E[γ^T] (unnormalised); normalised sums to 1; 1 for a continuing task", () => {
    const mdp = frozenLake(0.9);
    const pi = uniformPolicy(16, 4);
    const d = discountedStateVisitation(mdp, pi);
    const eta = stateOccupancy(mdp, pi);
    assertClose(d, eta.map((x) => x * 0.1), 1e-15, "d = (1 − γ) η");
    const mass = d.reduce((x, y) => x + y, 0);
    assert.ok(mass > 0 && mass < 1, `mass ${mass}`);
    // E[γ^T] solves u = Σ_a π Σ (terminating prob) γ + γ Σ K u: the discounted termination probability.
    const terminatingMass = new Float64Array(16);
    for (let s = 0; s < 16; s++) {
      for (let a = 0; a < 4; a++) for (const [p, , , t] of mdp.P[s][a]) if (t) terminatingMass[s] += 0.25 * p;
    }
    const rewardIsTermination = mdpFromTable(
      mdp.P.map((row) => row.map((outs) => outs.map(([p, s2, , t]) => [p, s2, t ? 1 : 0, t] as [number, number, number, boolean]))),
      0.9,
      mdp.initialDistribution,
    );
    // v(s) = E[Σ_t γ^t 1{terminate at t+1}] = E[γ^{T−1}], so E[γ^T] = γ · μ·v.
    const expGammaT = 0.9 * startValue(rewardIsTermination, exactPolicyEvaluation(rewardIsTermination, pi));
    assert.ok(Math.abs(mass - (1 - expGammaT)) < 1e-12, `mass ${mass} vs 1 − E[γ^T] = ${1 - expGammaT}`);
    const normalized = discountedStateVisitation(mdp, pi, { normalize: true });
    assert.ok(Math.abs(normalized.reduce((x, y) => x + y, 0) - 1) < 1e-12);

    const continuing = mdpFromEnv(make("GridWorld-v0", { preset: "example3.5" }), 0.9);
    const dc = discountedStateVisitation(continuing, uniformPolicy(continuing.nS, 4));
    assert.ok(Math.abs(dc.reduce((x, y) => x + y, 0) - 1) < 1e-12);
    assert.throws(() => discountedStateVisitation(mdpFromEnv(make("GridWorld-v0"), 1), uniformPolicy(16, 4)), /needs gamma < 1/);
  });

  test("matches a Monte Carlo estimate (FrozenLake 4x4, random policy, γ = 0.9)", () => {
    const mdp = frozenLake(0.9);
    const pi = uniformPolicy(16, 4);
    const d = discountedStateVisitation(mdp, pi);
    const rng = new Rng(7);
    const episodes = 20_000;
    const estimate = new Float64Array(16);
    for (let i = 0; i < episodes; i++) {
      const { states, actions } = sampleTrajectory(mdp, pi, rng, { maxSteps: 400 }); // 0.9^400 ≈ 5e-19
      let weight = 0.1;
      for (let t = 0; t < actions.length; t++) {
        estimate[states[t]] += weight / episodes; // the state the episode ends in is not counted
        weight *= 0.9;
      }
    }
    assertClose(estimate, d, 0.01, "Monte Carlo vs exact d_π");
  });

  test("performance-difference lemma holds exactly with terminations: J(π′) − J(π) = Σ d_π′ π′ A_π / (1 − γ)", () => {
    const mdp = frozenLake(0.95);
    const pi = uniformPolicy(16, 4);
    const Vpi = exactPolicyEvaluation(mdp, pi);
    const A = advantage(mdp, qFromV(mdp, Vpi), Vpi);
    const piNew = softmaxPolicy(qFromV(mdp, Vpi), 4, 0.05);
    const dNew = discountedStateVisitation(mdp, piNew);
    let rhs = 0;
    for (let s = 0; s < 16; s++) for (let a = 0; a < 4; a++) rhs += dNew[s] * piNew[s * 4 + a] * A[s * 4 + a];
    rhs /= 1 - mdp.gamma;
    const lhs = startValue(mdp, exactPolicyEvaluation(mdp, piNew)) - startValue(mdp, Vpi);
    assert.ok(Math.abs(lhs - rhs) < 1e-10, `J(π′) − J(π) = ${lhs}, lemma gives ${rhs}`);
  });
});

describe("sampling and rollouts", () => {
  test("sampleTrajectory: S_0 … S_T, A_0 … A_{T−1}, R_1 … R_T; reproducible from the seed", () => {
    const mdp = frozenLake(0.9);
    const pi = uniformPolicy(16, 4);
    const t = sampleTrajectory(mdp, pi, new Rng(3));
    assert.equal(t.states.length, t.actions.length + 1);
    assert.equal(t.rewards.length, t.actions.length);
    assert.equal(t.states[0], 0);
    assert.ok(t.terminated && !t.truncated);
    assert.deepEqual(sampleTrajectory(mdp, pi, new Rng(3)), t);
    const short = sampleTrajectory(mdp, policyFromActions(new Array(16).fill(0), 4), new Rng(0), { maxSteps: 5, initialState: 0 });
    assert.equal(short.actions.length, 5);
    assert.ok(short.truncated && !short.terminated);
    assert.throws(() => sampleTrajectory(mdp, () => 7, new Rng(0)), /returned 7 in state 0, not an action/);
  });

  test("discountedReturn: G_0 = Σ γ^k R_{k+1}", () => {
    assert.equal(discountedReturn([1, 2, 3], 0.5), 1 + 1 + 0.75);
    assert.equal(discountedReturn([], 0.9), 0);
    assert.equal(discountedReturn([-1, -1, -1], 1), -3);
    assert.throws(() => discountedReturn([1], 2), /gamma/);
  });

  test("Monte Carlo returns estimate v_π(s_0); rollouts on the MDP and on the env agree", () => {
    const mdp = frozenLake(0.9);
    const pi = softmaxPolicy(valueIteration(mdp).Q, 4, 0.05);
    const vStart = startValue(mdp, exactPolicyEvaluation(mdp, pi));
    const onMdp = evaluatePolicyByRollouts(mdp, pi, 5000, 11, { gamma: 0.9, maxSteps: 400 });
    assert.ok(Math.abs(onMdp.meanReturn - vStart) < 4 * onMdp.stdError + 1e-3, `${onMdp.meanReturn} vs v_π(s_0) = ${vStart}`);
    const env = evaluatePolicyByRollouts(make("FrozenLake-v1"), pi, 5000, 11);
    const mdp100 = evaluatePolicyByRollouts(mdp, pi, 5000, 12, { maxSteps: 100 });
    assert.ok(Math.abs(env.successRate - mdp100.successRate) < 0.03, `env ${env.successRate} vs MDP ${mdp100.successRate}`);
    assert.deepEqual(evaluatePolicyByRollouts(make("FrozenLake-v1"), pi, 200, 5), evaluatePolicyByRollouts(make("FrozenLake-v1"), pi, 200, 5));
    assert.throws(() => evaluatePolicyByRollouts(make("FrozenLake-v1"), uniformPolicy(2, 4), 1, 0), /observation \d+ is not a state of the policy \(0 … 1\)/);
    assert.throws(() => evaluatePolicyByRollouts(make("CartPole-v1") as never, uniformPolicy(4, 2), 1, 0), /not a state of the policy/);
  });

  // The sampled rates are checked against the exact time-limited success probability of the same
  // policy (a 100- or 200-step backward recursion): FrozenLake 4x4 0.7402 (the best time-dependent
  // policy reaches 0.7442), 8x8 0.8857. Seed 0 gives 0.7300 on 4x4, 2.3 standard errors low.
  test("greedy policy on slippery FrozenLake 4x4 (γ = 0.999): success ≥ 0.73 over 10,000 episodes of the real env", () => {
    const env = make("FrozenLake-v1");
    const mdp = mdpFromEnv(env, 0.999);
    const { policy } = valueIteration(mdp);
    const exact = finiteHorizon(mdp, policy, 100).success;
    assert.ok(exact >= 0.74, `exact 100-step success probability ${exact}`);
    const r = evaluatePolicyByRollouts(env, policy, 10_000, 0);
    const se = Math.sqrt((exact * (1 - exact)) / r.episodes);
    console.log(`FrozenLake 4x4: success ${r.successRate} (exact ${exact.toFixed(4)} ± ${se.toFixed(4)}), mean length ${r.meanLength.toFixed(2)}`);
    assert.ok(Math.abs(r.successRate - exact) < 4 * se, "sample agrees with the exact probability");
    assert.ok(r.successRate >= 0.73, `success rate ${r.successRate}`);
    assert.ok(r.meanLength <= 100);
  });

  test("greedy policy on slippery FrozenLake 8x8 (γ = 0.999, 200-step limit): success ≥ 0.85", () => {
    const env = make("FrozenLake8x8-v1");
    assert.equal(env.spec?.maxEpisodeSteps, 200);
    const mdp = mdpFromEnv(env, 0.999);
    const { policy } = valueIteration(mdp);
    const exact = finiteHorizon(mdp, policy, 200).success;
    assert.ok(exact >= 0.88, `exact 200-step success probability ${exact}`);
    const r = evaluatePolicyByRollouts(env, policy, 10_000, 0);
    const se = Math.sqrt((exact * (1 - exact)) / r.episodes);
    console.log(`FrozenLake 8x8: success ${r.successRate} (exact ${exact.toFixed(4)} ± ${se.toFixed(4)}), mean length ${r.meanLength.toFixed(2)}`);
    assert.ok(Math.abs(r.successRate - exact) < 4 * se, "sample agrees with the exact probability");
    assert.ok(r.successRate >= 0.85, `success rate ${r.successRate}`);
  });

  test("optimal policy on Taxi-v4: every passenger delivered, mean return at the exact optimum 7.93", () => {
    const env = make("Taxi-v4");
    const mdp = mdpFromEnv(env, 0.99);
    const { policy } = policyIteration(mdp);
    // Undiscounted expected return from the start distribution (the optimal policy terminates, so γ = 1 is fine).
    // Gymnasium's reward threshold of 8 is above this optimum: no policy averages 8 in expectation.
    const exact = startValue(mdp, exactPolicyEvaluation(mdp.withGamma(1), policy));
    assert.ok(Math.abs(exact - 7.93) < 1e-9, `exact optimal mean return ${exact}`);
    assert.ok(Math.abs(finiteHorizon(mdp, policy, 200).meanReturn - exact) < 1e-9, "the 200-step limit never binds");
    const r = evaluatePolicyByRollouts(env, policy, 10_000, 0);
    console.log(`Taxi: mean return ${r.meanReturn.toFixed(4)} ± ${r.stdError.toFixed(4)} (exact ${exact.toFixed(4)}), success ${r.successRate}`);
    assert.equal(r.successRate, 1);
    assert.ok(Math.abs(r.meanReturn - exact) < 4 * r.stdError, `mean return ${r.meanReturn}`);
    assert.ok(r.meanReturn >= 7.8);
  });
});
