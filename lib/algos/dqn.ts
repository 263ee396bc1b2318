/**
 * Deep Q-Networks (Mnih et al., "Human-level control through deep reinforcement learning", Nature
 * 2015), in the single-file style of CleanRL's `dqn.py`: one config schema ({@link DQN_SCHEMA}, one
 * line of documentation per field, CleanRL's defaults), then {@link trainDqn}, readable top to bottom
 * in the order of the paper's Algorithm 1, with each block commented with the line it implements.
 *
 * Options beyond the 2015 algorithm, each off by default:
 * - Double DQN (van Hasselt, Guez & Silver, AAAI 2016): {@link dqnTargets} with `nextQOnline`;
 * - dueling heads (Wang et al., ICML 2016): `duelingQ` (./q_network);
 * - prioritized replay (Schaul et al., ICLR 2016): importance weights in {@link dqnLoss};
 * - Huber loss, Polyak target updates (`tau` < 1), gradient clipping, several envs, several
 *   gradient steps per training phase (SB3's `gradient_steps`).
 *
 * The pieces the course's notebook teaches one at a time are exported: {@link dqnTargets} and
 * {@link dqnLoss} here; the Q-network (`qNetwork`, `duelingQ`, `HostQ`), `epsilonGreedy` and
 * `evaluateDqn` in ./q_network.
 *
 * Speed: acting uses a plain-JavaScript forward pass (`HostQ`) over a copy of the weights read
 * back once per training phase, so an env step creates no tensor; replay data stays in typed arrays;
 * one gradient update is one `FlatOptimizer.step` (targets in one `tf.tidy`, loss and gradient in the other).
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import { PrioritizedReplayBuffer } from "../buffers/prioritized";
import { ReplayBuffer, type ReplayBatch } from "../buffers/replay";
import { Box, Discrete, type EpisodeStatistics, makeVec, RecordEpisodeStatistics } from "../envs";
import { EpisodeLogger, type EpisodeRecord } from "../logging/episodes";
import { copyWeights } from "../nn/mlp";
import { FlatOptimizer } from "../nn/optim";
import { Rng } from "../random";
import { linearSchedule } from "../schedules";
import { argmaxAt } from "../tabular/qtable";
import { bool, type ConfigOf, field, layerSizes, nonNegative, nonNegativeInt, oneOf, orNull, positive, positiveFraction, positiveInt, resolveConfig, type Resolved, unitInterval } from "./config";
import { ENV_FIELDS, RUN_FIELDS } from "./on_policy";
import { epsilonGreedy, HostQ, type QNetwork, qNetwork } from "./q_network";

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
 * The fields of {@link DqnConfig}. Names are CleanRL's `dqn.py` arguments in camelCase (with the
 * library's shared names `env`, `totalSteps`, `maxGradNorm`, `targetReturn`, `returnWindow`); the
 * defaults ({@link DQN_DEFAULTS}) are CleanRL's for CartPole-v1. Steps count env steps summed over
 * all envs (CleanRL counts vector steps; the two agree for `numEnvs = 1`).
 */
export const DQN_SCHEMA = {
  /** Registered env id (a string only: no factory), with a Box observation space and Discrete actions. Default "CartPole-v1" (CleanRL `env_id`). */
  env: field<string>("CartPole-v1", (v) => (typeof v === "string" ? undefined : "a registered env id (a string)")),
  /** Options given to `make` for every env, e.g. `{ maxEpisodeSteps: 200 }`. Default none (`make`'s defaults). */
  envOptions: ENV_FIELDS.envOptions,
  /** Env steps to train for (all envs). Default 500 000 (CleanRL `total_timesteps`). */
  totalSteps: field(500_000, positiveInt),
  /** Adam's step size. Default 2.5e-4 (CleanRL `learning_rate`). */
  learningRate: field(2.5e-4, positive),
  /** Number of envs stepped together in a `SyncVectorEnv`. Default 1 (CleanRL `num_envs`). */
  numEnvs: field(1, positiveInt),
  /** Replay memory capacity N in transitions. Default 10 000 (CleanRL `buffer_size`). */
  bufferSize: field(10_000, positiveInt),
  /** Discount factor γ ∈ [0, 1]. Default 0.99 (CleanRL `gamma`). */
  gamma: field(0.99, unitInterval),
  /** Target update rate τ ∈ (0, 1]: θ⁻ ← τθ + (1 − τ)θ⁻, 1 = hard copy. Default 1 (CleanRL `tau`). */
  tau: field(1, positiveFraction),
  /** Env steps C between target-network updates. Default 500 (CleanRL `target_network_frequency`). */
  targetNetworkFrequency: field(500, positiveInt),
  /** Transitions per sampled minibatch. Default 128 (CleanRL `batch_size`). */
  batchSize: field(128, positiveInt),
  /** ε at the start of the linear exploration schedule. Default 1 (CleanRL `start_e`). */
  startE: field(1, unitInterval),
  /** ε at the end of the schedule and after it. Default 0.05 (CleanRL `end_e`). */
  endE: field(0.05, unitInterval),
  /** Fraction of `totalSteps` over which ε goes from `startE` to `endE`. Default 0.5 (CleanRL `exploration_fraction`). */
  explorationFraction: field(0.5, unitInterval),
  /** Env steps before learning starts. Default 10 000 (CleanRL `learning_starts`). */
  learningStarts: field(10_000, nonNegativeInt),
  /** Env steps between training phases. Default 10 (CleanRL `train_frequency`). */
  trainFrequency: field(10, positiveInt),
  /** Gradient updates per training phase. Default 1 (SB3's `gradient_steps`; CleanRL does 1). */
  gradientSteps: field(1, positiveInt),
  /** Hidden layer widths of the ReLU Q-network. Default [120, 84] (CleanRL's `QNetwork`). */
  hiddenSizes: field<number[]>([120, 84], layerSizes),
  /** Double DQN targets: the online network picks a′, the target network values it (van Hasselt et al. 2016). Default false. */
  doubleQ: field(false, bool),
  /** Dueling architecture: Q = V + A − mean_a A from a shared body (Wang et al. 2016). Default false. */
  dueling: field(false, bool),
  /** Proportional prioritized replay with importance weights in the loss (Schaul et al. 2016). Default false. */
  prioritizedReplay: field(false, bool),
  /** PER α ≥ 0: P(i) ∝ p_i^α. Default 0.6 (the paper's proportional variant). */
  priorityAlpha: field(0.6, nonNegative),
  /** PER β ∈ [0, 1] at step 0, annealed linearly to 1 at `totalSteps`. Default 0.4 (the paper). */
  priorityBeta0: field(0.4, unitInterval),
  /** PER ε > 0 in p_i = |δ_i| + ε. Default 1e-6. */
  priorityEpsilon: field(1e-6, positive),
  /** Regression loss on the TD error, "mse" or "huber". Default "mse" (CleanRL; SB3: "huber"). */
  lossFunction: field<DqnLossFunction>("mse", oneOf("mse", "huber")),
  /** Clip the global gradient norm to this before each Adam step; null: no clipping. Default null (CleanRL; SB3: 10). */
  maxGradNorm: field<number | null>(null, orNull(positive)),
  /** Adam's ε. Default 1e-8 (PyTorch's default, CleanRL). */
  adamEpsilon: field(1e-8, positive),
  /** Gradient updates between rows of `log.updates`. Default 10 (CleanRL logs every 100 steps = 10 updates). */
  logFrequency: field(10, positiveInt),
  ...RUN_FIELDS,
  /** Seed of everything: network init, ε draws, replay sampling, env resets (env i gets seed + i). Default 1 (CleanRL `seed`). */
  seed: field(1, nonNegativeInt),
};

/**
 * Configuration of {@link trainDqn}; every field is optional (see {@link DQN_SCHEMA} for the
 * defaults' sources).
 */
export type DqnConfig = ConfigOf<typeof DQN_SCHEMA> & {
  /**
   * Called at the end of every episode (with `episode`) and at every log row (with `last`);
   * return `false` to stop training early (as an SB3 callback).
   */
  onProgress?: (progress: DqnProgress) => void | boolean;
};

/** CleanRL's `dqn.py` defaults (tuned for CartPole-v1 over 500 000 steps): the resolved config of `trainDqn({})`. */
export const DQN_DEFAULTS: Readonly<Resolved<typeof DQN_SCHEMA>> = Object.freeze(resolveConfig(DQN_SCHEMA, {}, "trainDqn"));

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
export const DQN_FAST: Readonly<DqnConfig> = Object.freeze({
  totalSteps: 100_000,
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
export const DQN_PRESETS: Readonly<Record<string, Readonly<DqnConfig>>> = Object.freeze({
  "CartPole-v1": Object.freeze({ ...DQN_FAST, env: "CartPole-v1" }),
  "Acrobot-v1": Object.freeze({ ...DQN_FAST, env: "Acrobot-v1" }),
});

/** What {@link DqnConfig.onProgress} receives. */
export interface DqnProgress {
  /** Env steps taken so far (all envs). */
  globalStep: number;
  /** The step budget (`totalSteps`). */
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
  /** True when `onProgress` stopped the run before `totalSteps`. */
  stoppedEarly: boolean;
  /** Global step at which the mean return of the last `returnWindow` episodes first reached `targetReturn` (null if never, or no target). */
  solvedAtStep: number | null;
  /** Seconds from the start to that point (null if never). */
  solvedAtSeconds: number | null;
}

/** What {@link trainDqn} returns. */
export interface DqnResult {
  /** The trained online network Q(·; θ); call `agent.dispose()` when done with it. */
  agent: QNetwork;
  /** Episodes and training metrics. */
  log: DqnLog;
  /** The config with every default filled in (without `onProgress`). */
  config: Resolved<typeof DQN_SCHEMA>;
}

// ---------------------------------------------------------------------------------------------
// The pieces: targets and loss (the Q-network and ε-greedy acting are in ./q_network)
// ---------------------------------------------------------------------------------------------

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
    const a = argmaxAt(qO ?? qT, j * nA, nA); // ties: the first action
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
 * const { agent, log } = await trainDqn({ ...DQN_PRESETS["CartPole-v1"], seed: 1, onProgress: (p) => { if (p.episode) chart.push(p.episode.return) } });
 * evaluateDqn(agent, "CartPole-v1", 10, 0); // greedy returns
 * agent.dispose();
 * @param config fields of {@link DqnConfig} to change from {@link DQN_DEFAULTS}.
 * @returns the trained online network, the log and the resolved config.
 * @throws TypeError on an unknown config field or an env without Box observations and Discrete
 *   actions; RangeError on an invalid value; errors of `make` on an unknown env id.
 */
export async function trainDqn(config: DqnConfig = {}): Promise<DqnResult> {
  const c = resolveConfig(DQN_SCHEMA, config, "trainDqn");
  const { onProgress } = config;
  await initBackend();
  const rng = new Rng(c.seed);
  const [initRng, actionRng, replayRng] = rng.split(3);
  const envs = makeVec<Float32Array, number>(c.env, c.numEnvs, { envOptions: c.envOptions, wrappers: [(env) => new RecordEpisodeStatistics(env)] });
  if (!(envs.singleObservationSpace instanceof Box) || envs.singleObservationSpace.shape.length !== 1 || !(envs.singleActionSpace instanceof Discrete)) {
    throw new TypeError(`trainDqn: ${c.env} needs a 1-D Box observation space and Discrete actions, got ${envs.singleObservationSpace} / ${envs.singleActionSpace}`);
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
  const optimizer = new FlatOptimizer(q.weights, { kind: "adam", learningRate: c.learningRate, epsilon: c.adamEpsilon, maxGradNorm: c.maxGradNorm ?? undefined });
  // Initialize target action-value function Q̂ with weights θ⁻ = θ.
  const target = qNetwork({ obsDim, numActions: nA, hiddenSizes: c.hiddenSizes, dueling: c.dueling, rng: 0 });
  copyWeights(q, target);
  const actingQ = new HostQ(q); // θ on the host, for the ε-greedy forward pass

  const explorationSteps = c.explorationFraction * c.totalSteps;
  const epsilonAt = explorationSteps > 0 ? linearSchedule(c.startE, c.endE, explorationSteps) : () => c.endE;
  const betaAt = linearSchedule(c.priorityBeta0, 1, c.totalSteps);
  const logger = new EpisodeLogger(c.returnWindow, c.targetReturn);
  const log: DqnLog = { episodes: logger.episodes, updates: [], globalStep: 0, numUpdates: 0, seconds: 0, updateSeconds: 0, stoppedEarly: false, solvedAtStep: null, solvedAtSeconds: null };
  let globalStep = 0;
  const startTime = performance.now();
  let lastYield = startTime;
  const sps = () => Math.round(globalStep / Math.max(1e-9, (performance.now() - startTime) / 1000));
  const report = (epsilon: number, extra: { episode?: EpisodeRecord; last?: DqnUpdateRecord }): void => {
    const progress: DqnProgress = {
      globalStep,
      totalSteps: c.totalSteps,
      update: log.numUpdates,
      episodes: logger.episodes.length,
      meanReturn: logger.meanReturn(),
      epsilon,
      sps: sps(),
      seconds: (performance.now() - startTime) / 1000,
      ...extra,
    };
    if (onProgress && onProgress(progress) === false) log.stoppedEarly = true;
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
    while (globalStep < c.totalSteps && !log.stoppedEarly && logger.solvedAtStep === null) {
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

      if (onProgress && performance.now() - lastYield > 100) {
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
  return { agent: q, log, config: c };
}
