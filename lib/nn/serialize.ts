/**
 * Network weights to and from plain JSON: a list of `{ name, shape, dtype, values }`.
 *
 * Round trips are exact: a float32 value is written as the float64 number it equals, which
 * `JSON.stringify` prints with enough digits to read back the same number; NaN, ±Infinity and −0,
 * which JSON cannot carry, are written as the strings "NaN", "Infinity", "-Infinity" and "-0".
 */
import * as tf from "@tensorflow/tfjs";

/** A tensor with a stable name (e.g. "0.weight"), independent of tfjs's global variable names. */
export interface NamedTensor {
  /** Stable name, unique within a document. */
  name: string;
  /** The values. */
  tensor: tf.Tensor;
}

/** One serialised tensor. */
export interface SerializedTensor {
  /** Stable name, unique within a document. */
  name: string;
  /** Tensor shape; the values fill it row-major. */
  shape: number[];
  /** Element type. */
  dtype: "float32" | "int32" | "bool";
  /** Row-major values; NaN, ±Infinity and −0 as the strings "NaN", "Infinity", "-Infinity", "-0". */
  values: (number | "NaN" | "Infinity" | "-Infinity" | "-0")[];
}

/** The JSON document of a set of weights. */
export interface WeightsJSON {
  /** Identifies the document type. */
  format: "rl-course/weights";
  /** Format version. */
  version: 1;
  /** The tensors, in order. */
  weights: SerializedTensor[];
}

function encode(x: number): SerializedTensor["values"][number] {
  if (Object.is(x, -0)) return "-0";
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
}

function decode(x: unknown, where: string): number {
  if (typeof x === "number") return x;
  if (x === "NaN") return NaN;
  if (x === "-0") return -0;
  if (x === "Infinity") return Infinity;
  if (x === "-Infinity") return -Infinity;
  throw new TypeError(`${where}: ${JSON.stringify(x)} is not a number`);
}

/**
 * Serialises tensors (their current values, read synchronously) into a {@link WeightsJSON} object;
 * `JSON.stringify` it to save.
 * @param weights named tensors in order, or a name → tensor record.
 * @throws TypeError on a duplicate name or a dtype other than float32, int32 or bool.
 */
export function weightsToJSON(weights: readonly NamedTensor[] | Record<string, tf.Tensor>): WeightsJSON {
  const list: NamedTensor[] = Array.isArray(weights)
    ? [...(weights as readonly NamedTensor[])]
    : Object.entries(weights as Record<string, tf.Tensor>).map(([name, tensor]) => ({ name, tensor }));
  const seen = new Set<string>();
  const out: SerializedTensor[] = [];
  for (const { name, tensor } of list) {
    if (seen.has(name)) throw new TypeError(`weightsToJSON: duplicate name ${name}`);
    seen.add(name);
    const dtype = tensor.dtype;
    if (dtype !== "float32" && dtype !== "int32" && dtype !== "bool") throw new TypeError(`weightsToJSON: ${name} has unsupported dtype ${dtype}`);
    const values = Array.from(tensor.dataSync() as ArrayLike<number>, encode);
    out.push({ name, shape: [...tensor.shape], dtype, values });
  }
  return { format: "rl-course/weights", version: 1, weights: out };
}

/**
 * Parses and validates a {@link WeightsJSON} (object or JSON text).
 * @throws TypeError when it is not a weights document or a tensor's values do not fill its shape.
 */
export function parseWeightsJSON(json: WeightsJSON | string): WeightsJSON {
  const doc = (typeof json === "string" ? JSON.parse(json) : json) as WeightsJSON;
  if (doc === null || typeof doc !== "object" || doc.format !== "rl-course/weights" || doc.version !== 1 || !Array.isArray(doc.weights)) {
    throw new TypeError('not an rl-course weights document (expected format "rl-course/weights", version 1)');
  }
  for (const w of doc.weights) {
    if (typeof w.name !== "string" || !Array.isArray(w.shape) || !Array.isArray(w.values)) throw new TypeError(`malformed weight entry ${JSON.stringify(w).slice(0, 80)}`);
    if (!w.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new TypeError(`${w.name}: bad shape [${w.shape.join(", ")}]`);
    if (!["float32", "int32", "bool"].includes(w.dtype)) throw new TypeError(`${w.name}: unsupported dtype ${w.dtype}`);
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (w.values.length !== size) throw new TypeError(`${w.name}: ${w.values.length} values for shape [${w.shape.join(", ")}] (${size})`);
  }
  return doc;
}

/**
 * New tensors from a {@link WeightsJSON} (object or JSON text), in document order; the caller disposes them.
 * @throws TypeError as {@link parseWeightsJSON}.
 */
export function weightsFromJSON(json: WeightsJSON | string): NamedTensor[] {
  return parseWeightsJSON(json).weights.map((w) => {
    const values = w.values.map((x, i) => decode(x, `${w.name}[${i}]`));
    const data = w.dtype === "float32" ? Float32Array.from(values) : Int32Array.from(values);
    return { name: w.name, tensor: tf.tensor(data, w.shape, w.dtype) };
  });
}

/**
 * Assigns saved values to existing variables, matched by name; every target must be present with
 * the same shape and dtype (extra entries in the document are an error too, to catch a wrong file).
 * @throws TypeError on a missing or extra name, or a shape or dtype mismatch; nothing is assigned then.
 */
export function loadWeights(targets: readonly { name: string; variable: tf.Variable }[], json: WeightsJSON | string): void {
  const doc = parseWeightsJSON(json);
  const byName = new Map(doc.weights.map((w) => [w.name, w]));
  const targetNames = new Set(targets.map((t) => t.name));
  for (const name of byName.keys()) if (!targetNames.has(name)) throw new TypeError(`loadWeights: the document has ${name}, which is not a target`);
  const decoded: { variable: tf.Variable; data: Float32Array | Int32Array; shape: number[]; dtype: SerializedTensor["dtype"] }[] = [];
  for (const { name, variable } of targets) {
    const w = byName.get(name);
    if (w === undefined) throw new TypeError(`loadWeights: ${name} is missing from the document`);
    if (w.shape.length !== variable.shape.length || w.shape.some((d, i) => d !== variable.shape[i])) {
      throw new TypeError(`loadWeights: ${name} has shape [${w.shape.join(", ")}], the variable [${variable.shape.join(", ")}]`);
    }
    if (w.dtype !== variable.dtype) throw new TypeError(`loadWeights: ${name} has dtype ${w.dtype}, the variable ${variable.dtype}`);
    const values = w.values.map((x, i) => decode(x, `${name}[${i}]`));
    decoded.push({ variable, data: w.dtype === "float32" ? Float32Array.from(values) : Int32Array.from(values), shape: w.shape, dtype: w.dtype });
  }
  for (const { variable, data, shape, dtype } of decoded) tf.tidy(() => variable.assign(tf.tensor(data, shape, dtype)));
}
