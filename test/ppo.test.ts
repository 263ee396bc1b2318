import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { initBackend, tf } from "../lib/backend";
import { EpisodeLogger } from "../lib/logging/episodes";
import { evaluateActions, actionsTensor, makeActorCritic } from "../lib/algos/actor_critic";
import { PolicySampler } from "../lib/algos/sampler";
import { spacesSpec } from "../lib/algos/spaces_spec";
import {
  PPO_PRESETS,
  adaptiveKlBeta,
  clippedValueLoss,
  ppoClipLoss,
  ppoPenaltyLoss,
  trainPpo,
} from "../lib/algos/ppo";
import { approxKl, explainedVariance } from "../lib/algos/diagnostics";
import { ObsNormalizer, RewardScaler } from "../lib/algos/normalize";
import { RolloutCollector } from "../lib/algos/rollout";
import { Box, Discrete, make, SyncVectorEnv } from "../lib/envs";
import { Rng } from "../lib/random";
import { linearSchedule } from "../lib/schedules";

before(async () => {
  await initBackend();
});

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

function meanOfLast(xs: number[], n: number): number {
  const tail = xs.slice(-n);
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

// ---------------------------------------------------------------------------------------------
// The ratio on the first minibatch: the stored log π_old are the policy's own log-probabilities
// ---------------------------------------------------------------------------------------------

test("rollout log π_old equal the tfjs log π of the same policy: ρ = 1 (to float32 round-off) and clip fraction 0 (discrete, Gaussian, shared trunk)", () => {
  const cases = [
    { env: "CartPole-v1", shared: false },
    { env: "Pendulum-v1", shared: false },
    { env: "Acrobot-v1", shared: true },
  ];
  for (const { env, shared } of cases) {
    const envs = new SyncVectorEnv([make(env), make(env), make(env)]);
    const spec = spacesSpec(envs.singleObservationSpace, envs.singleActionSpace);
    const { policy, valueNet } = makeActorCritic(spec, { rng: 3, shared, initLogStd: -0.5 });
    const sampler = new PolicySampler(policy, valueNet);
    const collector = new RolloutCollector({ envs, sampler, numSteps: 70, logger: new EpisodeLogger(20, undefined), rng: new Rng(1), envRng: new Rng(2) });
    collector.collect();
    collector.buffer.computeAdvantages({ lastValues: collector.lastValues, gamma: 0.99, gaeLambda: 0.95 });
    const batch = collector.buffer.batch();
    const B = batch.size;
    const [logRatio, valueDiff, clipFraction] = tf.tidy(() => {
      const out = evaluateActions(policy, valueNet, tf.tensor2d(batch.obs, [B, spec.obsDim]), actionsTensor(spec, batch.actions, B));
      const clip = ppoClipLoss({ logProbs: out.logProb, oldLogProbs: batch.logProbs, advantages: batch.advantages, clipCoef: 0.2 });
      return [tf.sub(out.logProb, tf.tensor1d(batch.logProbs)).dataSync(), tf.sub(out.values, tf.tensor1d(batch.values)).dataSync(), clip.clipFraction.dataSync()[0]];
    });
    const maxLogRatio = Math.max(...Array.from(logRatio, Math.abs));
    assert.ok(maxLogRatio < 1e-5, `${env}: max |log ρ| = ${maxLogRatio}`);
    assert.ok(Math.max(...Array.from(valueDiff, Math.abs)) < 1e-4, `${env}: host and tfjs values differ`);
    assert.equal(clipFraction, 0);
    envs.close();
    policy.trunk?.dispose();
    tf.dispose([...policy.variables, ...valueNet.weights]);
  }
});

test("trainPpo with learning rate 0: every minibatch sees ρ = 1, so clip fraction 0 and approximate KL ≈ 0 in every update", async () => {
  const { log, agent } = await trainPpo({ numEnvs: 2, numSteps: 64, totalSteps: 1024, learningRate: 0, seed: 4 });
  agent.dispose();
  assert.equal(log.updates.length, 8);
  for (const u of log.updates) {
    assert.equal(u.clipFraction, 0);
    assert.ok(Math.abs(u.approxKl) < 1e-6 && Math.abs(u.approxKlOld) < 1e-5, `update ${u.update}: approxKl ${u.approxKl}, approxKlOld ${u.approxKlOld}`);
  }
});

// ---------------------------------------------------------------------------------------------
// The loss pieces on hand-built numbers
// ---------------------------------------------------------------------------------------------

test("ppoClipLoss: ∂loss/∂log π is exactly 0 where the clip is active (Â ≥ 0, ρ > 1+ε; Â < 0, ρ < 1−ε) and equals the unclipped gradient −ρÂ/B elsewhere", () => {
  const eps = 0.2;
  // (ratio, advantage, clipped?)
  const rows: [number, number, boolean][] = [
    [1.5, 1, true], //     Â > 0, ρ > 1 + ε: clipped
    [1.3, 0, true], //     Â = 0, ρ > 1 + ε: clipped (gradient 0 either way)
    [0.6, 2, false], //    Â > 0, ρ < 1 − ε: not clipped (the min keeps ρÂ)
    [1.1, 0.5, false], //  inside the interval
    [0.5, -1, true], //    Â < 0, ρ < 1 − ε: clipped
    [1.6, -2, false], //   Â < 0, ρ > 1 + ε: not clipped
    [0.9, -0.5, false], // inside the interval
    [1.0, 3, false], //    ρ = 1
  ];
  const B = rows.length;
  const oldLogProbs = rows.map((_, i) => -0.3 - 0.1 * i);
  const logProbs = tf.tensor1d(rows.map(([r], i) => oldLogProbs[i] + Math.log(r)));
  const advantages = rows.map(([, a]) => a);
  const grad = tf.grad((lp: tf.Tensor) => ppoClipLoss({ logProbs: lp as tf.Tensor1D, oldLogProbs, advantages, clipCoef: eps }).loss)(logProbs);
  const unclippedGrad = tf.grad((lp: tf.Tensor) => tf.neg(tf.mean(tf.mul(tf.exp(tf.sub(lp, tf.tensor1d(oldLogProbs))), tf.tensor1d(advantages)))))(logProbs);
  const g = grad.dataSync();
  const u = unclippedGrad.dataSync();
  rows.forEach(([r, a, clipped], i) => {
    if (clipped) assert.equal(g[i], 0, `row ${i} (ρ ${r}, Â ${a}): gradient ${g[i]} should be exactly 0`);
    else {
      assert.equal(g[i], u[i], `row ${i} (ρ ${r}, Â ${a}): ${g[i]} vs unclipped ${u[i]}`);
      assert.ok(close(g[i], (-r * a) / B, 1e-5), `row ${i}: ${g[i]} vs −ρÂ/B = ${(-r * a) / B}`);
    }
  });
  // The loss value and the clip fraction by hand.
  const { loss, clipFraction } = ppoClipLoss({ logProbs, oldLogProbs, advantages, clipCoef: eps });
  const expected = -rows.reduce((s, [r, a]) => s + Math.min(r * a, Math.min(Math.max(r, 1 - eps), 1 + eps) * a), 0) / B;
  assert.ok(close(loss.dataSync()[0], expected, 1e-5), `loss ${loss.dataSync()[0]} vs ${expected}`);
  assert.equal(clipFraction.dataSync()[0], rows.filter(([r]) => Math.abs(r - 1) > eps).length / B);
  assert.throws(() => ppoClipLoss({ logProbs, oldLogProbs: [0], advantages, clipCoef: eps }), /oldLogProbs has length 1/);
  assert.throws(() => ppoClipLoss({ logProbs, oldLogProbs, advantages, clipCoef: 0 }), /clipCoef/);
  tf.dispose([logProbs, grad, unclippedGrad, loss, clipFraction]);
});

test("ppoPenaltyLoss: −mean ρÂ + β mean KL, and its gradient in log π is −ρÂ/B", () => {
  const lp = tf.tensor1d([-1, -0.5, -2]);
  const old = [-1.2, -0.5, -1.5];
  const adv = [1, -2, 0.5];
  const kl = tf.tensor1d([0.01, 0.02, 0.03]);
  const { loss, surrogate, kl: meanKl } = ppoPenaltyLoss({ logProbs: lp, oldLogProbs: old, advantages: adv, kl, beta: 3 });
  const ratios = [Math.exp(0.2), 1, Math.exp(-0.5)];
  const sur = -(ratios[0] * 1 + ratios[1] * -2 + ratios[2] * 0.5) / 3;
  assert.ok(close(surrogate.dataSync()[0], sur, 1e-6));
  assert.ok(close(meanKl.dataSync()[0], 0.02, 1e-6));
  assert.ok(close(loss.dataSync()[0], sur + 3 * 0.02, 1e-6));
  const g = tf.grad((x: tf.Tensor) => ppoPenaltyLoss({ logProbs: x as tf.Tensor1D, oldLogProbs: old, advantages: adv, kl, beta: 3 }).loss)(lp).dataSync();
  ratios.forEach((r, i) => assert.ok(close(g[i], (-r * adv[i]) / 3, 1e-6)));
  assert.throws(() => ppoPenaltyLoss({ logProbs: lp, oldLogProbs: old, advantages: adv, kl, beta: -1 }), /beta/);
  tf.dispose([lp, kl, loss, surrogate, meanKl]);
});

test("adaptiveKlBeta: halves below d_targ/1.5, doubles above 1.5·d_targ, keeps β in between (PPO §4)", () => {
  const dTarg = 0.01;
  assert.equal(adaptiveKlBeta(1, 0.006, dTarg), 0.5); // 0.006 < 0.00667
  assert.equal(adaptiveKlBeta(1, 0, dTarg), 0.5);
  assert.equal(adaptiveKlBeta(1, 0.007, dTarg), 1);
  assert.equal(adaptiveKlBeta(1, 0.01, dTarg), 1);
  assert.equal(adaptiveKlBeta(1, 0.015, dTarg), 1); // the boundary 1.5·d_targ itself keeps β
  assert.equal(adaptiveKlBeta(1, 0.016, dTarg), 2);
  assert.equal(adaptiveKlBeta(0.25, 1, dTarg), 0.5);
  assert.throws(() => adaptiveKlBeta(0, 0.01, dTarg), RangeError);
  assert.throws(() => adaptiveKlBeta(1, NaN, dTarg), /kl/);
});

test("clippedValueLoss: ½ mean max((V − R)², (V_old + clip(V − V_old, ±ε) − R)²) on hand-built numbers; the clipped branch has zero gradient", () => {
  const values = tf.tensor1d([1, 2, 3, 0]);
  const oldValues = [0.5, 2.5, 3, 1];
  const returns = [2, 1, 0, 1];
  // row 0: (1−2)² = 1 vs (0.7−2)² = 1.69 → 1.69;  row 1: (2−1)² = 1 vs (2.3−1)² = 1.69 → 1.69;
  // row 2: 9 vs 9 → 9;                            row 3: (0−1)² = 1 vs (0.8−1)² = 0.04 → 1.
  const clipped = clippedValueLoss({ values, oldValues, returns, clipCoef: 0.2 });
  assert.ok(close(clipped.dataSync()[0], (0.5 * (1.69 + 1.69 + 9 + 1)) / 4, 1e-6), `clipped ${clipped.dataSync()[0]}`);
  const plain = clippedValueLoss({ values, oldValues, returns, clipCoef: null });
  assert.ok(close(plain.dataSync()[0], (0.5 * (1 + 1 + 9 + 1)) / 4, 1e-6));
  const g = tf.grad((v: tf.Tensor) => clippedValueLoss({ values: v as tf.Tensor1D, oldValues, returns, clipCoef: 0.2 }))(values).dataSync();
  // rows 0, 1: the clipped term wins and is constant in V → 0; row 3: the unclipped (V − R)/B.
  assert.equal(g[0], 0);
  assert.equal(g[1], 0);
  assert.ok(close(g[3], (0 - 1) / 4, 1e-6));
  assert.throws(() => clippedValueLoss({ values, oldValues, returns: [1], clipCoef: 0.2 }), /returns has length 1/);
  tf.dispose([values, clipped, plain]);
});

test("approxKl: k1 and k3 estimate the exact KL(π_old ‖ π) of two categoricals from samples of π_old; k3 terms are ≥ 0", () => {
  const p = [0.5, 0.3, 0.15, 0.05]; // π_old
  const q = [0.3, 0.3, 0.2, 0.2]; //   π_θ
  const exact = p.reduce((s, pk, k) => s + pk * Math.log(pk / q[k]), 0);
  const rng = new Rng(11);
  const n = 200_000;
  const lpNew = new Float32Array(n);
  const lpOld = new Float32Array(n);
  const k3 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.categorical(p, 0, 4);
    lpOld[i] = Math.log(p[a]);
    lpNew[i] = Math.log(q[a]);
    const r = q[a] / p[a];
    k3[i] = r - 1 - Math.log(r);
  }
  const { approxKl: kNew, approxKlOld: kOld } = approxKl({ logProbs: lpNew, oldLogProbs: lpOld });
  // Standard errors from the sample: k1 has a larger variance than k3.
  const sd = (f: (i: number) => number) => {
    let m = 0;
    let v = 0;
    for (let i = 0; i < n; i++) m += f(i) / n;
    for (let i = 0; i < n; i++) v += (f(i) - m) ** 2 / n;
    return Math.sqrt(v / n);
  };
  const se1 = sd((i) => lpOld[i] - lpNew[i]);
  const se3 = sd((i) => k3[i]);
  assert.ok(se3 < se1, `k3 standard error ${se3} should be below k1's ${se1}`);
  assert.ok(Math.abs(kOld.dataSync()[0] - exact) < 4 * se1, `k1 ${kOld.dataSync()[0]} vs exact ${exact} (se ${se1})`);
  assert.ok(Math.abs(kNew.dataSync()[0] - exact) < 4 * se3, `k3 ${kNew.dataSync()[0]} vs exact ${exact} (se ${se3})`);
  assert.ok(k3.every((x) => x >= 0));
  tf.dispose([kNew, kOld]);
});

test("explainedVariance: 1 − Var[y − ŷ]/Var[y] in closed form; 1 for perfect, 0 for the mean, NaN for constant targets", () => {
  const y = [1, 2, 3, 4];
  assert.equal(explainedVariance(y, y), 1);
  assert.equal(explainedVariance([2.5, 2.5, 2.5, 2.5], y), 0);
  // ŷ = [1, 1, 3, 5]: residuals [0, 1, 0, −1] (mean 0, Var 0.5); Var[y] = 1.25 → 1 − 0.4 = 0.6.
  assert.ok(close(explainedVariance([1, 1, 3, 5], y), 0.6, 1e-12));
  assert.ok(close(explainedVariance([11, 12, 13, 14], y), 1, 1e-12)); // a constant offset is not penalised
  assert.ok(Number.isNaN(explainedVariance([1, 2], [3, 3])));
  assert.throws(() => explainedVariance([1], [1, 2]), RangeError);
});

// ---------------------------------------------------------------------------------------------
// Observation and reward normalisation against Gymnasium's reference stream
// ---------------------------------------------------------------------------------------------

test("ObsNormalizer and RewardScaler agree with Gymnasium's NormalizeObservation / NormalizeReward on the reference stream; clipping and frozen copies", () => {
  const ref = JSON.parse(readFileSync(join(__dirname, "fixtures", "reference", "normalize_reference.json"), "utf8")) as {
    obs: number[][];
    rewards: number[];
    terminated: boolean[];
    gamma: number;
    normalized_obs: number[][];
    normalized_rewards: number[];
    return_var: number;
  };
  const d = ref.obs[0].length;
  const norm = new ObsNormalizer(d, 1e9);
  let maxError = 0;
  ref.obs.forEach((o, t) => {
    const x = Float32Array.from(o);
    norm.updateAndNormalize(x, 1);
    x.forEach((v, j) => (maxError = Math.max(maxError, Math.abs(v - ref.normalized_obs[t][j]))));
  });
  assert.ok(maxError <= 1e-5, `obs: max |error| ${maxError} (Gymnasium rounds its statistics to float32, these are float64)`);
  // A frozen copy does not follow later updates; clipping bounds the outputs.
  const frozen = norm.frozen();
  const probe = Float32Array.from(ref.obs[0]);
  const expected = probe.slice();
  norm.normalize(expected, 1);
  norm.updateAndNormalize(Float32Array.from(ref.obs[1]).map((v) => v * 100), 1);
  frozen(probe);
  assert.deepEqual(Array.from(probe), Array.from(expected));
  const clipped = new ObsNormalizer(1, 0.5);
  clipped.updateAndNormalize(new Float32Array([1, -1, 1, -1]), 4);
  const big = new Float32Array([1000, -1000]);
  clipped.normalize(big, 2);
  assert.deepEqual(Array.from(big), [0.5, -0.5]);

  const scaler = new RewardScaler(1, ref.gamma, 1e9);
  maxError = 0;
  ref.rewards.forEach((r, t) => {
    const rewards = new Float64Array([r]);
    scaler.scale(rewards, [ref.terminated[t]], [0]);
    maxError = Math.max(maxError, Math.abs(rewards[0] - ref.normalized_rewards[t]));
  });
  assert.ok(maxError <= 1e-12, `rewards: max |error| ${maxError}`);
  assert.ok(close(scaler.rms.var[0], ref.return_var, 1e-9));
  // A reset step is skipped: reward and statistics unchanged.
  const count = scaler.rms.count;
  const zero = new Float64Array([0]);
  scaler.scale(zero, [false], [1]);
  assert.equal(scaler.rms.count, count);
  assert.throws(() => new RewardScaler(2, 1.5), /gamma/);
});

// ---------------------------------------------------------------------------------------------
// Training: memory, acting on normalised observations, reproducibility, config checks
// ---------------------------------------------------------------------------------------------

test("no tensor leaks: numTensors is flat across updates and back to the start after dispose (clip/penalty, discrete/Gaussian, shared trunk, normalisation, targetKl)", async () => {
  const start = tf.memory().numTensors;
  const configs = [
    { numEnvs: 2, numSteps: 32, totalSteps: 384, seed: 1 },
    { env: "Pendulum-v1", numEnvs: 2, numSteps: 32, totalSteps: 384, objective: "penalty" as const, normalizeObservations: true, normalizeRewards: true, seed: 1 },
    { env: "Acrobot-v1", numEnvs: 2, numSteps: 32, totalSteps: 384, sharedNetwork: true, targetKl: 1e-4, init: "torch-default" as const, maxGradNorm: null, seed: 1 },
    { numEnvs: 2, numSteps: 32, totalSteps: 384, objective: "penalty" as const, sharedNetwork: true, clipValueLoss: false, seed: 1 },
  ];
  for (const cfg of configs) {
    const counts: number[] = [];
    const { agent, log } = await trainPpo({ ...cfg, onProgress: () => counts.push(tf.memory().numTensors) });
    assert.ok(counts.length >= 3, `${JSON.stringify(cfg)}: ${counts.length} updates`);
    assert.ok(counts.every((c) => c === counts[0]), `numTensors over updates ${counts.join(",")}`);
    for (const u of log.updates) {
      for (const k of ["policyLoss", "valueLoss", "entropy", "gradNorm", "clipFraction", "approxKl", "approxKlOld", "learningRate"] as const) {
        assert.ok(Number.isFinite(u[k]), `${k} = ${u[k]}`);
      }
      if (cfg.objective === "penalty") assert.ok(u.beta > 0 && u.kl >= 0);
      else assert.ok(Number.isNaN(u.beta));
    }
    agent.dispose();
    assert.equal(tf.memory().numTensors, start, `tensors left after dispose (${JSON.stringify(cfg)})`);
  }
});

test("penalty objective: β follows the adaptive rule from update to update; targetKl stops the epochs early", async () => {
  const { log, agent } = await trainPpo({ numEnvs: 2, numSteps: 64, totalSteps: 1280, objective: "penalty", klTarget: 0.003, learningRate: 1e-3, seed: 2 });
  agent.dispose();
  for (let i = 1; i < log.updates.length; i++) {
    const prev = log.updates[i - 1];
    assert.equal(log.updates[i].beta, adaptiveKlBeta(prev.beta, prev.kl, 0.003), `update ${i}`);
  }
  assert.equal(log.updates[0].beta, 1);
  const early = await trainPpo({ numEnvs: 2, numSteps: 64, totalSteps: 1280, updateEpochs: 10, learningRate: 3e-3, targetKl: 1e-4, seed: 2 });
  early.agent.dispose();
  assert.ok(early.log.updates.some((u) => u.epochs < 10), `epochs: ${early.log.updates.map((u) => u.epochs).join(",")}`);
});

test("with normalizeObservations the agent normalises raw observations with the frozen final statistics", async () => {
  const { agent, obsStats, rewardStats, log } = await trainPpo({ env: "Pendulum-v1", numEnvs: 2, numSteps: 64, totalSteps: 512, normalizeObservations: true, normalizeRewards: true, seed: 3 });
  assert.ok(obsStats !== null && obsStats.count > 512);
  // The reward scale: Var of Pendulum's discounted return (rewards in [−16.3, 0]) is positive and finite.
  assert.ok(rewardStats !== null && rewardStats.count > 500 && rewardStats.var[0]! > 0 && Number.isFinite(rewardStats.var[0]), JSON.stringify(rewardStats));
  const raw = new Float32Array([0.6, -0.8, 1.5]);
  const x = Float32Array.from(raw, (v, k) => Math.min(Math.max((v - obsStats.mean[k]) / Math.sqrt(obsStats.var[k] + 1e-8), -10), 10));
  const mu = tf.tidy(() => agent.policy.net.apply(tf.tensor2d(x, [1, 3])).dataSync()[0]);
  const u = agent.act(raw) as Float32Array;
  assert.ok(Math.abs(u[0] - Math.min(Math.max(mu, -2), 2)) < 1e-5, `act ${u[0]} vs μ(normalised obs) ${mu}`);
  assert.ok(log.episodes.every((e) => e.return < 0), "episode log keeps raw Pendulum returns");
  agent.dispose();
});

test("reproducible from the seed", async () => {
  const cfg = { numEnvs: 2, numSteps: 64, totalSteps: 2048, seed: 9 };
  const a = await trainPpo(cfg);
  const b = await trainPpo(cfg);
  assert.deepEqual(a.log.episodes.map((e) => e.return), b.log.episodes.map((e) => e.return));
  assert.deepEqual(a.log.updates.map((u) => u.valueLoss), b.log.updates.map((u) => u.valueLoss));
  a.agent.dispose();
  b.agent.dispose();
});

test("config checks: unknown fields, out-of-range values and a Discrete observation space with normalisation throw", async () => {
  await assert.rejects(trainPpo({ clipRange: 0.2 } as never), /unknown config field 'clipRange'/);
  await assert.rejects(trainPpo({ gaeLambda: 1.5 }), /gaeLambda/);
  await assert.rejects(trainPpo({ objective: "kl" as never }), /objective/);
  await assert.rejects(trainPpo({ numMinibatches: 0 }), /numMinibatches/);
  await assert.rejects(trainPpo({ numEnvs: 1, numSteps: 4, numMinibatches: 8 }), /numMinibatches/);
  await assert.rejects(trainPpo({ targetKl: 0 }), /targetKl/);
  await assert.rejects(trainPpo({ maxGradNorm: -1 }), /maxGradNorm/);
  await assert.rejects(trainPpo({ env: "FrozenLake-v1", normalizeObservations: true }), TypeError);
  assert.throws(() => makeActorCritic(spacesSpec(new Box(-1, 1, 2), new Discrete(2)), { rng: 0, shared: true, hiddenSizes: [] }), /shared trunk/);
});

test("RolloutCollector refuses vector envs that do not autoreset at the next step (GAE would bootstrap from the next episode)", () => {
  for (const mode of ["same-step", "disabled"] as const) {
    const envs = new SyncVectorEnv([make("CartPole-v1"), make("CartPole-v1")], mode);
    const spec = spacesSpec(envs.singleObservationSpace, envs.singleActionSpace);
    const { policy, valueNet } = makeActorCritic(spec, { rng: 0, hiddenSizes: [4] });
    assert.throws(
      () => new RolloutCollector({ envs, sampler: new PolicySampler(policy, valueNet), numSteps: 8, logger: new EpisodeLogger(20, undefined), rng: new Rng(1), envRng: new Rng(2) }),
      new RegExp(`autoresetMode "next-step".*got "${mode}"`),
    );
    policy.net.dispose();
    valueNet.dispose();
  }
});

test("makeActorCritic with a numeric seed: actor and critic get independent weights, the same for the same seed", () => {
  const spec = spacesSpec(new Box(-1, 1, 4), new Discrete(2));
  const first = (w: tf.Variable | tf.Tensor) => Array.from(w.dataSync());
  for (const shared of [false, true]) {
    const a = makeActorCritic(spec, { rng: 3, shared, hiddenSizes: [8, 8] });
    const b = makeActorCritic(spec, { rng: 3, shared, hiddenSizes: [8, 8] });
    // Non-shared: the first layers of actor and critic; shared: the two heads (policy 0.01 gain, value 1).
    const u = first(a.policy.net.weights[0]!);
    const v = first(a.valueNet.weights[0]!);
    const scale = shared ? 100 : 1; // the heads differ by their gains
    let same = 0;
    for (let i = 0; i < Math.min(u.length, v.length); i++) if (Math.abs(u[i]! * scale - v[i]!) < 1e-6) same++;
    assert.ok(same < 2, `shared=${shared}: ${same} equal weights between actor and critic`);
    assert.deepEqual(first(a.valueNet.weights[0]!), first(b.valueNet.weights[0]!), "the same seed gives the same critic");
    for (const m of [a, b]) {
      m.policy.trunk?.dispose();
      m.policy.net.dispose();
      m.valueNet.dispose();
    }
  }
});

test("PolicySampler: a NaN or +∞ in the policy's output is an error naming the observation, not action 0 forever", () => {
  for (const actionSpace of [new Discrete(3), new Box(-1, 1, 2)]) {
    const spec = spacesSpec(new Box(-1, 1, 2), actionSpace);
    const { policy, valueNet } = makeActorCritic(spec, { rng: 1, hiddenSizes: [4] });
    const sampler = new PolicySampler(policy, valueNet);
    const out = actionSpace instanceof Discrete ? new Int32Array(2) : new Float32Array(4);
    sampler.sample([0.1, 0.2, 0.3, 0.4], 2, new Rng(0), out); // finite: fine
    assert.throws(() => sampler.sample([0.1, 0.2, NaN, 0.4], 2, new Rng(0), out), /output for observation 1 holds NaN/);
    assert.throws(() => sampler.sample([NaN, 0.2, 0.3, 0.4], 2, new Rng(0), out, { deterministic: true }), /observation 0 holds NaN/);
    policy.net.dispose();
    policy.logStd?.dispose();
    valueNet.dispose();
  }
});

// ---------------------------------------------------------------------------------------------
// A short seeded learning test. Measured with PPO_PRESETS["CartPole-v1"] (its 150k-step budget sets the
// learning-rate annealing; wasm backend): the mean return of 20 episodes first reaches 195 at 35.3k,
// 12.7k, 29.9k, 18.1k, 23.4k env steps for seeds 0–4. Seed 1 with a 40k-step cap (a 3× margin) keeps
// the preset's annealing by giving the same linear schedule explicitly.
// ---------------------------------------------------------------------------------------------

test("PPO learns CartPole-v1 with its preset: mean return of 20 episodes ≥ 195 within 40k steps (seed 1)", async () => {
  const preset = PPO_PRESETS["CartPole-v1"];
  const numUpdates = Math.ceil(preset.totalSteps! / (preset.numEnvs! * preset.numSteps!));
  const learningRate = linearSchedule(preset.learningRate as number, 0, numUpdates); // = annealLr over the preset's budget
  const { log, agent } = await trainPpo({ ...preset, learningRate, seed: 1, totalSteps: 40_000, targetReturn: 195 });
  agent.dispose();
  assert.ok(log.solvedAtStep !== null, `not solved: last mean ${meanOfLast(log.episodes.map((e) => e.return), 20)}`);
});
