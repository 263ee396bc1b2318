/**
 * PPO learning benchmarks (suite "ppo"), 5 seeds each, with {@link PPO_PRESETS}; each run stops when
 * the mean return of the last 20 episodes reaches the threshold:
 * - CartPole-v1: 475 within 150k env steps for at least 4 of 5 seeds, and a median wall-clock time
 *   to 475 under 60 s;
 * - Acrobot-v1: −100 within 300k env steps;
 * - Pendulum-v1 (Gaussian policy): −250 within 500k env steps for at least 3 of 5 seeds.
 * Reported per seed: env steps and seconds to the threshold, env steps per second, milliseconds per
 * minibatch gradient step (the optimisation phase divided by its steps), and the 1-minute load
 * average (the machine is shared: the load moves the seconds, not the steps).
 *
 * Run alone: `node --import tsx bench/ppo.ts [CartPole-v1|Acrobot-v1|Pendulum-v1 …] [--seeds 0,1,2]`.
 */
import { loadavg } from "node:os";
import { type PpoLog, PPO_PRESETS, trainPpo } from "../lib/algos/ppo";
import { type BenchContext, bestMean, fmt, median, printingContext } from "./common";

/** One benchmark task. */
export interface PpoBenchTask {
  /** Registered env id; its settings are `PPO_PRESETS[envId]`. */
  envId: string;
  /** Level the mean of the last 20 episode returns must reach. */
  threshold: number;
  /** Env-step budget. */
  budget: number;
  /** Seeds (of 5) that must reach the threshold. */
  need: number;
  /** Median seconds to the threshold must stay below this (CartPole only). */
  maxMedianSeconds?: number;
}

/** The tasks of {@link benchPpo}. */
export const PPO_BENCH_TASKS: readonly PpoBenchTask[] = [
  { envId: "CartPole-v1", threshold: 475, budget: 150_000, need: 4, maxMedianSeconds: 60 },
  { envId: "Acrobot-v1", threshold: -100, budget: 300_000, need: 4 },
  { envId: "Pendulum-v1", threshold: -250, budget: 500_000, need: 3 },
];

function msPerMinibatch(log: PpoLog): number {
  const ms = log.updates.reduce((s, u) => s + u.msUpdate, 0);
  const n = log.updates.reduce((s, u) => s + u.minibatches, 0);
  return ms / Math.max(1, n);
}

/**
 * Runs the PPO benchmarks and returns Markdown table rows (`| benchmark | result |`): one per seed,
 * then one summary per env.
 * @param ctx saves each run's episodes as the reference curves "ppo_<envId>" and prints each row.
 * @param options `tasks` (default {@link PPO_BENCH_TASKS}), `seeds` (default 0–4).
 */
export async function benchPpo(ctx: BenchContext, options: { tasks?: readonly PpoBenchTask[]; seeds?: number[] } = {}): Promise<string[]> {
  const { tasks = PPO_BENCH_TASKS, seeds = [0, 1, 2, 3, 4] } = options;
  const rows: string[] = [];
  const emit = (r: string) => {
    rows.push(r);
    ctx.progress(r);
  };
  for (const task of tasks) {
    const name = `PPO ${task.envId}`;
    const solvedSeconds: number[] = [];
    const solvedSteps: number[] = [];
    const rates: number[] = [];
    const msMb: number[] = [];
    for (const seed of seeds) {
      const { log, agent } = await trainPpo({ ...PPO_PRESETS[task.envId], seed, totalSteps: task.budget, targetReturn: task.threshold });
      agent.dispose();
      ctx.saveCurve(`ppo_${task.envId}`, seed, log.episodes);
      const rate = log.globalStep / log.seconds;
      const ms = msPerMinibatch(log);
      rates.push(rate);
      msMb.push(ms);
      if (log.solvedAtStep !== null) {
        solvedSteps.push(log.solvedAtStep);
        solvedSeconds.push(log.solvedAtSeconds!);
      }
      const outcome =
        log.solvedAtStep !== null
          ? `${fmt(log.solvedAtStep)} steps, ${log.solvedAtSeconds!.toFixed(1)} s`
          : `not reached in ${fmt(log.globalStep)} steps (${log.seconds.toFixed(1)} s; best mean-20 ${bestMean(log.episodes).toFixed(1)})`;
      emit(`| ${name} seed ${seed}: to mean-20 return ≥ ${task.threshold} | ${outcome}; ${fmt(rate)} env steps/s, ${ms.toFixed(2)} ms/minibatch (load ${loadavg()[0].toFixed(1)}) |`);
    }
    const medians = solvedSteps.length > 0 ? `; median over those: ${fmt(median(solvedSteps))} steps, ${median(solvedSeconds).toFixed(1)} s` : "";
    const timeOk = task.maxMedianSeconds === undefined || (solvedSeconds.length > 0 && median(solvedSeconds) < task.maxMedianSeconds);
    const verdict = solvedSteps.length >= task.need && timeOk ? "pass" : "FAIL";
    const timeGoal = task.maxMedianSeconds === undefined ? "" : `, median < ${task.maxMedianSeconds} s`;
    emit(
      `| **${name}** (PPO_PRESETS, seeds ${seeds.join(",")}, ≤ ${fmt(task.budget)} steps; goal ≥ ${task.need}/5${timeGoal}) | **${solvedSteps.length}/${seeds.length} seeds reach ${task.threshold}**${medians}; ${fmt(median(rates))} env steps/s, ${median(msMb).toFixed(2)} ms/minibatch (medians): ${verdict} |`,
    );
  }
  return rows;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const s = args.indexOf("--seeds");
  const seeds = s >= 0 ? args[s + 1].split(",").map(Number) : undefined;
  const ids = args.filter((a, i) => !a.startsWith("--") && (s < 0 || i !== s + 1));
  const tasks = ids.length > 0 ? PPO_BENCH_TASKS.filter((t) => ids.includes(t.envId)) : PPO_BENCH_TASKS;
  void benchPpo(printingContext, { tasks, seeds });
}
