/**
 * nbgrader for real: the course's configuration (nbgrader/nbgrader_config.py) drives nbgrader's
 * own `generate_assignment`, `autograde` and `generate_feedback` on notebook 04 through the tslab
 * kernel, for an honest, a half-answered, an unanswered and a gamed submission (right on the
 * visible tests, wrong on the hidden ones). Skipped, with the reason, where nbgrader is not
 * installed (`.ci/run` tries `pip install nbgrader`; the machine's package index may not hold it).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { hiddenPart } from "../lib/grading/assemble";
import { HIDDEN_TESTS_FAILED } from "../lib/checks/hidden";
import { cellSource, readNotebook, writeNotebook, type Notebook } from "../lib/grading/notebook";
import { releaseNotebook } from "../lib/grading/release";
import { KERNEL_NAME, listKernelSpecs } from "../lib/jupyter/kernelspec";
import { findJupyterPython } from "../lib/jupyter/python";
import { hiddenCheckLabels, instructorAnswer, withAnswers } from "./fixtures/grading/submissions";

const root = path.resolve(__dirname, "..");
const NOTEBOOK = "04_td_learning.ipynb";
const ASSIGNMENT = "ps04";

/** The Python that runs nbgrader, or why the test cannot run here. */
function nbgraderPython(): { python: string } | { missing: string } {
  const { python } = findJupyterPython({ remember: false });
  if (!python) return { missing: "no Python with nbclient/nbconvert: run `npm run setup`" };
  if (!listKernelSpecs(python.executable)[KERNEL_NAME]) return { missing: "the tslab kernel is not installed: run `npm run setup`" };
  // Not from the repository, whose nbgrader/ folder Python would take for a namespace package.
  const probe = spawnSync(python.executable, ["-m", "nbgrader", "--version"], { encoding: "utf8", cwd: os.tmpdir() });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.stdout || String(probe.error)).trim().split("\n").pop();
    return { missing: `nbgrader is not installed for ${python.executable} (${why}); \`pip install nbgrader\` installs it where the package index has it` };
  }
  return { python: python.executable };
}

const found = nbgraderPython();
if ("missing" in found) console.log(`nbgrader integration test skipped: ${found.missing}`);

const course = fs.mkdtempSync(path.join(os.tmpdir(), "rlcourse-nbgrader-"));
after(() => fs.rmSync(course, { recursive: true, force: true }));

/** Runs `python -m nbgrader ARGS` in the course directory; fails the test on a non-zero exit. */
function nbgraderRun(python: string, args: string[]): string {
  const r = spawnSync(python, ["-m", "nbgrader", ...args], { cwd: course, encoding: "utf8", timeout: 30 * 60_000 });
  const log = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, `nbgrader ${args.join(" ")} exited ${r.status}:\n${log}`);
  assert.doesNotMatch(log, /\| ERROR\]/, `nbgrader ${args.join(" ")} logged errors:\n${log}`);
  return log;
}

/** The text a reader sees on an HTML page: tags dropped, entities decoded. */
function pageText(html: string): string {
  const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) =>
      name[0] === "#" ? String.fromCodePoint(Number(name[1] === "x" || name[1] === "X" ? `0${name.slice(1)}` : name.slice(1))) : (entities[name] ?? whole));
}

test("nbgrader generate_assignment / autograde / generate_feedback grade notebook 04 with the course's configuration", { skip: "missing" in found ? found.missing : false }, () => {
  const python = (found as { python: string }).python;
  // The course directory: nbgrader's layout, the course's configuration, and rl-course resolvable
  // from it (as `npm install /path/to/rl-course` would link it).
  fs.mkdirSync(path.join(course, "node_modules"));
  fs.symlinkSync(root, path.join(course, "node_modules", "rl-course"), "dir");
  fs.writeFileSync(
    path.join(course, "nbgrader_config.py"),
    `${fs.readFileSync(path.join(root, "nbgrader", "nbgrader_config.py"), "utf8")}\nc.CourseDirectory.course_id = "rl-course-test"\n`,
  );
  const sourceFile = path.join(course, "source", ASSIGNMENT, NOTEBOOK);
  fs.mkdirSync(path.dirname(sourceFile), { recursive: true });
  fs.copyFileSync(path.join(root, "notebooks", NOTEBOOK), sourceFile);
  const source = readNotebook(sourceFile);

  // generate_assignment: the student version `rlcourse release` makes, cell for cell.
  nbgraderRun(python, ["generate_assignment", ASSIGNMENT, "--force"]);
  const released = readNotebook(path.join(course, "release", ASSIGNMENT, NOTEBOOK));
  const ours = releaseNotebook(source, NOTEBOOK).notebook;
  assert.deepEqual(released.cells.map(cellSource), ours.cells.map(cellSource), "nbgrader's release differs from `rlcourse release`");
  const hidden = source.cells.map((cell) => hiddenPart(cellSource(cell))).filter((part) => part !== "");
  assert.equal(hidden.length, 4, "notebook 04 has hidden tests in each of its 4 graded cells");
  const hiddenLabels = hiddenCheckLabels(sourceFile);
  assert.ok(hiddenLabels.length >= 4, `hidden check labels found: ${hiddenLabels.join(" | ")}`);

  // Submissions: all four answers; exercises 1 and 4 only (2 + 3 points); none; and all four with
  // exercise 1 forgetting γ, which the visible tests (γ = 1, or a terminal step) cannot see.
  const solution = Object.fromEntries(["td_zero_update", "lambda_returns", "eligibility_traces", "control_targets"].map((id) => [id, instructorAnswer(sourceFile, id)]));
  const withoutGamma = solution.td_zero_update!.replace("r + gamma * V[sNext]", "r + V[sNext]");
  assert.notEqual(withoutGamma, solution.td_zero_update, "the TD(0) solution changed: update the gamed submission");
  const submissions: Record<string, { notebook: Notebook; score: number }> = {
    honest: { notebook: withAnswers(released, solution), score: 9 },
    half: { notebook: withAnswers(released, { td_zero_update: solution.td_zero_update!, control_targets: solution.control_targets! }), score: 5 },
    unanswered: { notebook: released, score: 0 },
    gamed: { notebook: withAnswers(released, { ...solution, td_zero_update: withoutGamma }), score: 7 },
  };
  for (const [student, { notebook }] of Object.entries(submissions)) {
    writeNotebook(path.join(course, "submitted", student, ASSIGNMENT, NOTEBOOK), notebook);
  }

  nbgraderRun(python, ["autograde", ASSIGNMENT, "--create", "--force"]);
  const scores = spawnSync(python, ["-c", [
    "import json, sys",
    "from nbgrader.api import Gradebook",
    "with Gradebook('sqlite:///gradebook.db') as gb:",
    `    print(json.dumps({s: gb.find_submission('${ASSIGNMENT}', s).score for s in sys.argv[1:]}))`,
  ].join("\n"), ...Object.keys(submissions)], { cwd: course, encoding: "utf8" });
  assert.equal(scores.status, 0, scores.stderr);
  assert.deepEqual(
    JSON.parse(scores.stdout),
    Object.fromEntries(Object.entries(submissions).map(([student, { score }]) => [student, score])),
  );

  nbgraderRun(python, ["generate_feedback", ASSIGNMENT, "--force"]);
  const visibleLabel = "a random-walk episode: the same V as rl.td0Update";
  assert.ok(!hiddenLabels.includes(visibleLabel));
  // Lines of the hidden tests that nothing visible repeats (a loop header may appear in both).
  const visibleText = source.cells.map(cellSource).join("\n").replace(/BEGIN HIDDEN TESTS[\s\S]*?END HIDDEN TESTS/g, "");
  const hiddenLines = hidden.flatMap((region) => region.split("\n").map((l) => l.trim())).filter((l) => l.length > 24 && !visibleText.includes(l));
  assert.ok(hiddenLines.length >= 10, `hidden lines to look for: ${hiddenLines.length}`);
  for (const student of Object.keys(submissions)) {
    const page = pageText(fs.readFileSync(path.join(course, "feedback", student, ASSIGNMENT, NOTEBOOK.replace(/\.ipynb$/, ".html")), "utf8"));
    for (const label of hiddenLabels) assert.ok(!page.includes(label), `${student}'s feedback shows the hidden check "${label}"`);
    for (const line of hiddenLines) assert.ok(!page.includes(line), `${student}'s feedback shows a hidden test's line: ${line}`);
    // What the student wrote, and the visible tests, are there (the page is the one asked about).
    assert.ok(page.includes("function tdZeroUpdate("), `${student}'s feedback lacks the notebook's cells`);
    assert.equal(page.includes(`✔ ${visibleLabel}`), student !== "unanswered", `${student}'s feedback: the visible check's line`);
    assert.equal(page.includes(HIDDEN_TESTS_FAILED), student === "gamed", `${student}'s feedback: "${HIDDEN_TESTS_FAILED}"`);
  }
});
