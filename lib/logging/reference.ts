/**
 * Reference learning curves: the benchmark runs of bench/ (`npm run bench`), saved as CSV files in
 * the package's `data/reference/` folder, one row per training episode (`seed, episode, globalStep,
 * return, length`), so a notebook can draw a student's run against them without retraining.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readCsv } from "./csv";
import { type DataFrame, toDataFrame } from "./dataframe";

/** The package's `data/` folder (next to `dist/` and `lib/`), or a file inside it. */
export function dataPath(...parts: string[]): string {
  return join(__dirname, "..", "..", "data", ...parts);
}

/** One finished episode of a run, as the training logs record it. */
export interface EpisodePoint {
  /** Env steps of the whole run when the episode ended. */
  globalStep: number;
  /** Undiscounted return of the episode. */
  return: number;
}

/**
 * A run's moving-average return as a function of env steps: at each step s of `steps`, the mean
 * return of the last `window` episodes that ended at or before s (fewer at the start). Steps after
 * the run's last episode keep its final value (a run stopped at its target keeps the level it reached).
 * @param episodes the run's episodes in order of `globalStep`.
 * @param steps increasing env-step counts, none before the first episode's end.
 * @param window episodes in the moving mean; default 20.
 * @returns one value per entry of `steps`.
 * @throws RangeError when `episodes` is empty, `window` is not a positive integer, or a step precedes the first episode.
 */
export function returnsAtSteps(episodes: readonly EpisodePoint[], steps: ArrayLike<number>, window = 20): number[] {
  if (episodes.length === 0) throw new RangeError("returnsAtSteps: episodes is empty");
  if (!Number.isSafeInteger(window) || window < 1) throw new RangeError(`returnsAtSteps: window must be a positive integer, got ${window}`);
  const out: number[] = [];
  let i = 0; // episodes[0 … i−1] ended at or before the current step
  let sum = 0;
  for (let k = 0; k < steps.length; k++) {
    const s = steps[k];
    if (s < episodes[0].globalStep) throw new RangeError(`returnsAtSteps: steps[${k}] = ${s} precedes the first episode's end (${episodes[0].globalStep})`);
    while (i < episodes.length && episodes[i].globalStep <= s) {
      sum += episodes[i].return;
      if (i >= window) sum -= episodes[i - window].return;
      i++;
    }
    out.push(sum / Math.min(i, window));
  }
  return out;
}

/** What {@link referenceCurves} returns: ready for `plot.learningCurve(runs, { x: steps })`. */
export interface ReferenceCurves {
  /** The curve set's name (the CSV file's base name, e.g. "dqn_CartPole-v1"). */
  name: string;
  /** The seeds, one per run. */
  seeds: number[];
  /** The shared x values: env steps, evenly spaced from the latest first-episode end to the longest run's end. */
  steps: number[];
  /** `seeds × steps`: each run's moving-average return at those steps (see {@link returnsAtSteps}). */
  runs: number[][];
}

/** The names of the saved reference curve sets (the CSV files in `data/reference/`). */
export function referenceCurveNames(): string[] {
  const dir = dataPath("reference");
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".csv")).map((f) => f.slice(0, -4)).sort() : [];
}

function referenceRecords(name: string) {
  const path = dataPath("reference", `${name}.csv`);
  if (!existsSync(path)) throw new Error(`no reference curves named '${name}' (saved: ${referenceCurveNames().join(", ") || "none"})`);
  return readCsv(path);
}

/**
 * The saved episodes of a reference curve set as a Danfo.js DataFrame (columns seed, episode,
 * globalStep, return, length).
 * @throws Error listing the saved names when `name` is unknown.
 */
export function referenceFrame(name: string): DataFrame {
  return toDataFrame(referenceRecords(name));
}

/**
 * A reference curve set resampled on a shared grid of env steps, one run per seed.
 * @param name e.g. "dqn_CartPole-v1" (see {@link referenceCurveNames}).
 * @param options `window` (episodes in the moving mean, default 20) and `points` (grid size, default 100).
 * @throws Error listing the saved names when `name` is unknown; RangeError on bad options.
 * @example
 * const ref = referenceCurves("ppo_CartPole-v1");
 * plot.display(plot.learningCurve(ref.runs, { x: ref.steps, name: "reference (5 seeds)" }));
 */
export function referenceCurves(name: string, options: { window?: number; points?: number } = {}): ReferenceCurves {
  const { window = 20, points = 100 } = options;
  if (!Number.isSafeInteger(points) || points < 2) throw new RangeError(`referenceCurves: points must be an integer >= 2, got ${points}`);
  const bySeed = new Map<number, EpisodePoint[]>();
  for (const r of referenceRecords(name)) {
    const seed = Number(r.seed);
    if (!bySeed.has(seed)) bySeed.set(seed, []);
    bySeed.get(seed)!.push({ globalStep: Number(r.globalStep), return: Number(r.return) });
  }
  const seeds = [...bySeed.keys()].sort((a, b) => a - b);
  const runs = seeds.map((s) => bySeed.get(s)!.sort((a, b) => a.globalStep - b.globalStep));
  const start = Math.max(...runs.map((r) => r[0].globalStep));
  const end = Math.max(...runs.map((r) => r[r.length - 1].globalStep));
  const steps = Array.from({ length: points }, (_, k) => Math.round(start + ((end - start) * k) / (points - 1)));
  return { name, seeds, steps, runs: runs.map((r) => returnsAtSteps(r, steps, window)) };
}
