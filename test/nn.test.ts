import assert from "node:assert/strict";
import { before, test } from "node:test";
import { initBackend, tf } from "../lib/backend";
import {
  FlatOptimizer,
  Categorical,
  DiagGaussian,
  calculateGain,
  clipByGlobalNorm,
  copyWeights,
  dense,
  fanInUniform,
  globalNorm,
  mlp,
  orthogonal,
  weightsFromJSON,
  weightsToJSON,
} from "../lib/nn";
import { Rng } from "../lib/random";
import { linearSchedule } from "../lib/schedules";

before(async () => {
  await initBackend();
});

const LOG_2PI = Math.log(2 * Math.PI);

function randomArray(rng: Rng, n: number, std = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal(0, std));
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Reads a tensor produced by `f` inside a tidy. */
function read(f: () => tf.Tensor): Float32Array {
  return tf.tidy(() => f().dataSync() as Float32Array).slice();
}

/**
 * Compares tf.grad of a scalar function of one tensor with central finite differences
 * (f(x + h eᵢ) − f(x − h eᵢ)) / 2h, evaluated in float32 with h = 1e-2 (error ~1e-4 here).
 */
function checkGradient(f: (x: tf.Tensor) => tf.Scalar, x0: Float32Array, shape: number[], what: string, tol = 2e-3) {
  const analytic = tf.tidy(() => tf.grad(f)(tf.tensor(x0, shape)).dataSync().slice());
  const h = 1e-2;
  const numeric = new Float64Array(x0.length);
  for (let i = 0; i < x0.length; i++) {
    const plus = x0.slice();
    const minus = x0.slice();
    plus[i] += h;
    minus[i] -= h;
    const fp = tf.tidy(() => f(tf.tensor(plus, shape)).dataSync()[0]);
    const fm = tf.tidy(() => f(tf.tensor(minus, shape)).dataSync()[0]);
    numeric[i] = (fp - fm) / (plus[i] - minus[i]);
  }
  assertClose(analytic, numeric, tol, `${what} gradient`);
}

// ---------------------------------------------------------------------------------------------
// Categorical
// ---------------------------------------------------------------------------------------------

/** log-softmax of each row, in float64. */
function logSoftmax(logits: Float32Array, B: number, K: number): number[][] {
  return Array.from({ length: B }, (_, b) => {
    const row = Array.from(logits.subarray(b * K, (b + 1) * K));
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
    return row.map((x) => x - lse);
  });
}

test("Categorical: logProb, entropy, KL and mode match the closed forms", () => {
  const rng = new Rng(1);
  const [B, K] = [6, 4];
  const lp = randomArray(rng, B * K, 2);
  const lq = randomArray(rng, B * K, 2);
  const actions = Int32Array.from({ length: B }, () => rng.integers(0, K));
  const P = logSoftmax(lp, B, K);
  const Q = logSoftmax(lq, B, K);
  tf.tidy(() => {
    const p = new Categorical(tf.tensor2d(lp, [B, K]));
    const q = new Categorical(tf.tensor2d(lq, [B, K]));
    assertClose(p.logProb(tf.tensor1d(actions, "int32")).dataSync(), P.map((row, b) => row[actions[b]]), 1e-5, "logProb");
    assertClose(p.logProb(actions).dataSync(), P.map((row, b) => row[actions[b]]), 1e-5, "logProb(array)");
    assertClose(p.entropy().dataSync(), P.map((row) => -row.reduce((s, l) => s + Math.exp(l) * l, 0)), 1e-5, "entropy");
    assertClose(p.kl(q).dataSync(), P.map((row, b) => row.reduce((s, l, k) => s + Math.exp(l) * (l - Q[b][k]), 0)), 1e-5, "KL");
    assertClose(p.kl(p).dataSync(), new Array(B).fill(0), 1e-6, "KL(p‖p)");
    assert.deepEqual(Array.from(p.mode().dataSync()), P.map((row) => row.indexOf(Math.max(...row))));
    assertClose(tf.sum(p.probs(), 1).dataSync(), new Array(B).fill(1), 1e-6, "Σp");
    // Uniform logits: entropy log K.
    assertClose(new Categorical(tf.zeros([1, K])).entropy().dataSync(), [Math.log(K)], 1e-6, "uniform entropy");
  });
});

test("Categorical: sampling through an Rng follows the probabilities (χ², df 3, critical value 16.266 at 0.001) and is reproducible", () => {
  const probs = [0.1, 0.2, 0.3, 0.4];
  const B = 20_000;
  const logits = tf.tidy(() => tf.tile(tf.log(tf.tensor2d([probs])), [B, 1]) as tf.Tensor2D);
  const dist = new Categorical(logits);
  const draw = (rng: Rng | number) => {
    const s = dist.sample(rng);
    const out = s.dataSync().slice();
    s.dispose();
    return out;
  };
  const a = draw(new Rng(9));
  assert.deepEqual(a, draw(new Rng(9)));
  const counts = [0, 0, 0, 0];
  for (const k of a) counts[k]++;
  const stat = counts.reduce((s, c, k) => s + (c - B * probs[k]) ** 2 / (B * probs[k]), 0);
  assert.ok(stat < 16.266, `χ² = ${stat} (counts ${counts})`);
  // tfjs's own generator with a seed: reproducible too, and roughly proportional.
  const seeded = draw(5);
  assert.deepEqual(seeded, draw(5));
  const share3 = seeded.filter((k) => k === 3).length / B;
  assert.ok(Math.abs(share3 - 0.4) < 0.03, `P(3) ≈ ${share3}`);
  dist.dispose();
  logits.dispose();
});

test("Categorical: gradients of logProb, entropy and KL match finite differences (and ∂logp(a)/∂logits = onehot − p)", () => {
  const rng = new Rng(2);
  const [B, K] = [3, 4];
  const l0 = randomArray(rng, B * K);
  const lq = randomArray(rng, B * K);
  const actions = [0, 3, 1];
  const shape = [B, K];
  const sumLogProb = (x: tf.Tensor) => tf.sum(new Categorical(x as tf.Tensor2D).logProb(actions)) as tf.Scalar;
  checkGradient(sumLogProb, l0, shape, "Σ logProb");
  const P = logSoftmax(l0, B, K);
  const closed = P.flatMap((row, b) => row.map((l, k) => (k === actions[b] ? 1 : 0) - Math.exp(l)));
  assertClose(tf.tidy(() => tf.grad(sumLogProb)(tf.tensor(l0, shape)).dataSync()), closed, 1e-5, "onehot − p");
  checkGradient((x) => tf.sum(new Categorical(x as tf.Tensor2D).entropy()) as tf.Scalar, l0, shape, "Σ entropy");
  checkGradient((x) => tf.sum(new Categorical(x as tf.Tensor2D).kl(new Categorical(tf.tensor2d(lq, [B, K])))) as tf.Scalar, l0, shape, "Σ KL(p‖q) in p");
  checkGradient((x) => tf.sum(new Categorical(tf.tensor2d(lq, [B, K])).kl(new Categorical(x as tf.Tensor2D))) as tf.Scalar, l0, shape, "Σ KL(q‖p) in p");
});

// ---------------------------------------------------------------------------------------------
// Diagonal Gaussian
// ---------------------------------------------------------------------------------------------

function gaussLogProb(x: number[], mu: number[], logStd: number[]): number {
  return x.reduce((s, xi, d) => s - 0.5 * ((xi - mu[d]) / Math.exp(logStd[d])) ** 2 - logStd[d] - 0.5 * LOG_2PI, 0);
}

test("DiagGaussian: logProb, entropy and KL match the closed forms, for state-independent and state-dependent log σ", () => {
  const rng = new Rng(3);
  const [B, D] = [5, 3];
  const mu = randomArray(rng, B * D);
  const mu2 = randomArray(rng, B * D);
  const x = randomArray(rng, B * D, 2);
  const logStdShared = randomArray(rng, D, 0.5);
  const logStdRows = randomArray(rng, B * D, 0.5);
  const row = (a: Float32Array, b: number) => Array.from(a.subarray(b * D, (b + 1) * D));
  const sharedRow = () => Array.from(logStdShared);
  tf.tidy(() => {
    const p = new DiagGaussian(tf.tensor2d(mu, [B, D]), tf.tensor1d(logStdShared));
    const q = new DiagGaussian(tf.tensor2d(mu2, [B, D]), tf.tensor2d(logStdRows, [B, D]));
    const rows = Array.from({ length: B }, (_, b) => b);
    assertClose(p.logProb(tf.tensor2d(x, [B, D])).dataSync(), rows.map((b) => gaussLogProb(row(x, b), row(mu, b), sharedRow())), 1e-5, "logProb shared");
    assertClose(q.logProb(tf.tensor2d(x, [B, D])).dataSync(), rows.map((b) => gaussLogProb(row(x, b), row(mu2, b), row(logStdRows, b))), 1e-5, "logProb per row");
    const entropy = (ls: number[]) => ls.reduce((s, l) => s + l + 0.5 * (1 + LOG_2PI), 0);
    assertClose(p.entropy().dataSync(), rows.map(() => entropy(sharedRow())), 1e-5, "entropy shared");
    assertClose(q.entropy().dataSync(), rows.map((b) => entropy(row(logStdRows, b))), 1e-5, "entropy per row");
    const kl = (m1: number[], l1: number[], m2: number[], l2: number[]) =>
      m1.reduce((s, _, d) => s + l2[d] - l1[d] + (Math.exp(2 * l1[d]) + (m1[d] - m2[d]) ** 2) / (2 * Math.exp(2 * l2[d])) - 0.5, 0);
    assertClose(p.kl(q).dataSync(), rows.map((b) => kl(row(mu, b), sharedRow(), row(mu2, b), row(logStdRows, b))), 1e-5, "KL(p‖q)");
    assertClose(q.kl(p).dataSync(), rows.map((b) => kl(row(mu2, b), row(logStdRows, b), row(mu, b), sharedRow())), 1e-5, "KL(q‖p)");
    assertClose(p.kl(p).dataSync(), new Array(B).fill(0), 1e-6, "KL(p‖p)");
    assert.deepEqual(p.mode().dataSync(), mu);
    // [1, D] log σ broadcasts like [D].
    assert.deepEqual(new DiagGaussian(tf.tensor2d(mu, [B, D]), tf.tensor2d(logStdShared, [1, D])).entropy().dataSync(), p.entropy().dataSync());
  });
  assert.throws(() => tf.tidy(() => void new DiagGaussian(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2]))), /logStd must be \[3\], \[1, 3\] or \[2, 3\]/);
});

test("DiagGaussian: samples are μ + σ ε with ε from the Rng; their moments match", () => {
  const [B, D] = [20_000, 2];
  const mean = [1.5, -2];
  const logStd = [Math.log(0.5), Math.log(2)];
  const dist = new DiagGaussian(tf.tidy(() => tf.tile(tf.tensor2d([mean]), [B, 1]) as tf.Tensor2D), tf.tensor1d(logStd));
  const s = read(() => dist.sample(new Rng(4)));
  const eps = new Rng(4);
  for (let i = 0; i < 10; i++) assert.ok(Math.abs(s[i] - (mean[i % 2] + Math.exp(logStd[i % 2]) * eps.normal())) < 1e-5);
  for (let d = 0; d < D; d++) {
    let m = 0;
    let v = 0;
    for (let b = 0; b < B; b++) m += s[b * D + d] / B;
    for (let b = 0; b < B; b++) v += (s[b * D + d] - m) ** 2 / (B - 1);
    const std = Math.exp(logStd[d]);
    assert.ok(Math.abs(m - mean[d]) < 4 * std / Math.sqrt(B), `mean ${m}`);
    assert.ok(Math.abs(Math.sqrt(v) - std) < 4 * std / Math.sqrt(2 * B), `std ${Math.sqrt(v)}`);
  }
  assert.deepEqual(read(() => dist.sample(7)), read(() => dist.sample(7)));
  dist.dispose();
});

test("DiagGaussian: gradients of logProb, entropy and KL in μ and log σ match finite differences and the closed forms", () => {
  const rng = new Rng(5);
  const [B, D] = [3, 2];
  const mu0 = randomArray(rng, B * D);
  const ls0 = randomArray(rng, B * D, 0.3);
  const x = tf.tensor2d(randomArray(rng, B * D), [B, D]);
  const other = new DiagGaussian(tf.tensor2d(randomArray(rng, B * D), [B, D]), tf.tensor2d(randomArray(rng, B * D, 0.3), [B, D]));
  const ls = tf.tensor2d(ls0, [B, D]);
  const mu = tf.tensor2d(mu0, [B, D]);
  const inMean = (g: (d: DiagGaussian) => tf.Tensor) => (m: tf.Tensor) => tf.sum(g(new DiagGaussian(m as tf.Tensor2D, ls))) as tf.Scalar;
  const inLogStd = (g: (d: DiagGaussian) => tf.Tensor) => (l: tf.Tensor) => tf.sum(g(new DiagGaussian(mu, l))) as tf.Scalar;
  for (const [name, g] of [
    ["logProb", (d: DiagGaussian) => d.logProb(x)],
    ["entropy", (d: DiagGaussian) => d.entropy()],
    ["KL(p‖q)", (d: DiagGaussian) => d.kl(other)],
    ["KL(q‖p)", (d: DiagGaussian) => other.kl(d)],
  ] as const) {
    if (name !== "entropy") checkGradient(inMean(g), mu0, [B, D], `${name} in μ`);
    checkGradient(inLogStd(g), ls0, [B, D], `${name} in log σ`);
  }
  // ∂logp/∂μ = (x − μ)/σ², ∂logp/∂logσ = ((x − μ)/σ)² − 1.
  const xs = x.dataSync();
  const z = Array.from(xs, (xi, i) => (xi - mu0[i]) / Math.exp(ls0[i]));
  assertClose(tf.tidy(() => tf.grad(inMean((d) => d.logProb(x)))(mu).dataSync()), z.map((zi, i) => zi / Math.exp(ls0[i])), 1e-4, "∂logp/∂μ");
  assertClose(tf.tidy(() => tf.grad(inLogStd((d) => d.logProb(x)))(ls).dataSync()), z.map((zi) => zi * zi - 1), 1e-4, "∂logp/∂logσ");
  // A shared [D] log σ gets the gradient summed over the batch.
  const shared = tf.tensor1d([0.1, -0.2]);
  const gShared = tf.tidy(() => tf.grad((l: tf.Tensor) => tf.sum(new DiagGaussian(mu, l).entropy()) as tf.Scalar)(shared).dataSync());
  assertClose(gShared, [B, B], 1e-6, "∂H/∂logσ shared");
  tf.dispose([x, ls, mu, shared]);
  other.dispose();
});

// ---------------------------------------------------------------------------------------------
// Initialisation and networks
// ---------------------------------------------------------------------------------------------

test("orthogonal init: W Wᵀ = gain² I for rows ≤ cols, Wᵀ W = gain² I for rows > cols, to 1e-5", () => {
  for (const [rows, cols, gain] of [
    [3, 7, 1],
    [7, 3, Math.SQRT2],
    [64, 64, Math.SQRT2],
    [300, 64, 0.01],
    [64, 300, 5 / 3],
    [1, 5, 2],
    [5, 1, 1],
  ]) {
    const W = orthogonal(rows, cols, new Rng(rows * 1000 + cols), gain);
    assert.equal(W.length, rows * cols);
    const wide = rows <= cols;
    const n = wide ? rows : cols;
    let maxErr = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        if (wide) for (let k = 0; k < cols; k++) dot += W[i * cols + k] * W[j * cols + k];
        else for (let k = 0; k < rows; k++) dot += W[k * cols + i] * W[k * cols + j];
        maxErr = Math.max(maxErr, Math.abs(dot / gain ** 2 - (i === j ? 1 : 0)));
      }
    }
    assert.ok(maxErr < 1e-5, `${rows}×${cols}: max |WWᵀ/g² − I| = ${maxErr}`);
  }
  assert.deepEqual(orthogonal(4, 4, 11), orthogonal(4, 4, new Rng(11)));
  assert.notDeepEqual(orthogonal(4, 4, 11), orthogonal(4, 4, 12));
  assert.equal(calculateGain("tanh"), 5 / 3);
  assert.equal(calculateGain("relu"), Math.SQRT2);
  const u = fanInUniform(16, 8, 0);
  assert.ok(u.every((x) => Math.abs(x) <= 0.25) && u.some((x) => Math.abs(x) > 0.2));
});

test("mlp: orthogonal layers with the requested gains, zero biases; apply runs act(xW + b)", () => {
  const net = mlp({ sizes: [3, 5, 2], rng: 0, activation: "tanh", hiddenGain: 2, outputGain: 0.5 });
  assert.deepEqual(net.names, ["0.weight", "0.bias", "1.weight", "1.bias"]);
  assert.deepEqual(net.weights.map((w) => w.shape), [[3, 5], [5], [5, 2], [2]]);
  assert.equal(net.numParams, 3 * 5 + 5 + 5 * 2 + 2);
  assert.deepEqual(Array.from(net.weights[1].dataSync()), [0, 0, 0, 0, 0]);
  const W0 = net.weights[0].dataSync();
  for (let i = 0; i < 3; i++) {
    let sq = 0;
    for (let k = 0; k < 5; k++) sq += W0[i * 5 + k] ** 2;
    assert.ok(Math.abs(sq - 4) < 1e-5, "rows of W₀ have norm gain = 2");
  }
  const x = [0.3, -1, 2, 1, 0.5, -0.5];
  const y = read(() => net.apply(tf.tensor2d(x, [2, 3])));
  const W1 = net.weights[2].dataSync();
  for (let b = 0; b < 2; b++) {
    const h = Array.from({ length: 5 }, (_, j) => Math.tanh(x[b * 3] * W0[j] + x[b * 3 + 1] * W0[5 + j] + x[b * 3 + 2] * W0[10 + j]));
    const out = [0, 1].map((o) => h.reduce((s, hj, j) => s + hj * W1[j * 2 + o], 0));
    assertClose(y.subarray(b * 2, b * 2 + 2), out, 1e-5, "forward");
  }
  assert.throws(() => net.apply(tf.zeros([2, 4]) as tf.Tensor2D), /expected input of shape \[batch, 3\]/);
  net.dispose();
  assert.throws(() => mlp({ sizes: [3], rng: 0 }), /at least/);
});

test("dense: the hand-written gradient equals tfjs's gradient of matMul + add + activation", () => {
  const rng = new Rng(6);
  const x = tf.tensor2d(randomArray(rng, 8 * 5), [8, 5]);
  const w = tf.tensor2d(randomArray(rng, 5 * 4), [5, 4]);
  const b = tf.tensor1d(randomArray(rng, 4));
  const target = tf.tensor2d(randomArray(rng, 8 * 4), [8, 4]);
  for (const act of ["tanh", "relu", "linear"] as const) {
    const reference = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
      const z = tf.add(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D), bb);
      return act === "tanh" ? tf.tanh(z) : act === "relu" ? tf.relu(z) : z;
    };
    const loss = (f: (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(f(xx, ww, bb), target)) as tf.Scalar;
    tf.tidy(() => {
      const ours = tf.grads(loss((a, c, d) => dense(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D, act)))([x, w, b]);
      const theirs = tf.grads(loss(reference))([x, w, b]);
      ["x", "W", "b"].forEach((name, i) => assertClose(ours[i].dataSync(), theirs[i].dataSync(), 1e-5, `${act} ∂/∂${name}`));
      assertClose(dense(x, w, b, act).dataSync(), reference(x, w, b).dataSync(), 1e-6, `${act} forward`);
    });
  }
  tf.dispose([x, w, b, target]);
});

test("copyWeights: hard copy (τ = 1) and Polyak averaging", () => {
  const a = mlp({ sizes: [2, 3, 1], rng: 1 });
  const b = mlp({ sizes: [2, 3, 1], rng: 2 });
  const a0 = a.weights.map((w) => w.dataSync().slice());
  const b0 = b.weights.map((w) => w.dataSync().slice());
  copyWeights(a, b, 0.25);
  b.weights.forEach((w, i) => assertClose(w.dataSync(), Array.from(a0[i], (x, k) => 0.25 * x + 0.75 * b0[i][k]), 1e-6, "polyak"));
  copyWeights(a, b);
  b.weights.forEach((w, i) => assert.deepEqual(w.dataSync(), a0[i]));
  assert.deepEqual(a.weights[0].dataSync(), a0[0], "the source is untouched");
  a.dispose();
  b.dispose();
});

// ---------------------------------------------------------------------------------------------
// Optimisation
// ---------------------------------------------------------------------------------------------

test("clipByGlobalNorm scales to exactly maxNorm and returns the pre-clip norm; below maxNorm nothing changes", () => {
  tf.tidy(() => {
    const grads = [tf.tensor1d([3, 4]), tf.tensor2d([[12]])]; // global norm 13
    assertClose(globalNorm(grads).dataSync(), [13], 1e-7, "norm");
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 1);
    assertClose(norm.dataSync(), [13], 1e-7, "pre-clip norm");
    assertClose(clipped[0].dataSync(), [3 / 13, 4 / 13], 1e-7, "clipped[0]");
    assertClose(clipped[1].dataSync(), [12 / 13], 1e-7, "clipped[1]");
    assertClose(globalNorm(clipped).dataSync(), [1], 1e-7, "post-clip norm");
    const same = clipByGlobalNorm(grads, 20);
    assert.deepEqual(same.grads[0].dataSync(), grads[0].dataSync());
    assert.deepEqual(same.grads[1].dataSync(), grads[1].dataSync());
    const named = clipByGlobalNorm({ a: grads[0], b: grads[1] }, 6.5);
    assertClose(named.grads.a.dataSync(), [1.5, 2], 1e-7, "named");
    assertClose(named.grads.b.dataSync(), [6], 1e-7, "named");
  });
  assert.throws(() => clipByGlobalNorm([tf.scalar(1)], 0), /maxNorm must be > 0/);
});

test("linear learning-rate annealing lr0·(1 − t/T) reaching 0 at T (CleanRL's anneal_lr)", () => {
  const lr = linearSchedule(2.5e-4, 0, 100);
  [0, 25, 50, 100, 150].map(lr).forEach((v, i) => assert.ok(Math.abs(v - [2.5e-4, 1.875e-4, 1.25e-4, 0, 0][i]) < 1e-18));
  // CleanRL's PPO: update u = 1…U uses frac = 1 − (u − 1)/U.
  const U = 488;
  for (const u of [1, 2, 244, 488]) assert.ok(Math.abs(linearSchedule(2.5e-4, 0, U)(u - 1) - (1 - (u - 1) / U) * 2.5e-4) < 1e-18);
});

test("FlatOptimizer (Adam): the first steps move each weight by lr·g/(|g| + ε); the learning rate can be changed; clipping uses the pre-clip norm", () => {
  const c = [0.5, -4, 1e-3];
  const theta = tf.variable(tf.tensor1d([1, -2, 3]));
  const coeffs = tf.tensor1d(c);
  const lossFn = () => tf.sum(tf.mul(theta, coeffs)) as tf.Scalar;
  const opt = new FlatOptimizer([theta], { kind: "adam", learningRate: 0.1, epsilon: 1e-5 });
  const r1 = opt.step(() => ({ loss: lossFn() }));
  assert.ok(Math.abs(r1.loss - (0.5 + 8 + 3e-3)) < 1e-5);
  assertClose([r1.gradNorm], [Math.hypot(...c)], 1e-6, "gradNorm");
  const expected1 = [1, -2, 3].map((t, i) => t - (0.1 * c[i]) / (Math.abs(c[i]) + 1e-5));
  assertClose(theta.dataSync(), expected1, 1e-6, "step 1");
  // With a constant gradient the bias-corrected moments stay m̂ = g, v̂ = g².
  opt.learningRate = 0.01;
  opt.step(() => ({ loss: lossFn() }));
  assertClose(theta.dataSync(), expected1.map((t, i) => t - (0.01 * c[i]) / (Math.abs(c[i]) + 1e-5)), 1e-6, "step 2");
  // Clipping to 0.1: the update sees g·0.1/‖g‖, and the returned norm is ‖g‖.
  const theta2 = tf.variable(tf.tensor1d([0, 0, 0]));
  const clipped = new FlatOptimizer([theta2], { kind: "adam", learningRate: 1, epsilon: 1e-3, maxGradNorm: 0.1 });
  const r = clipped.step(() => ({ loss: tf.sum(tf.mul(theta2, coeffs)) as tf.Scalar }));
  const norm = Math.hypot(...c);
  assertClose([r.gradNorm], [norm], 1e-6, "pre-clip norm");
  assertClose(theta2.dataSync(), c.map((g) => -(g * 0.1) / norm / (Math.abs((g * 0.1) / norm) + 1e-3)), 1e-5, "clipped step");
  opt.dispose();
  clipped.dispose();
  tf.dispose([theta, theta2, coeffs]);
});

test("no tensor leaks: tf.memory().numTensors is flat over 1,000 FlatOptimizer (Adam + clipping) updates of an MLP, and the loss falls", () => {
  const rng = new Rng(10);
  const [B, obsDim, K] = [64, 4, 2];
  const xs = randomArray(rng, B * obsDim);
  const labels = Int32Array.from({ length: B }, (_, b) => (xs[b * obsDim] + 0.5 * xs[b * obsDim + 1] - xs[b * obsDim + 3] > 0 ? 1 : 0));
  const x = tf.tensor2d(xs, [B, obsDim]);
  const a = tf.tensor1d(labels, "int32");
  const net = mlp({ sizes: [obsDim, 32, 32, K], rng: 0, outputGain: 0.01 });
  const opt = new FlatOptimizer(net.weights, { kind: "adam", learningRate: 3e-3, epsilon: 1e-5, maxGradNorm: 0.5 });
  const lossFn = () => {
    const dist = new Categorical(net.apply(x));
    const nll = tf.neg(tf.mean(dist.logProb(a))) as tf.Scalar;
    const entropy = tf.mean(dist.entropy());
    return { loss: tf.sub(nll, tf.mul(0.001, entropy)) as tf.Scalar, metrics: { nll, entropy: tf.reshape(entropy, []) as tf.Scalar } };
  };
  const first = opt.step(lossFn); // creates Adam's moment variables
  assert.ok(Math.abs(first.metrics.nll - Math.log(2)) < 0.05, `initial NLL ${first.metrics.nll} ≈ log 2 (outputGain 0.01)`);
  const before = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 1000; i++) {
    last = opt.step(lossFn);
    if (i % 10 === 0) tf.tidy(() => void net.apply(x)); // forward passes outside the tape leak nothing either
  }
  assert.equal(tf.memory().numTensors, before);
  assert.ok(last.metrics.nll < 0.1, `final NLL ${last.metrics.nll}`);
  assert.ok(Number.isFinite(last.gradNorm) && last.metrics.entropy < first.metrics.entropy);
  opt.dispose();
  net.dispose();
  tf.dispose([x, a]);
});

// ---------------------------------------------------------------------------------------------
// Serialisation
// ---------------------------------------------------------------------------------------------

test("weights round-trip through JSON text exactly, special values included; mismatches are refused", () => {
  const a = mlp({ sizes: [4, 8, 3], rng: 1, activation: "relu" });
  const b = mlp({ sizes: [4, 8, 3], rng: 2, activation: "relu" });
  const text = JSON.stringify(a.toJSON());
  b.load(text);
  a.weights.forEach((w, i) => assert.deepEqual(b.weights[i].dataSync(), w.dataSync()));
  assert.deepEqual(b.toJSON(), a.toJSON());
  const special = new Float32Array([Math.fround(1 / 3), -0, NaN, Infinity, -Infinity, 1.4e-45, 3.4028234663852886e38, Math.fround(Math.PI)]);
  const t = tf.tensor(special, [2, 4]);
  const round = weightsFromJSON(JSON.stringify(weightsToJSON({ special: t, ints: tf.tensor1d([1, -2, 3], "int32") })));
  assert.deepEqual(round.map((r) => r.name), ["special", "ints"]);
  const back = round[0].tensor.dataSync();
  for (let i = 0; i < special.length; i++) assert.ok(Object.is(back[i], special[i]), `${back[i]} vs ${special[i]}`);
  assert.deepEqual(round[0].tensor.shape, [2, 4]);
  assert.equal(round[1].tensor.dtype, "int32");
  assert.deepEqual(Array.from(round[1].tensor.dataSync()), [1, -2, 3]);
  // A network of another shape refuses the document and keeps its weights.
  const c = mlp({ sizes: [4, 9, 3], rng: 3 });
  const c0 = c.weights[0].dataSync().slice();
  assert.throws(() => c.load(text), /0.weight has shape \[4, 8\], the variable \[4, 9\]/);
  assert.deepEqual(c.weights[0].dataSync(), c0);
  assert.throws(() => c.load("{}"), /not an rl-course weights document/);
  tf.dispose([t, ...round.map((r) => r.tensor)]);
  [a, b, c].forEach((n) => n.dispose());
});
