/**
 * A network's forward pass on the host, in plain JavaScript over a copy of its weights: what the
 * algorithms use to act during rollouts (DQN's ε-greedy, the policy samplers).
 */
import type { Mlp } from "./mlp";

/**
 * A copy of an {@link Mlp}'s weights on the host and its forward pass in plain JavaScript, for acting
 * during rollouts: no tensor is created and nothing is read back per env step, and the rollout does
 * not depend on the backend's kernels. (On the wasm backend, 8 rows through a 64-64 tanh net take
 * about as long as one tfjs forward pass, ~0.1 ms; on backends where each op or read-back costs more,
 * e.g. tfjs-node or WebGL, the host pass is the faster one.) Call {@link HostMlp.sync} after the
 * weights change (one read-back per variable).
 */
export class HostMlp {
  /** The network mirrored. */
  readonly net: Mlp;
  private params: Float32Array[] = [];
  private readonly h: Float32Array[];

  /** Reads the network's current weights. */
  constructor(net: Mlp) {
    this.net = net;
    this.h = net.sizes.map((n) => new Float32Array(n));
    this.sync();
  }

  /** Copies the network's current weights to the host. */
  sync(): void {
    this.params = this.net.weights.map((w) => w.dataSync() as Float32Array);
  }

  /**
   * y = net(x) for `rows` observations, accumulated in float32 (agrees with the tfjs forward pass to
   * float32 round-off, ~1e-6 relative).
   * @param x at least rows×sizes[0] numbers, row-major.
   * @param out rows×sizes[last], filled and returned.
   */
  apply(x: ArrayLike<number>, rows: number, out: Float32Array): Float32Array {
    const sizes = this.net.sizes;
    const L = sizes.length - 1;
    const nOutLast = sizes[L];
    for (let r = 0; r < rows; r++) {
      const x0 = this.h[0];
      for (let i = 0; i < sizes[0]; i++) x0[i] = x[r * sizes[0] + i];
      for (let k = 0; k < L; k++) {
        const hin = this.h[k];
        const hout = this.h[k + 1];
        const W = this.params[2 * k];
        const b = this.params[2 * k + 1];
        const nIn = sizes[k];
        const nOut = sizes[k + 1];
        hout.set(b);
        for (let i = 0; i < nIn; i++) {
          const xi = hin[i];
          if (xi === 0) continue;
          const off = i * nOut;
          for (let j = 0; j < nOut; j++) hout[j] += xi * W[off + j];
        }
        const act = k === L - 1 ? this.net.outputActivation : this.net.activation;
        if (act === "tanh") for (let j = 0; j < nOut; j++) hout[j] = Math.tanh(hout[j]);
        else if (act === "relu") for (let j = 0; j < nOut; j++) hout[j] = hout[j] > 0 ? hout[j] : 0;
      }
      out.set(this.h[L], r * nOutLast);
    }
    return out;
  }
}
