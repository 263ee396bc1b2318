/**
 * TRPO learning benchmark on CartPole-v1 (suite "trpo"), 5 seeds, with `TRPO_PRESETS["CartPole-v1"]`
 * (RL-Baselines3-Zoo's tuned TRPO settings): the mean return of the last 20 episodes should reach 475
 * within 200k env steps for at least 4 of 5 seeds. Each run stops when it reaches the threshold.
 * Reported per seed: env steps and seconds to the threshold, env steps per second, milliseconds per
 * update (policy step + critic regression, without the rollout) and per Fisher-vector product, the
 * line-search failures, and the load.
 *
 * Run alone: `node --import tsx bench/trpo.ts [seeds, e.g. 0,1,2]`.
 */
import { loadavg } from "node:os";
import { type TrpoLog, TRPO_PRESETS, trainTrpo } from "../lib/algos/trpo";
import { type BenchContext, bestMean, fmt, printingContext } from "./common";

const THRESHOLD = 475;
const BUDGET = 200_000;
const NAME = "TRPO, CartPole-v1";

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** One Markdown row for one seed's run. */
function row(seed: number, log: TrpoLog): string {
  const u = log.updates;
  const rate =
    `${fmt(log.globalStep / log.seconds)} env steps/s, ${mean(u.map((x) => x.msUpdate)).toFixed(0)} ms/update, ` +
    `${mean(u.map((x) => x.msPerFisherProduct)).toFixed(1)} ms/FVP, ${u.filter((x) => x.lineSearchFailed).length}/${u.length} line searches failed, load ${loadavg()[0].toFixed(1)}`;
  const outcome =
    log.solvedAtStep !== null
      ? `≥ ${THRESHOLD} at ${fmt(log.solvedAtStep)} steps, ${log.solvedAtSeconds!.toFixed(1)} s`
      : `not reached in ${fmt(log.globalStep)} steps (${log.seconds.toFixed(1)} s; best mean-20 ${bestMean(log.episodes).toFixed(1)})`;
  return `| ${NAME}, seed ${seed} | ${outcome} (${rate}) |`;
}

/**
 * Runs the TRPO benchmark and returns Markdown table rows (`| benchmark | result |`): one per seed,
 * then a summary. Saves each seed's episodes as the curve set "trpo_CartPole-v1".
 */
export async function benchTrpo(ctx: BenchContext, options: { seeds?: number[] } = {}): Promise<string[]> {
  const { seeds = [0, 1, 2, 3, 4] } = options;
  const rows: string[] = [];
  const emit = (r: string) => {
    rows.push(r);
    ctx.progress(r);
  };
  let solved = 0;
  let steps = 0;
  let seconds = 0;
  const msUpdate: number[] = [];
  const msFvp: number[] = [];
  for (const seed of seeds) {
    const { log, agent } = await trainTrpo({ ...TRPO_PRESETS["CartPole-v1"], seed, totalSteps: BUDGET, targetReturn: THRESHOLD });
    agent.dispose();
    ctx.saveCurve("trpo_CartPole-v1", seed, log.episodes);
    if (log.solvedAtStep !== null) solved++;
    steps += log.globalStep;
    seconds += log.seconds;
    msUpdate.push(...log.updates.map((u) => u.msUpdate));
    msFvp.push(...log.updates.map((u) => u.msPerFisherProduct));
    emit(row(seed, log));
  }
  emit(
    `| ${NAME}: seeds reaching mean-20 return ≥ ${THRESHOLD} within ${fmt(BUDGET)} steps | ${solved}/${seeds.length} (target ≥ 4/5); ` +
      `overall ${fmt(steps / seconds)} env steps/s, ${mean(msUpdate).toFixed(0)} ms/update, ${mean(msFvp).toFixed(1)} ms/FVP |`,
  );
  return rows;
}

if (require.main === module) {
  const seedArg = process.argv[2];
  void benchTrpo(printingContext, { seeds: seedArg === undefined ? undefined : seedArg.split(",").map(Number) });
}
