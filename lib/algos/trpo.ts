/**
 * Natural policy gradient and trust region policy optimisation.
 *
 * - Natural policy gradient (Kakade, "A Natural Policy Gradient", NIPS 2001): precondition the policy
 *   gradient g = ∇_θ J(θ) with the inverse Fisher information matrix of the policy,
 *   F(θ) = E_s E_{a∼π_θ}[∇_θ log π_θ(a|s) ∇_θ log π_θ(a|s)ᵀ], and step along s = F⁻¹ g.
 * - TRPO (Schulman, Levine, Moritz, Jordan & Abbeel, "Trust Region Policy Optimization", ICML 2015):
 *   maximise the surrogate L(θ) = E[π_θ(a|s)/π_old(a|s) · Â(s, a)] subject to the mean KL divergence
 *   KL̄(π_old ‖ π_θ) ≤ δ. Appendix C: solve F s = g by conjugate gradient with Fisher-vector products
 *   (F = the Hessian of KL̄ at θ_old), scale to the boundary of the quadratic trust region,
 *   β = √(2δ / sᵀFs), then backtrack along β·s until the measured KL̄ ≤ δ and L improves.
 *
 * {@link trainTrpo} runs it on a vector env; defaults are SB3-Contrib's `TRPO` (see {@link TrpoConfig}),
 * {@link TRPO_PRESETS} has tuned per-env settings.
 *
 * The pieces, in the order of Appendix C: {@link conjugateGradient}, {@link surrogateObjective},
 * {@link meanKl}, {@link fisherVectorProduct}, {@link getFlatParams} / {@link setFlatParams},
 * {@link trpoStepScale}, {@link backtrackingLineSearch}, put together in {@link trpoPolicyUpdate}; the
 * critic is fitted by regression ({@link fitValueFunction}).
 *
 * ## Why the Fisher-vector product is computed in Gauss–Newton form
 * The textbook way (Spinning Up, SB3) is double backpropagation: Fv = ∇_θ (∇_θ KL̄ · v). In tfjs 4.22
 * this is not exact: an op that saves its *output* for its gradient (tanh, exp, logSoftmax, every
 * `tf.customGrad`, hence lib/nn's dense layer) saves a clone that is recorded on the tape before the
 * op itself, so the second backward pass drops every dependence through that output (`tf.grad(tf.grad(tf.tanh))`
 * even throws "Cannot compute gradient"). So {@link fisherVectorProduct} uses the identity
 *
 *   ∇²_θ KL̄(π_old ‖ π_θ) |_{θ=θ_old} = (1/B) Σ_s J_sᵀ M_s J_s   (exact at θ_old: ∇_η KL = 0 there),
 *
 * with J_s = ∂η(s)/∂θ the Jacobian of the distribution parameters η (logits, or μ and log σ) and M_s
 * the Fisher matrix of the distribution in η (Categorical: diag p − ppᵀ; Gaussian: diag(1/σ²) for μ,
 * 2 for each log σ). J v is one forward-mode (tangent) pass through the MLP and Jᵀu one reverse pass,
 * both written with plain tfjs ops on activations cached at θ_old: about 45 ops and no tape per
 * product, cheaper than double backpropagation would be.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import type { MakeOptions } from "../envs";
import { SyncVectorEnv } from "../envs/vector";
import type { Activation, Mlp } from "../nn/mlp";
import { FlatOptimizer } from "../nn/optim";
import { Categorical, DiagGaussian } from "../nn/distributions";
import { Rng } from "../random";
import { EpisodeLogger } from "./log";
import {
  type EnvSource,
  type PolicyAgent,
  type PolicyGradientLog,
  type PolicyGradientProgress,
  type PolicyGradientUpdate,
  type StochasticPolicy,
  actionsTensor,
  checkKeys,
  checkNonNegative,
  checkPositiveInt,
  createEnv,
  disposePolicy,
  makeAgent,
  makePolicy,
  makeValueNet,
  PolicySampler,
  policyDistribution,
  spacesSpec,
  standardizeInPlace,
  valuesOf,
} from "./policy";
import { explainedVariance } from "./diagnostics";
import { ObsNormalizer, RewardScaler, RolloutCollector, rolloutGae, runningStats, type RunningStats } from "./rollout";

// ---------------------------------------------------------------------------------------------
// Conjugate gradient
// ---------------------------------------------------------------------------------------------

/** Options of {@link conjugateGradient}. */
export interface ConjugateGradientOptions {
  /** Largest number of iterations (products A·p); default 10 (Spinning Up `cg_iters`; SB3's `cg_max_steps` is 15). */
  maxIters?: number;
  /** Stop once the squared residual rᵀr falls to this or below; default 1e-10 (Schulman's modular_rl and SB3 `residual_tol`). */
  residualTol?: number;
}

/** What {@link conjugateGradient} returns. */
export interface ConjugateGradientResult {
  /** The approximate solution x of A x = b, float64. */
  x: Float64Array;
  /** Iterations done (= products A·p computed). */
  iterations: number;
  /**
   * ‖r_k‖ for k = 0 … iterations (r_0 = b), of the recursively updated residual r_{k+1} = r_k − α_k A p_k.
   * In exact arithmetic r_k = b − A x_k; in floating point the recursive one keeps falling below the
   * true residual's round-off floor (~1e-16 relative in float64), so measure b − A x for the true one.
   */
  residuals: number[];
}

/**
 * Solves A x = b for a symmetric positive-definite A given only through products A·p, by the
 * conjugate gradient method (Hestenes & Stiefel 1952; Nocedal & Wright, *Numerical Optimization*,
 * Algorithm 5.2; TRPO Appendix C uses it with A = F): from x₀ = 0, r₀ = p₀ = b,
 *
 *   α_k = r_kᵀr_k / p_kᵀA p_k,  x_{k+1} = x_k + α_k p_k,  r_{k+1} = r_k − α_k A p_k,
 *   p_{k+1} = r_{k+1} + (r_{k+1}ᵀr_{k+1} / r_kᵀr_k) p_k.
 *
 * In exact arithmetic it converges in at most n iterations; TRPO stops after ~10, which already gives
 * a good direction. Runs on the host with float64 accumulations.
 *
 * @param Avp v ↦ A v, for a Float64Array v of length n (must not keep or modify v).
 * @param b the right-hand side, length n.
 * @returns the solution, the number of iterations and the residual norms.
 * @throws RangeError on a bad option, on an empty b or one holding NaN or ±Infinity, when Avp returns
 *   a vector of another length or with NaN or ±Infinity, or when pᵀAp ≤ 0 (A is not positive
 *   definite along p).
 */
export function conjugateGradient(Avp: (v: Float64Array) => ArrayLike<number>, b: ArrayLike<number>, options: ConjugateGradientOptions = {}): ConjugateGradientResult {
  const { maxIters = 10, residualTol = 1e-10 } = options;
  if (!Number.isSafeInteger(maxIters) || maxIters < 0) throw new RangeError(`conjugateGradient: maxIters must be an integer >= 0, got ${maxIters}`);
  if (!(residualTol >= 0)) throw new RangeError(`conjugateGradient: residualTol must be >= 0, got ${residualTol}`);
  const n = b.length;
  if (n === 0) throw new RangeError("conjugateGradient: b is empty");
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(b[i])) throw new RangeError(`conjugateGradient: b[${i}] is ${b[i]}: expected finite numbers`);
  }
  const x = new Float64Array(n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  let rr = dot(r, r);
  const residuals = [Math.sqrt(rr)];
  let iterations = 0;
  while (iterations < maxIters && rr > residualTol) {
    const Ap = Avp(p);
    if (Ap.length !== n) throw new RangeError(`conjugateGradient: Avp returned ${Ap.length} numbers, expected ${n}`);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(Ap[i])) throw new RangeError(`conjugateGradient: Avp returned ${Ap[i]} at index ${i} (iteration ${iterations}): expected finite numbers`);
    }
    const pAp = dot(p, Ap);
    if (!(pAp > 0) || !Number.isFinite(pAp)) throw new RangeError(`conjugateGradient: pᵀAp = ${pAp} at iteration ${iterations}: A is not positive definite`);
    const alpha = rr / pAp;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * Ap[i];
    }
    const rrNext = dot(r, r);
    const beta = rrNext / rr;
    for (let i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
    rr = rrNext;
    iterations++;
    residuals.push(Math.sqrt(rr));
  }
  return { x, iterations, residuals };
}

/** uᵀv in float64. @internal */
function dot(u: ArrayLike<number>, v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i] * v[i];
  return s;
}

// ---------------------------------------------------------------------------------------------
// Surrogate objective and KL divergence
// ---------------------------------------------------------------------------------------------

/**
 * The importance-sampled surrogate objective of TRPO (Schulman et al. 2015, eq. 14):
 *
 *   L(θ) = mean_t [ρ_t(θ) · Â_t],  ρ_t(θ) = π_θ(a_t|s_t) / π_old(a_t|s_t) = exp(log π_θ − log π_old).
 *
 * At θ = θ_old, L = mean Â and ∇_θ L = the policy gradient (mean Â ∇ log π).
 *
 * @param logProb log π_θ(a_t|s_t), [B] (differentiable). @param logProbOld log π_old(a_t|s_t), [B] (a constant).
 * @param advantages Â_t, [B] (a constant).
 * @returns the scalar L (maximised; the loss is −L).
 * @throws RangeError when the lengths differ or B = 0.
 */
export function surrogateObjective(logProb: tf.Tensor1D, logProbOld: tf.Tensor1D, advantages: tf.Tensor1D): tf.Scalar {
  const B = logProb.shape[0];
  if (B === 0 || logProbOld.shape[0] !== B || advantages.shape[0] !== B) {
    throw new RangeError(`surrogateObjective: logProb [${logProb.shape}], logProbOld [${logProbOld.shape}] and advantages [${advantages.shape}] must have one equal positive length`);
  }
  return tf.tidy(() => tf.mean(tf.mul(tf.exp(tf.sub(logProb, logProbOld)), advantages)) as tf.Scalar);
}

/**
 * The mean KL divergence over states, KL̄(π_old ‖ π_θ) = mean_s KL(π_old(·|s) ‖ π_θ(·|s)) — TRPO's
 * trust-region constraint KL̄ ≤ δ (Schulman et al. 2015, eq. 12), with the closed forms of lib/nn's
 * `Categorical.kl` and `DiagGaussian.kl`.
 *
 * @param old π_old for the batch; @param dist π_θ for the same batch, of the same kind.
 * @returns the scalar KL̄, nats.
 * @throws TypeError when the two distributions are of different kinds; Error when their shapes differ.
 */
export function meanKl(old: Categorical | DiagGaussian, dist: Categorical | DiagGaussian): tf.Scalar {
  return tf.tidy(() => {
    if (old instanceof Categorical && dist instanceof Categorical) return tf.mean(old.kl(dist)) as tf.Scalar;
    if (old instanceof DiagGaussian && dist instanceof DiagGaussian) return tf.mean(old.kl(dist)) as tf.Scalar;
    throw new TypeError("meanKl: old and dist must both be Categorical or both DiagGaussian");
  });
}

// ---------------------------------------------------------------------------------------------
// Flat parameters
// ---------------------------------------------------------------------------------------------

/**
 * The variables' values concatenated into one host vector θ (each flattened row-major, in list
 * order), read back once.
 * @throws RangeError when the list is empty.
 */
export function getFlatParams(variables: readonly tf.Variable[]): Float32Array {
  if (variables.length === 0) throw new RangeError("getFlatParams: no variables");
  const flat = tf.tidy(() => tf.concat(variables.map((v) => tf.reshape(v, [-1]))));
  const out = flat.dataSync() as Float32Array;
  flat.dispose();
  return out;
}

/**
 * Writes a flat vector θ (layout of {@link getFlatParams}) back into the variables.
 * @throws RangeError when the list is empty or `flat` does not have one number per parameter.
 */
export function setFlatParams(variables: readonly tf.Variable[], flat: ArrayLike<number>): void {
  if (variables.length === 0) throw new RangeError("setFlatParams: no variables");
  const n = variables.reduce((s, v) => s + v.size, 0);
  if (flat.length !== n) throw new RangeError(`setFlatParams: flat has ${flat.length} numbers, the variables have ${n}`);
  tf.tidy(() => {
    const parts = tf.split(tf.tensor1d(flat instanceof Float32Array ? flat : Float32Array.from(flat)), variables.map((v) => v.size));
    variables.forEach((v, i) => v.assign(tf.reshape(parts[i], v.shape)));
  });
}

// ---------------------------------------------------------------------------------------------
// Fisher-vector products
// ---------------------------------------------------------------------------------------------

/** Products with the damped Fisher matrix of a policy at fixed parameters θ_old and states; see {@link fisherVectorProduct}. */
export interface FisherVectorProduct {
  /** Number of parameters n (the length of v). */
  readonly numParams: number;
  /** (F + damping·I) v, for v of length n in the layout of {@link getFlatParams}(policy.variables). @throws RangeError on a wrong length. */
  apply(v: ArrayLike<number>): Float64Array;
  /** Frees the cached activations. */
  dispose(): void;
}

/**
 * Fisher-vector products of a policy (Schulman et al. 2015, App. C; Kakade 2001):
 *
 *   v ↦ (F + λI) v,  F = ∇²_θ KL̄(π_old ‖ π_θ) |_{θ=θ_old} = (1/B) Σ_s J_sᵀ M_s J_s,
 *
 * where η(s) are the distribution parameters the network outputs, J_s = ∂η(s)/∂θ, and M_s the Fisher
 * matrix of the distribution in η: for a Categorical over logits, M = diag(p) − ppᵀ; for the Gaussian
 * N(μ, diag σ²) with a state-independent log σ, M = diag(1/σ²) on μ and 2 on each log σ. The damping
 * λ (TRPO's `cg_damping`) keeps the system well-conditioned. F is also the (average) Fisher information
 * E[∇log π ∇log πᵀ] of Kakade's natural gradient.
 *
 * Computed exactly in the Gauss–Newton form (see the module comment for why not by double backprop):
 * activations at θ_old are cached, then each product is a tangent (forward-mode) pass ż_k = ḣ_{k−1}W_k +
 * h_{k−1}Ẇ_k + ḃ_k, ḣ_k = act'(z_k) ⊙ ż_k, the product with M_s, and one reverse pass, all in plain
 * tfjs ops, with one upload of v and one read-back.
 *
 * @param policy π_θ at θ_old (the current variables; the products use these values, copied now, so
 *   moving θ afterwards, as the line search does, leaves them unchanged).
 * @param obs the states, [B, obsDim].
 * @param options `damping` λ ≥ 0, default 0.1 (Spinning Up `damping_coeff`, SB3 `cg_damping`).
 * @returns the product operator; `dispose()` it when done.
 * @throws RangeError on B = 0 or a negative damping; Error when `obs` does not fit the network.
 */
export function fisherVectorProduct(policy: StochasticPolicy, obs: tf.Tensor2D, options: { damping?: number } = {}): FisherVectorProduct {
  const { damping = 0.1 } = options;
  if (!(damping >= 0) || !Number.isFinite(damping)) throw new RangeError(`fisherVectorProduct: damping must be a finite number >= 0, got ${damping}`);
  // The layers from observation to distribution parameters: the shared trunk's (if any), then the net's, in the order of policy.variables.
  const layers = (policy.trunk === null ? [policy.net] : [policy.trunk, policy.net]).flatMap((m) =>
    Array.from({ length: m.numLayers }, (_, k) => ({
      W: m.weights[2 * k] as tf.Tensor2D,
      b: m.weights[2 * k + 1] as tf.Tensor1D,
      act: k === m.numLayers - 1 ? m.outputActivation : m.activation,
    })),
  );
  const inDim = layers[0].W.shape[0];
  if (obs.rank !== 2 || obs.shape[1] !== inDim) throw new Error(`fisherVectorProduct: obs must be [B, ${inDim}], got [${obs.shape}]`);
  const B = obs.shape[0];
  if (B === 0) throw new RangeError("fisherVectorProduct: no states");
  const L = layers.length;
  const variables = policy.variables;
  const sizes = variables.map((v) => v.size);
  const numParams = sizes.reduce((a, b) => a + b, 0);
  const wasm = tf.getBackend() === "wasm"; // explicit transposes are faster there (see lib/nn/mlp.ts)

  // Cache at θ_old: inputs h_{k−1} of each layer (and their transposes), W_k (and transposes), act'(z_k), and M's parts.
  const h: tf.Tensor2D[] = []; // inputs h_{k−1} of the layers
  const hT: tf.Tensor2D[] = []; // their transposes (wasm), or h
  const Wold: tf.Tensor2D[] = []; // copies of W_k: later changes to the policy's variables do not reach the products
  const WT: tf.Tensor2D[] = []; // W_kᵀ (wasm), or the copy of W_k
  const dAct: (tf.Tensor2D | null)[] = []; // act'(z_k), null for a linear layer
  let probs: tf.Tensor2D | null = null; // Categorical: p
  let invVar: tf.Tensor | null = null; // Gaussian: 1/σ²
  tf.tidy(() => {
    let x: tf.Tensor2D = obs;
    for (let k = 0; k < L; k++) {
      const { W, b, act } = layers[k];
      h.push(tf.keep(tf.clone(x)));
      hT.push(wasm ? tf.keep(tf.transpose(x)) : h[k]);
      Wold.push(tf.keep(tf.clone(W)));
      WT.push(wasm ? tf.keep(tf.transpose(W)) : Wold[k]);
      const z = tf.add(tf.matMul(x, W), b) as tf.Tensor2D;
      x = act === "tanh" ? tf.tanh(z) : act === "relu" ? tf.relu(z) : z;
      dAct.push(act === "tanh" ? tf.keep(tf.sub(1, tf.square(x)) as tf.Tensor2D) : act === "relu" ? tf.keep(tf.step(z)) : null);
    }
    if (policy.logStd === null) probs = tf.keep(tf.softmax(x));
    else invVar = tf.keep(tf.exp(tf.mul(policy.logStd, -2)));
  });
  const cache = { h, hT, W: Wold, WT, dAct, probs: probs as tf.Tensor2D | null, invVar: invVar as tf.Tensor | null };
  const held = [...h, ...Wold, ...(wasm ? [...hT, ...WT] : []), ...dAct, cache.probs, cache.invVar].filter((t): t is tf.Tensor => t !== null);
  let disposed = false;

  return {
    numParams,
    apply(v: ArrayLike<number>): Float64Array {
      if (disposed) throw new Error("fisherVectorProduct: apply after dispose");
      if (v.length !== numParams) throw new RangeError(`fisherVectorProduct: v has ${v.length} numbers, the policy has ${numParams} parameters`);
      const out = tf.tidy(() => {
        const vT = tf.tensor1d(v instanceof Float32Array ? v : Float32Array.from(v));
        const parts = tf.split(vT, sizes);
        const dW = (k: number) => tf.reshape(parts[2 * k], layers[k].W.shape) as tf.Tensor2D;
        const db = (k: number) => parts[2 * k + 1];
        // J v: tangent pass, ḣ_0 = 0.
        let hDot: tf.Tensor2D | null = null;
        for (let k = 0; k < L; k++) {
          let zDot = tf.add(tf.matMul(cache.h[k], dW(k)), db(k)) as tf.Tensor2D;
          if (hDot !== null) zDot = tf.add(zDot, tf.matMul(hDot, cache.W[k]));
          const d = cache.dAct[k];
          hDot = d === null ? zDot : (tf.mul(zDot, d) as tf.Tensor2D);
        }
        const etaDot = hDot as tf.Tensor2D;
        // u = M J v / B (the 1/B of the mean over states folded in).
        let u: tf.Tensor2D;
        if (cache.probs !== null) {
          const p = cache.probs;
          const pe = tf.mul(p, etaDot);
          u = tf.mul(tf.sub(pe, tf.mul(p, tf.sum(pe, 1, true))), 1 / B) as tf.Tensor2D;
        } else u = tf.mul(etaDot, tf.mul(cache.invVar as tf.Tensor, 1 / B)) as tf.Tensor2D;
        // Jᵀ u: reverse pass.
        const grads: tf.Tensor[] = new Array(variables.length);
        let g = u;
        for (let k = L - 1; k >= 0; k--) {
          const d = cache.dAct[k];
          const dz = d === null ? g : (tf.mul(g, d) as tf.Tensor2D);
          grads[2 * k] = wasm ? tf.matMul(cache.hT[k], dz) : tf.matMul(cache.h[k], dz, true, false);
          grads[2 * k + 1] = tf.sum(dz, 0);
          if (k > 0) g = wasm ? tf.matMul(dz, cache.WT[k]) : tf.matMul(dz, cache.W[k], false, true);
        }
        // Gaussian: ∂²KL/∂(log σ_d)² = 2 at θ_old for every state, so the mean over states is 2·(log σ)˙.
        if (policy.logStd !== null) grads[variables.length - 1] = tf.mul(parts[variables.length - 1], 2);
        const Fv = tf.concat(grads.map((x) => tf.reshape(x, [-1])));
        return damping > 0 ? tf.add(Fv, tf.mul(vT, damping)) : Fv;
      });
      const data = out.dataSync();
      out.dispose();
      return Float64Array.from(data);
    },
    dispose(): void {
      if (!disposed) tf.dispose(held);
      disposed = true;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Step size and line search
// ---------------------------------------------------------------------------------------------

/**
 * The scale β of the TRPO step β·s that puts the quadratic model of the KL on the trust-region
 * boundary (Schulman et al. 2015, App. C): ½ (βs)ᵀ F (βs) = δ, so
 *
 *   β = √(2δ / sᵀFs).
 *
 * @param sFs sᵀFs for the search direction s (with the damping, as Spinning Up and SB3 compute it).
 * @param maxKl δ > 0.
 * @returns β, or 0 when sᵀFs ≤ 0 (no direction, e.g. a zero gradient).
 * @throws RangeError when δ is not positive or sFs is not finite.
 */
export function trpoStepScale(sFs: number, maxKl: number): number {
  if (!(maxKl > 0) || !Number.isFinite(maxKl)) throw new RangeError(`trpoStepScale: maxKl must be a finite number > 0, got ${maxKl}`);
  if (!Number.isFinite(sFs)) throw new RangeError(`trpoStepScale: sFs must be finite, got ${sFs}`);
  return sFs > 0 ? Math.sqrt((2 * maxKl) / sFs) : 0;
}

/** What {@link backtrackingLineSearch} measures at a candidate θ. */
export interface LineSearchEvaluation {
  /** The surrogate objective L(θ) (maximised). */
  surrogate: number;
  /** The mean KL divergence KL̄(π_old ‖ π_θ), nats. */
  kl: number;
}

/** Input of {@link backtrackingLineSearch}. */
export interface LineSearchInput {
  /** Measures L and KL̄ at parameters θ (a Float64Array the callee must not keep); typically writes θ into the policy first. */
  evaluate: (theta: Float64Array) => LineSearchEvaluation;
  /** θ_old. */
  theta: ArrayLike<number>;
  /** The full step β·s. */
  fullStep: ArrayLike<number>;
  /** L(θ_old). */
  surrogateOld: number;
  /** δ, the largest accepted KL̄. */
  maxKl: number;
  /** Shrink factor of the step per backtrack, in (0, 1); default 0.8 (Spinning Up `backtrack_coeff`, SB3 `line_search_shrinking_factor`). */
  backtrackCoeff?: number;
  /** Number of step sizes tried (β·s, then ×coeff, ×coeff², …); default 10 (Spinning Up `backtrack_iters`, SB3 `line_search_max_iter`). */
  backtrackIters?: number;
  /**
   * Expected improvement gᵀ(β s) of the full step, for the ratio test; default none. With it and
   * `acceptRatio` > 0, a step fraction f is also required to achieve
   * (L − L_old) / (f gᵀβs) > acceptRatio (Schulman's modular_rl uses 0.1).
   */
  expectedImprovement?: number;
  /** Smallest accepted ratio of actual to expected improvement; default 0 (no ratio test, as Spinning Up and SB3). */
  acceptRatio?: number;
}

/** What {@link backtrackingLineSearch} returns. */
export interface LineSearchResult {
  /** True when a step was accepted. */
  accepted: boolean;
  /** Accepted θ = θ_old + f·fullStep, or θ_old (a copy) when none was. */
  theta: Float64Array;
  /** The accepted step fraction f = coeff^backtracks (0 when none). */
  stepFraction: number;
  /** Number of shrinks before acceptance (= the number of step sizes tried when none was accepted). */
  backtracks: number;
  /** L and KL̄ at the accepted θ (at the last candidate tried when none was accepted). */
  surrogate: number;
  kl: number;
}

/**
 * TRPO's backtracking line search (Schulman et al. 2015, App. C; Spinning Up's and SB3's form): try
 * θ = θ_old + coeff^j · fullStep for j = 0, 1, …, backtrackIters − 1, and accept the first candidate
 * whose measured mean KL̄ ≤ δ and whose surrogate improves, L(θ) > L(θ_old) (and, optionally,
 * whose improvement is at least `acceptRatio` times the linear prediction). If none passes, the
 * parameters stay θ_old. Host-side; `evaluate` does the measuring.
 *
 * @throws RangeError on mismatched lengths, δ ≤ 0, coeff outside (0, 1), backtrackIters < 1 or a negative acceptRatio.
 */
export function backtrackingLineSearch(input: LineSearchInput): LineSearchResult {
  const { evaluate, theta, fullStep, surrogateOld, maxKl, backtrackCoeff = 0.8, backtrackIters = 10, expectedImprovement, acceptRatio = 0 } = input;
  const where = "backtrackingLineSearch";
  if (theta.length !== fullStep.length) throw new RangeError(`${where}: theta has ${theta.length} numbers, fullStep ${fullStep.length}`);
  if (!(maxKl > 0)) throw new RangeError(`${where}: maxKl must be > 0, got ${maxKl}`);
  if (!(backtrackCoeff > 0 && backtrackCoeff < 1)) throw new RangeError(`${where}: backtrackCoeff must be in (0, 1), got ${backtrackCoeff}`);
  if (!Number.isSafeInteger(backtrackIters) || backtrackIters < 1) throw new RangeError(`${where}: backtrackIters must be a positive integer, got ${backtrackIters}`);
  if (!(acceptRatio >= 0)) throw new RangeError(`${where}: acceptRatio must be >= 0, got ${acceptRatio}`);
  const n = theta.length;
  const candidate = new Float64Array(n);
  let last: LineSearchEvaluation = { surrogate: surrogateOld, kl: 0 };
  for (let j = 0; j < backtrackIters; j++) {
    const f = backtrackCoeff ** j;
    for (let i = 0; i < n; i++) candidate[i] = theta[i] + f * fullStep[i];
    last = evaluate(candidate);
    const improvement = last.surrogate - surrogateOld;
    const ratioOk = acceptRatio === 0 || expectedImprovement === undefined || improvement / (f * expectedImprovement) > acceptRatio;
    if (last.kl <= maxKl && improvement > 0 && ratioOk) {
      return { accepted: true, theta: candidate, stepFraction: f, backtracks: j, surrogate: last.surrogate, kl: last.kl };
    }
  }
  return { accepted: false, theta: Float64Array.from(theta), stepFraction: 0, backtracks: backtrackIters, surrogate: last.surrogate, kl: last.kl };
}

// ---------------------------------------------------------------------------------------------
// One policy update
// ---------------------------------------------------------------------------------------------

/** Which update {@link trpoPolicyUpdate} makes. */
export type TrpoAlgorithm =
  /** Natural policy gradient (Kakade 2001; Spinning Up's `algo='npg'`): the full step β·s, no line search. */
  | "npg"
  /** TRPO: the full step, then the backtracking line search on the measured KL and surrogate. */
  | "trpo";

/** Options of {@link trpoPolicyUpdate}. */
export interface TrpoPolicyOptions {
  /** "trpo" (default) or "npg". */
  algorithm?: TrpoAlgorithm;
  /** δ, the trust-region radius in mean KL (nats); default 0.01 (Spinning Up `delta`, SB3 `target_kl`). */
  maxKl?: number;
  /** λ added to F in the products; default 0.1 (Spinning Up `damping_coeff`, SB3 `cg_damping`). */
  damping?: number;
  /** Conjugate-gradient iterations; default 10 (Spinning Up `cg_iters`). */
  cgIters?: number;
  /** CG stops when rᵀr ≤ this; default 1e-10. */
  cgResidualTol?: number;
  /** Line-search shrink factor; default 0.8. */
  backtrackCoeff?: number;
  /** Step sizes the line search tries; default 10. */
  backtrackIters?: number;
  /** Smallest ratio of actual to expected surrogate improvement; default 0 (none). */
  acceptRatio?: number;
}

/** A batch for {@link trpoPolicyUpdate}. */
export interface TrpoPolicyBatch {
  /** States, [B, obsDim]. */
  obs: tf.Tensor2D;
  /** Actions: int32 [B] or [B, D] (as `actionsTensor` makes them). */
  actions: tf.Tensor;
  /** Â, [B] (normalised or not). */
  advantages: tf.Tensor1D;
}

/** What one {@link trpoPolicyUpdate} did. */
export interface TrpoStepInfo {
  /** L(θ_old) = mean Â (ratio 1). */
  surrogateOld: number;
  /** L(θ_new) − L(θ_old), measured (0 when the line search failed). */
  surrogateImprovement: number;
  /** gᵀΔθ, the improvement the linear model predicts for the step taken (0 when none). */
  expectedImprovement: number;
  /** KL̄(π_old ‖ π_new) of the step taken, measured (0 when the line search failed). */
  kl: number;
  /** Line-search shrinks before acceptance (0 for NPG). */
  backtracks: number;
  /** True when no step size passed the line search (θ unchanged). */
  lineSearchFailed: boolean;
  /** β = √(2δ / sᵀFs). */
  stepScale: number;
  /** CG iterations. */
  cgIterations: number;
  /** ‖g − (F + λI) s‖ after the last CG iteration. */
  cgResidual: number;
  /** ‖g‖, the norm of the policy gradient ∇_θ L at θ_old. */
  gradNorm: number;
  /** Mean entropy of π_old over the batch, nats. */
  entropy: number;
  /** Fisher-vector products computed (CG iterations + 1 for sᵀFs). */
  fisherProducts: number;
  /** Milliseconds spent in the Fisher-vector products. */
  fisherMs: number;
}

/**
 * One natural-gradient / TRPO policy update (Schulman et al. 2015, §6 and App. C; Spinning Up's
 * `trpo` update):
 * 1. g = ∇_θ L(θ) at θ_old, with L the {@link surrogateObjective};
 * 2. s ≈ F⁻¹ g by {@link conjugateGradient} with {@link fisherVectorProduct} (damped);
 * 3. the full step β·s, β = √(2δ / sᵀFs) ({@link trpoStepScale});
 * 4. "npg": θ ← θ_old + β·s; "trpo": {@link backtrackingLineSearch} on the measured KL̄ and L, θ_old kept when it fails.
 * The policy's variables hold the new θ afterwards.
 *
 * @param policy π_θ, at θ_old on entry.
 * @param batch states, actions and advantages (B ≥ 1); the tensors stay the caller's.
 * @throws RangeError on bad options (see the pieces).
 */
export function trpoPolicyUpdate(policy: StochasticPolicy, batch: TrpoPolicyBatch, options: TrpoPolicyOptions = {}): TrpoStepInfo {
  const { algorithm = "trpo", maxKl = 0.01, damping = 0.1, cgIters = 10, cgResidualTol = 1e-10, backtrackCoeff = 0.8, backtrackIters = 10, acceptRatio = 0 } = options;
  if (algorithm !== "trpo" && algorithm !== "npg") throw new RangeError(`trpoPolicyUpdate: algorithm must be "trpo" or "npg", got ${String(algorithm)}`);
  if (!(maxKl > 0) || !Number.isFinite(maxKl)) throw new RangeError(`trpoPolicyUpdate: maxKl must be a finite number > 0, got ${maxKl}`);
  const variables = policy.variables;
  const { obs, actions, advantages } = batch;
  const thetaOld = getFlatParams(variables);
  const n = thetaOld.length;

  // π_old and log π_old(a|s): constants of the update.
  const oldParams: tf.Tensor[] = tf.tidy(() => {
    const d = policyDistribution(policy, obs);
    return d instanceof Categorical ? [d.logits] : [d.mean, d.logStd];
  });
  const old = oldParams.length === 1 ? new Categorical(oldParams[0] as tf.Tensor2D) : new DiagGaussian(oldParams[0] as tf.Tensor2D, oldParams[1]);
  const logProbOf = (d: Categorical | DiagGaussian) => (d instanceof Categorical ? d.logProb(actions as tf.Tensor1D) : d.logProb(actions as tf.Tensor2D));
  const logProbOld = tf.tidy(() => logProbOf(old));
  let fvp: FisherVectorProduct | null = null;
  try {
    // 1. g = ∇_θ L at θ_old, with L(θ_old) and the entropy, read back together.
    const packed = tf.tidy(() => {
      let entropy: tf.Scalar = tf.scalar(0);
      const { value, grads } = tf.variableGrads(() => {
        const d = policyDistribution(policy, obs);
        entropy = tf.keep(tf.mean(d.entropy()) as tf.Scalar);
        return surrogateObjective(logProbOf(d), logProbOld, advantages);
      }, [...variables]);
      const out = tf.concat([...variables.map((v) => (grads[v.name] ? tf.reshape(grads[v.name], [-1]) : tf.zeros([v.size]))), tf.stack([value, entropy])]);
      entropy.dispose();
      return out;
    });
    const data = packed.dataSync();
    packed.dispose();
    const g = Float64Array.from(data.subarray(0, n));
    const surrogateOld = data[n];
    const entropy = data[n + 1];
    const gradNorm = Math.sqrt(dot(g, g));

    // 2. s ≈ (F + λI)⁻¹ g.
    fvp = fisherVectorProduct(policy, obs, { damping });
    let fisherProducts = 0;
    let fisherMs = 0;
    const Fv = (v: Float64Array) => {
      const t0 = performance.now();
      const out = (fvp as FisherVectorProduct).apply(v);
      fisherMs += performance.now() - t0;
      fisherProducts++;
      return out;
    };
    const cg = conjugateGradient(Fv, g, { maxIters: cgIters, residualTol: cgResidualTol });
    const s = cg.x;

    // 3. The full step β·s with β = √(2δ / sᵀFs).
    const stepScale = cg.iterations === 0 ? 0 : trpoStepScale(dot(s, Fv(s)), maxKl);
    const fullStep = s.map((x) => x * stepScale);
    const expectedFull = dot(g, fullStep);

    // 4. Measure L and KL̄ at candidate parameters (written into the policy).
    const evaluate = (theta: Float64Array): LineSearchEvaluation => {
      setFlatParams(variables, theta);
      const m = tf.tidy(() => {
        const d = policyDistribution(policy, obs);
        return tf.stack([surrogateObjective(logProbOf(d), logProbOld, advantages), meanKl(old, d)]);
      });
      const [surrogate, kl] = m.dataSync();
      m.dispose();
      return { surrogate, kl };
    };
    const info = { surrogateOld, stepScale, cgIterations: cg.iterations, cgResidual: cg.residuals[cg.residuals.length - 1], gradNorm, entropy, fisherProducts, fisherMs };
    if (stepScale === 0) {
      return { ...info, surrogateImprovement: 0, expectedImprovement: 0, kl: 0, backtracks: 0, lineSearchFailed: algorithm === "trpo" };
    }
    if (algorithm === "npg") {
      const theta = Float64Array.from(thetaOld, (x, i) => x + fullStep[i]);
      const { surrogate, kl } = evaluate(theta);
      return { ...info, surrogateImprovement: surrogate - surrogateOld, expectedImprovement: expectedFull, kl, backtracks: 0, lineSearchFailed: false };
    }
    const ls = backtrackingLineSearch({ evaluate, theta: thetaOld, fullStep, surrogateOld, maxKl, backtrackCoeff, backtrackIters, expectedImprovement: expectedFull, acceptRatio });
    if (!ls.accepted) {
      setFlatParams(variables, thetaOld);
      return { ...info, surrogateImprovement: 0, expectedImprovement: 0, kl: 0, backtracks: ls.backtracks, lineSearchFailed: true };
    }
    return {
      ...info,
      surrogateImprovement: ls.surrogate - surrogateOld,
      expectedImprovement: ls.stepFraction * expectedFull,
      kl: ls.kl,
      backtracks: ls.backtracks,
      lineSearchFailed: false,
    };
  } finally {
    fvp?.dispose();
    old.dispose();
    tf.dispose([logProbOld, ...oldParams]);
  }
}

// ---------------------------------------------------------------------------------------------
// The critic
// ---------------------------------------------------------------------------------------------

/** Options of {@link fitValueFunction}. */
export interface FitValueOptions {
  /** Passes over the batch; default 10 (SB3 `n_critic_updates`; Spinning Up does 80 full-batch steps). */
  epochs?: number;
  /** Rows per gradient step; null (default) for the whole batch (Spinning Up); SB3 uses 128. */
  batchSize?: number | null;
  /** Shuffles the rows each epoch (needed with minibatches). */
  rng: Rng;
}

/**
 * Fits the critic by regression on the value targets (Schulman et al. 2015, §8 and 2016 (GAE), §5;
 * Spinning Up's `train_v_iters`, SB3's `n_critic_updates`): for each epoch, for each (shuffled)
 * minibatch, one optimizer step on mean (R_t − V_φ(s_t))².
 *
 * @param valueNet V_φ (its weights are the optimizer's variables).
 * @param optimizer a {@link FlatOptimizer} over `valueNet.weights`.
 * @param obs states, B×obsDim (row-major). @param returns R_t, B.
 * @returns the mean value loss over the gradient steps (each measured before its step).
 * @throws RangeError when B = 0, the lengths do not fit, or epochs / batchSize is not a positive integer.
 */
export function fitValueFunction(valueNet: Mlp, optimizer: FlatOptimizer, obs: Float32Array, returns: Float32Array, options: FitValueOptions): number {
  const { epochs = 10, batchSize = null, rng } = options;
  const B = returns.length;
  const D = valueNet.sizes[0];
  if (B === 0 || obs.length !== B * D) throw new RangeError(`fitValueFunction: obs has ${obs.length} numbers and returns ${B}; expected B×${D} and B ≥ 1`);
  if (!Number.isSafeInteger(epochs) || epochs < 1) throw new RangeError(`fitValueFunction: epochs must be a positive integer, got ${epochs}`);
  if (batchSize !== null && (!Number.isSafeInteger(batchSize) || batchSize < 1)) throw new RangeError(`fitValueFunction: batchSize must be a positive integer or null, got ${batchSize}`);
  const obsT = tf.tensor2d(obs, [B, D]);
  const retT = tf.tensor1d(returns);
  let total = 0;
  let steps = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (batchSize === null || batchSize >= B) {
        total += optimizer.step(() => ({ loss: tf.mean(tf.square(tf.sub(retT, valuesOf(valueNet, obsT)))) as tf.Scalar })).loss;
        steps++;
        continue;
      }
      const perm = rng.permutation(B);
      for (let start = 0; start < B; start += batchSize) {
        const idx = tf.tensor1d(perm.subarray(start, Math.min(start + batchSize, B)), "int32");
        try {
          total += optimizer.step(() => {
            const v = valuesOf(valueNet, tf.gather(obsT, idx) as tf.Tensor2D);
            return { loss: tf.mean(tf.square(tf.sub(tf.gather(retT, idx), v))) as tf.Scalar };
          }).loss;
        } finally {
          idx.dispose();
        }
        steps++;
      }
    }
  } finally {
    tf.dispose([obsT, retT]);
  }
  return total / steps;
}

// ---------------------------------------------------------------------------------------------
// The algorithm
// ---------------------------------------------------------------------------------------------

/**
 * Configuration of {@link trainTrpo}; every field is optional. Defaults are SB3-Contrib's `TRPO`
 * (n_steps 2048, batch_size 128, γ 0.99, gae_lambda 0.95, cg_max_steps 15, cg_damping 0.1,
 * line_search_shrinking_factor 0.8, line_search_max_iter 10, n_critic_updates 10, lr 1e-3,
 * normalize_advantage, target_kl 0.01, separate (64, 64) tanh actor and critic with orthogonal init)
 * unless said otherwise. Spinning Up's `trpo` differs in λ 0.97, cg_iters 10, and 80 full-batch critic
 * steps (`gaeLambda: 0.97, cgIters: 10, nCriticUpdates: 80, criticBatchSize: null`). Spread a
 * {@link TRPO_PRESETS} entry for tuned per-env settings.
 */
export interface TrpoConfig {
  /** The environment: a registered id (made with `make`, so with its time limit) or a factory; default "CartPole-v1". */
  env?: EnvSource;
  /** Options for `make` when `env` is an id. */
  envOptions?: MakeOptions;
  /** "trpo" (default) or "npg" (the same step without the line search). */
  algorithm?: TrpoAlgorithm;
  /** N, envs stepped in lockstep (a `SyncVectorEnv`, next-step autoreset). Default 1 (SB3 with one env). */
  numEnvs?: number;
  /** Env-step budget (all envs, reset steps included). Default 100 000 (RL-Zoo's TRPO CartPole-v1 budget). */
  totalSteps?: number;
  /** T, steps per env per update (batch N·T). Default 2048 (SB3 `n_steps`). */
  numSteps?: number;
  /** Discount γ ∈ [0, 1]. Default 0.99. */
  gamma?: number;
  /** λ of GAE ∈ [0, 1]. Default 0.95 (SB3; Spinning Up 0.97). */
  gaeLambda?: number;
  /** Standardise the advantages over the batch. Default true (SB3 `normalize_advantage`, Spinning Up). */
  normalizeAdvantages?: boolean;
  /** δ, the mean-KL trust region, nats. Default 0.01 (SB3 `target_kl`, Spinning Up `delta`). */
  maxKl?: number;
  /**
   * λ_F > 0, damping added to the Fisher matrix. Default 0.1 (SB3 `cg_damping`, Spinning Up
   * `damping_coeff`). 0 is refused: a Categorical policy's Fisher matrix is singular (its
   * probabilities sum to 1), and in float32 CG then returns steps the line search always rejects.
   */
  cgDamping?: number;
  /** CG iterations per update. Default 15 (SB3 `cg_max_steps`; Spinning Up 10). */
  cgIters?: number;
  /** Line-search shrink factor. Default 0.8. */
  backtrackCoeff?: number;
  /** Step sizes the line search tries. Default 10. */
  backtrackIters?: number;
  /** Smallest ratio of actual to expected surrogate improvement in the line search. Default 0 (none; SB3, Spinning Up). */
  acceptRatio?: number;
  /** Adam's step size for the critic. Default 1e-3 (SB3 `learning_rate`, Spinning Up `vf_lr`). */
  vfLearningRate?: number;
  /** Critic epochs over each batch. Default 10 (SB3 `n_critic_updates`). */
  nCriticUpdates?: number;
  /** Critic minibatch size; null for full-batch steps (Spinning Up). Default 128 (SB3 `batch_size`). */
  criticBatchSize?: number | null;
  /** Hidden layer widths of the actor and of the critic. Default [64, 64]. */
  hiddenSizes?: number[];
  /** Hidden activation. Default "tanh". */
  activation?: Activation;
  /** Initial log σ of the Gaussian policy (continuous actions). Default 0 (SB3 `log_std_init`). */
  initLogStd?: number;
  /** Normalise observations with running statistics, then clip to ±`clipObs` (Box observations). Default false (RL-Zoo's `normalize: true` turns it on). */
  normalizeObservations?: boolean;
  /** Bound of the normalised observations. Default 10. */
  clipObs?: number;
  /** Scale rewards by the running std of the discounted return, then clip to ±`clipReward`. Default false. */
  normalizeRewards?: boolean;
  /** Bound of the scaled rewards. Default 10. */
  clipReward?: number;
  /** Seed of everything: initial weights, action sampling, critic minibatches and the envs' first resets. Default 0. */
  seed?: number;
  /** Stop once the mean return of the last `returnWindow` episodes reaches this. Default none (use the whole budget). */
  targetReturn?: number;
  /** Episodes in the moving mean of `targetReturn` and progress reports. Default 20. */
  returnWindow?: number;
  /** Called after every update. */
  onProgress?: (progress: TrpoProgress) => void;
}

const KEYS = [
  "env",
  "envOptions",
  "algorithm",
  "numEnvs",
  "totalSteps",
  "numSteps",
  "gamma",
  "gaeLambda",
  "normalizeAdvantages",
  "maxKl",
  "cgDamping",
  "cgIters",
  "backtrackCoeff",
  "backtrackIters",
  "acceptRatio",
  "vfLearningRate",
  "nCriticUpdates",
  "criticBatchSize",
  "hiddenSizes",
  "activation",
  "initLogStd",
  "normalizeObservations",
  "clipObs",
  "normalizeRewards",
  "clipReward",
  "seed",
  "targetReturn",
  "returnWindow",
  "onProgress",
] as const;

/**
 * Tuned settings per env id, to spread into a config: `trainTrpo({ ...TRPO_PRESETS["CartPole-v1"], seed })`.
 * - CartPole-v1: RL-Baselines3-Zoo's `hyperparams/trpo.yml` (n_envs 2, n_steps 512, batch_size 512,
 *   cg_damping 1e-3, gae_lambda 0.98, γ 0.99, lr 1e-3, n_critic_updates 20; budget 1e5), unchanged.
 */
export const TRPO_PRESETS: Readonly<Record<string, Readonly<Partial<TrpoConfig>>>> = {
  "CartPole-v1": { numEnvs: 2, numSteps: 512, criticBatchSize: 512, cgDamping: 1e-3, gaeLambda: 0.98, gamma: 0.99, vfLearningRate: 1e-3, nCriticUpdates: 20, totalSteps: 100_000 },
};

/** One TRPO / NPG update. */
export interface TrpoUpdate extends PolicyGradientUpdate {
  /** −L(θ_old) = −mean Â (≈ 0 with normalised advantages). */
  policyLoss: number;
  /** Mean critic loss (R − V_φ)² over the critic's gradient steps. */
  valueLoss: number;
  /** ‖∇_θ L‖ at θ_old. */
  gradNorm: number;
  /** L(θ_new) − L(θ_old), measured (0 when the line search failed). */
  surrogateImprovement: number;
  /** gᵀΔθ, predicted by the linear model for the step taken. */
  expectedImprovement: number;
  /** KL̄(π_old ‖ π_new) of the step taken, measured. */
  kl: number;
  /** Line-search shrinks before acceptance. */
  backtracks: number;
  /** True when the line search accepted no step (θ unchanged). */
  lineSearchFailed: boolean;
  /** CG iterations. */
  cgIterations: number;
  /** ‖g − (F + λ_F I) s‖ after CG. */
  cgResidual: number;
  /** 1 − Var[R − V_old] / Var[R] over the batch. */
  explainedVariance: number;
  /** Milliseconds per Fisher-vector product in this update. */
  msPerFisherProduct: number;
  /** Milliseconds of the whole update (policy step and critic regression, without the rollout). */
  msUpdate: number;
}

/** The training log of {@link trainTrpo}. */
export interface TrpoLog extends Omit<PolicyGradientLog, "updates"> {
  /** Per update, in order. */
  updates: TrpoUpdate[];
}

/** What the progress callback of {@link trainTrpo} receives after every update. */
export interface TrpoProgress extends Omit<PolicyGradientProgress, "last"> {
  /** The latest update's record. */
  last: TrpoUpdate;
}

/** What {@link trainTrpo} returns. */
export interface TrpoResult {
  /** Per-episode returns, per-update metrics, timings. */
  log: TrpoLog;
  /** The trained actor and critic (acting on normalised observations when `normalizeObservations`); `dispose()` it when done. */
  agent: PolicyAgent;
  /** The observation statistics the agent normalises with (null without `normalizeObservations`). */
  obsStats: RunningStats | null;
  /** The discounted return's statistics the rewards were scaled with (null without `normalizeRewards`). */
  rewardStats: RunningStats | null;
  /** The config with every default filled in (without `onProgress`). */
  config: Required<Omit<TrpoConfig, "onProgress" | "targetReturn" | "envOptions">> & Pick<TrpoConfig, "targetReturn" | "envOptions">;
}

/**
 * Trains a policy with TRPO (or the natural policy gradient) on a vector env, in the order of
 * Schulman et al. 2015's practical algorithm (§6) with GAE (Schulman et al. 2016):
 * 1. run π_θ for T steps in N envs (host-side sampling, {@link RolloutCollector});
 * 2. GAE(γ, λ) advantages and λ-return targets, reset steps dropped, advantages standardised;
 * 3. the policy step ({@link trpoPolicyUpdate}): CG on F s = g, step β·s, line search on KL̄ ≤ δ;
 * 4. the critic regression ({@link fitValueFunction}).
 *
 * @example
 * const { log, agent } = await trainTrpo({ ...TRPO_PRESETS["CartPole-v1"], seed: 0, targetReturn: 475 });
 * console.log(log.solvedAtStep, log.updates.at(-1)?.kl);
 * agent.dispose();
 *
 * @returns the log, the trained agent and the resolved config. Reproducible from `seed` on a given backend.
 * @throws TypeError on an unknown config field or unsupported spaces; RangeError on out-of-range values.
 */
export async function trainTrpo(config: TrpoConfig = {}): Promise<TrpoResult> {
  const where = "trainTrpo";
  checkKeys(config, KEYS, where);
  const {
    env: envSource = "CartPole-v1",
    envOptions,
    algorithm = "trpo",
    numEnvs = 1,
    totalSteps = 100_000,
    numSteps = 2048,
    gamma = 0.99,
    gaeLambda = 0.95,
    normalizeAdvantages = true,
    maxKl = 0.01,
    cgDamping = 0.1,
    cgIters = 15,
    backtrackCoeff = 0.8,
    backtrackIters = 10,
    acceptRatio = 0,
    vfLearningRate = 1e-3,
    nCriticUpdates = 10,
    criticBatchSize = 128,
    hiddenSizes = [64, 64],
    activation = "tanh",
    initLogStd = 0,
    normalizeObservations = false,
    clipObs = 10,
    normalizeRewards = false,
    clipReward = 10,
    seed = 0,
    targetReturn,
    returnWindow = 20,
    onProgress,
  } = config;
  checkPositiveInt(numEnvs, "numEnvs", where);
  checkPositiveInt(totalSteps, "totalSteps", where);
  checkPositiveInt(numSteps, "numSteps", where);
  checkPositiveInt(cgIters, "cgIters", where);
  checkPositiveInt(backtrackIters, "backtrackIters", where);
  checkPositiveInt(nCriticUpdates, "nCriticUpdates", where);
  checkPositiveInt(returnWindow, "returnWindow", where);
  if (criticBatchSize !== null) checkPositiveInt(criticBatchSize, "criticBatchSize", where);
  if (algorithm !== "trpo" && algorithm !== "npg") throw new RangeError(`${where}: algorithm must be "trpo" or "npg", got ${String(algorithm)}`);
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`${where}: gamma must be in [0, 1], got ${gamma}`);
  if (!(gaeLambda >= 0 && gaeLambda <= 1)) throw new RangeError(`${where}: gaeLambda must be in [0, 1], got ${gaeLambda}`);
  if (!(maxKl > 0) || !Number.isFinite(maxKl)) throw new RangeError(`${where}: maxKl must be a finite number > 0, got ${maxKl}`);
  if (!(cgDamping > 0) || !Number.isFinite(cgDamping)) {
    throw new RangeError(`${where}: cgDamping must be a finite number > 0 (the Fisher matrix of a Categorical policy is singular), got ${cgDamping}`);
  }
  checkNonNegative(acceptRatio, "acceptRatio", where);
  if (!(backtrackCoeff > 0 && backtrackCoeff < 1)) throw new RangeError(`${where}: backtrackCoeff must be in (0, 1), got ${backtrackCoeff}`);
  if (!(vfLearningRate > 0) || !Number.isFinite(vfLearningRate)) throw new RangeError(`${where}: vfLearningRate must be a finite number > 0, got ${vfLearningRate}`);
  if (!(clipObs > 0)) throw new RangeError(`${where}: clipObs must be > 0, got ${clipObs}`);
  if (!(clipReward > 0)) throw new RangeError(`${where}: clipReward must be > 0, got ${clipReward}`);
  await initBackend();

  // Seeding: one stream per purpose, all from `seed`.
  const [initRng, sampleRng, envRng, criticRng, agentRng] = new Rng(seed).split(5);
  const envs = new SyncVectorEnv(Array.from({ length: numEnvs }, () => createEnv(envSource, envOptions)));
  const spec = spacesSpec(envs.singleObservationSpace, envs.singleActionSpace);
  if (normalizeObservations && spec.obsStart !== null) {
    envs.close();
    throw new TypeError(`${where}: normalizeObservations needs a Box observation space (this one is Discrete)`);
  }
  const D = spec.obsDim;

  // Initialise the actor π_θ and the critic V_φ (separate networks; Adam on φ only: θ moves by the natural step).
  const policy = makePolicy(spec, { hiddenSizes, activation, rng: initRng, initLogStd });
  const valueNet = makeValueNet(D, { hiddenSizes, activation, rng: initRng });
  const sampler = new PolicySampler(policy, valueNet);
  const criticOpt = new FlatOptimizer(valueNet.weights, { kind: "adam", learningRate: vfLearningRate });
  const obsNormalizer = normalizeObservations ? new ObsNormalizer(D, clipObs) : null;
  const rewardScaler = normalizeRewards ? new RewardScaler(numEnvs, gamma, clipReward) : null;
  const logger = new EpisodeLogger(returnWindow, targetReturn);
  const collector = new RolloutCollector({ envs, sampler, numSteps, logger, rng: sampleRng, envRng, obsNormalizer, rewardScaler });
  const updates: TrpoUpdate[] = [];

  try {
    for (let update = 0; collector.globalStep < totalSteps; update++) {
      // 1. Run π_θ in N envs for T steps; bootstrap V_φ(s_T).
      collector.collect();
      const globalStep = collector.globalStep;

      // 2. Â_t = GAE(γ, λ), R_t = Â_t + V_φ(s_t); reset steps dropped; Â standardised.
      const { advantages, returns } = rolloutGae(collector.rollout(), { gamma, gaeLambda });
      const batch = collector.batch(advantages, returns);
      const B = batch.size;
      if (B === 0) continue; // every step was a reset step (only possible with T = 1)
      const t0 = performance.now();
      const explVar = explainedVariance(batch.values, batch.returns);
      const adv = Float32Array.from(batch.advantages);
      if (normalizeAdvantages && B > 1) standardizeInPlace(adv);

      // 3. The policy step: g, CG on (F + λ_F I) s = g, β = √(2δ/sᵀFs), line search (TRPO) or full step (NPG).
      const obsT = tf.tensor2d(batch.obs, [B, D]);
      const actT = actionsTensor(spec, batch.actions, B);
      const advT = tf.tensor1d(adv);
      let step: TrpoStepInfo;
      try {
        step = trpoPolicyUpdate(policy, { obs: obsT, actions: actT, advantages: advT }, { algorithm, maxKl, damping: cgDamping, cgIters, backtrackCoeff, backtrackIters, acceptRatio });
      } finally {
        tf.dispose([obsT, actT, advT]);
      }

      // 4. The critic: regression of V_φ on R_t.
      const valueLoss = fitValueFunction(valueNet, criticOpt, batch.obs, batch.returns, { epochs: nCriticUpdates, batchSize: criticBatchSize, rng: criticRng });
      sampler.sync();

      const record: TrpoUpdate = {
        update,
        globalStep,
        policyLoss: -step.surrogateOld,
        valueLoss,
        entropy: step.entropy,
        gradNorm: step.gradNorm,
        surrogateImprovement: step.surrogateImprovement,
        expectedImprovement: step.expectedImprovement,
        kl: step.kl,
        backtracks: step.backtracks,
        lineSearchFailed: step.lineSearchFailed,
        cgIterations: step.cgIterations,
        cgResidual: step.cgResidual,
        explainedVariance: explVar,
        msPerFisherProduct: step.fisherMs / Math.max(1, step.fisherProducts),
        msUpdate: performance.now() - t0,
      };
      updates.push(record);
      onProgress?.({
        updates: updates.length,
        globalStep,
        totalSteps,
        episodes: logger.episodes.length,
        meanReturn: logger.meanReturn(),
        last: record,
        seconds: logger.seconds(),
      });
      if (logger.solvedAtStep !== null) break;
    }
  } catch (err) {
    disposePolicy(policy);
    valueNet.dispose();
    throw err;
  } finally {
    criticOpt.dispose();
    envs.close();
  }

  const log: TrpoLog = {
    episodes: logger.episodes,
    updates,
    globalStep: collector.globalStep,
    seconds: logger.seconds(),
    solvedAtStep: logger.solvedAtStep,
    solvedAtSeconds: logger.solvedAtSeconds,
  };
  return {
    log,
    agent: makeAgent(policy, valueNet, agentRng, { transformObs: obsNormalizer?.frozen() }),
    obsStats: runningStats(obsNormalizer?.rms),
    rewardStats: runningStats(rewardScaler?.rms),
    config: {
      env: envSource,
      envOptions,
      algorithm,
      numEnvs,
      totalSteps,
      numSteps,
      gamma,
      gaeLambda,
      normalizeAdvantages,
      maxKl,
      cgDamping,
      cgIters,
      backtrackCoeff,
      backtrackIters,
      acceptRatio,
      vfLearningRate,
      nCriticUpdates,
      criticBatchSize,
      hiddenSizes,
      activation,
      initLogStd,
      normalizeObservations,
      clipObs,
      normalizeRewards,
      clipReward,
      seed,
      targetReturn,
      returnWindow,
    },
  };
}
