/** Batch arguments of the loss pieces: [B] tensors or plain numbers, with a length check. */
import * as tf from "@tensorflow/tfjs";

/** A [B] vector: a tensor (inside a gradient tape) or numbers (constants). */
export type Vec = tf.Tensor1D | ArrayLike<number>;

/** `x` as a tensor (numbers are copied into a new float32 tensor). */
export function asTensor(x: Vec): tf.Tensor1D {
  return x instanceof tf.Tensor ? x : tf.tensor1d(Float32Array.from(x));
}

/**
 * Checks that every named vector has length B.
 * @throws RangeError naming the first that does not, or on B = 0.
 */
export function checkLengths(where: string, B: number, named: Record<string, Vec>): void {
  if (B === 0) throw new RangeError(`${where}: empty batch`);
  for (const [name, x] of Object.entries(named)) {
    const n = x instanceof tf.Tensor ? x.shape[0] : x.length;
    if (n !== B) throw new RangeError(`${where}: ${name} has length ${n}, expected ${B} (the length of logProbs)`);
  }
}
