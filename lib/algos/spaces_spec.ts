/**
 * How a policy network sees a Gymnasium space: observations encoded as float rows (a Discrete
 * observation one-hot, a Box flattened) and actions as indices into a Discrete space or rows of a Box
 * ({@link SpacesSpec}), with the converters between env values and the batch arrays the networks read.
 */
import { Box, Discrete, type Space } from "../envs/spaces";

/** The action space as the policy sees it. */
export type ActionSpec =
  /** `n` actions; the env receives `start + k` for the sampled index k. */
  | { kind: "discrete"; n: number; start: number }
  /** Real vectors of dimension `dim`; the env receives the sample clipped to [low, high]. */
  | { kind: "continuous"; dim: number; low: Float32Array; high: Float32Array };

/** Observation and action spaces reduced to what the networks need. */
export interface SpacesSpec {
  /** Width of the network input: the Box dimension, or n for a Discrete space (one-hot). */
  obsDim: number;
  /** For a Discrete observation space {start, …, start + n − 1}: its `start` (the one-hot index is obs − start); null for a Box. */
  obsStart: number | null;
  /** The action space. */
  action: ActionSpec;
}

/**
 * Reads an env's spaces: a one-dimensional Box or a Discrete observation space (one-hot encoded),
 * a Discrete or one-dimensional Box action space.
 * @throws TypeError for any other space.
 */
export function spacesSpec(observationSpace: Space<unknown>, actionSpace: Space<unknown>): SpacesSpec {
  let obsDim: number;
  let obsStart: number | null = null;
  if (observationSpace instanceof Box && observationSpace.shape.length === 1) obsDim = observationSpace.shape[0];
  else if (observationSpace instanceof Discrete) {
    obsDim = observationSpace.n;
    obsStart = observationSpace.start;
  } else throw new TypeError(`policy: observation space ${String(observationSpace)} is neither a 1-D Box nor Discrete`);
  let action: ActionSpec;
  if (actionSpace instanceof Discrete) action = { kind: "discrete", n: actionSpace.n, start: actionSpace.start };
  else if (actionSpace instanceof Box && actionSpace.shape.length === 1) {
    action = { kind: "continuous", dim: actionSpace.shape[0], low: actionSpace.low, high: actionSpace.high };
  } else throw new TypeError(`policy: action space ${String(actionSpace)} is neither Discrete nor a 1-D Box`);
  return { obsDim, obsStart, action };
}

/** Numbers per stored action: 1 (discrete) or D (continuous). */
export function actionWidth(spec: SpacesSpec): number {
  return spec.action.kind === "discrete" ? 1 : spec.action.dim;
}

/**
 * Writes one observation as network input row `row` of `out` (a copy of a Box observation, or the
 * one-hot vector of a Discrete one).
 * @param out [rows, spec.obsDim], row-major.
 */
export function writeObs(spec: SpacesSpec, obs: number | ArrayLike<number>, out: Float32Array, row: number): void {
  const d = spec.obsDim;
  const base = row * d;
  if (spec.obsStart === null) {
    const o = obs as ArrayLike<number>;
    for (let k = 0; k < d; k++) out[base + k] = o[k];
  } else {
    out.fill(0, base, base + d);
    out[base + (obs as number) - spec.obsStart] = 1;
  }
}

/**
 * Writes a vector env's batched observations (Box: rows×d numbers; Discrete: one integer per row) as
 * network inputs, rows×obsDim.
 */
export function writeBatchObs(spec: SpacesSpec, obs: Float32Array | Int32Array, rows: number, out: Float32Array): void {
  if (spec.obsStart === null) {
    out.set(obs.subarray(0, rows * spec.obsDim));
    return;
  }
  for (let i = 0; i < rows; i++) writeObs(spec, obs[i], out, i);
}

/**
 * The action to give the env for stored action row `row`: `start + k` for a discrete index k, or a new
 * `Float32Array` clipped to the Box bounds (as SB3 clips; the unclipped sample is what the policy's
 * log-probability is computed on).
 */
export function envAction(spec: SpacesSpec, actions: Int32Array | Float32Array, row: number): number | Float32Array {
  const a = spec.action;
  if (a.kind === "discrete") return a.start + actions[row];
  const out = new Float32Array(a.dim);
  for (let k = 0; k < a.dim; k++) out[k] = Math.min(Math.max(actions[row * a.dim + k], a.low[k]), a.high[k]);
  return out;
}

/**
 * Writes the actions of all rows in the form a `SyncVectorEnv` takes: `start + k` per env (discrete),
 * or numEnvs×D numbers clipped to the Box (continuous).
 * @param out Int32Array [rows] or Float32Array [rows·D].
 */
export function writeEnvActions(spec: SpacesSpec, actions: Int32Array | Float32Array, rows: number, out: Int32Array | Float32Array): void {
  const a = spec.action;
  if (a.kind === "discrete") {
    for (let i = 0; i < rows; i++) out[i] = a.start + actions[i];
    return;
  }
  const D = a.dim;
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < D; k++) out[i * D + k] = Math.min(Math.max(actions[i * D + k], a.low[k]), a.high[k]);
  }
}
