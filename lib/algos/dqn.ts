/**
 * Deep Q-Networks (Mnih et al., "Human-level control through deep reinforcement learning", Nature
 * 2015), in the single-file style of CleanRL's `dqn.py`: one config object ({@link DqnConfig}, one
 * line of documentation per field, CleanRL's defaults), then {@link trainDqn}, readable top to bottom
 * in the order of the paper's Algorithm 1, with each block commented with the line it implements.
 *
 * Options beyond the 2015 algorithm, each off by default:
 * - Double DQN (van Hasselt, Guez & Silver, AAAI 2016): {@link dqnTargets} with `nextQOnline`;
 * - dueling heads (Wang et al., ICML 2016): {@link duelingQ};
 * - prioritized replay (Schaul et al., ICLR 2016): importance weights in {@link dqnLoss};
 * - Huber loss, Polyak target updates (`tau` < 1), gradient clipping, several envs, several
 *   gradient steps per training phase (SB3's `gradient_steps`).
 *
 * The pieces the course's notebook teaches one at a time are exported: {@link epsilonGreedy},
 * {@link dqnTargets}, {@link duelingQ}, {@link dqnLoss}, the {@link QNetwork}, and
 * {@link evaluateDqn}.
 *
 * Speed: acting uses a plain-JavaScript forward pass ({@link HostQ}) over a copy of the weights read
 * back once per training phase, so an env step creates no tensor; replay data stays in typed arrays;
 * one gradient update is one `FlatOptimizer.step` (targets in one `tf.tidy`, loss and gradient in the other).
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import { PrioritizedReplayBuffer } from "../buffers/prioritized";
import { ReplayBuffer, type ReplayBatch } from "../buffers/replay";
import { Box, Discrete, type Env, type EpisodeStatistics, make, type MakeOptions, makeVec, RecordEpisodeStatistics } from "../envs";
import { HostMlp } from "../nn/host_mlp";
import { Mlp, mlp, copyWeights } from "../nn/mlp";
import { FlatOptimizer } from "../nn/optim";
import type { WeightsJSON } from "../nn/serialize";
import { Rng } from "../random";
import { linearSchedule } from "../schedules";
import { EpisodeLogger, type EpisodeRecord } from "./log";

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/** Which regression loss {@link dqnLoss} applies to the TD error δ = y − Q(s, a). */
export type DqnLossFunction =
  /** δ², averaged over the batch (CleanRL's `F.mse_loss`; Mnih et al. clip the error term instead). */
  | "mse"
  /** Huber with threshold 1: ½δ² for |δ| ≤ 1, |δ| − ½ beyond (PyTorch's `smooth_l1_loss`, SB3's DQN). */
  | "huber";

/**
 * Hyperparameters of {@link trainDqn}. Field names are CleanRL's `dqn.py` arguments in camelCase;
 * the defaults ({@link DQN_DEFAULTS}) are CleanRL's for CartPole-v1. Steps count env steps summed
 * over all envs (CleanRL counts vector steps; the two agree for `numEnvs = 1`).
 */
export interface DqnConfig {
  /** Registered env id, with a Box observation space and Discrete actions (CleanRL `env_id`); default "CartPole-v1". */
  envId: string;
  /** Options given to `make` for every env, e.g. `{ maxEpisodeSteps: 200 }`; default `{}`. */
  envOptions: MakeOptions;
  /** Seed of everything: network init, ε draws, replay sampling, env resets (env i gets seed + i) (`seed`); default 1. */
  seed: number;
  /** Env steps to train for (`total_timesteps`); default 500 000. */
  totalTimesteps: number;
  /** Adam's step size (`learning_rate`); default 2.5e-4. */
  learningRate: number;
  /** Number of envs stepped together in a `SyncVectorEnv` (`num_envs`); default 1. */
  numEnvs: number;
  /** Replay memory capacity N in transitions (`buffer_size`); default 10 000. */
  bufferSize: number;
  /** Discount factor γ (`gamma`); default 0.99. */
  gamma: number;
  /** Target update rate: θ⁻ ← τθ + (1 − τ)θ⁻, 1 = hard copy (`tau`); default 1. */
  tau: number;
  /** Env steps C between target-network updates (`target_network_frequency`); default 500. */
  targetNetworkFrequency: number;
  /** Transitions per sampled minibatch (`batch_size`); default 128. */
  batchSize: number;
  /** ε at the start of the linear exploration schedule (`start_e`); default 1. */
  startE: number;
  /** ε at the end of the schedule and after it (`end_e`); default 0.05. */
  endE: number;
  /** Fraction of `totalTimesteps` over which ε goes from `startE` to `endE` (`exploration_fraction`); default 0.5. */
  explorationFraction: number;
  /** Env steps before learning starts (`learning_starts`); default 10 000. */
  learningStarts: number;
  /** Env steps between training phases (`train_frequency`); default 10. */
  trainFrequency: number;
  /** Gradient updates per training phase (SB3's `gradient_steps`; CleanRL does 1); default 1. */
  gradientSteps: number;
  /** Hidden layer widths of the ReLU Q-network (CleanRL's `QNetwork`: 120, 84); default [120, 84]. */
  hiddenSizes: number[];
  /** Double DQN targets: the online network picks a′, the target network values it (van Hasselt et al. 2016); default false. */
  doubleQ: boolean;
  /** Dueling architecture: Q = V + A − mean_a A from a shared body (Wang et al. 2016); default false. */
  dueling: boolean;
  /** Proportional prioritized replay with importance weights in the loss (Schaul et al. 2016); default false. */
  prioritizedReplay: boolean;
  /** PER α: P(i) ∝ p_i^α (the paper's proportional variant: 0.6); default 0.6. */
  priorityAlpha: number;
  /** PER β at step 0, annealed linearly to 1 at `totalTimesteps` (paper: 0.4); default 0.4. */
  priorityBeta0: number;
  /** PER ε in p_i = |δ_i| + ε; default 1e-6. */
  priorityEpsilon: number;
  /** Regression loss on the TD error (CleanRL: "mse"; SB3: "huber"); default "mse". */
  lossFunction: DqnLossFunction;
  /** Clip the global gradient norm to this before each Adam step (SB3: 10); default none. */
  maxGradNorm: number | undefined;
  /** Adam's ε (PyTorch's default); default 1e-8. */
  adamEpsilon: number;
  /** Gradient updates between rows of `log.updates` (CleanRL logs every 100 steps = 10 updates); default 10. */
  logFrequency: number;
  /** Stop once the mean return of the last `returnWindow` episodes reaches this; default none (use the whole budget). */
  targetReturn: number | undefined;
  /** Episodes in the moving mean of `targetReturn` and of the progress reports; default 20. */
  returnWindow: number;
  /**
   * Called at the end of every episode (with `episode`) and at every log row (with `last`);
   * return `false` to stop training early (as an SB3 callback). Default none.
   */
  onProgress: ((progress: DqnProgress) => void | boolean) | undefined;
}

/** CleanRL's `dqn.py` defaults (tuned for CartPole-v1 over 500 000 steps). */
export const DQN_DEFAULTS: Readonly<DqnConfig> = Object.freeze({
  envId: "CartPole-v1",
  envOptions: {},
  seed: 1,
  totalTimesteps: 500_000,
  learningRate: 2.5e-4,
  numEnvs: 1,
  bufferSize: 10_000,
  gamma: 0.99,
  tau: 1,
  targetNetworkFrequency: 500,
  batchSize: 128,
  startE: 1,
  endE: 0.05,
  explorationFraction: 0.5,
  learningStarts: 10_000,
  trainFrequency: 10,
  gradientSteps: 1,
  hiddenSizes: [120, 84],
  doubleQ: false,
  dueling: false,
  prioritizedReplay: false,
  priorityAlpha: 0.6,
  priorityBeta0: 0.4,
  priorityEpsilon: 1e-6,
  lossFunction: "mse",
  maxGradNorm: undefined,
  adamEpsilon: 1e-8,
  logFrequency: 10,
  targetReturn: undefined,
  returnWindow: 20,
  onProgress: undefined,
});

/**
 * The settings of {@link DQN_PRESETS}, tuned on this project's 2-core machine (wasm backend) so that
 * CartPole-v1 and Acrobot-v1 reach their thresholds in few gradient updates. They start from RL
 * Baselines3 Zoo's CartPole-v1 entry in `hyperparams/dqn.yml` (learning_rate 2.3e-3, batch_size 64,
 * buffer_size 100k, learning_starts 1000, gamma 0.99, target_update_interval 10, train_freq 256,
 * gradient_steps 128, exploration_fraction 0.16, exploration_final_eps 0.04, net_arch [256, 256]; SB3's
 * DQN: Huber loss, max_grad_norm 10) and change:
 * - a 64-64 network and 64 gradient steps per 256 env steps (each update costs ~1/3 of a 256-256
 *   one, and half as many of them);
 * - learning rate 1e-3 and batch 128 (with 2.3e-3, or with batch 64, fewer seeds reached 475);
 * - ε from 1 to 0.01 over the first 10% of the steps (the zoo: 0.04 over 16%);
 * - Double DQN and prioritized replay (two of Rainbow's components, Hessel et al. 2018): the plain
 *   version reached CartPole's 475 on 6 of 7 seeds, this one on 7 of 8, in fewer steps.
 * The target network is copied every 10 steps, i.e. once after every training phase: each phase
 * regresses on targets from the previous phase's network (fitted Q iteration). Copying it after
 * fewer updates (16 per 64 steps) diverged.
 */
export const DQN_FAST: Readonly<Partial<DqnConfig>> = Object.freeze({
  totalTimesteps: 100_000,
  learningRate: 1e-3,
  batchSize: 128,
  bufferSize: 100_000,
  learningStarts: 1000,
  gamma: 0.99,
  targetNetworkFrequency: 10,
  trainFrequency: 256,
  gradientSteps: 64,
  explorationFraction: 0.1,
  endE: 0.01,
  hiddenSizes: [64, 64],
  lossFunction: "huber",
  maxGradNorm: 10,
  doubleQ: true,
  prioritizedReplay: true,
});

/**
 * Per-env settings that learn fast in wall-clock time ({@link DQN_FAST} for both); spread one into
 * the config and override what you like: `trainDqn({ ...DQN_PRESETS["CartPole-v1"], seed: 3 })`.
 * Measured (bench/dqn.ts): the mean of the last 20 training returns reaches 475 on CartPole-v1
 * after ~40–60k env steps, −100 on Acrobot-v1 after ~20–60k.
 */
export const DQN_PRESETS: Readonly<Record<string, Readonly<Partial<DqnConfig>>>> = Object.freeze({
  "CartPole-v1": Object.freeze({ ...DQN_FAST, envId: "CartPole-v1" }),
  "Acrobot-v1": Object.freeze({ ...DQN_FAST, envId: "Acrobot-v1" }),
});

/** What {@link DqnConfig.onProgress} receives. */
export interface DqnProgress {
  /** Env steps taken so far (all envs). */
  globalStep: number;
  /** The step budget (`totalTimesteps`). */
  totalSteps: number;
  /** Gradient updates done so far. */
  update: number;
  /** Episodes finished so far. */
  episodes: number;
  /** Mean return of the last `returnWindow` episodes (NaN before the first). */
  meanReturn: number;
  /** ε of the behaviour policy at this step. */
  epsilon: number;
  /** Env steps per second since training started. */
  sps: number;
  /** Seconds since training started. */
  seconds: number;
  /** The episode that just ended (episode-end calls only). */
  episode?: EpisodeRecord;
  /** The log row just written (log-row calls only). */
  last?: DqnUpdateRecord;
}

/** One row of training metrics, every `logFrequency` updates. */
export interface DqnUpdateRecord {
  /** Env steps (all envs) at the update. */
  globalStep: number;
  /** Gradient updates done, including this one. */
  update: number;
  /** The minibatch loss before the update (`losses/td_loss`). */
  tdLoss: number;
  /** Mean Q(s_j, a_j) over the minibatch (`losses/q_values`). */
  qValues: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** ε at this step. */
  epsilon: number;
  /** Env steps per second since the start (`charts/SPS`). */
  sps: number;
}

/** The log of a {@link trainDqn} run; `toDataFrame(log.episodes)` makes a table of it. */
export interface DqnLog {
  /** Every finished training episode (of the ε-greedy behaviour policy), in order. */
  episodes: EpisodeRecord[];
  /** A row of metrics every `logFrequency` gradient updates. */
  updates: DqnUpdateRecord[];
  /** Env steps taken (all envs). */
  globalStep: number;
  /** Gradient updates done. */
  numUpdates: number;
  /** Wall-clock seconds of the whole run. */
  seconds: number;
  /** Seconds spent in gradient updates (sampling, targets, loss, Adam, priority updates). */
  updateSeconds: number;
  /** True when `onProgress` stopped the run before `totalTimesteps`. */
  stoppedEarly: boolean;
  /** Global step at which the mean return of the last `returnWindow` episodes first reached `targetReturn` (null if never, or no target). */
  solvedAtStep: number | null;
  /** Seconds from the start to that point (null if never). */
  solvedAtSeconds: number | null;
}

/** What {@link trainDqn} returns. */
export interface DqnResult {
  /** The trained online network Q(·; θ); call `q.dispose()` when done with it. */
  q: QNetwork;
  /** Episodes and training metrics. */
  log: DqnLog;
  /** The resolved configuration (defaults filled in). */
  config: DqnConfig;
}

const CONFIG_KEYS = Object.keys(DQN_DEFAULTS) as (keyof DqnConfig)[];

function positiveInt(c: DqnConfig, key: keyof DqnConfig, min = 1): void {
  const v = c[key] as number;
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`trainDqn: ${key} must be an integer >= ${min}, got ${String(v)}`);
}

function inRange(c: DqnConfig, key: keyof DqnConfig, lo: number, hi: number, loOpen = false): void {
  const v = c[key] as number;
  if (typeof v !== "number" || !(loOpen ? v > lo : v >= lo) || !(v <= hi)) {
    throw new RangeError(`trainDqn: ${key} must be in ${loOpen ? "(" : "["}${lo}, ${hi}], got ${String(v)}`);
  }
}

/**
 * Fills in {@link DQN_DEFAULTS} and checks every field.
 * @throws TypeError on an unknown field; RangeError on a value out of range.
 */
export function resolveDqnConfig(config: Partial<DqnConfig> = {}): DqnConfig {
  for (const key of Object.keys(config)) {
    if (!(CONFIG_KEYS as string[]).includes(key)) throw new TypeError(`trainDqn: unknown config field '${key}' (known: ${CONFIG_KEYS.join(", ")})`);
  }
  const defined = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
  const c: DqnConfig = { ...DQN_DEFAULTS, ...defined };
  if (typeof c.envId !== "string") throw new TypeError(`trainDqn: envId must be a string, got ${String(c.envId)}`);
  positiveInt(c, "seed", 0);
  for (const k of ["totalTimesteps", "numEnvs", "bufferSize", "targetNetworkFrequency", "batchSize", "trainFrequency", "gradientSteps", "logFrequency", "returnWindow"] as const) positiveInt(c, k);
  if (c.targetReturn !== undefined && !Number.isFinite(c.targetReturn)) throw new RangeError(`trainDqn: targetReturn must be a finite number, got ${String(c.targetReturn)}`);
  positiveInt(c, "learningStarts", 0);
  inRange(c, "learningRate", 0, Infinity, true);
  inRange(c, "gamma", 0, 1);
  inRange(c, "tau", 0, 1, true);
  inRange(c, "startE", 0, 1);
  inRange(c, "endE", 0, 1);
  inRange(c, "explorationFraction", 0, 1);
  inRange(c, "priorityAlpha", 0, Infinity);
  inRange(c, "priorityBeta0", 0, 1);
  inRange(c, "priorityEpsilon", 0, Infinity, true);
  inRange(c, "adamEpsilon", 0, Infinity, true);
  if (c.maxGradNorm !== undefined) inRange(c, "maxGradNorm", 0, Infinity, true);
  if (c.lossFunction !== "mse" && c.lossFunction !== "huber") throw new RangeError(`trainDqn: lossFunction must be "mse" or "huber", got ${String(c.lossFunction)}`);
  if (!Array.isArray(c.hiddenSizes) || !c.hiddenSizes.every((h) => Number.isSafeInteger(h) && h >= 1)) {
    throw new RangeError(`trainDqn: hiddenSizes must be an array of positive integers, got ${JSON.stringify(c.hiddenSizes)}`);
  }
  c.hiddenSizes = [...c.hiddenSizes]; // a copy: the defaults and presets stay untouched
  if (c.onProgress !== undefined && typeof c.onProgress !== "function") throw new TypeError("trainDqn: onProgress must be a function");
  return c;
}

// ---------------------------------------------------------------------------------------------
// The pieces: Q-network, ε-greedy, targets, loss
// ---------------------------------------------------------------------------------------------

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

/** Index of the largest of `values[offset … offset + n − 1]`, relative to `offset` (the first on ties). */
function argmax(values: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let a = 1; a < n; a++) if (values[offset + a] > values[offset + best]) best = a;
  return best;
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
    actions[i] = rng.random() < epsilon ? rng.integers(0, numActions) : argmax(qValues, i * numActions, numActions);
  }
  return actions;
}

/**
 * The DQN regression targets (Algorithm 1: "set y_j = r_j if the episode terminates at step j + 1,
 * otherwise y_j = r_j + γ max_a′ Q̂(φ_{j+1}, a′; θ⁻)"):
 * - DQN: y = r + γ(1 − terminated) · max_a′ Q_target(s′, a′);
 * - Double DQN (pass `nextQOnline`): y = r + γ(1 − terminated) · Q_target(s′, argmax_a′ Q_online(s′, a′))
 *   (van Hasselt, Guez & Silver 2016, eq. 4): the online network selects, the target evaluates.
 * A transition cut by a time limit has terminated = 0 and bootstraps.
 *
 * Works on tensors (inside `tf.tidy`; no gradient should flow through it) or on typed arrays.
 * @param rewards r, [B].
 * @param terminated 1 (or true) where s′ is terminal, [B].
 * @param nextQTarget Q_target(s′, ·), [B, numActions] (flat B×numActions for arrays).
 * @param gamma γ ∈ [0, 1].
 * @param nextQOnline Q_online(s′, ·), same shape: gives Double DQN targets.
 * @returns y, [B] (`Float32Array` for arrays).
 * @throws RangeError when the shapes disagree or γ is outside [0, 1].
 */
export function dqnTargets(rewards: tf.Tensor1D, terminated: tf.Tensor1D, nextQTarget: tf.Tensor2D, gamma: number, nextQOnline?: tf.Tensor2D): tf.Tensor1D;
export function dqnTargets(rewards: ArrayLike<number>, terminated: ArrayLike<number | boolean>, nextQTarget: ArrayLike<number>, gamma: number, nextQOnline?: ArrayLike<number>): Float32Array;
export function dqnTargets(
  rewards: tf.Tensor1D | ArrayLike<number>,
  terminated: tf.Tensor1D | ArrayLike<number | boolean>,
  nextQTarget: tf.Tensor2D | ArrayLike<number>,
  gamma: number,
  nextQOnline?: tf.Tensor2D | ArrayLike<number>,
): tf.Tensor1D | Float32Array {
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`dqnTargets: gamma must be in [0, 1], got ${gamma}`);
  if (rewards instanceof tf.Tensor) {
    const [r, d, qT] = [rewards, terminated as tf.Tensor1D, nextQTarget as tf.Tensor2D];
    const qO = nextQOnline as tf.Tensor2D | undefined;
    const B = r.shape[0];
    if (r.rank !== 1 || d.rank !== 1 || d.shape[0] !== B || qT.rank !== 2 || qT.shape[0] !== B || (qO && qO.shape.join() !== qT.shape.join())) {
      throw new RangeError(`dqnTargets: shapes rewards [${r.shape}], terminated [${d.shape}], nextQTarget [${qT.shape}]${qO ? `, nextQOnline [${qO.shape}]` : ""} do not fit`);
    }
    return tf.tidy(() => {
      // (oneHot as int32, then cast: tfjs-wasm 4.22's oneHot with dtype float32 returns zeros.)
      const next = qO === undefined ? tf.max(qT, 1) : tf.sum(tf.mul(qT, tf.cast(tf.oneHot(tf.argMax(qO, 1), qT.shape[1]), "float32")), 1);
      return tf.add(r, tf.mul(tf.mul(tf.sub(1, d), gamma), next)) as tf.Tensor1D;
    });
  }
  const r = rewards;
  const d = terminated as ArrayLike<number | boolean>;
  const qT = nextQTarget as ArrayLike<number>;
  const qO = nextQOnline as ArrayLike<number> | undefined;
  const B = r.length;
  const nA = B > 0 ? qT.length / B : 0;
  if (d.length !== B || !Number.isInteger(nA) || (B > 0 && nA < 1) || (qO !== undefined && qO.length !== qT.length)) {
    throw new RangeError(`dqnTargets: lengths rewards ${B}, terminated ${d.length}, nextQTarget ${qT.length}${qO ? `, nextQOnline ${qO.length}` : ""} do not fit`);
  }
  const y = new Float32Array(B);
  for (let j = 0; j < B; j++) {
    const a = argmax(qO ?? qT, j * nA, nA);
    y[j] = r[j] + (d[j] ? 0 : gamma * qT[j * nA + a]);
  }
  return y;
}

/**
 * The minibatch loss (1/B) Σ_j w_j ℓ(y_j − Q(s_j, a_j; θ)), ℓ the squared error or Huber
 * ({@link DqnLossFunction}); w_j are prioritized replay's importance-sampling weights (Schaul et al.
 * 2016, Algorithm 1 line 12), all 1 when omitted. Gradients flow into `qTaken` only: compute
 * `targets` without a gradient ({@link dqnTargets} outside the gradient tape).
 * @param qTaken Q(s_j, a_j; θ), [B].
 * @param targets y_j, [B].
 * @param lossFunction default "mse".
 * @param weights w_j, [B]; default none.
 * @returns a scalar tensor.
 * @throws RangeError when the shapes differ.
 */
export function dqnLoss(qTaken: tf.Tensor1D, targets: tf.Tensor1D, lossFunction: DqnLossFunction = "mse", weights?: tf.Tensor1D): tf.Scalar {
  if (qTaken.shape.join() !== targets.shape.join() || (weights && weights.shape.join() !== qTaken.shape.join())) {
    throw new RangeError(`dqnLoss: shapes qTaken [${qTaken.shape}], targets [${targets.shape}]${weights ? `, weights [${weights.shape}]` : ""} differ`);
  }
  return tf.tidy(() => {
    const delta = tf.sub(targets, qTaken);
    let perSample: tf.Tensor;
    if (lossFunction === "mse") perSample = tf.square(delta);
    else if (lossFunction === "huber") {
      const abs = tf.abs(delta);
      const quadratic = tf.minimum(abs, 1);
      perSample = tf.add(tf.mul(0.5, tf.square(quadratic)), tf.sub(abs, quadratic));
    } else throw new RangeError(`dqnLoss: lossFunction must be "mse" or "huber", got ${String(lossFunction)}`);
    if (weights) perSample = tf.mul(weights, perSample);
    return tf.mean(perSample) as tf.Scalar;
  });
}

// ---------------------------------------------------------------------------------------------
// Training: Algorithm 1 of Mnih et al. (2015)
// ---------------------------------------------------------------------------------------------

/** Yields to the event loop (so a notebook's live chart and interrupts get through). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Trains a DQN agent (Mnih et al. 2015, Algorithm 1, with the options of {@link DqnConfig}).
 * Awaits `initBackend()` first. Reproducible from `config.seed` (on the same backend).
 *
 * @example
 * const { q, log } = await trainDqn({ ...DQN_PRESETS["CartPole-v1"], seed: 1, onProgress: (p) => { if (p.episode) chart.push(p.episode.return) } });
 * evaluateDqn(q, "CartPole-v1", 10, 0); // greedy returns
 * q.dispose();
 * @param config fields of {@link DqnConfig} to change from {@link DQN_DEFAULTS}.
 * @returns the trained online network, the log and the resolved config.
 * @throws TypeError on an unknown config field or an env without Box observations and Discrete
 *   actions; RangeError on an invalid value; errors of `make` on an unknown env id.
 */
export async function trainDqn(config: Partial<DqnConfig> = {}): Promise<DqnResult> {
  const c = resolveDqnConfig(config);
  await initBackend();
  const rng = new Rng(c.seed);
  const [initRng, actionRng, replayRng] = rng.split(3);
  const envs = makeVec<Float32Array, number>(c.envId, c.numEnvs, { envOptions: c.envOptions, wrappers: [(env) => new RecordEpisodeStatistics(env)] });
  if (!(envs.singleObservationSpace instanceof Box) || envs.singleObservationSpace.shape.length !== 1 || !(envs.singleActionSpace instanceof Discrete)) {
    throw new TypeError(`trainDqn: ${c.envId} needs a 1-D Box observation space and Discrete actions, got ${envs.singleObservationSpace} / ${envs.singleActionSpace}`);
  }
  const obsDim = envs.obsDim;
  const nA = (envs.singleActionSpace as Discrete).n;
  const { numEnvs, batchSize: B, gamma } = c;

  // Initialize replay memory D to capacity N.
  const rb = c.prioritizedReplay
    ? new PrioritizedReplayBuffer<Int32Array>({ capacity: c.bufferSize, obsDim, alpha: c.priorityAlpha, epsilon: c.priorityEpsilon })
    : new ReplayBuffer<Int32Array>({ capacity: c.bufferSize, obsDim });
  // Initialize action-value function Q with random weights θ.
  const q = qNetwork({ obsDim, numActions: nA, hiddenSizes: c.hiddenSizes, dueling: c.dueling, rng: initRng });
  const optimizer = new FlatOptimizer(q.weights, { kind: "adam", learningRate: c.learningRate, epsilon: c.adamEpsilon, maxGradNorm: c.maxGradNorm });
  // Initialize target action-value function Q̂ with weights θ⁻ = θ.
  const target = qNetwork({ obsDim, numActions: nA, hiddenSizes: c.hiddenSizes, dueling: c.dueling, rng: 0 });
  copyWeights(q, target);
  const actingQ = new HostQ(q); // θ on the host, for the ε-greedy forward pass

  const explorationSteps = c.explorationFraction * c.totalTimesteps;
  const epsilonAt = explorationSteps > 0 ? linearSchedule(c.startE, c.endE, explorationSteps) : () => c.endE;
  const betaAt = linearSchedule(c.priorityBeta0, 1, c.totalTimesteps);
  const logger = new EpisodeLogger(c.returnWindow, c.targetReturn);
  const log: DqnLog = { episodes: logger.episodes, updates: [], globalStep: 0, numUpdates: 0, seconds: 0, updateSeconds: 0, stoppedEarly: false, solvedAtStep: null, solvedAtSeconds: null };
  let globalStep = 0;
  const startTime = performance.now();
  let lastYield = startTime;
  const sps = () => Math.round(globalStep / Math.max(1e-9, (performance.now() - startTime) / 1000));
  const report = (epsilon: number, extra: { episode?: EpisodeRecord; last?: DqnUpdateRecord }): void => {
    const progress: DqnProgress = {
      globalStep,
      totalSteps: c.totalTimesteps,
      update: log.numUpdates,
      episodes: logger.episodes.length,
      meanReturn: logger.meanReturn(),
      epsilon,
      sps: sps(),
      seconds: (performance.now() - startTime) / 1000,
      ...extra,
    };
    if (c.onProgress && c.onProgress(progress) === false) log.stoppedEarly = true;
  };

  // Preallocated per-step and per-update arrays.
  const qValues = new Float32Array(numEnvs * nA);
  const actions = new Int32Array(numEnvs);
  const episodeOver = new Uint8Array(numEnvs); // env i's next step is a reset (next-step autoreset)
  const per = rb instanceof PrioritizedReplayBuffer;
  const batch: ReplayBatch<Int32Array> & { weights: Float32Array } = { ...(per ? rb.storage : rb).allocBatch(B), weights: new Float32Array(B) };
  const actionMask = new Float32Array(B * nA);

  let [obs] = envs.reset({ seed: c.seed });
  try {
    while (globalStep < c.totalTimesteps && !log.stoppedEarly && logger.solvedAtStep === null) {
      // With probability ε select a random action a_t, otherwise select a_t = argmax_a Q(φ(s_t), a; θ).
      const epsilon = epsilonAt(globalStep);
      epsilonGreedy(actingQ.values(obs, numEnvs, qValues), nA, epsilon, actionRng, actions);

      // Execute action a_t in the emulator and observe reward r_t and image x_{t+1}.
      const [nextObs, rewards, terminations, truncations, infos] = envs.step(actions);
      const previousStep = globalStep;
      globalStep += numEnvs;

      // Store transition (φ_t, a_t, r_t, φ_{t+1}) in D. A step that only reset an env (next-step
      // autoreset) is no transition; a time-limit truncation stores terminated = false, so it bootstraps.
      for (let i = 0; i < numEnvs; i++) {
        if (!episodeOver[i]) rb.add(obs.subarray(i * obsDim, (i + 1) * obsDim), actions[i], rewards[i], nextObs.subarray(i * obsDim, (i + 1) * obsDim), terminations[i]);
        episodeOver[i] = terminations[i] || truncations[i] ? 1 : 0;
        const episode = infos[i].episode as EpisodeStatistics | undefined;
        if (episode !== undefined) {
          logger.add(episode.r, episode.l, globalStep);
          report(epsilon, { episode: logger.episodes[logger.episodes.length - 1] });
        }
      }
      obs = nextObs;

      // Learning starts after `learningStarts` steps; then every `trainFrequency` steps come
      // `gradientSteps` updates (CleanRL: 1 update every 10 steps; the paper: 1 every 4).
      const phases = globalStep > c.learningStarts ? Math.floor(globalStep / c.trainFrequency) - Math.floor(previousStep / c.trainFrequency) : 0;
      const t0 = performance.now();
      for (let k = 0; k < phases * c.gradientSteps && !log.stoppedEarly; k++) {
        // Sample random minibatch of transitions (φ_j, a_j, r_j, φ_{j+1}) from D
        // (with prioritized replay: P(j) ∝ p_j^α, and importance-sampling weights w_j).
        const data = per ? rb.sample(B, replayRng, betaAt(globalStep), batch) : rb.sample(B, replayRng, batch);

        // Set y_j = r_j if the episode terminates at step j + 1, otherwise r_j + γ max_a′ Q̂(φ_{j+1}, a′; θ⁻)
        // (Double DQN: r_j + γ Q̂(φ_{j+1}, argmax_a′ Q(φ_{j+1}, a′; θ); θ⁻)).
        const y = tf.tidy(() => {
          const nextObsT = tf.tensor2d(data.nextObs, [B, obsDim]);
          return dqnTargets(tf.tensor1d(data.rewards), tf.tensor1d(data.terminated), target.apply(nextObsT), gamma, c.doubleQ ? q.apply(nextObsT) : undefined);
        });

        // Perform a gradient descent step on (y_j − Q(φ_j, a_j; θ))² with respect to the network
        // parameters θ (Huber instead of the square when configured; weighted by w_j with PER).
        actionMask.fill(0);
        for (let j = 0; j < B; j++) actionMask[j * nA + data.actions[j]] = 1;
        const obsT = tf.tensor2d(data.obs, [B, obsDim]);
        const maskT = tf.tensor2d(actionMask, [B, nA]);
        const weightsT = per ? tf.tensor1d(batch.weights) : undefined;
        const logRow = (log.numUpdates + 1) % c.logFrequency === 0;
        let tdErrors: tf.Tensor | undefined;
        const result = optimizer.step(() => {
          const qTaken = tf.sum(tf.mul(q.apply(obsT), maskT), 1) as tf.Tensor1D; // Q(φ_j, a_j; θ) = Σ_a Q(φ_j, a; θ)·[a = a_j]
          if (per) tdErrors = tf.keep(tf.sub(y, qTaken));
          return { loss: dqnLoss(qTaken, y, c.lossFunction, weightsT), metrics: logRow ? { qValues: tf.mean(qTaken) as tf.Scalar } : undefined };
        });
        tf.dispose([y, obsT, maskT, ...(weightsT ? [weightsT] : [])]);
        // Prioritized replay: p_j ← |δ_j| + ε for the sampled transitions.
        if (per && tdErrors) {
          rb.updatePriorities(data.indices, tdErrors.dataSync());
          tdErrors.dispose();
        }
        log.numUpdates += 1;
        if (logRow) {
          const row: DqnUpdateRecord = { globalStep, update: log.numUpdates, tdLoss: result.loss, qValues: result.metrics.qValues, gradNorm: result.gradNorm, epsilon, sps: sps() };
          log.updates.push(row);
          report(epsilon, { last: row });
        }
      }
      if (phases > 0) {
        actingQ.sync(); // the acting copy of θ follows the updates
        log.updateSeconds += (performance.now() - t0) / 1000;
      }

      // Every C steps reset Q̂ = Q (Polyak averaging θ⁻ ← τθ + (1 − τ)θ⁻ when τ < 1).
      if (globalStep > c.learningStarts && Math.floor(globalStep / c.targetNetworkFrequency) > Math.floor(previousStep / c.targetNetworkFrequency)) {
        copyWeights(q, target, c.tau);
      }

      if (c.onProgress && performance.now() - lastYield > 100) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  } catch (err) {
    q.dispose();
    throw err;
  } finally {
    target.dispose();
    optimizer.dispose();
    envs.close();
  }
  log.globalStep = globalStep;
  log.seconds = (performance.now() - startTime) / 1000;
  log.solvedAtStep = logger.solvedAtStep;
  log.solvedAtSeconds = logger.solvedAtSeconds;
  return { q, log, config: c };
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
