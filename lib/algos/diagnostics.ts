/**
 * Training diagnostics shared by the on-policy algorithms (PPO, TRPO): numbers logged to judge an
 * update, never part of a loss.
 */
import * as tf from "@tensorflow/tfjs";
import { asTensor, checkLengths, type Vec } from "./vec";

/**
 * Explained variance of value predictions, 1 − Var[y − ŷ] / Var[y] (population variances): 1 for
 * perfect predictions, 0 for predicting the mean, negative when worse (CleanRL and SB3 log it for
 * V_old against the returns).
 * @returns NaN when Var[y] = 0.
 * @throws RangeError when the lengths differ or are 0.
 */
export function explainedVariance(predicted: ArrayLike<number>, targets: ArrayLike<number>): number {
  const n = targets.length;
  if (n === 0 || predicted.length !== n) throw new RangeError(`explainedVariance: predicted and targets must have the same positive length, got ${predicted.length} and ${n}`);
  const variance = (f: (i: number) => number) => {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += f(i);
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (f(i) - mean) ** 2;
    return v / n;
  };
  const varY = variance((i) => targets[i]);
  return varY === 0 ? NaN : 1 - variance((i) => targets[i] - predicted[i]) / varY;
}

/**
 * Two sample estimates of KL(π_old ‖ π_θ) from actions drawn from π_old, with log ρ = log π_θ(a|s) −
 * log π_old(a|s) (Schulman, "Approximating KL Divergence", 2020; CleanRL logs both):
 * - `approxKlOld` = mean(−log ρ) (k1: unbiased, high variance, can be negative);
 * - `approxKl` = mean((ρ − 1) − log ρ) (k3: unbiased, lower variance, every term ≥ 0).
 * @param input `logProbs` and `oldLogProbs` [B] (tensors or numbers).
 * @returns two scalars.
 * @throws RangeError when the lengths differ or B = 0.
 */
export function approxKl(input: { logProbs: Vec; oldLogProbs: Vec }): { approxKl: tf.Scalar; approxKlOld: tf.Scalar } {
  const B = input.logProbs instanceof tf.Tensor ? input.logProbs.shape[0] : input.logProbs.length;
  checkLengths("approxKl", B, { oldLogProbs: input.oldLogProbs });
  return tf.tidy(() => {
    const logRatio = tf.sub(asTensor(input.logProbs), asTensor(input.oldLogProbs));
    return {
      approxKlOld: tf.mean(tf.neg(logRatio)) as tf.Scalar,
      approxKl: tf.mean(tf.sub(tf.sub(tf.exp(logRatio), 1), logRatio)) as tf.Scalar,
    };
  });
}
