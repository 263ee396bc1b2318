/**
 * The episode log every training function keeps: one {@link EpisodeRecord} per finished episode, the
 * moving mean of the last returns, and when it first reached a target (the "solved at" figures of
 * bench/RESULTS.md).
 */

/** One finished training episode (every algorithm logs these in `log.episodes`; `toDataFrame(log.episodes)` makes a table). */
export interface EpisodeRecord {
  /** 0-based index, in order of completion. */
  episode: number;
  /** Undiscounted return Σ_t r_t. */
  return: number;
  /** Number of env steps of the episode. */
  length: number;
  /** Env steps taken by the whole run (all envs) when the episode ended. */
  globalStep: number;
}

/**
 * Records finished episodes and tracks the moving mean return used for `targetReturn`.
 * Shared by every train function.
 */
export class EpisodeLogger {
  /** The finished episodes, in order. */
  readonly episodes: EpisodeRecord[] = [];
  /** Global step at which the moving mean first reached the target (null until then). */
  solvedAtStep: number | null = null;
  /** Seconds since construction at that point (null until then). */
  solvedAtSeconds: number | null = null;
  private readonly start = performance.now();

  /**
   * @param window episodes in the moving mean.
   * @param target the return to reach, or undefined for none.
   */
  /** @throws RangeError when `window` is not a positive integer or `target` is neither undefined nor a finite number (e.g. null). */
  constructor(
    private readonly window: number,
    private readonly target: number | undefined,
  ) {
    if (!Number.isSafeInteger(window) || window < 1) throw new RangeError(`returnWindow must be a positive integer, got ${window}`);
    if (target !== undefined && !Number.isFinite(target)) throw new RangeError(`targetReturn must be a finite number or left out, got ${String(target)}`);
  }

  /** Records one episode, and the step and time at which the moving mean first reaches the target. */
  add(ret: number, length: number, globalStep: number): void {
    this.episodes.push({ episode: this.episodes.length, return: ret, length, globalStep });
    if (this.target !== undefined && this.solvedAtStep === null && this.episodes.length >= this.window && this.meanReturn() >= this.target) {
      this.solvedAtStep = globalStep;
      this.solvedAtSeconds = this.seconds();
    }
  }

  /** Mean return of the last `window` episodes (NaN before the first episode). */
  meanReturn(): number {
    const n = Math.min(this.window, this.episodes.length);
    if (n === 0) return NaN;
    let s = 0;
    for (let i = this.episodes.length - n; i < this.episodes.length; i++) s += this.episodes[i].return;
    return s / n;
  }

  /** Seconds since construction. */
  seconds(): number {
    return (performance.now() - this.start) / 1000;
  }
}
