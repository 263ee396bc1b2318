/**
 * The natural-gradient step of NPG and TRPO, in the order of Schulman et al. 2015 ("Trust Region
 * Policy Optimization", ICML 2015), Appendix C: {@link conjugateGradient} on F s = g with
 * {@link fisherVectorProduct}, the {@link surrogateObjective} and {@link meanKl} it is measured with,
 * {@link getFlatParams} / {@link setFlatParams}, the step scale β = √(2δ / sᵀFs) ({@link trpoStepScale})
 * and the {@link backtrackingLineSearch}. ./trpo puts them together.
 *
 * ## Why the Fisher-vector product is computed in Gauss–Newton form
 * The textbook way (Spinning Up, SB3) is double backpropagation: Fv = ∇_θ (∇_θ KL̄ · v), which tfjs
 * 4.22 does not compute exactly (see lib/nn/jacobian.ts). So {@link fisherVectorProduct} uses the identity
 *
 *   ∇²_θ KL̄(π_old ‖ π_θ) |_{θ=θ_old} = (1/B) Σ_s J_sᵀ M_s J_s   (exact at θ_old: ∇_η KL = 0 there),
 *
 * with J_s = ∂η(s)/∂θ the Jacobian of the distribution parameters η (logits, or μ and log σ) and M_s
 * the Fisher matrix of the distribution in η (Categorical: diag p − ppᵀ; Gaussian: diag(1/σ²) for μ,
 * 2 for each log σ). J v is one tangent pass through the MLP and Jᵀu one reverse pass (`mlpJacobian`).
 */
import * as tf from "@tensorflow/tfjs";
import { Categorical, DiagGaussian } from "../nn/distributions";
import { mlpJacobian } from "../nn/jacobian";
import type { StochasticPolicy } from "./actor_critic";

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
export function dot(u: ArrayLike<number>, v: ArrayLike<number>): number {
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
 * the Jacobian products of the policy's layers come from `mlpJacobian` of lib/nn (activations cached at
 * θ_old), so each product is a tangent pass, the product with M_s and one reverse pass, with one upload
 * of v and one read-back.
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
  const nets = policy.trunk === null ? [policy.net] : [policy.trunk, policy.net];
  const inDim = nets[0].sizes[0];
  if (obs.rank !== 2 || obs.shape[1] !== inDim) throw new Error(`fisherVectorProduct: obs must be [B, ${inDim}], got [${obs.shape}]`);
  const B = obs.shape[0];
  if (B === 0) throw new RangeError("fisherVectorProduct: no states");
  const variables = policy.variables;
  const sizes = variables.map((v) => v.size);
  const numParams = sizes.reduce((a, b) => a + b, 0);
  // At θ_old: the layers' Jacobian J = ∂η/∂θ and M's parts (Categorical: p; Gaussian: 1/σ²).
  const J = mlpJacobian(nets, obs);
  const M = policy.logStd === null ? tf.softmax(J.output) : tf.tidy(() => tf.exp(tf.mul(policy.logStd as tf.Variable, -2)));
  let disposed = false;

  return {
    numParams,
    apply(v: ArrayLike<number>): Float64Array {
      if (disposed) throw new Error("fisherVectorProduct: apply after dispose");
      if (v.length !== numParams) throw new RangeError(`fisherVectorProduct: v has ${v.length} numbers, the policy has ${numParams} parameters`);
      const out = tf.tidy(() => {
        const vT = tf.tensor1d(v instanceof Float32Array ? v : Float32Array.from(v));
        const parts = tf.split(vT, sizes);
        const etaDot = J.jvp(parts); // J v
        // u = M J v / B (the 1/B of the mean over states folded in).
        let u: tf.Tensor2D;
        if (policy.logStd === null) {
          const pe = tf.mul(M, etaDot);
          u = tf.mul(tf.sub(pe, tf.mul(M, tf.sum(pe, 1, true))), 1 / B) as tf.Tensor2D;
        } else u = tf.mul(etaDot, tf.mul(M, 1 / B)) as tf.Tensor2D;
        const grads = J.vjp(u); // Jᵀ u
        // Gaussian: ∂²KL/∂(log σ_d)² = 2 at θ_old for every state, so the mean over states is 2·(log σ)˙.
        if (policy.logStd !== null) grads.push(tf.mul(parts[variables.length - 1], 2));
        const Fv = tf.concat(grads.map((x) => tf.reshape(x, [-1])));
        return damping > 0 ? tf.add(Fv, tf.mul(vT, damping)) : Fv;
      });
      const data = out.dataSync();
      out.dispose();
      return Float64Array.from(data);
    },
    dispose(): void {
      if (!disposed) {
        J.dispose();
        M.dispose();
      }
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
