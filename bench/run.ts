/**
 * `npm run bench`: runs every benchmark and writes bench/RESULTS.md (and prints it).
 * Each figure is a median over repeats on the machine that ran it; see the header for which.
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { benchEnvs } from "./envs";

const rows = benchEnvs();
const report = [
  "# Benchmark results",
  "",
  `Produced by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}.`,
  "",
  "| benchmark | result |",
  "| --- | --- |",
  ...rows,
  "",
].join("\n");
writeFileSync(join(__dirname, "RESULTS.md"), report);
process.stdout.write(report);
