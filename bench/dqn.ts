/**
 * DQN learning speed: for each of 5 seeds, train with {@link DQN_PRESETS} until the mean return of
 * the last 20 training episodes reaches the env's threshold (CartPole-v1: 475, Acrobot-v1: −100), or
 * 100 000 env steps pass. Reports per seed the env steps and wall-clock seconds to the threshold,
 * env steps per second and milliseconds per gradient update, and per env how many seeds made it and
 * the medians. The machine's 1-minute load average is reported too: on a shared machine it moves the
 * seconds, not the steps (every run is reproducible from its seed).
 *
 * Run alone: `node --import tsx bench/dqn.ts [CartPole-v1|Acrobot-v1 …]`.
 */
import { loadavg } from "node:os";
import { DQN_PRESETS, trainDqn } from "../lib/algos/dqn";
import type { EpisodeRecord } from "../lib/logging/episodes";
import { type BenchContext, bestMean, fmt as int, median, printingContext } from "./common";

/** One benchmark task: an env, its preset and the threshold on the mean of the last 20 episode returns. */
export interface DqnBenchTask {
  /** Registered env id; its settings are `DQN_PRESETS[envId]`. */
  envId: string;
  /** Level the mean of the last 20 training episode returns must reach. */
  threshold: number;
}

/** The tasks of {@link benchDqn}. */
export const DQN_BENCH_TASKS: readonly DqnBenchTask[] = [
  { envId: "CartPole-v1", threshold: 475 },
  { envId: "Acrobot-v1", threshold: -100 },
];

/** The outcome of one seed. */
export interface DqnBenchRun {
  /** The run's seed. */
  seed: number;
  /** Env steps when the threshold was reached, or undefined. */
  steps?: number;
  /** Seconds when the threshold was reached, or undefined. */
  seconds?: number;
  /** Env steps taken (up to the threshold or the step budget). */
  totalSteps: number;
  /** Seconds of the whole run. */
  totalSeconds: number;
  /** Env steps per second over the run. */
  stepsPerSecond: number;
  /** Milliseconds per gradient update (sampling, targets, loss, Adam). */
  msPerUpdate: number;
  /** Best mean of 20 consecutive training episode returns. */
  bestMean: number;
  /** 1-minute load average at the end of the run. */
  load: number;
  /** The run's training episodes. */
  episodes: EpisodeRecord[];
}

/**
 * Trains one seed until `threshold` (mean of the last 20 episode returns) or `maxSteps`.
 * @throws as {@link trainDqn}.
 */
export async function dqnTimeToThreshold(task: DqnBenchTask, seed: number, maxSteps = 100_000): Promise<DqnBenchRun> {
  const { agent, log } = await trainDqn({ ...DQN_PRESETS[task.envId], seed, totalSteps: maxSteps, targetReturn: task.threshold, returnWindow: 20 });
  agent.dispose();
  return {
    seed,
    steps: log.solvedAtStep ?? undefined,
    seconds: log.solvedAtSeconds ?? undefined,
    totalSteps: log.globalStep,
    totalSeconds: log.seconds,
    stepsPerSecond: log.globalStep / log.seconds,
    msPerUpdate: (1000 * log.updateSeconds) / Math.max(1, log.numUpdates),
    bestMean: bestMean(log.episodes),
    load: loadavg()[0],
    episodes: log.episodes,
  };
}

/**
 * Runs the DQN benchmarks and returns Markdown table rows (`| benchmark | result |`).
 * @param ctx saves each run's episodes as the reference curves "dqn_<envId>" and prints each row.
 * @param options `seeds` (default 1–5), `tasks` (default {@link DQN_BENCH_TASKS}), `maxSteps` (default 100 000).
 */
export async function benchDqn(ctx: BenchContext, options: { seeds?: number[]; tasks?: readonly DqnBenchTask[]; maxSteps?: number } = {}): Promise<string[]> {
  const { seeds = [1, 2, 3, 4, 5], tasks = DQN_BENCH_TASKS, maxSteps = 100_000 } = options;
  const rows: string[] = [];
  for (const task of tasks) {
    const runs: DqnBenchRun[] = [];
    for (const seed of seeds) {
      const run = await dqnTimeToThreshold(task, seed, maxSteps);
      runs.push(run);
      ctx.saveCurve(`dqn_${task.envId}`, seed, run.episodes);
      const reached = run.steps !== undefined ? `${int(run.steps)} steps, ${run.seconds!.toFixed(1)} s` : `not reached in ${int(maxSteps)} steps (best mean ${run.bestMean.toFixed(1)}, ${run.totalSeconds.toFixed(1)} s)`;
      rows.push(
        `| DQN ${task.envId} seed ${seed}: to mean-20 return ≥ ${task.threshold} | ${reached}; ${int(run.stepsPerSecond)} env steps/s, ${run.msPerUpdate.toFixed(2)} ms/update (load ${run.load.toFixed(1)}) |`,
      );
      ctx.progress(rows[rows.length - 1]);
    }
    const hits = runs.filter((r) => r.steps !== undefined);
    const summary = hits.length > 0 ? `; median over those: ${int(median(hits.map((r) => r.steps!)))} steps, ${median(hits.map((r) => r.seconds!)).toFixed(1)} s` : "";
    rows.push(
      `| **DQN ${task.envId}** (DQN_PRESETS, seeds ${seeds.join(",")}, ≤ ${int(maxSteps)} steps) | **${hits.length}/${runs.length} seeds reach ${task.threshold}**${summary}; ${int(median(runs.map((r) => r.stepsPerSecond)))} env steps/s, ${median(runs.map((r) => r.msPerUpdate)).toFixed(2)} ms/update (medians) |`,
    );
  }
  return rows;
}

if (require.main === module) {
  const ids = process.argv.slice(2);
  const tasks = ids.length > 0 ? DQN_BENCH_TASKS.filter((t) => ids.includes(t.envId)) : DQN_BENCH_TASKS;
  void benchDqn(printingContext, { tasks });
}
