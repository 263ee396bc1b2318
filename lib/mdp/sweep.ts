/**
 * The sweep loop shared by iterative policy evaluation (Sutton & Barto §4.1, eq. 4.5) and value
 * iteration (§4.4, eq. 4.10): repeat V(s) ← backup(V, s) over all states until the largest change
 * of a sweep is below a tolerance. Also reads the options of that loop.
 */
import { checkVector } from "./mdp";

/** The options of the sweep loop, as `iterativePolicyEvaluation` and `valueIteration` take them. */
export interface SweepOptions {
  /** Stop when a sweep changes no value by more than this (S&B's θ; max-norm). Default 1e-10. */
  tol?: number;
  /** Give up after this many sweeps (`converged: false`). Default 100 000. */
  maxIterations?: number;
  /**
   * `true`: in-place (Gauss–Seidel) sweeps, each update using the values already updated in this
   * sweep — the version of S&B's boxed algorithms, usually faster. `false` (default): synchronous
   * (Jacobi) sweeps V_{k+1} = T V_k with two arrays (S&B eq. 4.5 and 4.10).
   */
  inPlace?: boolean;
  /** Starting values V_0 (length `nS`; default zeros). Not modified. */
  V0?: ArrayLike<number>;
}

/** The settings of the sweep loop, after defaults and checks. */
export interface SweepSettings {
  /** Stop when a sweep changes no value by more than this (S&B's θ; max-norm). */
  tol: number;
  /** Give up after this many sweeps. */
  maxIterations: number;
  /** In-place (Gauss–Seidel) sweeps instead of synchronous (Jacobi) ones. */
  inPlace: boolean;
}

/**
 * Reads `tol`, `maxIterations` and `inPlace`, with the defaults of the iterative methods (1e-10,
 * 100 000, false).
 * @throws RangeError naming `where` unless `tol` is a finite number ≥ 0 and `maxIterations` a
 *   positive integer; TypeError unless `inPlace` is a boolean.
 */
export function iterationOptions(
  options: { tol?: number; maxIterations?: number; inPlace?: boolean },
  where: string,
): SweepSettings {
  const tol = options.tol ?? 1e-10;
  const maxIterations = options.maxIterations ?? 100_000;
  if (typeof tol !== "number" || !(tol >= 0) || !Number.isFinite(tol)) throw new RangeError(`${where}: tol must be a finite number >= 0, got ${tol}`);
  if (!Number.isSafeInteger(maxIterations) || maxIterations <= 0) {
    throw new RangeError(`${where}: maxIterations must be a positive integer, got ${maxIterations}`);
  }
  if (options.inPlace !== undefined && typeof options.inPlace !== "boolean") {
    throw new TypeError(`${where}: inPlace must be true or false, got ${JSON.stringify(options.inPlace)}`);
  }
  return { tol, maxIterations, inPlace: options.inPlace ?? false };
}

/** What {@link sweepUntilConverged} returns. */
export interface SweepResult {
  /** The final values, length `nS`. */
  V: Float64Array;
  /** Max-norm change of each sweep, ‖V_{k+1} − V_k‖_∞ (its length is the number of sweeps). */
  deltas: number[];
  /** Whether the last change was below `tol` (or 0); false when `maxIterations` was reached. */
  converged: boolean;
}

/**
 * Sweeps `V(s) ← backup(V, s)` over the states 0…nS−1 until a sweep changes no value by `tol` or
 * more (or by anything at all), or `maxIterations` sweeps were made. Synchronous sweeps compute
 * V_{k+1} from V_k in a second array; in-place sweeps use the values already updated in the sweep.
 *
 * Options are checked in this order: `tol`, `maxIterations`, `inPlace` ({@link iterationOptions}),
 * then `V0`.
 *
 * @param options see {@link SweepOptions}.
 * @param backup the new value of state `s` from the values `V` (unchecked, e.g. `optimalBackup`).
 * @param onSweep called with V after every sweep (e.g. to keep a copy for animations).
 * @throws RangeError/TypeError naming `where` on a malformed option or `V0`; Error when a sweep's
 *   change is not finite (the values overflowed).
 */
export function sweepUntilConverged(
  nS: number,
  options: SweepOptions,
  where: string,
  backup: (V: Float64Array, s: number) => number,
  onSweep?: (V: Float64Array) => void,
): SweepResult {
  const { tol, maxIterations, inPlace } = iterationOptions(options, where);
  let V = options.V0 === undefined ? new Float64Array(nS) : Float64Array.from(checkVector(options.V0, nS, "V0", where));
  let W = inPlace ? V : new Float64Array(nS);
  const deltas: number[] = [];
  let converged = false;
  while (deltas.length < maxIterations) {
    let delta = 0;
    for (let s = 0; s < nS; s++) {
      const v = backup(V, s);
      delta = Math.max(delta, Math.abs(v - V[s]));
      W[s] = v;
    }
    if (!inPlace) [V, W] = [W, V];
    deltas.push(delta);
    onSweep?.(V);
    if (!Number.isFinite(delta)) throw new Error(`${where}: the values diverged to a non-finite number after ${deltas.length} sweeps`);
    if (delta < tol || delta === 0) {
      converged = true;
      break;
    }
  }
  return { V, deltas, converged };
}
