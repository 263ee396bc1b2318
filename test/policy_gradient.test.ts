import assert from "node:assert/strict";
import { before, test } from "node:test";
import { initBackend, tf } from "../lib/backend";
import { a2cAdvantages, a2cLoss, trainA2c } from "../lib/algos/a2c";
import { logProbAndEntropy, makePolicy, makeValueNet } from "../lib/algos/actor_critic";
import type { PolicyGradientProgress } from "../lib/algos/on_policy";
import { PolicySampler } from "../lib/algos/sampler";
import { spacesSpec } from "../lib/algos/spaces_spec";
import { reinforceLoss, reinforceWeights, scoreFunctionGradient, trainReinforce } from "../lib/algos/reinforce";
import { stopGradient } from "../lib/nn/gradients";
import { Box, Discrete } from "../lib/envs";
import { FlatOptimizer, HostMlp, clipByGlobalNorm, mlp } from "../lib/nn";
import { Rng } from "../lib/random";
import { discountCumsum, rolloutNStepReturns, shiftValues } from "../lib/returns";

before(async () => {
  await initBackend();
});

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

function meanOfLast(xs: number[], n: number): number {
  const tail = xs.slice(-n);
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

// ---------------------------------------------------------------------------------------------
// The REINFORCE loss and the score-function estimator
// ---------------------------------------------------------------------------------------------

test("reinforceLoss: −∇ equals the score-function estimator computed by hand (linear softmax policy)", () => {
  // π_θ(a|x) = softmax(x θ)_a with θ ∈ R^{3×2}; ∇_θ log π(a|x) = x (e_a − p)ᵀ.
  const D = 3;
  const K = 2;
  const theta0 = [0.2, -0.1, 0.5, 0.3, -0.4, 0.1];
  const X = [
    [1, 0.5, -1],
    [0.2, -0.3, 0.8],
    [-1, 1, 0.1],
    [0.4, 0.4, 0.4],
  ];
  const actions = [0, 1, 1, 0];
  const G = [2.5, -1, 0.5, 3];
  const N = X.length;
  // By hand, in float64: ĝ = (1/N) Σ_i G_i x_i (e_{a_i} − p_i)ᵀ.
  const manual = new Float64Array(D * K);
  for (let i = 0; i < N; i++) {
    const z = [0, 1].map((k) => X[i].reduce((s, xd, d) => s + xd * theta0[d * K + k], 0));
    const mx = Math.max(...z);
    const e = z.map((v) => Math.exp(v - mx));
    const p = e.map((v) => v / (e[0] + e[1]));
    for (let d = 0; d < D; d++) for (let k = 0; k < K; k++) manual[d * K + k] += (G[i] * X[i][d] * ((k === actions[i] ? 1 : 0) - p[k])) / N;
  }
  const theta = tf.variable(tf.tensor2d(theta0, [D, K]));
  const xT = tf.tensor2d(X);
  const aT = tf.tensor1d(actions, "int32");
  const logProbs = (th: tf.Tensor) => tf.sum(tf.mul(tf.logSoftmax(tf.matMul(xT, th as tf.Tensor2D)), tf.oneHot(aT, K)), 1) as tf.Tensor1D;
  // tf.grad of the surrogate loss.
  const grad = tf.tidy(() => tf.grad((th: tf.Tensor) => reinforceLoss(logProbs(th), G))(theta).dataSync().slice());
  assertClose(Array.from(grad, (g) => -g), manual, 1e-5, "−∇L vs manual ĝ");
  // The per-sample estimator.
  const est = scoreFunctionGradient((i) => tf.tidy(() => tf.sum(tf.slice(logProbs(theta), [i], [1])) as tf.Scalar), G, [theta]);
  assertClose(est[0].dataSync(), manual, 1e-5, "scoreFunctionGradient vs manual ĝ");
  tf.dispose([...est, theta, xT, aT]);
});

test("reinforceLoss on MLP policies: −∇ equals scoreFunctionGradient (discrete and Gaussian), weights are constants", () => {
  const rng = new Rng(3);
  for (const actionSpace of [new Discrete(3), new Box(-1, 1, 2)]) {
    const spec = spacesSpec(new Box(-1, 1, 4), actionSpace);
    const policy = makePolicy(spec, { rng: 1, hiddenSizes: [8], initLogStd: -0.3 });
    const M = 5;
    const obs = tf.tensor2d(Float32Array.from({ length: M * 4 }, () => rng.normal()), [M, 4]);
    const acts = spec.action.kind === "discrete" ? tf.tensor1d([0, 2, 1, 1, 0], "int32") : tf.tensor2d(Float32Array.from({ length: M * 2 }, () => rng.normal()), [M, 2]);
    const w = [1.5, -0.5, 2, 0.25, -1];
    const { grads } = tf.variableGrads(() => reinforceLoss(logProbAndEntropy(policy, obs, acts).logProb, w), policy.variables);
    const est = scoreFunctionGradient(
      (i) => tf.tidy(() => tf.sum(tf.slice(logProbAndEntropy(policy, obs, acts).logProb, [i], [1])) as tf.Scalar),
      w,
      policy.variables,
    );
    policy.variables.forEach((v, k) => assertClose(est[k].dataSync(), Array.from(grads[v.name].dataSync(), (g) => -g), 1e-4, `${spec.action.kind} ${v.name}`));
    // stopGradient: weights computed from θ inside the tape contribute nothing.
    const { grads: g2 } = tf.variableGrads(() => {
      const lp = logProbAndEntropy(policy, obs, acts).logProb;
      return reinforceLoss(lp, stopGradient(tf.mul(lp, 0).add(tf.tensor1d(w)) as tf.Tensor1D));
    }, policy.variables);
    policy.variables.forEach((v) => assertClose(g2[v.name].dataSync(), grads[v.name].dataSync(), 1e-5, `stopGradient ${v.name}`));
    tf.dispose([...est, ...Object.values(grads), ...Object.values(g2), obs, acts, ...policy.variables]);
  }
});

test("reinforceWeights: reward-to-go equals discountCumsum; total return repeats G_0; bootstrap closes a truncated episode", () => {
  const rewards = [1, 0, 2, -1, 3];
  for (const gamma of [1, 0.9, 0.5]) {
    assertClose(reinforceWeights(rewards, { gamma }), discountCumsum(rewards, gamma), 1e-12, `rtg γ=${gamma}`);
    const g0 = discountCumsum(rewards, gamma)[0];
    assertClose(reinforceWeights(rewards, { gamma, weighting: "total-return" }), rewards.map(() => g0), 1e-12, `total γ=${gamma}`);
  }
  // G_t = Σ_{k≥t} γ^{k−t} r_k + γ^{L−t} V(s_L).
  assertClose(reinforceWeights([1, 1], { gamma: 0.5, lastValue: 4 }), [1 + 0.5 + 0.25 * 4, 1 + 0.5 * 4], 1e-12, "bootstrap");
  assert.throws(() => reinforceLoss(tf.zeros([3]) as tf.Tensor1D, [1, 2]), RangeError);
});

// ---------------------------------------------------------------------------------------------
// A2C advantages and loss
// ---------------------------------------------------------------------------------------------

test("a2cAdvantages (n-step): equal rolloutNStepReturns − V and the hand-computed values, reset steps masked out", () => {
  // T = 5 steps, N = 2 envs, γ = 0.9. Step-major index t·2 + e.
  // env 0: terminates at t = 1; t = 2 is the reset step (reward 0, obs = terminal obs); a new episode runs t = 3, 4.
  // env 1: truncated at t = 2 (time limit); t = 3 is the reset step, whose obs is the final obs (V = 7);
  //        a new episode starts at t = 4.
  const T = 5;
  const N = 2;
  const g = 0.9;
  const rewards = [1, 2, 1, 2, 0, 3, 1, 0, 1, 1];
  const values = [0.5, 1.5, 0.25, 2.5, 9, 3.5, 0.75, 7, 1.25, 0.3];
  const terminated = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
  const truncated = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0];
  const resetSteps = [0, 0, 0, 0, 1, 0, 0, 1, 0, 0];
  const lastValues = [2, 4];
  const rollout = { rewards, values, terminated, truncated, resetSteps, lastValues, numSteps: T, numEnvs: N };
  const { advantages, returns, valid } = a2cAdvantages(rollout, { gamma: g, advantage: "nstep" });
  // By hand (n = T: every step bootstraps at the rollout's end or stops at its episode's end).
  // env 0 rewards by step: [1, 1, 0, 1, 1]; env 1: [2, 2, 3, 0, 1].
  const R = new Array<number>(T * N).fill(NaN);
  R[0] = 1 + g * 1; //                          env 0, t=0: r0 + γ r1, terminal after t=1
  R[2] = 1; //                                  env 0, t=1: terminal
  R[6] = 1 + g * 1 + g * g * 2; //              env 0, t=3: r3 + γ r4 + γ² V(s_5)
  R[8] = 1 + g * 2; //                          env 0, t=4
  R[1] = 2 + g * 2 + g * g * 3 + g ** 3 * 7; // env 1, t=0: … + γ³ V(final obs), the reset step's value
  R[3] = 2 + g * 3 + g * g * 7; //              env 1, t=1
  R[5] = 3 + g * 7; //                          env 1, t=2: truncated, bootstrap from V(final obs)
  R[9] = 1 + g * 4; //                          env 1, t=4: the new episode, bootstrap V(s_5)
  assert.deepEqual(Array.from(valid), [1, 1, 1, 1, 0, 1, 1, 0, 1, 1]);
  const expectedReturns = rolloutNStepReturns({ rewards, values, terminated, truncated, nextValues: shiftValues(values, lastValues, T, N), gamma: g, n: T, numSteps: T, numEnvs: N });
  for (let i = 0; i < T * N; i++) {
    if (!valid[i]) continue;
    assert.ok(Math.abs(returns[i] - R[i]) < 1e-12, `R[${i}]: ${returns[i]} vs hand ${R[i]}`);
    assert.ok(Math.abs(returns[i] - expectedReturns[i]) < 1e-12, `R[${i}] vs rolloutNStepReturns`);
    assert.ok(Math.abs(advantages[i] - (expectedReturns[i] - values[i])) < 1e-12, `A[${i}]`);
  }
  // GAE with λ = 1 is the same estimator (SB3's A2C default).
  const viaGae = a2cAdvantages(rollout, { gamma: g, advantage: "gae", gaeLambda: 1 });
  for (let i = 0; i < T * N; i++) if (valid[i]) assert.ok(Math.abs(viaGae.advantages[i] - advantages[i]) < 1e-9, `GAE(λ=1)[${i}]`);
  // n = 1: the TD(0) target r + γ V(s') (0 after termination, V(final obs) after truncation).
  const one = a2cAdvantages(rollout, { gamma: g, advantage: "nstep", nStep: 1 });
  assertClose([one.returns[2], one.returns[5], one.returns[6]], [1, 3 + g * 7, 1 + g * 1.25], 1e-12, "1-step returns");
});

test("a2cLoss: policy, value and entropy terms and their weighting", () => {
  const logProbs = tf.tensor1d([-0.5, -1, -2]);
  const entropy = tf.tensor1d([0.6, 0.5, 0.4]);
  const values = tf.tensor1d([1, 2, 3]);
  const t = a2cLoss({ logProbs, entropy, values, advantages: [1, -2, 0.5], returns: [2, 2, 1], vfCoef: 0.5, entCoef: 0.01 });
  const pl = -(1 * -0.5 + -2 * -1 + 0.5 * -2) / 3;
  const vl = (1 + 0 + 4) / 3;
  assert.ok(Math.abs(t.policyLoss.dataSync()[0] - pl) < 1e-6);
  assert.ok(Math.abs(t.valueLoss.dataSync()[0] - vl) < 1e-6);
  assert.ok(Math.abs(t.entropy.dataSync()[0] - 0.5) < 1e-6);
  assert.ok(Math.abs(t.loss.dataSync()[0] - (pl + 0.5 * vl - 0.01 * 0.5)) < 1e-6);
  tf.dispose([logProbs, entropy, values, t.loss, t.policyLoss, t.valueLoss, t.entropy]);
});

// ---------------------------------------------------------------------------------------------
// Host-side acting and the flat optimizer
// ---------------------------------------------------------------------------------------------

test("HostMlp equals Mlp.apply; PolicySampler samples from the policy's probabilities", () => {
  const rng = new Rng(5);
  const x = Float32Array.from({ length: 6 * 4 }, () => rng.normal());
  for (const activation of ["tanh", "relu"] as const) {
    const net = mlp({ sizes: [4, 16, 8, 3], rng: 2, activation, outputGain: 1 });
    const expected = tf.tidy(() => net.apply(tf.tensor2d(x, [6, 4])).dataSync().slice());
    assertClose(new HostMlp(net).apply(x, 6, new Float32Array(18)), expected, 1e-5, `HostMlp ${activation}`);
    net.dispose();
  }
  // A 3-action policy: sampled frequencies match softmax(logits) of one observation; deterministic = argmax.
  const spec = spacesSpec(new Box(-1, 1, 4), new Discrete(3));
  const policy = makePolicy(spec, { rng: 4, hiddenSizes: [8] });
  tf.tidy(() => policy.net.weights[2].assign(tf.mul(policy.net.weights[2], 100))); // make the policy far from uniform
  const probs = tf.tidy(() => tf.softmax(policy.net.apply(tf.tensor2d(x.subarray(0, 4), [1, 4]))).dataSync().slice());
  const sampler = new PolicySampler(policy);
  const n = 20_000;
  const obs = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) obs.set(x.subarray(0, 4), i * 4);
  const out = new Int32Array(n);
  sampler.sample(obs, n, new Rng(1), out);
  const freq = [0, 0, 0];
  for (const a of out) freq[a] += 1 / n;
  for (let k = 0; k < 3; k++) assert.ok(Math.abs(freq[k] - probs[k]) < 0.015, `frequency of action ${k}: ${freq[k]} vs p = ${probs[k]}`);
  sampler.sample(obs, 1, new Rng(1), out, { deterministic: true });
  assert.equal(out[0], probs.indexOf(Math.max(...probs)));
  tf.dispose(policy.variables);
});

test("FlatOptimizer: Adam steps equal tfjs's Adam after clipByGlobalNorm (PyTorch arithmetic), RMSprop follows PyTorch's formula, clipping as documented", () => {
  const make = () => mlp({ sizes: [3, 5, 2], rng: 9 });
  const x = tf.tensor2d([[0.5, -1, 2], [1, 0.3, -0.7]]);
  const y = tf.tensor2d([[1, 0], [0, 1]]);
  const lossOf = (net: ReturnType<typeof mlp>) => tf.mean(tf.square(tf.sub(net.apply(x), y))) as tf.Scalar;
  const a = make();
  const b = make();
  const ref = tf.train.adam(0.01, 0.9, 0.999, 1e-5);
  const flat = new FlatOptimizer(b.weights, { kind: "adam", learningRate: 0.01, epsilon: 1e-5, maxGradNorm: 0.3 });
  for (let k = 0; k < 5; k++) {
    const r1 = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => lossOf(a), a.weights);
      const { grads: clipped, norm } = clipByGlobalNorm(grads, 0.3);
      ref.applyGradients(a.weights.map((w) => ({ name: w.name, tensor: clipped[w.name] })));
      return { loss: value.dataSync()[0], gradNorm: norm.dataSync()[0] };
    });
    const r2 = flat.step(() => ({ loss: lossOf(b), metrics: { twice: tf.mul(lossOf(b), 2) as tf.Scalar } }));
    assert.ok(Math.abs(r1.loss - r2.loss) < 1e-5 && Math.abs(r1.gradNorm - r2.gradNorm) < 1e-5, `step ${k}: loss ${r1.loss} vs ${r2.loss}, norm ${r1.gradNorm} vs ${r2.gradNorm}`);
    assert.ok(Math.abs(r2.metrics.twice - 2 * r2.loss) < 1e-6);
  }
  a.weights.forEach((w, i) => assertClose(b.weights[i].dataSync(), w.dataSync(), 1e-5, `Adam weights ${i}`));
  // RMSprop, one step from v = 0: θ ← θ − lr · g / (√((1 − α) g²) + ε).
  const c = make();
  const theta0 = c.weights.map((w) => w.dataSync().slice());
  const grads = tf.variableGrads(() => lossOf(c), c.weights).grads;
  const g = c.weights.map((w) => grads[w.name].dataSync().slice());
  const rms = new FlatOptimizer(c.weights, { kind: "rmsprop", learningRate: 0.01, alpha: 0.99, epsilon: 1e-5 });
  rms.step(() => ({ loss: lossOf(c) }));
  c.weights.forEach((w, i) =>
    assertClose(w.dataSync(), Array.from(theta0[i], (t, j) => t - (0.01 * g[i][j]) / (Math.sqrt(0.01 * g[i][j] ** 2) + 1e-5)), 1e-5, `RMSprop ${i}`),
  );
  for (const t of [...a.weights, ...b.weights, ...c.weights, ...Object.values(grads), x, y]) t.dispose();
  ref.dispose();
  flat.dispose();
  rms.dispose();
});

// ---------------------------------------------------------------------------------------------
// Training: memory, reproducibility, continuous actions, config checks
// ---------------------------------------------------------------------------------------------

test("no tensor leaks: numTensors is flat across updates and back to the start after dispose (A2C and REINFORCE, discrete and continuous)", async () => {
  const start = tf.memory().numTensors;
  const runs: [string, (onProgress: (p: PolicyGradientProgress) => void) => Promise<{ agent: { dispose(): void }; log: { updates: unknown[] } }>][] = [
    ["a2c CartPole", (onProgress) => trainA2c({ totalSteps: 4000, seed: 1, onProgress })],
    ["a2c Pendulum (rmsprop, nstep)", (onProgress) => trainA2c({ env: "Pendulum-v1", numEnvs: 4, totalSteps: 1000, optimizer: "rmsprop", advantage: "nstep", seed: 1, onProgress })],
    ["reinforce CartPole", (onProgress) => trainReinforce({ totalSteps: 1500, episodesPerBatch: 4, valueIters: 3, seed: 1, onProgress })],
    ["reinforce Pendulum", (onProgress) => trainReinforce({ env: "Pendulum-v1", totalSteps: 1200, episodesPerBatch: 2, valueIters: 3, seed: 1, onProgress })],
  ];
  for (const [name, run] of runs) {
    const counts: number[] = [];
    const losses: number[] = [];
    const { agent, log } = await run((p) => {
      counts.push(tf.memory().numTensors);
      losses.push(p.last.policyLoss, p.last.entropy, p.last.gradNorm);
    });
    assert.ok(counts.length >= 3, `${name}: ${counts.length} updates`);
    assert.ok(counts.every((c) => c === counts[0]), `${name}: numTensors over updates ${counts.slice(0, 10).join(",")}…`);
    assert.ok(losses.every(Number.isFinite), `${name}: finite losses`);
    assert.equal(log.updates.length, counts.length);
    agent.dispose();
    assert.equal(tf.memory().numTensors, start, `${name}: tensors left after dispose`);
  }
});

test("reproducible from the seed; the agent acts in the env's action space", async () => {
  const a = await trainA2c({ totalSteps: 3000, seed: 7 });
  const b = await trainA2c({ totalSteps: 3000, seed: 7 });
  assert.deepEqual(a.log.episodes.map((e) => e.return), b.log.episodes.map((e) => e.return));
  assert.deepEqual(a.log.updates.map((u) => u.valueLoss), b.log.updates.map((u) => u.valueLoss));
  const action = a.agent.act(new Float32Array([0, 0, 0.05, 0]));
  assert.ok(action === 0 || action === 1);
  a.agent.dispose();
  b.agent.dispose();
  const c = await trainReinforce({ totalSteps: 1000, valueIters: 2, seed: 7 });
  const d = await trainReinforce({ totalSteps: 1000, valueIters: 2, seed: 7 });
  assert.deepEqual(c.log.episodes, d.log.episodes);
  c.agent.dispose();
  d.agent.dispose();
  const p = await trainReinforce({ env: "Pendulum-v1", totalSteps: 400, episodesPerBatch: 2, valueIters: 1, seed: 0 });
  const u = p.agent.act(new Float32Array([1, 0, 0])) as Float32Array;
  assert.ok(u instanceof Float32Array && u.length === 1 && u[0] >= -2 && u[0] <= 2);
  p.agent.dispose();
});

test("config checks: unknown fields and out-of-range values throw", async () => {
  await assert.rejects(trainA2c({ numEnv: 4 } as never), /unknown config field 'numEnv'/);
  await assert.rejects(trainReinforce({ gamma: 1.5 }), RangeError);
  await assert.rejects(trainA2c({ advantage: "td" as never }), RangeError);
});

// ---------------------------------------------------------------------------------------------
// Short seeded learning tests on CartPole-v1, with the documented defaults.
// Measured (wasm backend, 2 loaded cores): the mean return of 20 episodes first reaches 150 at
//   REINFORCE + baseline, seeds 0–4: 8.2k, 6.2k, 12.6k, 8.4k, 6.5k env steps (2–5 s);
//   A2C,                  seeds 0–4: 13.8k, 12.4k, 13.6k, 15.0k, 15.2k env steps (2–3 s);
// and both climb on to 475 (REINFORCE by ~25k–35k steps, A2C by ~35k–110k; see bench/policy_gradient.ts).
// The 60k-step budget leaves a 4× margin; each test stops as soon as it reaches 150.
// ---------------------------------------------------------------------------------------------

test("REINFORCE with baseline learns CartPole-v1: mean return of 20 episodes ≥ 150 within 60k steps (seed 0)", async () => {
  const { log, agent } = await trainReinforce({ seed: 0, totalSteps: 60_000, targetReturn: 150 });
  agent.dispose();
  assert.ok(log.solvedAtStep !== null, `not solved: last mean ${meanOfLast(log.episodes.map((e) => e.return), 20)}`);
});

test("A2C learns CartPole-v1: mean return of 20 episodes ≥ 150 within 60k steps (seed 0)", async () => {
  const { log, agent } = await trainA2c({ seed: 0, totalSteps: 60_000, targetReturn: 150 });
  agent.dispose();
  assert.ok(log.solvedAtStep !== null, `not solved: last mean ${meanOfLast(log.episodes.map((e) => e.return), 20)}`);
});
