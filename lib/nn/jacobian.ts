/**
 * Jacobian products of a stack of {@link Mlp}s at fixed weights and inputs, in plain tfjs ops: the
 * tangent (forward-mode) pass J v and the reverse pass Jᵀ u, with J = ∂y/∂θ the Jacobian of the
 * outputs y (all rows) with respect to the weights θ (every layer's W then b, in `weights` order).
 *
 * Why not `tf.grad` twice: in tfjs 4.22 an op that saves its output for its gradient (tanh, exp,
 * logSoftmax, every `tf.customGrad`, hence the dense layer of ./mlp) records a clone on the tape before
 * the op itself, so a second backward pass drops every dependence through that output. Products built
 * from activations cached once (about 4 ops per layer per product, no tape) are exact and cheaper.
 * Used by the Fisher-vector products of TRPO (Gauss–Newton form F = Jᵀ M J / B).
 */
import * as tf from "@tensorflow/tfjs";
import type { Mlp } from "./mlp";

/** J v and Jᵀ u of {@link mlpJacobian}; create their tensors inside `tf.tidy`. */
export interface MlpJacobian {
  /** y at the cached weights, [B, out] (owned by the Jacobian: freed by {@link dispose}). */
  readonly output: tf.Tensor2D;
  /** Sizes of the weight tensors, in order (W_1, b_1, W_2, b_2, …). */
  readonly sizes: readonly number[];
  /** J v: the change of y, [B, out], for a change `v` of the weights (one tensor per weight, any shape with its size). */
  jvp(v: readonly tf.Tensor[]): tf.Tensor2D;
  /** Jᵀ u: one tensor per weight (its shape), for `u` of the shape of y. */
  vjp(u: tf.Tensor2D): tf.Tensor[];
  /** Frees the cached activations and weight copies. */
  dispose(): void;
}

/**
 * Caches what the Jacobian products of `nets` applied in turn (the output of one is the input of the
 * next, e.g. a shared trunk then a head) need at their current weights and inputs `x`: each layer's
 * input h_{k−1}, a copy of W_k (so later changes to the variables do not reach the products) and
 * act'(z_k). Then
 *
 *   tangent: ż_k = ḣ_{k−1} W_k + h_{k−1} Ẇ_k + ḃ_k,  ḣ_k = act'(z_k) ⊙ ż_k  (ḣ_0 = 0);
 *   reverse: ∂W_k = h_{k−1}ᵀ δ_k,  ∂b_k = Σ_rows δ_k,  δ_k = act'(z_k) ⊙ g_k,  g_{k−1} = δ_k W_kᵀ.
 *
 * On the wasm backend the transposes are cached too (explicit transposes are faster there, see ./mlp).
 * @param nets the networks, applied in order. @param x the inputs, [B, in].
 * @throws Error when `x` is not [B, in] with B ≥ 1.
 */
export function mlpJacobian(nets: readonly Mlp[], x: tf.Tensor2D): MlpJacobian {
  const layers = nets.flatMap((m) =>
    Array.from({ length: m.numLayers }, (_, k) => ({
      W: m.weights[2 * k] as tf.Tensor2D,
      b: m.weights[2 * k + 1] as tf.Tensor1D,
      act: k === m.numLayers - 1 ? m.outputActivation : m.activation,
    })),
  );
  const inDim = layers[0].W.shape[0];
  if (x.rank !== 2 || x.shape[1] !== inDim || x.shape[0] === 0) throw new Error(`mlpJacobian: x must be [B, ${inDim}] with B >= 1, got [${x.shape}]`);
  const L = layers.length;
  const wasm = tf.getBackend() === "wasm";
  const h: tf.Tensor2D[] = []; // inputs h_{k−1} of the layers
  const hT: tf.Tensor2D[] = []; // their transposes (wasm), or h
  const W: tf.Tensor2D[] = []; // copies of W_k
  const WT: tf.Tensor2D[] = []; // W_kᵀ (wasm), or the copy
  const dAct: (tf.Tensor2D | null)[] = []; // act'(z_k), null for a linear layer
  const output = tf.tidy(() => {
    let a: tf.Tensor2D = x;
    for (let k = 0; k < L; k++) {
      const { act } = layers[k];
      h.push(tf.keep(tf.clone(a)));
      hT.push(wasm ? tf.keep(tf.transpose(a)) : h[k]);
      W.push(tf.keep(tf.clone(layers[k].W)));
      WT.push(wasm ? tf.keep(tf.transpose(layers[k].W)) : W[k]);
      const z = tf.add(tf.matMul(a, layers[k].W), layers[k].b) as tf.Tensor2D;
      a = act === "tanh" ? tf.tanh(z) : act === "relu" ? tf.relu(z) : z;
      dAct.push(act === "tanh" ? tf.keep(tf.sub(1, tf.square(a)) as tf.Tensor2D) : act === "relu" ? tf.keep(tf.step(z)) : null);
    }
    return a;
  });
  const held: tf.Tensor[] = [...h, ...W, ...(wasm ? [...hT, ...WT] : []), output, ...dAct.filter((t): t is tf.Tensor2D => t !== null)];
  let disposed = false;
  const live = () => {
    if (disposed) throw new Error("mlpJacobian: used after dispose");
  };
  return {
    output,
    sizes: layers.flatMap((l) => [l.W.size, l.b.size]),
    jvp(v) {
      live();
      let hDot: tf.Tensor2D | null = null;
      for (let k = 0; k < L; k++) {
        let zDot = tf.add(tf.matMul(h[k], tf.reshape(v[2 * k], layers[k].W.shape) as tf.Tensor2D), v[2 * k + 1]) as tf.Tensor2D;
        if (hDot !== null) zDot = tf.add(zDot, tf.matMul(hDot, W[k]));
        const d = dAct[k];
        hDot = d === null ? zDot : (tf.mul(zDot, d) as tf.Tensor2D);
      }
      return hDot as tf.Tensor2D;
    },
    vjp(u) {
      live();
      const grads: tf.Tensor[] = new Array(2 * L);
      let g = u;
      for (let k = L - 1; k >= 0; k--) {
        const d = dAct[k];
        const dz = d === null ? g : (tf.mul(g, d) as tf.Tensor2D);
        grads[2 * k] = wasm ? tf.matMul(hT[k], dz) : tf.matMul(h[k], dz, true, false);
        grads[2 * k + 1] = tf.sum(dz, 0);
        if (k > 0) g = wasm ? tf.matMul(dz, WT[k]) : tf.matMul(dz, W[k], false, true);
      }
      return grads;
    },
    dispose() {
      if (!disposed) tf.dispose(held);
      disposed = true;
    },
  };
}
