import assert from "node:assert/strict";
import { test } from "node:test";
import { MinTree, PrioritizedReplayBuffer, ReplayBuffer, RolloutBuffer, SumTree } from "../lib/buffers";
import { Rng } from "../lib/random";
import { gae, shiftValues } from "../lib/returns";

/** Pearson's χ² statistic of observed counts against expected probabilities (categories with p = 0 must have count 0). */
function chiSquare(counts: ArrayLike<number>, probs: ArrayLike<number>): { stat: number; df: number } {
  const n = Array.from(counts).reduce((a, b) => a + b, 0);
  let stat = 0;
  let df = -1;
  for (let i = 0; i < counts.length; i++) {
    if (probs[i] === 0) {
      assert.equal(counts[i], 0, `category ${i} has probability 0 but was drawn ${counts[i]} times`);
      continue;
    }
    const e = n * probs[i];
    stat += (counts[i] - e) ** 2 / e;
    df++;
  }
  return { stat, df };
}

/** χ² critical values at significance 0.001 (upper tail), by degrees of freedom. */
const CHI2_CRITICAL_0_001: Record<number, number> = { 6: 22.458, 8: 26.124 };

// ---------------------------------------------------------------------------------------------
// Replay buffer
// ---------------------------------------------------------------------------------------------

/** Transition i of a synthetic stream: obs [i, i+0.25, i+0.5, i+0.75], action i % 3, reward −i, next obs + 1, terminated when i % 4 = 3. */
function transition(i: number) {
  return { obs: [i, i + 0.25, i + 0.5, i + 0.75], action: i % 3, reward: -i, nextObs: [i + 1, i + 1.25, i + 1.5, i + 1.75], terminated: i % 4 === 3 };
}

function assertSlotHolds(buf: ReplayBuffer, slot: number, i: number) {
  const t = transition(i);
  assert.deepEqual(Array.from(buf.obs.subarray(slot * 4, slot * 4 + 4)), t.obs, `slot ${slot} obs`);
  assert.deepEqual(Array.from(buf.nextObs.subarray(slot * 4, slot * 4 + 4)), t.nextObs, `slot ${slot} nextObs`);
  assert.equal(buf.actions[slot], t.action);
  assert.equal(buf.rewards[slot], t.reward);
  assert.equal(buf.terminated[slot], t.terminated ? 1 : 0);
}

test("replay buffer: add wraps around, overwriting the oldest transitions", () => {
  const buf = new ReplayBuffer({ capacity: 5, obsDim: 4 });
  assert.equal(buf.size, 0);
  for (let i = 0; i < 7; i++) {
    const t = transition(i);
    assert.equal(buf.add(t.obs, t.action, t.reward, t.nextObs, t.terminated), i % 5);
  }
  assert.equal(buf.size, 5);
  assert.equal(buf.position, 2);
  // Slots 0, 1 hold transitions 5, 6; slots 2, 3, 4 still hold 2, 3, 4.
  [5, 6, 2, 3, 4].forEach((i, slot) => assertSlotHolds(buf, slot, i));
});

test("replay buffer: addBatch wraps around in one call, and keeps the last `capacity` of an oversized batch", () => {
  const batchOf = (ids: number[]) => ({
    obs: ids.flatMap((i) => transition(i).obs),
    actions: ids.map((i) => transition(i).action),
    rewards: ids.map((i) => transition(i).reward),
    nextObs: ids.flatMap((i) => transition(i).nextObs),
    terminated: ids.map((i) => transition(i).terminated),
  });
  const buf = new ReplayBuffer({ capacity: 5, obsDim: 4 });
  assert.equal(buf.addBatch(batchOf([0, 1, 2])), 0);
  assert.equal(buf.addBatch(batchOf([3, 4, 5, 6])), 3); // slots 3, 4, 0, 1
  assert.equal(buf.size, 5);
  assert.equal(buf.position, 2);
  [5, 6, 2, 3, 4].forEach((i, slot) => assertSlotHolds(buf, slot, i));
  const big = new ReplayBuffer({ capacity: 5, obsDim: 4 });
  big.addBatch(batchOf([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
  assert.equal(big.size, 5);
  assert.equal(big.position, 2);
  [10, 11, 7, 8, 9].forEach((i, slot) => assertSlotHolds(big, slot, i));
  assert.throws(() => buf.addBatch({ ...batchOf([1, 2]), actions: [1] }), /actions must have length/);
});

test("replay buffer: sample draws filled slots uniformly, gathers their rows, and refills a given batch in place", () => {
  const buf = new ReplayBuffer<Int32Array>({ capacity: 100, obsDim: 4 });
  for (let i = 0; i < 10; i++) {
    const t = transition(i);
    buf.add(t.obs, t.action, t.reward, t.nextObs, t.terminated);
  }
  const rng = new Rng(3);
  const batch = buf.sample(64, rng);
  const counts = new Array(10).fill(0);
  for (let rep = 0; rep < 2000; rep++) {
    const again = buf.sample(64, rng, batch);
    assert.equal(again, batch);
    for (let b = 0; b < 64; b++) {
      const i = batch.indices[b];
      counts[i]++;
      assert.equal(batch.obs[b * 4], i);
      assert.equal(batch.nextObs[b * 4 + 3], i + 1.75);
      assert.equal(batch.actions[b], i % 3);
      assert.equal(batch.rewards[b], -i);
      assert.equal(batch.terminated[b], i % 4 === 3 ? 1 : 0);
    }
  }
  // 9 degrees of freedom: critical value 27.877 at 0.001.
  const { stat, df } = chiSquare(counts, new Array(10).fill(0.1));
  assert.equal(df, 9);
  assert.ok(stat < 27.877, `χ² = ${stat}`);
  assert.throws(() => new ReplayBuffer({ capacity: 3, obsDim: 2 }).sample(4, rng), /empty/);
});

test("replay buffer: continuous actions of dimension d", () => {
  const buf = new ReplayBuffer<Float32Array>({ capacity: 4, obsDim: 3, actionDim: 2, discrete: false });
  assert.ok(buf.actions instanceof Float32Array);
  buf.add([1, 2, 3], [0.5, -0.25], 1, [4, 5, 6], false);
  buf.addBatch({ obs: [7, 8, 9], actions: [1.5, 2.5], rewards: [2], nextObs: [0, 0, 0], terminated: [1] });
  const batch = buf.gather([1, 0]);
  assert.deepEqual(Array.from(batch.actions), [1.5, 2.5, 0.5, -0.25]);
  assert.deepEqual(Array.from(batch.obs), [7, 8, 9, 1, 2, 3]);
  assert.deepEqual(Array.from(batch.terminated), [1, 0]);
  assert.throws(() => buf.add([1, 2, 3], 0.5, 1, [4, 5, 6], false), /actionDim = 2/);
  assert.throws(() => buf.gather([2]), /not a filled slot/);
});

test("replay buffer: one million CartPole transitions take 41 MB (< 100 MB), measured", () => {
  const before = process.memoryUsage();
  const buf = new ReplayBuffer({ capacity: 1_000_000, obsDim: 4 });
  const allocated = process.memoryUsage().arrayBuffers - before.arrayBuffers;
  // Per transition: obs and nextObs 2×4 float32, one int32 action, one float32 reward, one byte flag.
  assert.equal(buf.byteLength, 1_000_000 * (2 * 4 * 4 + 4 + 4 + 1));
  // The measurement sees the buffer (other array buffers may be collected meanwhile, hence 0.9) and stays under 100 MB.
  assert.ok(allocated > 0.9 * buf.byteLength && allocated < 100e6, `allocated ${allocated} bytes`);
  // Fill it completely, from vector-env-sized batches (8 envs), and check the JS heap did not grow with it.
  const rng = new Rng(0);
  const n = 8;
  const step = { obs: new Float32Array(4 * n), actions: new Int32Array(n), rewards: new Float64Array(n), nextObs: new Float32Array(4 * n), terminated: new Array<boolean>(n).fill(false) };
  for (let k = 0; k < 4 * n; k++) step.obs[k] = rng.normal();
  for (let i = 0; i < 1_000_000 / n; i++) {
    step.actions[0] = i;
    buf.addBatch(step);
  }
  assert.equal(buf.size, 1_000_000);
  assert.equal(buf.actions[999_992], 124_999);
  const after = process.memoryUsage();
  const growth = after.arrayBuffers - before.arrayBuffers + Math.max(0, after.heapUsed - before.heapUsed);
  assert.ok(growth < 100e6, `heap + array buffers grew by ${growth} bytes`);
  // Prioritized replay of the same size adds two trees of 2^21 float64 each: still under 100 MB.
  const per = new PrioritizedReplayBuffer({ capacity: 1_000_000, obsDim: 4 });
  assert.equal(per.byteLength, 41_000_000 + 2 * 2 * 1_048_576 * 8);
  assert.ok(per.byteLength < 100e6);
});

// ---------------------------------------------------------------------------------------------
// Sum tree
// ---------------------------------------------------------------------------------------------

test("sum tree: samples in proportion to priorities (χ², df 8, critical value 26.124 at 0.001), plain and stratified", () => {
  const priorities = [1, 2, 3, 4, 5, 0, 7, 8, 9, 10]; // capacity 10: not a power of two; item 5 never drawn
  const tree = new SumTree(priorities.length);
  priorities.forEach((p, i) => tree.update(i, p));
  assert.equal(tree.total, 49);
  const probs = priorities.map((p) => p / 49);
  const rng = new Rng(2024);
  const plain = new Array(10).fill(0);
  for (let k = 0; k < 200_000; k++) plain[tree.sample(rng)]++;
  const a = chiSquare(plain, probs);
  assert.equal(a.df, 8);
  assert.ok(a.stat < CHI2_CRITICAL_0_001[8], `plain χ² = ${a.stat}`);
  const stratified = new Array(10).fill(0);
  const out = new Int32Array(50);
  for (let k = 0; k < 4000; k++) {
    tree.sampleStratified(50, rng, out);
    for (const i of out) stratified[i]++;
  }
  const b = chiSquare(stratified, probs);
  assert.ok(b.stat < CHI2_CRITICAL_0_001[8], `stratified χ² = ${b.stat}`);
  // Stratification: each batch of 50 holds item 9 (probability 10/49, about 10.2 per batch) 10 or 11 times.
  tree.sampleStratified(50, rng, out);
  const nine = out.filter((i) => i === 9).length;
  assert.ok(nine === 10 || nine === 11, `item 9 drawn ${nine} times`);
});

test("sum tree: totals stay exact under many updates; find agrees with a linear scan", () => {
  const rng = new Rng(5);
  const n = 1000;
  const tree = new SumTree(n);
  const p = new Float64Array(n);
  for (let k = 0; k < 20_000; k++) {
    const i = rng.integers(0, n);
    p[i] = rng.random() < 0.1 ? 0 : rng.uniform(0, 10);
    tree.update(i, p[i]);
  }
  const direct = p.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(tree.total - direct) <= 1e-12 * direct, `${tree.total} vs ${direct}`);
  for (let i = 0; i < n; i++) assert.equal(tree.get(i), p[i]);
  for (let k = 0; k < 2000; k++) {
    const u = rng.random() * direct;
    let i = 0;
    let cumulative = p[0];
    while (cumulative <= u || p[i] === 0) cumulative += p[++i];
    const found = tree.find(u);
    // Round-off between the tree's partial sums and the running sum can only matter at a boundary.
    if (found !== i) assert.ok(Math.abs(cumulative - p[i] - u) < 1e-9 || Math.abs(cumulative - u) < 1e-9, `find(${u}) = ${found}, scan ${i}`);
    assert.ok(p[found] > 0);
  }
  assert.ok(p[tree.find(direct * 2)] > 0); // past the total: the last positive item
  assert.throws(() => tree.update(n, 1), /index must be an integer in \[0, 1000\)/);
  assert.throws(() => tree.update(0, -1), /priority must be finite and >= 0/);
  assert.throws(() => new SumTree(4).find(0), /all priorities are 0/);
  const min = new MinTree(5);
  assert.equal(min.min, Infinity);
  [4, 2, 7, 3].forEach((v, i) => min.update(i, v));
  assert.equal(min.min, 2);
  min.update(1, 9);
  assert.equal(min.min, 3);
});

// ---------------------------------------------------------------------------------------------
// Prioritized replay
// ---------------------------------------------------------------------------------------------

function filledPer(options: { alpha: number; epsilon: number; weightNormalization?: "batch" | "buffer" }) {
  const per = new PrioritizedReplayBuffer<Int32Array>({ capacity: 8, obsDim: 4, ...options });
  for (let i = 0; i < 7; i++) {
    const t = transition(i);
    per.add(t.obs, t.action, t.reward, t.nextObs, t.terminated);
  }
  const tdErrors = [0.5, -2, 0, 1, 3, -0.25, 0.1];
  per.updatePriorities([0, 1, 2, 3, 4, 5, 6], tdErrors);
  const q = tdErrors.map((d) => (Math.abs(d) + options.epsilon) ** options.alpha);
  const total = q.reduce((a, b) => a + b, 0);
  return { per, P: q.map((x) => x / total) };
}

test("prioritized replay: P(i) = p_i^α / Σ p^α with p = |δ| + ε; new transitions get the largest priority seen", () => {
  const per = new PrioritizedReplayBuffer({ capacity: 8, obsDim: 4, alpha: 0.7, epsilon: 0.01 });
  assert.equal(per.maxPriority, 1);
  const t = transition(0);
  per.add(t.obs, t.action, t.reward, t.nextObs, t.terminated);
  assert.equal(per.tree.get(0), 1);
  const { per: filled, P } = filledPer({ alpha: 0.7, epsilon: 0.01 });
  for (let i = 0; i < 7; i++) assert.ok(Math.abs(filled.probability(i) - P[i]) < 1e-12);
  assert.ok(Math.abs(filled.maxPriority - 3.01) < 1e-12);
  const slot = filled.add(t.obs, t.action, t.reward, t.nextObs, t.terminated);
  assert.equal(slot, 7);
  assert.ok(Math.abs(filled.tree.get(7) - 3.01 ** 0.7) < 1e-12);
  const first = filled.addBatch({ obs: [...t.obs, ...t.obs], actions: [0, 1], rewards: [0, 0], nextObs: [...t.nextObs, ...t.nextObs], terminated: [0, 0] });
  assert.equal(first, 0); // wrapped: slots 0 and 1 overwritten with max priority
  assert.ok(Math.abs(filled.tree.get(1) - 3.01 ** 0.7) < 1e-12);
  assert.throws(() => filled.updatePriorities([0], [NaN]), /not finite/);
});

test("prioritized replay: sampling follows P(i) (χ², df 6, critical value 22.458 at 0.001) and weights are (N·P(i))^−β / max", () => {
  const { per, P } = filledPer({ alpha: 0.6, epsilon: 1e-6 });
  const rng = new Rng(77);
  const counts = new Array(8).fill(0);
  const beta = 0.4;
  const batch = per.sample(32, rng, beta);
  for (let rep = 0; rep < 3000; rep++) {
    per.sample(32, rng, beta, batch);
    let maxW = 0;
    for (let b = 0; b < 32; b++) maxW = Math.max(maxW, (7 * P[batch.indices[b]]) ** -beta);
    for (let b = 0; b < 32; b++) {
      const i = batch.indices[b];
      counts[i]++;
      const expected = (7 * P[i]) ** -beta / maxW;
      assert.ok(Math.abs(batch.weights[b] - expected) < 1e-6, `w = ${batch.weights[b]}, expected ${expected}`);
      assert.equal(batch.obs[b * 4], i); // rows gathered from the sampled slots
    }
  }
  const { stat, df } = chiSquare(counts, [...P, 0]);
  assert.equal(df, 6);
  assert.ok(stat < CHI2_CRITICAL_0_001[6], `χ² = ${stat}`);
  // β = 0: no correction; "buffer" normalisation divides by the largest weight over the whole buffer.
  assert.ok(per.sample(16, rng, 0).weights.every((w) => w === 1));
  const { per: perBuffer, P: P2 } = filledPer({ alpha: 0.6, epsilon: 1e-6, weightNormalization: "buffer" });
  const b2 = perBuffer.sample(16, rng, 1);
  const maxAll = (7 * Math.min(...P2)) ** -1;
  for (let b = 0; b < 16; b++) assert.ok(Math.abs(b2.weights[b] - (7 * P2[b2.indices[b]]) ** -1 / maxAll) < 1e-6);
  assert.throws(() => per.sample(4, rng, 1.5), /beta must be in \[0, 1\]/);
});

// ---------------------------------------------------------------------------------------------
// Rollout buffer
// ---------------------------------------------------------------------------------------------

function fillRollout(buf: RolloutBuffer, rng: Rng) {
  const { numSteps: T, numEnvs: N, obsDim: d, actionDim: m } = buf;
  for (let t = 0; t < T; t++) {
    buf.add({
      obs: Float32Array.from({ length: N * d }, (_, k) => t * 1000 + Math.floor(k / d) * 10 + (k % d)),
      actions: Array.from({ length: N * m }, (_, k) => (buf.discrete ? (t + k) % 3 : t + k / 10)),
      logProbs: Array.from({ length: N }, () => -rng.random()),
      rewards: Array.from({ length: N }, () => rng.normal()),
      terminated: Array.from({ length: N }, () => rng.random() < 0.1),
      truncated: Array.from({ length: N }, () => rng.random() < 0.1),
      values: Array.from({ length: N }, () => rng.normal()),
    });
  }
}

test("rollout buffer: flags the reset steps of next-step autoreset, computes GAE, batches only real transitions, iterates minibatches", () => {
  const rng = new Rng(8);
  const [T, N] = [16, 4];
  const buf = new RolloutBuffer<Int32Array>({ numSteps: T, numEnvs: N, obsDim: 3 });
  fillRollout(buf, rng);
  assert.ok(buf.full);
  assert.equal(buf.obs[(5 * 4 + 2) * 3 + 1], 5021); // step 5, env 2, component 1
  // A row is a reset step exactly when the same env's previous row ended an episode (none before the first rollout).
  for (let i = 0; i < T * N; i++) {
    const ended = i >= N && (buf.terminated[i - N] === 1 || buf.truncated[i - N] === 1);
    assert.equal(buf.resetSteps[i], ended ? 1 : 0, `row ${i}`);
  }
  assert.ok(buf.resetSteps.some((x) => x === 1) && buf.truncated.some((x) => x === 1), "the random rollout has episode ends");
  // GAE with V(s_{t+1}) = the next row's value (the final observation's after an episode end), V(s_T) = lastValues.
  const lastValues = [0.1, 0.2, 0.3, 0.4];
  buf.computeAdvantages({ lastValues, gamma: 0.99, gaeLambda: 0.95 });
  const ref = gae({
    rewards: buf.rewards, values: buf.values, terminated: buf.terminated, truncated: buf.truncated,
    nextValues: shiftValues(buf.values, lastValues, T, N), gamma: 0.99, gaeLambda: 0.95, numSteps: T, numEnvs: N,
  });
  assert.deepEqual(buf.advantages, Float32Array.from(ref.advantages));
  assert.deepEqual(buf.returns, Float32Array.from(ref.returns));
  assert.equal(buf.rollout(lastValues).rewards, buf.rewards, "rollout() hands over the stored arrays");
  assert.throws(() => buf.setAdvantages(buf.advantages.subarray(1), buf.returns), /must have length numSteps·numEnvs = 64/);
  assert.throws(() => buf.computeAdvantages({ lastValues: [0, 0], gamma: 0.99, gaeLambda: 0.95 }), /lastValues has length 2, expected 4/);
  // The batch: the real transitions, step-major, each row copied.
  const batch = buf.batch();
  const real = Array.from({ length: T * N }, (_, i) => i).filter((i) => !buf.resetSteps[i]);
  assert.deepEqual(Array.from(batch.indices), real);
  assert.equal(batch.size, real.length);
  real.forEach((i, b) => {
    assert.deepEqual(Array.from(batch.obs.subarray(b * 3, b * 3 + 3)), Array.from(buf.obs.subarray(i * 3, i * 3 + 3)));
    assert.equal(batch.actions[b], buf.actions[i]);
    assert.equal(batch.logProbs[b], buf.logProbs[i]);
    assert.equal(batch.advantages[b], buf.advantages[i]);
    assert.equal(batch.returns[b], buf.returns[i]);
    assert.equal(batch.values[b], buf.values[i]);
  });
  // Minibatches: one epoch visits every batch row exactly once, in nearly equal parts.
  const B = batch.size;
  const seen = new Array(B).fill(0);
  const sizes: number[] = [];
  for (const mb of batch.minibatches(3, new Rng(1))) {
    sizes.push(mb.size);
    for (let j = 0; j < mb.size; j++) {
      const b = mb.rows[j];
      seen[b]++;
      assert.deepEqual(Array.from(mb.obs.subarray(j * 3, j * 3 + 3)), Array.from(batch.obs.subarray(b * 3, b * 3 + 3)));
      assert.equal(mb.advantages[j], batch.advantages[b]);
    }
  }
  assert.deepEqual(sizes, [0, 1, 2].map((k) => Math.floor(((k + 1) * B) / 3) - Math.floor((k * B) / 3)));
  assert.ok(seen.every((c) => c === 1));
  const order = (seed: number) => Array.from(batch.minibatches(1, new Rng(seed)).next().value!.rows);
  assert.deepEqual(order(1), order(1), "shuffled reproducibly from the seed");
  assert.notDeepEqual(order(1), Array.from({ length: B }, (_, i) => i));
  assert.throws(() => batch.minibatches(B + 1, new Rng(1)).next(), /numMinibatches \(\d+\) must be at most the batch size/);
  assert.throws(() => buf.add({ obs: [], actions: [], logProbs: [], rewards: [], terminated: [], truncated: [], values: [] }), /full/);
  // A new rollout: an episode that ended at the last step makes the next first step a reset step.
  const endedLast = Array.from({ length: N }, (_, e) => buf.terminated[(T - 1) * N + e] || buf.truncated[(T - 1) * N + e]);
  buf.reset();
  assert.equal(buf.step, 0);
  assert.throws(() => buf.rollout(lastValues), /holds 0 of 16 steps/);
  fillRollout(buf, rng);
  assert.deepEqual(Array.from(buf.resetSteps.subarray(0, N)), endedLast);
});

test("rollout buffer: continuous actions are stored and batched by rows", () => {
  const buf = new RolloutBuffer<Float32Array>({ numSteps: 2, numEnvs: 2, obsDim: 1, actionDim: 2, discrete: false });
  const step = { obs: [0, 1], actions: [0.5, -0.5, 1.5, -1.5], logProbs: [0, 0], rewards: [1, 1], terminated: [false, false], truncated: [false, true], values: [0, 0] };
  assert.throws(() => buf.add({ ...step, values: [0] }), /values has length 1, expected 2/);
  buf.add(step);
  buf.add({ ...step, actions: [2.5, -2.5, 3.5, -3.5] });
  buf.setAdvantages([1, 2, 3, 4], [1, 2, 3, 4]);
  const batch = buf.batch(); // row 3 (env 1 after its truncation) is a reset step
  assert.deepEqual(Array.from(batch.indices), [0, 1, 2]);
  assert.deepEqual(Array.from(batch.actions), [0.5, -0.5, 1.5, -1.5, 2.5, -2.5]);
});
