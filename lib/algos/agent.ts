/**
 * A trained policy (and critic) packaged to act in an env: what every policy-gradient trainer returns
 * as `agent`.
 */
import type { Mlp } from "../nn/mlp";
import type { Rng } from "../random";
import { disposePolicy, type StochasticPolicy } from "./actor_critic";
import { PolicySampler } from "./sampler";
import { envAction, writeObs } from "./spaces_spec";

/** A trained policy (and critic) ready to act. */
export interface PolicyAgent {
  /** π_θ. */
  policy: StochasticPolicy;
  /** V_φ, when the algorithm learned one. */
  valueNet: Mlp | null;
  /**
   * The action for one observation: the mode of π_θ(·|s) (argmax or μ, clipped) by default, a sample
   * when `deterministic` is false (drawn from `rng`, default the agent's own seeded stream).
   */
  act(obs: number | ArrayLike<number>, options?: { deterministic?: boolean; rng?: Rng }): number | Float32Array;
  /** Frees the networks. */
  dispose(): void;
}

/**
 * Builds a {@link PolicyAgent} around trained networks (it acts on host copies of their current weights).
 * @param options `transformObs`: applied in place to the network input of every observation before
 *   the policy sees it — e.g. `ObsNormalizer.frozen()`, so that an agent trained on normalised
 *   observations acts on the raw observations of a plain `make(id)` env.
 */
export function makeAgent(policy: StochasticPolicy, valueNet: Mlp | null, rng: Rng, options: { transformObs?: (x: Float32Array) => void } = {}): PolicyAgent {
  const sampler = new PolicySampler(policy);
  const x = new Float32Array(policy.spec.obsDim);
  const a = policy.spec.action.kind === "discrete" ? new Int32Array(1) : new Float32Array(policy.spec.action.dim);
  return {
    policy,
    valueNet,
    act(obs, actOptions = {}) {
      writeObs(policy.spec, obs, x, 0);
      options.transformObs?.(x);
      sampler.sample(x, 1, actOptions.rng ?? rng, a, { deterministic: actOptions.deterministic ?? true });
      return envAction(policy.spec, a, 0);
    },
    dispose() {
      disposePolicy(policy);
      valueNet?.dispose();
    },
  };
}
