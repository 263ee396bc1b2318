/**
 * Homework release and validation: `rlcourse release` (lib/grading/release.ts) on the course's
 * notebook 00 and on the crafted notebooks in test/fixtures/notebooks/release/, the notebook
 * helpers (lib/grading/notebook.ts), the runner's allow-errors mode, and `rlcourse validate`
 * through the real Jupyter (nbclient) and tslab kernel.
 *
 * The CLI tests run the built dist/cli.js, so build first (`npx tsc -p .` or `npm run build`).
 * Without Jupyter or the tslab kernel the executing tests are skipped with the reason, except
 * under CI (CI=true), where that is a failure.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import {
  type Notebook,
  NotebookError,
  cellSource,
  gradeId,
  isLockedCell,
  isSolutionCell,
  isTestCell,
  parseNotebook,
  points,
  readNotebook,
  serializeNotebook,
  writeNotebook,
} from "../lib/grading/notebook";
import { CODE_STUB, ReleaseError, TEXT_STUB, releaseNotebook } from "../lib/grading/release";
import { KERNEL_NAME, listKernelSpecs } from "../lib/jupyter/kernelspec";
import { findJupyterPython } from "../lib/jupyter/python";
import { runNotebook } from "../lib/jupyter/run";

const root = path.resolve(__dirname, "..");
const cli = path.join(root, "dist", "cli.js");
const NB00 = path.join("notebooks", "00_getting_started.ipynb");
const fixture = (name: string): string => path.join("test", "fixtures", "notebooks", "release", `${name}.ipynb`);

/** Why the Jupyter tests cannot run here, or undefined when they can. */
function missingSetup(): string | undefined {
  if (!fs.existsSync(cli)) return "dist/cli.js is missing: run `npx tsc -p .` (or `npm run build`) first";
  const { python } = findJupyterPython({ remember: false });
  if (!python) return "no Python with nbclient/nbconvert: run `npm run setup`";
  try {
    if (!listKernelSpecs(python.executable)[KERNEL_NAME]) return "the tslab kernel is not installed: run `npm run setup`";
  } catch (e) {
    return `cannot list Jupyter kernels: ${(e as Error).message}`;
  }
  return undefined;
}

const missing = missingSetup();
if (missing && process.env.CI) {
  test("Jupyter and the tslab kernel are set up", () => assert.fail(missing));
}
const skip = missing && !process.env.CI ? missing : false;
const skipNoCli = fs.existsSync(cli) ? false : "dist/cli.js is missing: build first";

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function rlcourse(args: string[]): CliResult {
  const started = Date.now();
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", timeout: 300_000, env: { ...process.env, CI: "true" } });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, seconds: (Date.now() - started) / 1000 };
}

function show(r: CliResult): string {
  return `exit ${r.status} after ${r.seconds.toFixed(1)} s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlcourse-release-test-"));
  tempDirs.push(dir);
  return dir;
}

/** Every string anywhere in a JSON value, joined by newlines: what a leak check must search. */
function allText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(allText).join("\n");
  if (typeof value === "object" && value !== null) return Object.entries(value).map(([k, v]) => `${k}\n${allText(v)}`).join("\n");
  return String(value);
}

/**
 * The lines inside solution and hidden-test regions of `nb` (trimmed, non-empty, markers
 * excluded) that appear nowhere outside a region: none of them may reach the student version.
 */
function secretLines(nb: Notebook): string[] {
  const inside = new Set<string>();
  const outside = new Set<string>();
  for (const cell of nb.cells) {
    let depth = 0;
    for (const raw of cellSource(cell).split("\n")) {
      const line = raw.trim();
      if (/^(\/\/|<!--)?\s*BEGIN (SOLUTION|HIDDEN TESTS)/.test(line)) depth += 1;
      else if (/^(\/\/|<!--)?\s*END (SOLUTION|HIDDEN TESTS)/.test(line)) depth -= 1;
      else if (line) (depth > 0 ? inside : outside).add(line);
    }
  }
  // Lines like "}" or "return G;" could legitimately appear elsewhere: keep distinctive ones.
  return [...inside].filter((line) => !outside.has(line) && line.length >= 8 && /[A-Za-z0-9]/.test(line));
}

function cellById(nb: Notebook, id: string) {
  const cell = nb.cells.find((c) => gradeId(c) === id);
  assert.ok(cell, `no cell with grade_id ${id}`);
  return cell;
}

// ---------------------------------------------------------------------------------------------
// lib/grading/notebook.ts

test("readNotebook: clear errors naming the file for bad JSON, old nbformat, a missing file", () => {
  const corrupt = path.join("test", "fixtures", "notebooks", "corrupt.ipynb");
  assert.throws(() => readNotebook(corrupt), (e: unknown) => e instanceof NotebookError && /corrupt\.ipynb: not a notebook: invalid JSON/.test(e.message));
  const old = path.join("test", "fixtures", "notebooks", "old_format.ipynb");
  assert.throws(() => readNotebook(old), /old_format\.ipynb: not an nbformat 4 notebook \(nbformat is 3\)/);
  assert.throws(() => readNotebook("no/such.ipynb"), /no\/such\.ipynb: file not found/);
  assert.throws(() => parseNotebook('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}', "x.ipynb"), /x\.ipynb: cell 1: 'source'/);
  assert.throws(() => parseNotebook('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "heading", "source": "", "metadata": {}}]}', "y.ipynb"), /y\.ipynb: cell 1 has an unknown cell_type "heading"/);
});

test("notebook helpers: sources, nbgrader roles, grade_id and points of notebook 00", () => {
  const nb = readNotebook(NB00);
  const solution = cellById(nb, "discounted_return");
  const tests = cellById(nb, "discounted_return_tests");
  assert.ok(isSolutionCell(solution) && !isTestCell(solution) && !isLockedCell(solution));
  assert.ok(isTestCell(tests) && isLockedCell(tests) && !isSolutionCell(tests));
  assert.equal(points(tests), 2);
  assert.equal(points(solution), 0);
  assert.equal(gradeId(nb.cells[1]!), undefined);
  assert.match(cellSource(solution), /^function discountedReturn\(rewards: number\[\], gamma: number\): number \{\n  \/\/ BEGIN SOLUTION\n/);
});

test("writeNotebook: atomic, Jupyter's layout, reads back the same notebook", () => {
  const dir = path.join(tempDir(), "made", "here");
  const file = path.join(dir, "copy.ipynb");
  const nb = readNotebook(NB00);
  writeNotebook(file, nb);
  assert.deepEqual(fs.readdirSync(dir), ["copy.ipynb"], "no temporary file is left");
  const text = fs.readFileSync(file, "utf8");
  assert.equal(text, serializeNotebook(nb));
  assert.ok(text.endsWith("}\n") && text.startsWith('{\n "cells": [\n'));
  const back = readNotebook(file);
  assert.deepEqual(back.cells.map(cellSource), nb.cells.map(cellSource));
  assert.deepEqual(back.cells.map((c) => c.metadata), nb.cells.map((c) => c.metadata));
  assert.deepEqual(back.metadata, nb.metadata);
});

// ---------------------------------------------------------------------------------------------
// Release

test("release of notebook 00: stub at the marker's indentation, no solution or hidden text, metadata and visible tests kept", () => {
  const instructor = readNotebook(NB00);
  // Give it outputs, execution counts and run metadata, as an executed notebook has.
  const executed = structuredClone(instructor);
  for (const [i, cell] of executed.cells.entries()) {
    if (cell.cell_type !== "code") continue;
    cell.execution_count = i;
    cell.outputs = [{ output_type: "stream", name: "stdout", text: [`output of cell ${i}: G = 2.71\n`] }];
    cell.metadata.execution = { "iopub.status.busy": "2026-01-01T00:00:00Z" };
  }
  executed.metadata.rlcourse = { run: { status: "ok" } };
  const before = structuredClone(executed);
  const { notebook: student, summary } = releaseNotebook(executed, NB00);
  assert.deepEqual(executed, before, "the input is not changed");

  assert.equal(summary.solutions, 1);
  assert.equal(summary.hiddenTests, 1);
  assert.equal(summary.outputsCleared, executed.cells.filter((c) => c.cell_type === "code").length);
  assert.deepEqual(
    summary.testCells,
    [instructor.cells.findIndex((c) => gradeId(c) === "discounted_return_tests")],
  );

  // The solution: replaced by the stub, at the marker's two-space indentation.
  assert.equal(
    cellSource(cellById(student, "discounted_return")),
    'function discountedReturn(rewards: number[], gamma: number): number {\n  // YOUR CODE HERE\n  throw new Error("Not implemented");\n}',
  );
  // The visible tests stay, the hidden ones go with their markers.
  const visible = cellSource(cellById(instructor, "discounted_return_tests")).split("\n// BEGIN HIDDEN TESTS")[0];
  assert.equal(cellSource(cellById(student, "discounted_return_tests")), visible);
  assert.match(visible!, /check\.throws\("γ outside \[0, 1\] is refused"/);

  // Nothing secret anywhere in the file: no solution line, no hidden test, no marker, no output.
  const text = allText(student);
  const secrets = secretLines(instructor);
  assert.ok(secrets.length >= 10, `found ${secrets.length} secret lines`);
  for (const line of secrets) assert.ok(!text.includes(line), `leaked: ${line}`);
  for (const word of ["BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "20261122", "let G = 0", "G = 2.71", "iopub"]) {
    assert.ok(!text.includes(word), `leaked: ${word}`);
  }

  // Outputs and counts cleared; cells, ids, nbgrader metadata and kernelspec kept.
  assert.equal(student.cells.length, instructor.cells.length);
  for (const [i, cell] of student.cells.entries()) {
    const original = instructor.cells[i]!;
    assert.equal(cell.id, original.id);
    assert.equal(cell.cell_type, original.cell_type);
    assert.deepEqual(cell.metadata, original.metadata, `metadata of cell ${i + 1}`);
    if (cell.cell_type === "code") {
      assert.deepEqual(cell.outputs, []);
      assert.equal(cell.execution_count, null);
    }
    if (!isSolutionCell(original) && !isTestCell(original)) assert.equal(cellSource(cell), cellSource(original), `cell ${i + 1} unchanged`);
  }
  assert.deepEqual(student.metadata, instructor.metadata);
  assert.equal(student.metadata.kernelspec?.name, "tslab");
  assert.equal(student.nbformat, 4);
});

test("rlcourse release writes the student version into --out (atomically, nothing else)", { skip: skipNoCli }, () => {
  const out = path.join(tempDir(), "release");
  const r = rlcourse(["release", NB00, "--out", out]);
  assert.equal(r.status, 0, show(r));
  assert.match(r.stdout, /released notebooks\/00_getting_started\.ipynb -> .*00_getting_started\.ipynb: 1 solution region replaced, 1 hidden-test region removed/);
  assert.deepEqual(fs.readdirSync(out), ["00_getting_started.ipynb"]);
  const written = readNotebook(path.join(out, "00_getting_started.ipynb"));
  assert.deepEqual(written, JSON.parse(serializeNotebook(releaseNotebook(readNotebook(NB00), NB00).notebook)));
  const text = fs.readFileSync(path.join(out, "00_getting_started.ipynb"), "utf8");
  for (const line of secretLines(readNotebook(NB00))) assert.ok(!text.includes(JSON.stringify(line).slice(1, -1)), `leaked: ${line}`);

  const again = rlcourse(["release", path.join(out, "00_getting_started.ipynb"), "--out", out]);
  assert.equal(again.status, 1, "refuses to overwrite its input");
  assert.match(again.stderr, /would overwrite the notebook itself/);

  const help = rlcourse(["release", "--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: rlcourse release NOTEBOOK\|FOLDER\.\.\. \[--out DIR\]/);
  const none = rlcourse(["release"]);
  assert.equal(none.status, 2, show(none));
});

test("release of every kind of region: markdown answer, nested indentation, whole solution cell, hidden tests mid-cell", () => {
  const file = fixture("kinds");
  const instructor = readNotebook(file);
  const { notebook: student, summary } = releaseNotebook(instructor, file);
  assert.equal(summary.solutions, 4);
  assert.equal(summary.hiddenTests, 1);
  assert.equal(cellSource(cellById(student, "why_converges")), `Why does the return converge?\n\n${TEXT_STUB}`);
  assert.equal(
    cellSource(cellById(student, "sum_of_squares")),
    [
      "function sumOfSquares(xs: number[]): number {",
      "  let total = 0;",
      "  for (const x of xs) {",
      ...CODE_STUB.map((l) => `    ${l}`),
      "  }",
      "  return total;",
      "}",
    ].join("\n"),
  );
  assert.equal(cellSource(cellById(student, "triple")), CODE_STUB.join("\n"), "a solution cell without markers is replaced whole");
  assert.equal(cellSource(cellById(student, "top_level")), CODE_STUB.join("\n"));
  assert.equal(
    cellSource(cellById(student, "sum_of_squares_tests")),
    'if (sumOfSquares([1, 2]) !== 5) throw new Error("sumOfSquares([1, 2])");\nif (triple(2) !== 6) throw new Error("triple(2)");',
  );
  const text = allText(student);
  assert.doesNotMatch(text, /SECRET|SOLUTION OUTPUT/);
  for (const cell of student.cells) if (cell.cell_type === "code") assert.deepEqual([cell.outputs, cell.execution_count], [[], null]);
  assert.deepEqual(
    student.cells.map((c) => c.metadata),
    instructor.cells.map((c) => c.metadata),
  );
});

/** The refusal fixtures and the location each must report. */
const REFUSALS: { name: string; location: RegExp; reason: RegExp }[] = [
  {
    name: "unclosed",
    location: /unclosed\.ipynb, cell 2 \(grade_id "double"\), line 2: /,
    reason: /BEGIN SOLUTION is never closed: no END SOLUTION before the end of the cell/,
  },
  {
    name: "nested",
    location: /nested\.ipynb, cell 2 \(grade_id "double"\), line 4: /,
    reason: /nested region: BEGIN HIDDEN TESTS inside the SOLUTION region opened at line 2/,
  },
  {
    name: "stray_end",
    location: /stray_end\.ipynb, cell 2 \(grade_id "double"\), line 3: /,
    reason: /END SOLUTION without a BEGIN SOLUTION before it/,
  },
  {
    name: "solution_in_plain_cell",
    location: /solution_in_plain_cell\.ipynb, cell 2, line 2: /,
    reason: /BEGIN SOLUTION in a cell that is not a solution cell \(its metadata\.nbgrader\.solution is not true\): nbgrader would not collect/,
  },
  {
    name: "hidden_tests_in_ungraded_cell",
    location: /hidden_tests_in_ungraded_cell\.ipynb, cell 3 \(grade_id "double_demo"\), line 2: /,
    reason: /BEGIN HIDDEN TESTS in a cell that is not a graded cell \(its metadata\.nbgrader\.grade is not true\): only graded cells are restored/,
  },
];

test("refusals name the notebook, cell, grade_id and line (in memory)", () => {
  for (const { name, location, reason } of REFUSALS) {
    const file = fixture(name);
    assert.throws(
      () => releaseNotebook(readNotebook(file), file),
      (e: unknown) => {
        assert.ok(e instanceof ReleaseError, `${name}: ${String(e)}`);
        assert.equal(e.problems.length, 1, `${name}: exactly one problem:\n${e.message}`);
        assert.match(e.message, location, name);
        assert.match(e.message, reason, name);
        return true;
      },
    );
  }
});

test("rlcourse release refuses the crafted notebooks, writes nothing, exits 1", { skip: skipNoCli }, () => {
  for (const { name, location, reason } of REFUSALS) {
    const out = path.join(tempDir(), "release");
    const r = rlcourse(["release", fixture(name), "--out", out]);
    assert.equal(r.status, 1, show(r));
    assert.match(r.stderr, new RegExp(`^Refused: test/fixtures/notebooks/release/${location.source}${reason.source}`, "m"), name);
    assert.match(r.stderr, /Nothing written\./);
    assert.ok(!fs.existsSync(out), `${name}: nothing written`);
  }
  // All or nothing: a good notebook is not written when another one is refused.
  const out = path.join(tempDir(), "release");
  const both = rlcourse(["release", NB00, fixture("unclosed"), "--out", out]);
  assert.equal(both.status, 1, show(both));
  assert.ok(!fs.existsSync(out));
});

test("refusals: a marker among other text or misspelt, duplicate grade_ids, a graded cell without points", () => {
  const nb = readNotebook(fixture("kinds"));
  const inline = structuredClone(nb);
  cellById(inline, "sum_of_squares").source = "function f(): number {\n  return 1; // END SOLUTION\n}";
  assert.throws(
    () => releaseNotebook(inline, "inline.ipynb"),
    /inline\.ipynb, cell 3 \(grade_id "sum_of_squares"\), line 2: "END SOLUTION" is not a marker line: a marker is alone on its line/,
  );
  const lowercase = structuredClone(nb);
  cellById(lowercase, "sum_of_squares").source = "function f(): number {\n  // Begin Solution\n  return 1;\n  // END  SOLUTION\n}";
  assert.throws(
    () => releaseNotebook(lowercase, "lower.ipynb"),
    (e: unknown) => {
      assert.ok(e instanceof ReleaseError);
      assert.deepEqual(
        e.problems.map((p) => [p.line, p.message.split(":")[0]]),
        [
          [2, '"Begin Solution" is not a marker line'],
          [4, '"END  SOLUTION" is not a marker line'],
        ],
      );
      assert.match(e.message, /like "\/\/ BEGIN SOLUTION"/);
      return true;
    },
  );
  const duplicate = structuredClone(nb);
  cellById(duplicate, "triple").metadata.nbgrader!.grade_id = "sum_of_squares";
  assert.throws(
    () => releaseNotebook(duplicate, "dup.ipynb"),
    /dup\.ipynb, cell 4 \(grade_id "sum_of_squares"\): grade_id "sum_of_squares" is also the grade_id of cell 3/,
  );
  const pointless = structuredClone(nb);
  delete cellById(pointless, "sum_of_squares_tests").metadata.nbgrader!.points;
  assert.throws(() => releaseNotebook(pointless, "p.ipynb"), /p\.ipynb, cell 5 \(grade_id "sum_of_squares_tests"\): a graded cell needs metadata\.nbgrader\.points/);
});

// ---------------------------------------------------------------------------------------------
// Execution: the runner's allow-errors mode, and rlcourse validate

test("runNotebook with allowErrors runs every cell, records each one's status, and honours cwd", { skip }, async () => {
  const dir = tempDir();
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: [
      { cell_type: "code", metadata: {}, source: "console.log(process.cwd());", outputs: [], execution_count: null },
      { cell_type: "code", metadata: {}, source: 'throw new Error("first failure");', outputs: [], execution_count: null },
      { cell_type: "code", metadata: {}, source: 'const n: number = "not a number";', outputs: [], execution_count: null },
      { cell_type: "code", metadata: {}, source: 'console.log("still running");', outputs: [], execution_count: null },
    ],
  };
  const file = path.join(dir, "errors.ipynb");
  writeNotebook(file, nb);
  const cwd = path.join(root, "test", "fixtures");
  const python = findJupyterPython({ remember: false }).python!;
  const result = await runNotebook(file, { python, outDir: path.join(dir, "out"), allowErrors: true, cwd, timeoutSeconds: 60 });
  assert.equal(result.ok, false);
  assert.deepEqual(
    result.cellResults.map((c) => [c.index, c.n, c.status, c.kind]),
    [
      [0, 1, "ok", undefined],
      [1, 2, "error", "error"],
      [2, 3, "error", "type-error"],
      [3, 4, "ok", undefined],
    ],
  );
  assert.match(result.cellResults[1]!.detail ?? "", /first failure/);
  assert.equal(result.failure?.index, 1, "the notebook's failure is its first failing cell");
  const executed = JSON.parse(fs.readFileSync(path.join(dir, "out", "errors.ipynb"), "utf8"));
  const stdout = (i: number): string => executed.cells[i].outputs.filter((o: { name?: string }) => o.name === "stdout").map((o: { text: string | string[] }) => [o.text].flat().join("")).join("");
  assert.equal(stdout(0).trim(), cwd, "the kernel ran in the given cwd");
  assert.equal(stdout(3), "still running\n");
  assert.deepEqual(executed.metadata.rlcourse.run, { status: "failed", cell: 1, kind: "error", failed_cells: [1, 2] });
});

test("rlcourse validate notebooks/00: the test passes for the instructor and fails in the student version", { skip }, () => {
  const r = rlcourse(["validate", NB00, "--timeout", "120"]);
  assert.equal(r.status, 0, show(r));
  assert.match(r.stdout, /^ok\s+notebooks\/00_getting_started\.ipynb \(1 solution region, 1 hidden-test region\): instructor 14 cells in [\d.]+ s, student 14 cells in [\d.]+ s$/m);
  assert.match(r.stdout, /^\s+grade_id\s+points\s+instructor\s+student\s+compares with \(forbidden\)\s+verdict$/m);
  assert.match(r.stdout, /^\s+discounted_return_tests\s+2\s+pass\s+fail \(threw\)\s+\S.*\s+ok$/m);
  assert.match(r.stdout, /Validation: 1 of 1 notebooks ok; 1 of 1 graded test cells ok\./);
  assert.doesNotMatch(r.stdout + r.stderr, /VIOLATION/);
  console.log(`# validate 00_getting_started: ${r.seconds.toFixed(1)} s`);
});

test("rlcourse validate: a test that passes without the solution is a violation, named, exit 1", { skip }, () => {
  const r = rlcourse(["validate", fixture("weak_test"), "--timeout", "60"]);
  assert.equal(r.status, 1, show(r));
  assert.match(r.stdout, /^FAILED test\/fixtures\/notebooks\/release\/weak_test\.ipynb/m);
  assert.match(r.stdout, /^\s+square_tests\s+2\s+pass\s+fail \(threw\)\s+-\s+ok$/m);
  assert.match(r.stdout, /^\s+weak_tests\s+1\s+pass\s+pass\s+-\s+VIOLATION: passes without the solution$/m);
  assert.match(r.stdout, /VIOLATION test\/fixtures\/notebooks\/release\/weak_test\.ipynb, cell 5 \(grade_id "weak_tests"\): the test passes in the student version, without the solution/);
  assert.match(r.stdout, /Validation: 0 of 1 notebooks ok; 1 of 2 graded test cells ok\./);
  console.log(`# validate weak_test: ${r.seconds.toFixed(1)} s`);
});

test("rlcourse validate: a test that compares the answer with a library function must forbid it", { skip }, () => {
  // The two-exercise fixture with a test comparing returnsToGo with rl.discountedReturns: its
  // FORBID line makes it valid; without the line an answer that calls the library would pass.
  const nb = JSON.parse(fs.readFileSync(path.join(root, "test", "fixtures", "grading", "two_exercises.ipynb"), "utf8"));
  const comparison = 'check.close("as the library computes it", returnsToGo(rewardsA, 0.9), Array.from(rl.discountedReturns(rewardsA, 0.9)));\n';
  // Inside the checkout, where notebooks resolve "rl-course" (see the README's setup).
  const dir = fs.mkdtempSync(path.join(root, ".rlcourse-validate-forbid-"));
  try {
    const write = (name: string, forbid: boolean): string => {
      const copy = JSON.parse(JSON.stringify(nb));
      for (const cell of copy.cells) {
        if (cell.metadata?.nbgrader?.grade_id !== "returns_to_go_tests") continue;
        const text = [cell.source].flat().join("").replace(/^\/\/ FORBID:.*\n/m, "");
        cell.source = (forbid ? "// FORBID: discountedReturns\n" : "") + comparison + text;
      }
      const file = path.join(dir, name, "two_exercises.ipynb");
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, JSON.stringify(copy));
      return file;
    };
    const two = write("forbidden", true);
    const unforbidden = write("allowed", false);
    const ok = rlcourse(["validate", two, "--timeout", "60"]);
    assert.equal(ok.status, 0, show(ok));
    assert.match(ok.stdout, /^\s+returns_to_go_tests\s+3\s+pass\s+fail \(threw\)\s+discountedReturns \(forbidden\)\s+ok$/m);
    const r = rlcourse(["validate", unforbidden, "--timeout", "60"]);
    assert.equal(r.status, 1, show(r));
    assert.match(r.stdout, /^\s+returns_to_go_tests\s+3\s+pass\s+fail \(threw\)\s+discountedReturns\s+VIOLATION: compares with discountedReturns, not forbidden$/m);
    assert.match(r.stdout, /grade_id "returns_to_go_tests"\): the test compares the answer with the library's discountedReturns but does not forbid it, so an answer that calls the library passes: add the line `\/\/ FORBID: discountedReturns`/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("rlcourse validate: a notebook that cannot be released is a violation; bad options exit 2", { skip }, () => {
  const r = rlcourse(["validate", fixture("nested")]);
  assert.equal(r.status, 1, show(r));
  assert.match(r.stdout, /VIOLATION cannot be released:\n\s+test\/fixtures\/notebooks\/release\/nested\.ipynb, cell 2 \(grade_id "double"\), line 4: nested region/);
  const bad = rlcourse(["validate", NB00, "--timeout", "soon"]);
  assert.equal(bad.status, 2, show(bad));
  assert.match(bad.stderr, /--timeout/);
  const help = rlcourse(["--help"]);
  assert.match(help.stdout, /^\s+release\s/m);
  assert.match(help.stdout, /^\s+validate\s/m);
});
