/**
 * `npm run bench [envs|dqn|pg|trpo|ppo|grading ...]`: runs the benchmark suites (all by default), rewrites
 * their sections of bench/RESULTS.md (the other suites' sections stay as they were), saves the
 * learning curves of the training suites to data/reference/*.csv, and prints the new sections.
 * Each figure is measured on the machine that ran it: every section says which, and rows give the
 * load where it matters.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { type BenchContext, createBenchContext } from "./common";
import { benchDqn } from "./dqn";
import { benchEnvs } from "./envs";
import { benchGrading } from "./grading";
import { benchPolicyGradient } from "./policy_gradient";
import { benchPpo } from "./ppo";
import { benchTrpo } from "./trpo";

const SUITES: Record<string, (ctx: BenchContext) => Promise<string[]> | string[]> = {
  envs: () => benchEnvs(),
  dqn: (ctx) => benchDqn(ctx),
  pg: (ctx) => benchPolicyGradient(ctx),
  trpo: (ctx) => benchTrpo(ctx),
  ppo: (ctx) => benchPpo(ctx),
  grading: () => benchGrading(),
};

const RESULTS = join(__dirname, "RESULTS.md");
const HEADING = /^## Suite `(\w+)`$/m;

/** The sections of RESULTS.md by suite name, in file order. */
function readSections(): Map<string, string> {
  const sections = new Map<string, string>();
  if (!existsSync(RESULTS)) return sections;
  const parts = readFileSync(RESULTS, "utf8").split(/^(?=## Suite `)/m);
  for (const part of parts) {
    const m = HEADING.exec(part);
    if (m) sections.set(m[1], part.trimEnd());
  }
  return sections;
}

async function main(): Promise<void> {
  const chosen = process.argv.slice(2);
  for (const name of chosen) if (!(name in SUITES)) throw new Error(`unknown benchmark '${name}' (known: ${Object.keys(SUITES).join(", ")})`);
  const sections = readSections();
  const fresh: string[] = [];
  for (const name of chosen.length > 0 ? chosen : Object.keys(SUITES)) {
    process.stderr.write(`running ${name} …\n`);
    const ctx = createBenchContext();
    const rows = await SUITES[name](ctx);
    const curves = ctx.flush();
    const section = [
      `## Suite \`${name}\``,
      "",
      `\`npm run bench -- ${name}\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}.`,
      ...(curves.length > 0 ? ["", `Learning curves saved: ${curves.map((c) => `\`${c}\``).join(", ")}.`] : []),
      "",
      "| benchmark | result |",
      "| --- | --- |",
      ...rows,
    ].join("\n");
    sections.set(name, section);
    fresh.push(section);
  }
  const ordered = [...Object.keys(SUITES).filter((k) => sections.has(k)), ...[...sections.keys()].filter((k) => !(k in SUITES))];
  const report = ["# Benchmark results", "", "One section per suite, rewritten whenever that suite runs (`npm run bench -- <suite>`).", "", ...ordered.map((k) => sections.get(k)! + "\n")].join("\n");
  writeFileSync(RESULTS, report);
  process.stdout.write(fresh.join("\n\n") + "\n");
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
