/** Gradient helpers tfjs lacks. */
import * as tf from "@tensorflow/tfjs";

const stopGradientFn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/**
 * The identity with a zero gradient (TensorFlow's `tf.stop_gradient`, PyTorch's `.detach()`, which
 * tfjs lacks): weights and targets computed from the networks inside a gradient tape stay constants.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientFn(x) as T;
}

