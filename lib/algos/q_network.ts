/**
 * DQN's agent: the Q-network Q(s, ·; θ), a ReLU MLP with one output per action or with dueling heads
 * (Wang et al., "Dueling Network Architectures for Deep Reinforcement Learning", ICML 2016), and the
 * policies it defines: {@link epsilonGreedy} actions (Mnih et al. 2015, Algorithm 1) and greedy
 * evaluation ({@link evaluateDqn}, as CleanRL's `dqn_eval.py`). Built with {@link qNetwork}; trained
 * by `trainDqn` (./dqn). Acting goes through {@link HostQ}, a plain-JavaScript forward pass over a
 * copy of the weights, so an env step creates no tensor.
 */
import * as tf from "@tensorflow/tfjs";
import { Box, type Env, make } from "../envs";
import { HostMlp } from "../nn/host_mlp";
import { type Mlp, mlp } from "../nn/mlp";
import type { WeightsJSON } from "../nn/serialize";
import { Rng } from "../random";
import { argmaxAt } from "../tabular/qtable";

/**
 * The dueling combination Q(s, a) = V(s) + A(s, a) − (1/|A|) Σ_a′ A(s, a′) (Wang et al. 2016, eq. 9):
 * subtracting the mean advantage makes V and A identifiable, and mean_a Q(s, a) = V(s).
 * @param value V(s), [batch, 1].
 * @param advantage A(s, ·), [batch, numActions].
 * @returns Q(s, ·), [batch, numActions] (a new tensor; call inside `tf.tidy`).
 * @throws Error when the shapes do not fit.
 */
export function duelingQ(value: tf.Tensor2D, advantage: tf.Tensor2D): tf.Tensor2D {
  if (value.rank !== 2 || advantage.rank !== 2 || value.shape[1] !== 1 || value.shape[0] !== advantage.shape[0]) {
    throw new Error(`duelingQ: expected value [batch, 1] and advantage [batch, numActions], got [${value.shape}] and [${advantage.shape}]`);
  }
  return tf.tidy(() => tf.add(value, tf.sub(advantage, tf.mean(advantage, 1, true))) as tf.Tensor2D);
}

/** Options of {@link qNetwork}. */
export interface QNetworkOptions {
  /** Numbers per observation. */
  obsDim: number;
  /** Number of discrete actions. */
  numActions: number;
  /** Hidden widths; default [120, 84] (CleanRL). */
  hiddenSizes?: readonly number[];
  /** Dueling heads; default false. */
  dueling?: boolean;
  /** Seed or stream for the initial weights (PyTorch's default `nn.Linear` init, as CleanRL). */
  rng: Rng | number;
}

/**
 * A Q-network Q(s, ·; θ): an MLP with ReLU hidden layers (PyTorch-default initialisation) whose
 * last layer outputs one value per action, or, when dueling, 1 + |A| numbers [V, A₁ … A_|A|]
 * combined by {@link duelingQ} (two linear heads on the shared body, written as one layer).
 * Create it with {@link qNetwork}; copy it with `copyWeights(q, target, tau)`.
 */
export class QNetwork {
  /** The MLP [obsDim, …hidden, numActions (+1 when dueling)]. */
  readonly body: Mlp;
  /** Number of actions |A|. */
  readonly numActions: number;
  /** Whether the last layer holds [V, A…] heads. */
  readonly dueling: boolean;

  /** @internal use {@link qNetwork}. */
  constructor(body: Mlp, numActions: number, dueling: boolean) {
    this.body = body;
    this.numActions = numActions;
    this.dueling = dueling;
  }

  /** Numbers per observation. */
  get obsDim(): number {
    return this.body.sizes[0];
  }

  /** The trainable variables [W₀, b₀, W₁, b₁, …]. */
  get weights(): tf.Variable[] {
    return this.body.weights;
  }

  /**
   * Q-values of a batch of observations.
   * @param obs [batch, obsDim].
   * @returns Q(s, ·), [batch, numActions]; a new tensor (call inside `tf.tidy`).
   * @throws Error when obs is not [batch, obsDim].
   */
  apply(obs: tf.Tensor2D): tf.Tensor2D {
    if (!this.dueling) return this.body.apply(obs);
    return tf.tidy(() => {
      const out = this.body.apply(obs);
      const n = out.shape[0];
      return duelingQ(tf.slice(out, [0, 0], [n, 1]), tf.slice(out, [0, 1], [n, this.numActions]));
    });
  }

  /** The weights as a `WeightsJSON` document (see lib/nn/serialize). */
  toJSON(): WeightsJSON {
    return this.body.toJSON();
  }

  /** Loads weights saved by {@link toJSON}. @throws TypeError when they do not fit this network. */
  load(json: WeightsJSON | string): void {
    this.body.load(json);
  }

  /** Frees the variables. */
  dispose(): void {
    this.body.dispose();
  }
}

/**
 * Builds a {@link QNetwork} with fresh weights.
 * @example const q = qNetwork({ obsDim: 4, numActions: 2, hiddenSizes: [120, 84], rng: 1 });
 * @throws RangeError on a size that is not a positive integer.
 */
export function qNetwork(options: QNetworkOptions): QNetwork {
  const { obsDim, numActions, hiddenSizes = [120, 84], dueling = false, rng } = options;
  const sizes = [obsDim, ...hiddenSizes, dueling ? numActions + 1 : numActions];
  return new QNetwork(mlp({ sizes, rng, activation: "relu", outputActivation: "linear", init: "torch-default" }), numActions, dueling);
}

/**
 * Q-values computed on the host in plain JavaScript from a copy of a {@link QNetwork}'s weights,
 * for acting: one env step then costs a few microseconds and creates no tensor, where a tfjs call
 * costs a few hundred. Call {@link sync} after the weights change.
 */
export class HostQ {
  private readonly net: QNetwork;
  private readonly body: HostMlp;
  private out = new Float32Array(0);

  /** Reads the network's current weights. */
  constructor(net: QNetwork) {
    this.net = net;
    this.body = new HostMlp(net.body);
  }

  /** Copies the network's current weights to the host (one read-back per variable). */
  sync(): void {
    this.body.sync();
  }

  /**
   * Q(s, ·) of n observations.
   * @param obs n×obsDim, row-major.
   * @param out n×numActions, filled and returned (allocated when omitted).
   * @throws RangeError when `obs` is shorter than n×obsDim.
   */
  values(obs: ArrayLike<number>, n = 1, out: Float32Array = new Float32Array(n * this.net.numActions)): Float32Array {
    const nA = this.net.numActions;
    if (obs.length < n * this.net.obsDim) throw new RangeError(`HostQ.values: obs has ${obs.length} numbers, expected ${n}×${this.net.obsDim}`);
    if (!this.net.dueling) return this.body.apply(obs, n, out);
    const width = nA + 1; // [V, A₁ … A_|A|], combined as in duelingQ
    if (this.out.length < n * width) this.out = new Float32Array(n * width);
    const last = this.body.apply(obs, n, this.out);
    for (let row = 0; row < n; row++) {
      const o = row * width;
      let meanA = 0;
      for (let a = 0; a < nA; a++) meanA += last[o + 1 + a];
      meanA /= nA;
      for (let a = 0; a < nA; a++) out[row * nA + a] = last[o] + last[o + 1 + a] - meanA;
    }
    return out;
  }
}

/**
 * ε-greedy actions for a batch of states (Algorithm 1: "with probability ε select a random action
 * a_t, otherwise select a_t = argmax_a Q(φ(s_t), a; θ)"). Each row draws its own u ~ U[0, 1)
 * (CleanRL draws one for the whole batch); ties go to the first action.
 *
 * @param qValues Q(s, ·) of the batch, batch×numActions row-major.
 * @param numActions |A|.
 * @param epsilon ε ∈ [0, 1].
 * @param rng the stream of the draws.
 * @param out batch actions to fill (allocated when omitted).
 * @returns the actions, one per row.
 * @throws RangeError when ε is outside [0, 1] or qValues is not a whole number of rows.
 */
export function epsilonGreedy(qValues: ArrayLike<number>, numActions: number, epsilon: number, rng: Rng, out?: Int32Array): Int32Array {
  if (!(epsilon >= 0 && epsilon <= 1)) throw new RangeError(`epsilonGreedy: epsilon must be in [0, 1], got ${epsilon}`);
  if (!Number.isSafeInteger(numActions) || numActions < 1 || qValues.length % numActions !== 0) {
    throw new RangeError(`epsilonGreedy: qValues (length ${qValues.length}) must hold whole rows of numActions = ${numActions}`);
  }
  const n = qValues.length / numActions;
  const actions = out ?? new Int32Array(n);
  for (let i = 0; i < n; i++) {
    actions[i] = rng.random() < epsilon ? rng.integers(0, numActions) : argmaxAt(qValues, i * numActions, numActions);
  }
  return actions;
}

/**
 * Runs greedy (or ε-greedy) episodes of a Q-network and returns their undiscounted returns, as
 * CleanRL's `dqn_eval.py` (which uses ε = 0.05).
 * @param q the network (its current weights are read once).
 * @param env an env with Box observations, or a registered id for `make`.
 * @param episodes number of episodes; default 10.
 * @param seed seeds the first `reset` (later episodes continue the env's stream) and the ε draws; default 0.
 * @param epsilon ε of the ε-greedy policy; default 0 (greedy).
 * @returns one return per episode.
 * @throws RangeError when `episodes` is not a positive integer or ε is outside [0, 1]; TypeError when
 *   the env's observations do not match the network.
 */
export function evaluateDqn(q: QNetwork, env: Env<Float32Array, number> | string, episodes = 10, seed = 0, epsilon = 0): number[] {
  if (!Number.isSafeInteger(episodes) || episodes < 1) throw new RangeError(`evaluateDqn: episodes must be a positive integer, got ${episodes}`);
  if (!(epsilon >= 0 && epsilon <= 1)) throw new RangeError(`evaluateDqn: epsilon must be in [0, 1], got ${epsilon}`);
  const e: Env<Float32Array, number> = typeof env === "string" ? make<Float32Array, number>(env) : env;
  const space = e.observationSpace;
  if (!(space instanceof Box) || space.shape[0] !== q.obsDim) throw new TypeError(`evaluateDqn: the env's observation space ${space} does not match the network's input (${q.obsDim})`);
  const host = new HostQ(q);
  const rng = new Rng(seed);
  const qValues = new Float32Array(q.numActions);
  const action = new Int32Array(1);
  const returns: number[] = [];
  let [obs] = e.reset({ seed });
  for (let ep = 0; ep < episodes; ep++) {
    if (ep > 0) [obs] = e.reset();
    let total = 0;
    for (;;) {
      epsilonGreedy(host.values(obs, 1, qValues), q.numActions, epsilon, rng, action);
      const [next, reward, terminated, truncated] = e.step(action[0]);
      total += reward;
      obs = next;
      if (terminated || truncated) break;
    }
    returns.push(total);
  }
  if (typeof env === "string") e.close();
  return returns;
}
