/**
 * Policy-gradient learning benchmarks on CartPole-v1, 5 seeds each, with the documented defaults:
 * - A2C (`trainA2c` defaults: 8 envs, n_steps 5, Adam 7e-4): the mean return of the last 20 episodes
 *   should reach 475 within 500k env steps for at least 4 of 5 seeds;
 * - REINFORCE with a learned baseline (`trainReinforce` defaults): 475 within 300k steps for at least 3 of 5.
 * Each run stops when it reaches the threshold. Reported per seed: env steps and seconds to the
 * threshold, env steps per second and milliseconds per update over the run.
 *
 * Run alone: `node --import tsx bench/policy_gradient.ts [a2c|reinforce] [seeds, e.g. 0,1,2]`.
 */
import { loadavg } from "node:os";
import { trainA2c } from "../lib/algos/a2c";
import type { PolicyGradientLog } from "../lib/algos/on_policy";
import { trainReinforce } from "../lib/algos/reinforce";
import { type BenchContext, bestMean, fmt, printingContext } from "./common";

const THRESHOLD = 475;

/** One Markdown row for one seed's run. */
function row(name: string, seed: number, log: PolicyGradientLog): string {
  const rate = `${fmt(log.globalStep / log.seconds)} env steps/s, ${((1000 * log.seconds) / Math.max(1, log.updates.length)).toFixed(2)} ms/update, load ${loadavg()[0].toFixed(1)}`;
  const outcome =
    log.solvedAtStep !== null
      ? `≥ ${THRESHOLD} at ${fmt(log.solvedAtStep)} steps, ${log.solvedAtSeconds!.toFixed(1)} s`
      : `not reached in ${fmt(log.globalStep)} steps (${log.seconds.toFixed(1)} s; best mean-20 ${bestMean(log.episodes).toFixed(1)})`;
  return `| ${name}, seed ${seed} | ${outcome} (${rate}) |`;
}

/** Options of {@link benchPolicyGradient}. */
export interface PolicyGradientBenchOptions {
  /** Which algorithms; default both. */
  algos?: ("a2c" | "reinforce")[];
  /** Seeds; default [0, 1, 2, 3, 4]. */
  seeds?: number[];
}

/**
 * Runs the policy-gradient benchmarks and returns Markdown table rows (`| benchmark | result |`):
 * one per seed, then one summary per algorithm.
 */
export async function benchPolicyGradient(ctx: BenchContext, options: PolicyGradientBenchOptions = {}): Promise<string[]> {
  const { algos = ["a2c", "reinforce"], seeds = [0, 1, 2, 3, 4] } = options;
  const rows: string[] = [];
  const emit = (r: string) => {
    rows.push(r);
    ctx.progress(r);
  };
  const specs = {
    a2c: { name: "A2C, CartPole-v1", curve: "a2c_CartPole-v1", budget: 500_000, need: 4, train: (seed: number) => trainA2c({ seed, totalSteps: 500_000, targetReturn: THRESHOLD }) },
    reinforce: { name: "REINFORCE + baseline, CartPole-v1", curve: "reinforce_CartPole-v1", budget: 300_000, need: 3, train: (seed: number) => trainReinforce({ seed, totalSteps: 300_000, targetReturn: THRESHOLD }) },
  };
  for (const algo of algos) {
    const s = specs[algo];
    let solved = 0;
    let steps = 0;
    let seconds = 0;
    let updates = 0;
    for (const seed of seeds) {
      const { log, agent } = await s.train(seed);
      agent.dispose();
      ctx.saveCurve(s.curve, seed, log.episodes);
      if (log.solvedAtStep !== null) solved++;
      steps += log.globalStep;
      seconds += log.seconds;
      updates += log.updates.length;
      emit(row(s.name, seed, log));
    }
    emit(
      `| ${s.name}: seeds reaching mean-20 return ≥ ${THRESHOLD} within ${fmt(s.budget)} steps | ${solved}/${seeds.length} (target ≥ ${s.need}/5); overall ${fmt(steps / seconds)} env steps/s, ${((1000 * seconds) / updates).toFixed(2)} ms/update |`,
    );
  }
  return rows;
}

if (require.main === module) {
  const [algoArg, seedArg] = process.argv.slice(2);
  const algos = algoArg === undefined || algoArg === "all" ? undefined : (algoArg.split(",") as ("a2c" | "reinforce")[]);
  const seeds = seedArg === undefined ? undefined : seedArg.split(",").map(Number);
  void benchPolicyGradient(printingContext, { algos, seeds });
}
