/**
 * Acting on host copies of the networks ({@link PolicySampler}): one batched pass over all envs per
 * step, no tensors per env step, sampling on the course's seeded {@link Rng}.
 */
import { HostMlp } from "../nn/host_mlp";
import type { Mlp } from "../nn/mlp";
import type { Rng } from "../random";
import type { StochasticPolicy } from "./actor_critic";

/**
 * Draws actions from π_θ(·|s) for a batch of observations — and evaluates V_φ(s) — on host copies of
 * the networks ({@link HostMlp}): no tensor per env step. Sampling runs on an {@link Rng} (inverse CDF
 * on the softmax for a Categorical, μ + σ·ε with ε ~ N(0, 1) for a Gaussian), so a run is reproducible
 * from its seed. Call {@link PolicySampler.sync} after every update of θ or φ.
 *
 * @example
 * const sampler = new PolicySampler(policy, valueNet);
 * sampler.sample(obs, numEnvs, rng, actions, { values });   // rollout step
 * …update θ, φ…; sampler.sync();
 */
export class PolicySampler {
  /** The policy sampled from. */
  readonly policy: StochasticPolicy;
  private readonly trunk: HostMlp | null;
  private readonly actor: HostMlp;
  private readonly critic: HostMlp | null;
  private features = new Float32Array(0);
  private std: Float32Array | null = null;
  private logStd: Float32Array | null = null;
  private head = new Float32Array(0);

  /** Copies the current weights of `policy` (and of `valueNet`, when given; with a shared trunk, the value head). */
  constructor(policy: StochasticPolicy, valueNet: Mlp | null = null) {
    this.policy = policy;
    this.trunk = policy.trunk === null ? null : new HostMlp(policy.trunk);
    this.actor = new HostMlp(policy.net);
    this.critic = valueNet === null ? null : new HostMlp(valueNet);
    this.sync();
  }

  /** Re-reads the weights (and σ = exp(log σ)) after an update. */
  sync(): void {
    this.trunk?.sync();
    this.actor.sync();
    this.critic?.sync();
    if (this.policy.logStd !== null) {
      this.logStd = this.policy.logStd.dataSync() as Float32Array;
      this.std = Float32Array.from(this.logStd, Math.exp);
    }
  }

  /**
   * V_φ(s) of `rows` observations into `out` (Float32Array [rows]).
   * @throws Error when the sampler has no value net.
   */
  values(obs: ArrayLike<number>, rows: number, out: Float32Array): Float32Array {
    if (this.critic === null) throw new Error("PolicySampler.values: the sampler has no value net");
    return this.critic.apply(this.body(obs, rows), rows, out);
  }

  /** The trunk's output for a shared body, else the observations themselves. */
  private body(obs: ArrayLike<number>, rows: number): ArrayLike<number> {
    if (this.trunk === null) return obs;
    const width = this.trunk.net.sizes[this.trunk.net.sizes.length - 1];
    if (this.features.length < rows * width) this.features = new Float32Array(rows * width);
    return this.trunk.apply(obs, rows, this.features);
  }

  /**
   * Samples one action per row.
   * @param obs network inputs, at least rows×obsDim numbers (row-major).
   * @param rows B, the number of observations.
   * @param out Int32Array [B] of action indices (discrete) or Float32Array [B·D] of unclipped actions (continuous).
   * @param options `values` (Float32Array [B]) to also write V_φ(s) (needs a value net); `logProbs`
   *   (Float32Array [B]) to also write log π_θ(a|s) of the returned actions (what PPO's ratio and TRPO's
   *   surrogate divide by; equal to {@link logProbAndEntropy} of the same rows to float32 round-off,
   *   ~1e-6); `deterministic` to take the mode (argmax / μ) instead of sampling.
   * @throws Error when `values` is asked for without a value net; RangeError when the policy outputs NaN
   *   or +∞ (a logit) or a non-finite mean, naming the observation.
   */
  sample(
    obs: ArrayLike<number>,
    rows: number,
    rng: Rng,
    out: Int32Array | Float32Array,
    options: { values?: Float32Array; logProbs?: Float32Array; deterministic?: boolean } = {},
  ): void {
    const { values, logProbs, deterministic = false } = options;
    const spec = this.policy.spec;
    const width = spec.action.kind === "discrete" ? spec.action.n : spec.action.dim;
    if (this.head.length < rows * width) this.head = new Float32Array(rows * width);
    if (values !== undefined && this.critic === null) throw new Error("PolicySampler.sample: values were asked for, but the sampler has no value net");
    const x = this.body(obs, rows);
    const head = this.actor.apply(x, rows, this.head);
    if (values !== undefined) this.critic!.apply(x, rows, values);
    for (let i = 0; i < rows * width; i++) {
      // −∞ is a legal logit (a masked action); NaN or +∞ (or any non-finite mean) is a broken network or input.
      if (Number.isNaN(head[i]) || head[i] === Infinity || (spec.action.kind === "continuous" && !Number.isFinite(head[i]))) {
        throw new RangeError(
          `PolicySampler.sample: the policy's output for observation ${Math.floor(i / width)} holds ${head[i]} ` +
            `(${spec.action.kind === "discrete" ? "logits" : "means"}): the network's weights or the observation hold NaN or ±Infinity`,
        );
      }
    }
    if (spec.action.kind === "discrete") {
      for (let r = 0; r < rows; r++) {
        const o = r * width;
        // log-sum-exp of the logits (shifted by the max): log π(k|s) = logit_k − mx − log z
        let mx = head[o];
        for (let k = 1; k < width; k++) mx = Math.max(mx, head[o + k]);
        if (deterministic) {
          const a = argmaxAt(head, o, width);
          out[r] = a;
          if (logProbs !== undefined) logProbs[r] = head[o + a] - mx - Math.log(sumExp(head, o, width, mx));
          continue;
        }
        // softmax in place, then one inverse-CDF draw
        const logits = logProbs === undefined ? null : head.slice(o, o + width);
        let z = 0;
        for (let k = 0; k < width; k++) z += (head[o + k] = Math.exp(head[o + k] - mx));
        for (let k = 0; k < width; k++) head[o + k] /= z;
        const a = rng.categorical(head, o, width);
        out[r] = a;
        if (logits !== null) logProbs![r] = logits[a] - mx - Math.log(z);
      }
    } else {
      const std = this.std as Float32Array;
      for (let i = 0; i < rows * width; i++) out[i] = deterministic ? head[i] : head[i] + std[i % width] * rng.normal();
      if (logProbs !== undefined) {
        // log N(a; μ, σ²) = −½ Σ_d ((a_d − μ_d)/σ_d)² − Σ_d log σ_d − (D/2) log 2π, on the stored (float32) action
        const logStd = this.logStd as Float32Array;
        for (let r = 0; r < rows; r++) {
          let s = -0.5 * width * LOG_2PI;
          for (let k = 0; k < width; k++) {
            const z = (out[r * width + k] - head[r * width + k]) / std[k];
            s -= 0.5 * z * z + logStd[k];
          }
          logProbs[r] = s;
        }
      }
    }
  }
}

const LOG_2PI = Math.log(2 * Math.PI);

function sumExp(x: ArrayLike<number>, offset: number, n: number, shift: number): number {
  let z = 0;
  for (let k = 0; k < n; k++) z += Math.exp(x[offset + k] - shift);
  return z;
}

function argmaxAt(p: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (p[offset + k] > p[offset + best]) best = k;
  return best;
}
