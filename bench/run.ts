/**
 * `npm run bench [envs|dqn|pg|grading ...]`: runs the benchmarks (all by default) and writes
 * bench/RESULTS.md (and prints it). Each figure is measured on the machine that ran it; the header
 * says which, and rows give the load where it matters.
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { benchDqn } from "./dqn";
import { benchEnvs } from "./envs";
import { benchGrading } from "./grading";
import { benchPolicyGradient } from "./policy_gradient";

const SUITES: Record<string, () => Promise<string[]> | string[]> = {
  envs: benchEnvs,
  dqn: () => benchDqn(),
  pg: () => benchPolicyGradient(),
  grading: () => benchGrading(),
};

async function main(): Promise<void> {
  const chosen = process.argv.slice(2);
  for (const name of chosen) if (!(name in SUITES)) throw new Error(`unknown benchmark '${name}' (known: ${Object.keys(SUITES).join(", ")})`);
  const rows: string[] = [];
  for (const name of chosen.length > 0 ? chosen : Object.keys(SUITES)) {
    process.stderr.write(`running ${name} …\n`);
    rows.push(...(await SUITES[name]()));
  }
  const report = [
    "# Benchmark results",
    "",
    `Produced by \`npm run bench${chosen.length ? " -- " + chosen.join(" ") : ""}\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}.`,
    "",
    "| benchmark | result |",
    "| --- | --- |",
    ...rows,
    "",
  ].join("\n");
  writeFileSync(join(__dirname, "RESULTS.md"), report);
  process.stdout.write(report);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
