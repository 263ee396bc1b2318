/**
 * Gradescope for real: `rlcourse autograder` writes the zip; the test unpacks it into Gradescope's
 * layout in a scratch root (a mount namespace where a scratch folder is `/autograder`: `source/`,
 * `submission/`, `results/`), runs `setup.sh` there as root (the course's `npm run setup`), then
 * `/autograder/run_autograder` for an honest and a hostile submission, and reads
 * `/autograder/results/results.json` as Gradescope would. Needs root, bubblewrap and unzip (as on
 * CI); skipped with the reason elsewhere.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import type { GradescopeResults } from "../lib/grading/report";
import { bwrapProblem } from "../lib/grading/sandbox";
import { writeNotebook, type Notebook } from "../lib/grading/notebook";
import { hiddenCheckLabels, instructorAnswer, solved } from "./fixtures/grading/submissions";

const root = path.resolve(__dirname, "..");
const cli = path.join(root, "dist", "cli.js");
const NOTEBOOK = "04_td_learning.ipynb";
const MOUNT = "/autograder";

function missing(): string | undefined {
  if (process.platform !== "linux") return "Gradescope's layout is simulated with Linux mount namespaces";
  if (process.getuid?.() !== 0) return "Gradescope runs the autograder as root; so must this test";
  if (!fs.existsSync(cli)) return "dist/cli.js is missing: run `npm run build`";
  const problem = bwrapProblem();
  if (problem) return `bubblewrap cannot run here: ${problem}`;
  if (spawnSync("unzip", ["-v"]).status !== 0) return "unzip is not installed (Gradescope unpacks the zip with it)";
  if (fs.existsSync(MOUNT) && fs.readdirSync(MOUNT).length > 0) return `${MOUNT} exists on this machine and is not empty`;
  return undefined;
}
const skip = missing();
if (skip) console.log(`Gradescope autograder test skipped: ${skip}`);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rlcourse-gradescope-"));
const createdMount = !skip && !fs.existsSync(MOUNT);
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  if (createdMount) fs.rmSync(MOUNT, { recursive: true, force: true });
});

/** Runs `command` as root in the scratch root, where `scratch/autograder` is `/autograder`. */
function inGradescope(command: string[], cwd: string, timeoutMinutes: number): { status: number | null; log: string } {
  const r = spawnSync(
    "bwrap",
    ["--dev-bind", "/", "/", "--bind", path.join(scratch, "autograder"), MOUNT, "--die-with-parent", "--chdir", cwd, "--", ...command],
    {
      encoding: "utf8",
      timeout: timeoutMinutes * 60_000,
      maxBuffer: 64 * 1024 * 1024,
      // The image's own Jupyter data folder: setup registers the tslab kernel there, not in this machine's.
      env: { ...process.env, JUPYTER_DATA_DIR: path.join(scratch, "jupyter-data") },
    },
  );
  return { status: r.status, log: `${r.stdout}\n${r.stderr}${r.error ? `\n${r.error}` : ""}` };
}

// A solution cell that goes after what Gradescope's container holds: the instructor notebook (the
// hidden tests), the course, the results file (a forged full score), the submission folder.
const HOSTILE = `
function lambdaReturns(rewards: readonly number[], values: ArrayLike<number>, gamma: number, lambda: number): Float64Array {
  throw new Error("Not implemented");
}
{
  const fs = require("fs");
  for (const f of ["/autograder/source/${NOTEBOOK}", "/autograder/source/course/package.json", "/autograder/submission/${NOTEBOOK}"]) {
    try { console.log("READ " + f + ": " + fs.readFileSync(f, "utf8")); } catch (e) { console.log("cannot read " + f); }
  }
  for (const f of ["/autograder/results/results.json", "/autograder/source/${NOTEBOOK}"]) {
    try {
      fs.mkdirSync(require("path").dirname(f), { recursive: true });
      fs.writeFileSync(f, JSON.stringify({ score: 9, max_score: 9, output: "FORGED", tests: [] }));
      console.log("WROTE " + f);
    } catch (e) { console.log("cannot write " + f); }
  }
}
`;

test("rlcourse autograder: the zip builds and grades in Gradescope's layout, as root, honest and hostile", { skip: skip ?? false }, () => {
  const sourceFile = path.join(root, "notebooks", NOTEBOOK);
  const out = path.join(scratch, "zip");
  const built = spawnSync(process.execPath, [cli, "autograder", sourceFile, "--out", out, "--memory", "3072"], { encoding: "utf8" });
  assert.equal(built.status, 0, built.stderr);
  const zip = path.join(out, "04_td_learning-autograder.zip");

  // What Gradescope gets: the two scripts at the top (executable), the notebook, the course's
  // sources; no other notebook, no tests, no build output.
  const listing = spawnSync("unzip", ["-Z", zip], { encoding: "utf8" }).stdout;
  assert.match(listing, /^-rwxr-xr-x .* setup\.sh$/m);
  assert.match(listing, /^-rwxr-xr-x .* run_autograder$/m);
  const names = spawnSync("unzip", ["-Z1", zip], { encoding: "utf8" }).stdout.trim().split("\n");
  assert.ok(names.includes(NOTEBOOK) && names.includes("course/package-lock.json") && names.includes("course/lib/cli.ts"));
  assert.deepEqual(names.filter((n) => n.endsWith(".ipynb")), [NOTEBOOK]);
  assert.deepEqual(names.filter((n) => /^course\/(dist|node_modules|test|notebooks|\.git)\//.test(n)), []);

  const ag = path.join(scratch, "autograder");
  for (const dir of ["source", "submission", "results"]) fs.mkdirSync(path.join(ag, dir), { recursive: true });
  if (createdMount) fs.mkdirSync(MOUNT);
  const unzip = spawnSync("unzip", ["-q", zip, "-d", path.join(ag, "source")], { encoding: "utf8" });
  assert.equal(unzip.status, 0, unzip.stderr);

  const setup = inGradescope(["bash", "./setup.sh"], `${MOUNT}/source`, 25);
  assert.equal(setup.status, 0, `setup.sh failed:\n${setup.log.slice(-6000)}`);
  for (const line of setup.log.split("\n").filter((l) => /^\[\d\/\d\]|^Setup done/.test(l))) console.log(`setup.sh: ${line}`);
  fs.copyFileSync(path.join(ag, "source", "run_autograder"), path.join(ag, "run_autograder"));
  fs.chmodSync(path.join(ag, "run_autograder"), 0o755);

  const hiddenLabels = hiddenCheckLabels(sourceFile);
  assert.ok(hiddenLabels.length >= 4);
  const answers = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, instructorAnswer(sourceFile, id)]));
  const sourceBefore = fs.readFileSync(path.join(ag, "source", NOTEBOOK), "utf8");

  const cases: { name: string; notebook: Notebook; score: number }[] = [
    { name: "honest", notebook: solved(sourceFile, answers(["td_zero_update", "lambda_returns", "eligibility_traces", "control_targets"])), score: 9 },
    { name: "hostile", notebook: solved(sourceFile, { ...answers(["td_zero_update"]), lambda_returns: HOSTILE }), score: 2 },
  ];
  for (const c of cases) {
    fs.rmSync(path.join(ag, "submission"), { recursive: true, force: true });
    fs.rmSync(path.join(ag, "results"), { recursive: true, force: true });
    fs.mkdirSync(path.join(ag, "results"));
    writeNotebook(path.join(ag, "submission", NOTEBOOK), c.notebook);
    const run = inGradescope([`${MOUNT}/run_autograder`], MOUNT, 20);
    assert.equal(run.status, 0, `${c.name}: run_autograder failed:\n${run.log.slice(-6000)}`);
    const text = fs.readFileSync(path.join(ag, "results", "results.json"), "utf8");
    const results = JSON.parse(text) as GradescopeResults;
    assert.equal(results.score, c.score, `${c.name}: ${text.slice(0, 4000)}`);
    assert.equal(results.max_score, 9);
    assert.deepEqual(results.tests.map((t) => [t.name, t.max_score]), [["td_zero_update_tests", 2], ["lambda_returns_tests", 2], ["eligibility_traces_tests", 2], ["control_targets_tests", 3]]);
    assert.match(results.tests[0]!.output, /✔ a random-walk episode: the same V as rl\.td0Update/, `${c.name}: the visible checks' lines`);
    for (const label of hiddenLabels) assert.ok(!text.includes(label), `${c.name}: results.json shows the hidden check "${label}"`);
    assert.ok(!text.includes("FORGED") && !text.includes("READ /autograder"), `${c.name}: ${text.slice(0, 4000)}`);
    assert.equal(fs.readFileSync(path.join(ag, "source", NOTEBOOK), "utf8"), sourceBefore, `${c.name}: the instructor notebook changed`);
  }

  // A submission with no notebook: 0 points, and the student is told why.
  fs.rmSync(path.join(ag, "submission"), { recursive: true, force: true });
  fs.mkdirSync(path.join(ag, "submission"));
  fs.writeFileSync(path.join(ag, "submission", "answers.txt"), "see attached\n");
  const empty = inGradescope([`${MOUNT}/run_autograder`], MOUNT, 5);
  assert.equal(empty.status, 0, empty.log);
  const results = JSON.parse(fs.readFileSync(path.join(ag, "results", "results.json"), "utf8")) as GradescopeResults;
  assert.equal(results.score, 0);
  assert.match(results.output, new RegExp(`upload one notebook \\(${NOTEBOOK.replace(".", "\\.")}\\); this submission holds none`));
});
