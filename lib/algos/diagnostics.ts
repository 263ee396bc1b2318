/**
 * Training diagnostics shared by the on-policy algorithms (PPO, TRPO): numbers logged to judge an
 * update, never part of a loss.
 */

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
