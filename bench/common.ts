/**
 * What every benchmark suite shares: the context that saves learning curves as reference data, and
 * the small formatting and statistics helpers of the result rows.
 */
import { mkdirSync } from "node:fs";
import { writeCsv } from "../lib/logging/csv";
import { dataPath } from "../lib/logging/reference";

/** One finished training episode, as every training log records it. */
export interface BenchEpisode {
  episode: number;
  globalStep: number;
  return: number;
  length: number;
}

/** What a suite receives from bench/run.ts. */
export interface BenchContext {
  /** Keeps one seed's episodes for the reference curve set `name` (e.g. "ppo_CartPole-v1"). */
  saveCurve(name: string, seed: number, episodes: readonly BenchEpisode[]): void;
  /** Prints a progress line (a finished row) while the suite runs. */
  progress(line: string): void;
}

/**
 * A context that collects curves and, on {@link flush}, writes each set to `data/reference/<name>.csv`
 * (one row per episode: seed, episode, globalStep, return, length), replacing the previous file.
 */
export function createBenchContext(): BenchContext & { flush(): string[] } {
  const curves = new Map<string, { seed: number; episodes: readonly BenchEpisode[] }[]>();
  return {
    saveCurve(name, seed, episodes) {
      if (!curves.has(name)) curves.set(name, []);
      curves.get(name)!.push({ seed, episodes });
    },
    progress(line) {
      process.stderr.write(`${line}\n`);
    },
    flush() {
      mkdirSync(dataPath("reference"), { recursive: true });
      const written: string[] = [];
      for (const [name, runs] of curves) {
        const records = runs.flatMap(({ seed, episodes }) => episodes.map((e) => ({ seed, episode: e.episode, globalStep: e.globalStep, return: e.return, length: e.length })));
        if (records.length === 0) continue;
        writeCsv(dataPath("reference", `${name}.csv`), records);
        written.push(`data/reference/${name}.csv`);
      }
      curves.clear();
      return written;
    },
  };
}

/** A context for running one suite's file directly: prints progress, saves nothing. */
export const printingContext: BenchContext = {
  saveCurve() {},
  progress(line) {
    process.stdout.write(`${line}\n`);
  },
};

/** An integer with thousands separators. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The best mean return over any `window` consecutive episodes (−∞ with fewer episodes). */
export function bestMean(episodes: readonly { return: number }[], window = 20): number {
  let best = -Infinity;
  let s = 0;
  for (let i = 0; i < episodes.length; i++) {
    s += episodes[i].return;
    if (i >= window) s -= episodes[i - window].return;
    if (i >= window - 1) best = Math.max(best, s / window);
  }
  return best;
}
