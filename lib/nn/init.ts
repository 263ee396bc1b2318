/**
 * Weight initialisers drawing from an {@link Rng}, so that a network is reproducible from its seed on
 * every backend. They return plain row-major `Float32Array`s; {@link Mlp} wraps them in variables.
 *
 * Matrix convention: a dense layer computes y = x W + b with W of shape [fanIn, fanOut] (rows = inputs),
 * the transpose of PyTorch's `Linear.weight`.
 */
import { type Rng, toRng } from "../random";

/** Activations whose recommended gains {@link calculateGain} knows. */
export type GainActivation = "linear" | "sigmoid" | "tanh" | "relu";

/**
 * PyTorch's `torch.nn.init.calculate_gain`: 1 for linear and sigmoid, 5/3 for tanh, √2 for ReLU.
 * (CleanRL's PPO uses √2 for its tanh hidden layers, 0.01 for the policy head and 1 for the value head.)
 * @throws RangeError for an unknown activation.
 */
export function calculateGain(activation: GainActivation): number {
  switch (activation) {
    case "linear":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    default:
      throw new RangeError(`calculateGain: unknown activation ${String(activation)}`);
  }
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function checkDims(rows: number, cols: number): void {
  if (!Number.isSafeInteger(rows) || rows < 1 || !Number.isSafeInteger(cols) || cols < 1) {
    throw new RangeError(`rows and cols must be positive integers, got ${rows}×${cols}`);
  }
}

/**
 * A random (semi-)orthogonal matrix times `gain` (Saxe, McClelland & Ganguli, "Exact solutions to the
 * nonlinear dynamics of learning in deep linear neural networks", ICLR 2014; as `torch.nn.init.orthogonal_`).
 *
 * A big×small matrix of standard normals (big = max(rows, cols), small = min) is orthonormalised
 * column by column by modified Gram–Schmidt, applied twice ("twice is enough", Giraud et al. 2005)
 * in float64 — the Q factor of its QR decomposition with a positive diagonal R, which is
 * Haar-distributed. It is transposed when rows < cols. Then
 * - rows ≥ cols: Wᵀ W = gain² I (orthonormal columns);
 * - rows ≤ cols: W Wᵀ = gain² I (orthonormal rows).
 *
 * @param rows number of rows (fan-in of a dense layer).
 * @param cols number of columns (fan-out).
 * @param rng random stream or seed.
 * @param gain scale; default 1.
 * @returns rows×cols, row-major.
 * @throws RangeError when a dimension is not a positive integer or `gain` is not finite.
 */
export function orthogonal(rows: number, cols: number, rng: Rng | number, gain = 1): Float32Array {
  checkDims(rows, cols);
  if (!Number.isFinite(gain)) throw new RangeError(`gain must be finite, got ${gain}`);
  const random = toRng(rng);
  const big = Math.max(rows, cols);
  const small = Math.min(rows, cols);
  // q[j] is column j (length `big`) of the big×small matrix.
  const q: Float64Array[] = [];
  for (let j = 0; j < small; j++) {
    let v = new Float64Array(big);
    for (;;) {
      for (let i = 0; i < big; i++) v[i] = random.normal();
      const norm0 = norm2(v);
      for (let pass = 0; pass < 2; pass++) {
        for (const u of q) {
          let dot = 0;
          for (let i = 0; i < big; i++) dot += u[i] * v[i];
          for (let i = 0; i < big; i++) v[i] -= dot * u[i];
        }
      }
      const norm = norm2(v);
      if (norm > 1e-6 * norm0) {
        for (let i = 0; i < big; i++) v[i] /= norm;
        break;
      }
      v = new Float64Array(big); // numerically dependent draw (probability ~0): draw again
    }
    q.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[r * cols + c] = gain * (rows >= cols ? q[c][r] : q[r][c]);
    }
  }
  return out;
}

/**
 * PyTorch's default `nn.Linear` initialisation (Kaiming uniform with a = √5): every entry uniform in
 * [−1/√fanIn, 1/√fanIn). Used for biases too (with the layer's fanIn).
 *
 * @param rows number of rows (the fan-in of a weight matrix; 1 for a bias row).
 * @param cols number of columns (fan-out).
 * @param fanIn the fan-in that sets the bound; default `rows` (pass the layer's fan-in for a bias).
 * @returns rows×cols, row-major.
 * @throws RangeError when a dimension is not a positive integer.
 */
export function fanInUniform(rows: number, cols: number, rng: Rng | number, fanIn = rows): Float32Array {
  checkDims(rows, cols);
  if (!(fanIn > 0)) throw new RangeError(`fanIn must be > 0, got ${fanIn}`);
  const random = toRng(rng);
  const bound = 1 / Math.sqrt(fanIn);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = random.uniform(-bound, bound);
  return out;
}

/** Entries drawn from N(0, std²), row-major rows×cols. @throws RangeError on bad dimensions or std. */
export function normalInit(rows: number, cols: number, rng: Rng | number, std = 1): Float32Array {
  checkDims(rows, cols);
  const random = toRng(rng);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = random.normal(0, std);
  return out;
}

