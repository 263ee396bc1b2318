import assert from "node:assert/strict";
import { before, test } from "node:test";
import { initBackend, tf } from "../lib/backend";
import { actionsTensor, makePolicy, makeValueNet, policyDistribution, type StochasticPolicy } from "../lib/algos/actor_critic";
import { spacesSpec } from "../lib/algos/spaces_spec";
import { backtrackingLineSearch, conjugateGradient, fisherVectorProduct, getFlatParams, meanKl, setFlatParams, surrogateObjective, trpoStepScale } from "../lib/algos/natural_gradient";
import { fitValueFunction, TRPO_PRESETS, trainTrpo, trpoPolicyUpdate } from "../lib/algos/trpo";
import { Box, Discrete } from "../lib/envs";
import { Categorical, DiagGaussian, FlatOptimizer } from "../lib/nn";
import { Rng } from "../lib/random";

before(async () => {
  await initBackend();
});

const dot = (u: ArrayLike<number>, v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i] * v[i];
  return s;
};
const norm = (u: ArrayLike<number>) => Math.sqrt(dot(u, u));

/** ‖a − b‖ / ‖b‖. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s) / norm(b);
}

/**
 * A random SPD matrix Q diag(λ) Qᵀ with λ evenly spaced in [1, cond], Q orthogonal (Gram–Schmidt of a
 * Gaussian matrix). (With λ clustered at the low end, e.g. log-spaced, finite-precision CG needs more than
 * n iterations — loss of orthogonality, Greenbaum & Strakoš 1992 — so "within n" is a statement about
 * spectra like this one.)
 */
function randomSpd(n: number, cond: number, rng: Rng): { A: Float64Array[]; eig: number[]; Q: Float64Array[] } {
  const Q: Float64Array[] = [];
  while (Q.length < n) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    for (const q of Q) {
      const c = dot(v, q);
      for (let i = 0; i < n; i++) v[i] -= c * q[i];
    }
    const l = norm(v);
    Q.push(v.map((x) => x / l));
  }
  const eig = Array.from({ length: n }, (_, k) => 1 + ((cond - 1) * k) / (n - 1));
  const A = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => Q.reduce((s, q, k) => s + q[i] * eig[k] * q[j], 0)));
  return { A, eig, Q };
}

const matVec = (A: Float64Array[], v: ArrayLike<number>) => Float64Array.from(A, (row) => dot(row, v));

// ---------------------------------------------------------------------------------------------
// Conjugate gradient
// ---------------------------------------------------------------------------------------------

test("conjugateGradient solves random SPD systems (n = 20, 50; condition number 1e3) to relative residual ≤ 1e-6 within n iterations", () => {
  const rng = new Rng(7);
  for (const n of [20, 50]) {
    const { A, eig, Q } = randomSpd(n, 1e3, rng);
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const exact = new Float64Array(n); // x* = Q diag(1/λ) Qᵀ b
    Q.forEach((q, k) => {
      const c = dot(q, b) / eig[k];
      for (let i = 0; i < n; i++) exact[i] += c * q[i];
    });
    let products = 0;
    const { x, iterations, residuals } = conjugateGradient(
      (v) => {
        products++;
        return matVec(A, v);
      },
      Float32Array.from(b),
      { maxIters: n, residualTol: (1e-7 * norm(b)) ** 2 },
    );
    const r = matVec(A, x).map((ax, i) => Math.fround(b[i]) - ax);
    assert.ok(norm(r) / norm(b) <= 1e-6, `n = ${n}: relative residual ${norm(r) / norm(b)}`);
    assert.ok(iterations <= n && products === iterations, `n = ${n}: ${iterations} iterations, ${products} products`);
    assert.equal(residuals.length, iterations + 1);
    assert.ok(Math.abs(residuals[0] - norm(Float32Array.from(b))) < 1e-9, "residuals[0] = ‖b‖");
    assert.ok(Math.abs(residuals[iterations] - norm(r)) <= 1e-6 * norm(b), "the last residual is ‖b − Ax‖");
    assert.ok(relErr(x, exact) < 1e-3, `n = ${n}: solution error ${relErr(x, exact)} (condition 1e3 × residual 1e-6)`);
  }
});

test("conjugateGradient: stops at maxIters; b = 0 gives x = 0 with no product; errors name the argument", () => {
  const A = [Float64Array.of(4, 1), Float64Array.of(1, 3)];
  const one = conjugateGradient((v) => matVec(A, v), [1, 2], { maxIters: 1 });
  assert.equal(one.iterations, 1);
  // One step of CG from 0 is the steepest-descent step with exact line search: x = (rᵀr / rᵀAr) b.
  const alpha = 5 / dot([1, 2], matVec(A, [1, 2]));
  assert.ok(relErr(one.x, [alpha, 2 * alpha]) < 1e-12);
  const two = conjugateGradient((v) => matVec(A, v), [1, 2]);
  assert.equal(two.iterations, 2, "n = 2: exact after two iterations");
  assert.ok(relErr(two.x, [1 / 11, 7 / 11]) < 1e-12);
  const zero = conjugateGradient(() => assert.fail("no product for b = 0"), [0, 0, 0]);
  assert.deepEqual(Array.from(zero.x), [0, 0, 0]);
  assert.throws(() => conjugateGradient((v) => v.map((x) => -x), [1, 2]), /not positive definite/);
  assert.throws(() => conjugateGradient((v) => v, [1, 2], { maxIters: -1 }), /maxIters/);
  assert.throws(() => conjugateGradient((v) => v, [1, 2], { residualTol: NaN }), /residualTol/);
  // NaN and ±Infinity: an error naming where, never a silent x = 0
  assert.throws(() => conjugateGradient((v) => v, [1, NaN]), /b\[1\] is NaN/);
  assert.throws(() => conjugateGradient((v) => v, [Infinity, 1]), /b\[0\] is Infinity/);
  assert.throws(() => conjugateGradient((v) => [v[0], NaN], [1, 2]), /Avp returned NaN at index 1/);
  assert.throws(() => conjugateGradient(() => [1], [1, 2]), /Avp returned 1 numbers/);
  assert.throws(() => conjugateGradient((v) => v, []), /b is empty/);
});

// ---------------------------------------------------------------------------------------------
// Surrogate, KL, flat parameters
// ---------------------------------------------------------------------------------------------

test("surrogateObjective = mean(ρ·Â) with ρ = exp(log π − log π_old); meanKl averages the closed-form KL over states", () => {
  const [L, kl, klG] = tf.tidy(() => {
    const L = surrogateObjective(tf.tensor1d([-1, -0.5, -2]), tf.tensor1d([-1.2, -0.5, -1]), tf.tensor1d([2, -1, 3])).dataSync()[0];
    const p = new Categorical(tf.tensor2d([[0, 0], [Math.log(3), 0]]));
    const q = new Categorical(tf.tensor2d([[Math.log(3), 0], [0, 0]]));
    const kl = meanKl(p, q).dataSync()[0];
    const a = new DiagGaussian(tf.tensor2d([[0], [1]]), tf.tensor1d([0]));
    const b = new DiagGaussian(tf.tensor2d([[1], [1]]), tf.tensor1d([Math.log(2)]));
    return [L, kl, meanKl(a, b).dataSync()[0]];
  });
  assert.ok(Math.abs(L - (Math.exp(0.2) * 2 - 1 + Math.exp(-1) * 3) / 3) < 1e-6);
  // KL([½, ½] ‖ [¾, ¼]) and KL([¾, ¼] ‖ [½, ½]).
  const k1 = 0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25);
  const k2 = 0.75 * Math.log(0.75 / 0.5) + 0.25 * Math.log(0.25 / 0.5);
  assert.ok(Math.abs(kl - (k1 + k2) / 2) < 1e-6);
  // KL(N(0,1) ‖ N(1,4)) = log 2 + (1 + 1)/8 − ½; KL(N(1,1) ‖ N(1,4)) = log 2 + 1/8 − ½.
  assert.ok(Math.abs(klG - (Math.log(2) + 0.25 - 0.5 + Math.log(2) + 0.125 - 0.5) / 2) < 1e-6);
  assert.throws(() => surrogateObjective(tf.tensor1d([1]), tf.tensor1d([1, 2]), tf.tensor1d([1])), /same|equal/);
  assert.throws(() => tf.tidy(() => meanKl(new Categorical(tf.zeros([1, 2])), new DiagGaussian(tf.zeros([1, 2]), tf.zeros([2])))), /must both be Categorical or both DiagGaussian/);
});

test("getFlatParams / setFlatParams round-trip the variables in order", () => {
  const vars = [tf.variable(tf.tensor2d([[1, 2], [3, 4]])), tf.variable(tf.tensor1d([5]))];
  assert.deepEqual(Array.from(getFlatParams(vars)), [1, 2, 3, 4, 5]);
  setFlatParams(vars, Float64Array.of(-1, -2, -3, -4, -5));
  assert.deepEqual(Array.from(vars[0].dataSync()), [-1, -2, -3, -4]);
  assert.deepEqual(Array.from(vars[1].dataSync()), [-5]);
  assert.throws(() => setFlatParams(vars, [1, 2]), /flat has 2 numbers, the variables have 5/);
  assert.throws(() => getFlatParams([]), /no variables/);
  tf.dispose(vars);
});

// ---------------------------------------------------------------------------------------------
// Fisher-vector products
// ---------------------------------------------------------------------------------------------

/** Flattened ∇_θ f for a scalar function of the policy's variables (first-order autodiff). */
function flatGrad(policy: StochasticPolicy, f: () => tf.Scalar): Float64Array {
  const flat = tf.tidy(() => {
    const { grads } = tf.variableGrads(f, [...policy.variables]);
    return tf.concat(policy.variables.map((v) => (grads[v.name] ? tf.reshape(grads[v.name], [-1]) : tf.zeros([v.size]))));
  });
  const out = Float64Array.from(flat.dataSync());
  flat.dispose();
  return out;
}

/** F v + λv with F assembled explicitly from per-sample gradients (n×n, float64). */
function explicitFisher(policy: StochasticPolicy, X: number[][]): Float64Array[] {
  const n = getFlatParams(policy.variables).length;
  const F = Array.from({ length: n }, () => new Float64Array(n));
  const B = X.length;
  const addOuter = (u: Float64Array, w: number) => {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) F[i][j] += (w * u[i] * u[j]) / B;
  };
  for (const x of X) {
    const obs = tf.tensor2d([x]);
    if (policy.logStd === null) {
      // Kakade's definition: F = E_s Σ_a π(a|s) ∇log π(a|s) ∇log π(a|s)ᵀ.
      const p = tf.tidy(() => (policyDistribution(policy, obs) as Categorical).probs().dataSync());
      for (let a = 0; a < p.length; a++) {
        addOuter(flatGrad(policy, () => tf.sum((policyDistribution(policy, obs) as Categorical).logProb([a])) as tf.Scalar), p[a]);
      }
    } else {
      // Gaussian: F = E_s J_sᵀ M J_s with M = diag(1/σ²) on μ and 2 on each log σ (Fisher of N(μ, σ²) in (μ, log σ)).
      const sigma = policy.logStd.dataSync().map(Math.exp);
      for (let d = 0; d < sigma.length; d++) {
        addOuter(flatGrad(policy, () => tf.sum(tf.slice(policy.net.apply(obs), [0, d], [1, 1])) as tf.Scalar), 1 / sigma[d] ** 2);
        const e = new Float64Array(n);
        e[n - sigma.length + d] = 1; // ∂ log σ_d / ∂θ
        addOuter(e, 2);
      }
    }
    obs.dispose();
  }
  return F;
}

test("fisherVectorProduct equals the explicit Fisher matrix times v (Categorical and Gaussian, small tanh nets), plus damping·v", () => {
  const rng = new Rng(11);
  const X = Array.from({ length: 6 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  for (const actionSpace of [new Discrete(3), new Box(-1, 1, 2)]) {
    const policy = makePolicy(spacesSpec(new Box(-5, 5, 3), actionSpace), { hiddenSizes: [5, 4], rng: 3, initLogStd: -0.3 });
    // Move off the initial point (a 0.01-gain head makes the policy almost uniform).
    setFlatParams(policy.variables, Float64Array.from(getFlatParams(policy.variables), (x) => x + 0.3 * rng.normal()));
    const F = explicitFisher(policy, X);
    const n = F.length;
    const obs = tf.tensor2d(X);
    const fvp = fisherVectorProduct(policy, obs, { damping: 0 });
    const fvpDamped = fisherVectorProduct(policy, obs, { damping: 0.1 });
    assert.equal(fvp.numParams, n);
    for (let trial = 0; trial < 3; trial++) {
      const v = Float64Array.from({ length: n }, () => rng.normal());
      const expected = matVec(F, v);
      const got = fvp.apply(v);
      assert.ok(relErr(got, expected) < 1e-5, `${actionSpace.constructor.name}: ‖Fv − F_explicit v‖/‖F v‖ = ${relErr(got, expected)}`);
      const damped = fvpDamped.apply(v);
      assert.ok(relErr(damped, expected.map((x, i) => x + 0.1 * v[i])) < 1e-5, "damping");
    }
    assert.throws(() => fvp.apply([1, 2]), /v has 2 numbers/);
    // The products stay those of θ_old when θ moves afterwards (as in the line search).
    const v = Float64Array.from({ length: n }, () => rng.normal());
    const before = fvp.apply(v);
    const theta = getFlatParams(policy.variables);
    setFlatParams(policy.variables, Float64Array.from(theta, (x) => x + 0.5 * rng.normal()));
    const moved = fisherVectorProduct(policy, obs, { damping: 0 });
    assert.ok(relErr(moved.apply(v), before) > 1e-2, "moving θ changes F (else this check is empty)");
    moved.dispose();
    assert.deepEqual(fvp.apply(v), before, `${actionSpace.constructor.name}: the products changed when θ moved`);
    fvp.dispose();
    fvpDamped.dispose();
    obs.dispose();
    policy.net.dispose();
    policy.logStd?.dispose();
  }
});

test("fisherVectorProduct is the Hessian of the mean KL at θ_old: vᵀFv ≈ (KL̄(θ+εv) + KL̄(θ−εv))/ε² and Fv ≈ central differences of ∇KL̄", () => {
  const rng = new Rng(5);
  const X = Array.from({ length: 8 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  for (const actionSpace of [new Discrete(3), new Box(-1, 1, 2)]) {
    const policy = makePolicy(spacesSpec(new Box(-5, 5, 3), actionSpace), { hiddenSizes: [6], rng: 4 });
    setFlatParams(policy.variables, Float64Array.from(getFlatParams(policy.variables), (x) => x + 0.3 * rng.normal()));
    const theta = getFlatParams(policy.variables);
    const obs = tf.tensor2d(X);
    const oldParams = tf.tidy(() => {
      const d = policyDistribution(policy, obs);
      return d instanceof Categorical ? [d.logits] : [d.mean, d.logStd];
    });
    const old = oldParams.length === 1 ? new Categorical(oldParams[0] as tf.Tensor2D) : new DiagGaussian(oldParams[0] as tf.Tensor2D, oldParams[1]);
    const kl = () => meanKl(old, policyDistribution(policy, obs));
    const fvp = fisherVectorProduct(policy, obs, { damping: 0 });
    const v = Float64Array.from(theta, () => rng.normal());
    const Fv = fvp.apply(v);
    const at = (eps: number) => setFlatParams(policy.variables, Float64Array.from(theta, (x, i) => x + eps * v[i]));
    const eps = 1e-2;
    // KL̄(θ ± εv) = ½ε² vᵀFv ± O(ε³): the symmetric sum cancels the cubic term.
    at(-eps);
    const klMinus = tf.tidy(() => kl().dataSync()[0]);
    at(eps);
    const klPlus = tf.tidy(() => kl().dataSync()[0]);
    const quad = (klPlus + klMinus) / eps ** 2;
    assert.ok(Math.abs(quad - dot(v, Fv)) < 0.01 * dot(v, Fv), `vᵀFv ${dot(v, Fv)} vs (KL̄(+ε) + KL̄(−ε))/ε² ${quad}`);
    const gPlus = flatGrad(policy, kl);
    at(-eps);
    const gMinus = flatGrad(policy, kl);
    const fd = gPlus.map((g, i) => (g - gMinus[i]) / (2 * eps));
    assert.ok(relErr(fd, Fv) < 0.02, `central differences of ∇KL̄ vs Fv: ${relErr(fd, Fv)}`);
    fvp.dispose();
    old.dispose();
    tf.dispose([obs, ...oldParams]);
    policy.net.dispose();
    policy.logStd?.dispose();
  }
});

test("the natural gradient on the one-state two-action example: CG on F gives J'(θ)/F(θ) = 99 with F(θ) = e^θ/(1+e^θ)²", () => {
  // π(a=1) = σ(θ) with θ = l₁ − l₀, the logits of a [1 → 2] linear net on the one-hot state; rewards r₀ = 1, r₁ = 100,
  // so J(θ) = 1 + 99σ(θ) and J'(θ) = 99 e^θ/(1+e^θ)². The net has 4 parameters (W₀₀, W₀₁, b₀, b₁); θ changes along
  // c = ∂θ/∂params = (−1, 1, −1, 1), so F = F(θ) c cᵀ and the natural step moves θ by cᵀx.
  const policy = makePolicy(spacesSpec(new Discrete(1), new Discrete(2)), { hiddenSizes: [], rng: 0 });
  const c = [-1, 1, -1, 1];
  const obs = tf.tensor2d([[1], [1]]);
  const actions = tf.tensor1d([0, 1], "int32");
  for (const theta of [-2, 0, 1.5]) {
    setFlatParams(policy.variables, [0, theta / 2, 0, theta / 2]);
    const sig = 1 / (1 + Math.exp(-theta));
    const Fth = Math.exp(theta) / (1 + Math.exp(theta)) ** 2;
    // Â chosen so that the surrogate mean(ρ Â) over the two rows equals J(θ) exactly: Â_a = 2 π_old(a) r_a.
    const advantages = tf.tensor1d([2 * (1 - sig) * 1, 2 * sig * 100]);
    const logProbOld = tf.tidy(() => (policyDistribution(policy, obs) as Categorical).logProb(actions));
    const g = flatGrad(policy, () => surrogateObjective((policyDistribution(policy, obs) as Categorical).logProb(actions), logProbOld, advantages));
    const Jp = 99 * Fth;
    assert.ok(relErr(g, c.map((ci) => Jp * ci)) < 1e-5, `θ = ${theta}: ∇J = J'(θ)·c`);
    const fvp = fisherVectorProduct(policy, obs, { damping: 0 });
    assert.ok(relErr(fvp.apply(c), c.map((ci) => 4 * Fth * ci)) < 1e-5, `θ = ${theta}: F c = F(θ)|c|² c`);
    const { x, iterations } = conjugateGradient((v) => fvp.apply(v), g, { maxIters: 1 }); // F has rank 1: one iteration is exact
    assert.equal(iterations, 1);
    assert.ok(Math.abs(dot(c, x) - 99) < 99 * 1e-5, `θ = ${theta}: natural gradient Δθ = ${dot(c, x)}, expected J'/F = 99`);
    fvp.dispose();
    // The NPG step of trpoPolicyUpdate lands on the trust-region boundary to second order: KL ≈ δ.
    const delta = 1e-4;
    const info = trpoPolicyUpdate(policy, { obs, actions, advantages }, { algorithm: "npg", maxKl: delta, damping: 0, cgIters: 1 });
    assert.ok(Math.abs(info.kl - delta) < 0.05 * delta, `θ = ${theta}: NPG step KL ${info.kl}, δ ${delta}`);
    const w = getFlatParams(policy.variables);
    assert.ok(w[1] + w[3] - w[0] - w[2] > theta, "θ increases");
    tf.dispose([advantages, logProbOld]);
  }
  tf.dispose([obs, actions]);
  policy.net.dispose();
});

// ---------------------------------------------------------------------------------------------
// Step size and line search
// ---------------------------------------------------------------------------------------------

test("trpoStepScale = √(2δ / sᵀFs); 0 without a direction; errors", () => {
  assert.equal(trpoStepScale(8, 0.01), Math.sqrt(0.02 / 8));
  assert.equal(trpoStepScale(0, 0.01), 0);
  assert.throws(() => trpoStepScale(1, 0), /maxKl/);
  assert.throws(() => trpoStepScale(NaN, 0.01), /sFs/);
});

test("backtrackingLineSearch shrinks until the measured KL ≤ δ and the surrogate improves; rejects every violating step", () => {
  // Hand-built: θ ∈ R, KL(θ) = θ², L(θ) = θ; full step 1 from 0, δ = 0.25. Steps 1, 0.8, 0.64, 0.512 have
  // KL 1, 0.64, 0.41, 0.262 > δ and are rejected; 0.8⁴ = 0.4096 (KL 0.168) is accepted.
  const tried: number[] = [];
  const res = backtrackingLineSearch({
    evaluate: (th) => {
      tried.push(th[0]);
      return { surrogate: th[0], kl: th[0] ** 2 };
    },
    theta: [0],
    fullStep: [1],
    surrogateOld: 0,
    maxKl: 0.25,
  });
  assert.equal(res.accepted, true);
  assert.equal(res.backtracks, 4);
  assert.ok(Math.abs(res.stepFraction - 0.8 ** 4) < 1e-15 && Math.abs(res.theta[0] - 0.4096) < 1e-15);
  assert.ok(res.kl <= 0.25 && Math.abs(res.kl - 0.4096 ** 2) < 1e-15);
  assert.deepEqual(tried.map((t) => +t.toFixed(4)), [1, 0.8, 0.64, 0.512, 0.4096]);
  // A surrogate that only gets worse: nothing is accepted, θ_old is returned after backtrackIters tries.
  let calls = 0;
  const worse = backtrackingLineSearch({
    evaluate: (th) => {
      calls++;
      return { surrogate: -th[0], kl: 0 };
    },
    theta: [3],
    fullStep: [1],
    surrogateOld: -3,
    maxKl: 0.01,
    backtrackIters: 6,
    backtrackCoeff: 0.5,
  });
  assert.equal(worse.accepted, false);
  assert.equal(calls, 6);
  assert.equal(worse.backtracks, 6);
  assert.deepEqual(Array.from(worse.theta), [3]);
  // The ratio test: actual improvement θ − θ² against the expected θ; acceptRatio 0.5 needs θ < 0.5.
  const ratio = backtrackingLineSearch({
    evaluate: (th) => ({ surrogate: th[0] - th[0] ** 2, kl: 0 }),
    theta: [0],
    fullStep: [1],
    surrogateOld: 0,
    maxKl: 1,
    expectedImprovement: 1,
    acceptRatio: 0.5,
  });
  assert.equal(ratio.accepted, true);
  assert.equal(ratio.backtracks, 4); // 1, 0.8, 0.64, 0.512 fail (ratio 1 − f ≤ 0.5), 0.4096 passes
  assert.throws(() => backtrackingLineSearch({ evaluate: () => ({ surrogate: 0, kl: 0 }), theta: [0], fullStep: [1, 2], surrogateOld: 0, maxKl: 1 }), /theta has 1 numbers, fullStep 2/);
  assert.throws(() => backtrackingLineSearch({ evaluate: () => ({ surrogate: 0, kl: 0 }), theta: [0], fullStep: [1], surrogateOld: 0, maxKl: 1, backtrackCoeff: 1 }), /backtrackCoeff/);
  assert.throws(() => backtrackingLineSearch({ evaluate: () => ({ surrogate: 0, kl: 0 }), theta: [0], fullStep: [1], surrogateOld: 0, maxKl: 1, backtrackIters: 0 }), /backtrackIters/);
});

/** A random batch for a policy: states, actions sampled from π_θ, random advantages. */
function randomBatch(policy: StochasticPolicy, B: number, rng: Rng) {
  const D = policy.spec.obsDim;
  const obs = tf.tensor2d(Float32Array.from({ length: B * D }, () => rng.normal()), [B, D]);
  const actions = tf.tidy(() => policyDistribution(policy, obs).sample(rng));
  const advantages = tf.tensor1d(Float32Array.from({ length: B }, () => rng.normal()));
  return { obs, actions, advantages };
}

test("trpoPolicyUpdate: the accepted step has measured KL ≤ δ and improves the surrogate; a failed search keeps θ_old; NPG takes the full step", () => {
  const rng = new Rng(21);
  for (const actionSpace of [new Discrete(3), new Box(-1, 1, 2)]) {
    const policy = makePolicy(spacesSpec(new Box(-5, 5, 4), actionSpace), { rng: 8 });
    const batch = randomBatch(policy, 256, rng);
    const before = tf.memory().numTensors;
    for (const maxKl of [0.01, 0.05]) {
      const theta0 = getFlatParams(policy.variables);
      const oldParams = tf.tidy(() => {
        const d = policyDistribution(policy, batch.obs);
        return d instanceof Categorical ? [d.logits] : [d.mean, d.logStd];
      });
      const info = trpoPolicyUpdate(policy, batch, { maxKl });
      // Re-measure KL̄(π_old ‖ π_new) independently.
      const kl = tf.tidy(() => {
        const old = oldParams.length === 1 ? new Categorical(oldParams[0] as tf.Tensor2D) : new DiagGaussian(oldParams[0] as tf.Tensor2D, oldParams[1]);
        return meanKl(old, policyDistribution(policy, batch.obs)).dataSync()[0];
      });
      tf.dispose(oldParams);
      assert.equal(info.lineSearchFailed, false, `${actionSpace.constructor.name}, δ ${maxKl}: the line search should pass on a random batch`);
      assert.ok(kl <= maxKl * (1 + 1e-5) && Math.abs(kl - info.kl) < 1e-6, `${actionSpace.constructor.name}, δ ${maxKl}: measured KL ${kl}, reported ${info.kl}`);
      assert.ok(kl > 0.2 * maxKl, `the step uses the trust region (KL ${kl})`);
      assert.ok(info.surrogateImprovement > 0 && info.expectedImprovement > 0);
      assert.ok(info.cgIterations >= 1 && info.cgIterations <= 10 && info.fisherProducts === info.cgIterations + 1, `${info.cgIterations} CG iterations, ${info.fisherProducts} products`);
      assert.ok(info.cgResidual < 0.5 * info.gradNorm, `CG residual ${info.cgResidual} vs ‖g‖ ${info.gradNorm}`);
      assert.ok(relErr(getFlatParams(policy.variables), theta0) > 0);
    }
    assert.equal(tf.memory().numTensors, before, "no tensor leaks");
    // A batch whose advantages are all 0: g = 0, no step, θ unchanged, and the search reports failure.
    const theta0 = getFlatParams(policy.variables);
    const zeroAdv = tf.zerosLike(batch.advantages) as tf.Tensor1D;
    const none = trpoPolicyUpdate(policy, { ...batch, advantages: zeroAdv });
    assert.equal(none.lineSearchFailed, true);
    assert.equal(none.stepScale, 0);
    assert.deepEqual(getFlatParams(policy.variables), theta0);
    // NPG with a large δ: the full step, whatever KL it measures.
    const npg = trpoPolicyUpdate(policy, batch, { algorithm: "npg", maxKl: 0.5 });
    assert.equal(npg.backtracks, 0);
    assert.ok(npg.kl > 0.05, `NPG KL ${npg.kl}`);
    assert.throws(() => trpoPolicyUpdate(policy, batch, { algorithm: "ppo" as "npg" }), /algorithm must be "trpo" or "npg"/);
    assert.throws(() => trpoPolicyUpdate(policy, batch, { maxKl: -1 }), /maxKl/);
    tf.dispose([batch.obs, batch.actions, batch.advantages, zeroAdv]);
    policy.net.dispose();
    policy.logStd?.dispose();
  }
});

test("fitValueFunction regresses V_φ on the targets (full batch and minibatches), without leaks", () => {
  const rng = new Rng(2);
  const B = 200;
  const obs = Float32Array.from({ length: B * 2 }, () => rng.uniform(-1, 1));
  const returns = Float32Array.from({ length: B }, (_, i) => 3 * obs[2 * i] - obs[2 * i + 1] + 1);
  for (const batchSize of [null, 64]) {
    const valueNet = makeValueNet(2, { rng: 1 });
    const opt = new FlatOptimizer(valueNet.weights, { kind: "adam", learningRate: 2e-2 });
    const before = tf.memory().numTensors;
    const first = fitValueFunction(valueNet, opt, obs, returns, { epochs: 1, batchSize, rng });
    let last = first;
    for (let i = 0; i < 10; i++) last = fitValueFunction(valueNet, opt, obs, returns, { epochs: 5, batchSize, rng });
    assert.equal(tf.memory().numTensors, before);
    assert.ok(last < 0.02 * first, `batchSize ${batchSize}: value loss ${first} → ${last}`);
    assert.throws(() => fitValueFunction(valueNet, opt, obs, returns.subarray(1), { rng }), /obs has/);
    assert.throws(() => fitValueFunction(valueNet, opt, obs, returns, { epochs: 0, rng }), /epochs/);
    assert.throws(() => fitValueFunction(valueNet, opt, obs, returns, { batchSize: 0, rng }), /batchSize/);
    opt.dispose();
    valueNet.dispose();
  }
});

// ---------------------------------------------------------------------------------------------
// trainTrpo
// ---------------------------------------------------------------------------------------------

test("trainTrpo learns CartPole-v1 (RL-Zoo preset, seed 0): mean-20 return ≥ 195 within 40k steps; every accepted step has KL ≤ δ", async () => {
  const { log, agent, config } = await trainTrpo({ ...TRPO_PRESETS["CartPole-v1"], totalSteps: 40_000, seed: 0, targetReturn: 195 });
  agent.dispose();
  assert.ok(log.solvedAtStep !== null, `not solved: last mean ${log.episodes.slice(-20).reduce((s, e) => s + e.return, 0) / 20}`);
  assert.equal(config.maxKl, 0.01);
  let accepted = 0;
  for (const u of log.updates) {
    assert.ok(u.cgIterations >= 1 && u.cgIterations <= config.cgIters && Number.isFinite(u.cgResidual));
    assert.ok(u.backtracks >= 0 && u.backtracks <= config.backtrackIters);
    if (u.lineSearchFailed) continue;
    accepted++;
    assert.ok(u.kl <= config.maxKl * (1 + 1e-5), `update ${u.update}: KL ${u.kl} > δ`);
    assert.ok(u.kl > 0 && u.surrogateImprovement > 0, `update ${u.update}: KL ${u.kl}, improvement ${u.surrogateImprovement}`);
  }
  assert.ok(accepted >= 0.9 * log.updates.length, `${accepted} of ${log.updates.length} steps accepted`);
  assert.ok(log.updates.at(-1)!.explainedVariance > 0, "the critic explains some of the returns");
});

test("trainTrpo: NPG and continuous actions run, reproducible from the seed, without tensor leaks", async () => {
  const start = tf.memory().numTensors;
  const runs = [
    { algorithm: "npg" as const, numSteps: 256, totalSteps: 1024, seed: 3 },
    { env: "Pendulum-v1", numEnvs: 2, numSteps: 200, totalSteps: 1200, normalizeObservations: true, normalizeRewards: true, criticBatchSize: null, nCriticUpdates: 3, seed: 3 },
  ];
  for (const cfg of runs) {
    const counts: number[] = [];
    const a = await trainTrpo({ ...cfg, onProgress: () => counts.push(tf.memory().numTensors) });
    assert.ok(counts.length >= 3, `${counts.length} updates`);
    assert.ok(counts.every((c) => c === counts[0]), `tensor count grows across updates: ${counts.join(", ")}`);
    for (const u of a.log.updates) {
      for (const key of ["kl", "entropy", "valueLoss", "gradNorm", "cgResidual", "msPerFisherProduct", "surrogateImprovement"] as const) {
        assert.ok(Number.isFinite(u[key]), `${key} = ${u[key]}`);
      }
      if (cfg.algorithm === "npg") assert.ok(u.backtracks === 0 && !u.lineSearchFailed);
    }
    const obs = cfg.env === "Pendulum-v1" ? [1, 0, 0] : [0, 0, 0, 0];
    const act = a.agent.act(obs);
    if (cfg.env === "Pendulum-v1") assert.ok(act instanceof Float32Array && act.length === 1 && Math.abs(act[0]) <= 2);
    else assert.ok(act === 0 || act === 1);
    const b = await trainTrpo(cfg);
    assert.deepEqual(b.log.episodes.map((e) => e.return), a.log.episodes.map((e) => e.return), "same seed, same episodes");
    a.agent.dispose();
    b.agent.dispose();
  }
  assert.equal(tf.memory().numTensors, start, "every tensor freed after dispose");
});

test("trainTrpo: config errors name the field", async () => {
  await assert.rejects(trainTrpo({ cgIter: 5 } as never), /unknown config field 'cgIter'/);
  await assert.rejects(trainTrpo({ numEnvs: 0 }), /numEnvs must be a positive integer/);
  await assert.rejects(trainTrpo({ cgDamping: 0 }), /cgDamping must be a finite number > 0/);
  await assert.rejects(trainTrpo({ cgDamping: NaN }), /cgDamping must be a finite number > 0/);
  await assert.rejects(trainTrpo({ maxKl: 0 }), /maxKl must be a finite number > 0/);
  await assert.rejects(trainTrpo({ backtrackCoeff: 1 }), /backtrackCoeff must be in \(0, 1\)/);
  await assert.rejects(trainTrpo({ algorithm: "ppo" as "trpo" }), /algorithm must be "trpo" or "npg"/);
  await assert.rejects(trainTrpo({ criticBatchSize: 0 }), /criticBatchSize must be a positive integer/);
  await assert.rejects(trainTrpo({ cgDamping: -1 }), /cgDamping must be a finite number > 0/);
  await assert.rejects(trainTrpo({ gaeLambda: 2 }), /gaeLambda must be in \[0, 1\]/);
  await assert.rejects(trainTrpo({ vfLearningRate: 0 }), /vfLearningRate/);
  await assert.rejects(trainTrpo({ env: "FrozenLake-v1", normalizeObservations: true }), /normalizeObservations needs a Box observation space/);
});

test("trainTrpo returns the statistics its agent normalises observations with, and the reward scale (null when off)", async () => {
  const { agent, obsStats, rewardStats } = await trainTrpo({ env: "Pendulum-v1", numEnvs: 2, numSteps: 64, totalSteps: 512, normalizeObservations: true, normalizeRewards: true, seed: 3 });
  assert.ok(obsStats !== null && obsStats.count > 512 && obsStats.mean.length === 3);
  assert.ok(rewardStats !== null && rewardStats.count > 500 && rewardStats.var[0]! > 0, JSON.stringify(rewardStats));
  // The agent acts on raw observations through exactly these statistics (a rebuilt agent would too).
  const raw = new Float32Array([0.6, -0.8, 1.5]);
  const x = Float32Array.from(raw, (v, k) => Math.min(Math.max((v - obsStats.mean[k]!) / Math.sqrt(obsStats.var[k]! + 1e-8), -10), 10));
  const mu = tf.tidy(() => agent.policy.net.apply(tf.tensor2d(x, [1, 3])).dataSync()[0]!);
  const u = agent.act(raw) as Float32Array;
  assert.ok(Math.abs(u[0]! - Math.min(Math.max(mu, -2), 2)) < 1e-5, `act ${u[0]} vs μ(normalised obs) ${mu}`);
  agent.dispose();
  const plain = await trainTrpo({ numEnvs: 1, numSteps: 32, totalSteps: 64, seed: 1 });
  assert.deepEqual([plain.obsStats, plain.rewardStats], [null, null]);
  plain.agent.dispose();
});
