/**
 * Integration tests of `rlcourse run` through the real Jupyter (nbclient) and tslab kernel, on
 * the small notebooks in test/fixtures/notebooks/. They run the built CLI (dist/cli.js) as a
 * child process, so build first (`npx tsc -p .` or `npm run build`) and run `npm run setup` once.
 *
 * Without Jupyter or the tslab kernel they are skipped with the reason, except under CI
 * (CI=true), where that is a failure.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { KERNEL_NAME, listKernelSpecs } from "../lib/jupyter/kernelspec";
import { findJupyterPython } from "../lib/jupyter/python";

const root = path.resolve(__dirname, "..");
const cli = path.join(root, "dist", "cli.js");
const fixtures = path.join(root, "test", "fixtures", "notebooks");
const fixture = (name: string): string => path.join("test", "fixtures", "notebooks", name);

/** Why the integration tests cannot run here, or undefined when they can. */
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
const pythonExecutable = missing ? "" : (findJupyterPython({ remember: false }).python?.executable ?? "");

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function rlcourse(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const started = Date.now();
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 180_000,
    env: { ...process.env, ...env },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, seconds: (Date.now() - started) / 1000 };
}

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A fresh output folder (not created: `rlcourse run` must create it). */
function tempOut(): string {
  return path.join(tempDir("rlcourse-test-"), "out");
}

/** The files in `dir` (none when it does not exist), sorted. */
function listing(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** Asserts that `dir` holds exactly the executed notebook and HTML page of each name. */
function assertOutputs(dir: string, names: string[]): void {
  assert.deepEqual(listing(dir), names.flatMap((n) => [`${n}.html`, `${n}.ipynb`]).sort(), `unexpected files in ${dir}`);
}

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
interface Cell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: Output[];
}
interface Notebook {
  cells: Cell[];
  metadata: { rlcourse?: { run?: { status: string; cell?: number; kind?: string } } };
}

function readNotebook(file: string): Notebook {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Notebook;
}

function streamText(cell: Cell, name: "stdout" | "stderr"): string {
  return (cell.outputs ?? [])
    .filter((o) => o.output_type === "stream" && o.name === name)
    .map((o) => (Array.isArray(o.text) ? o.text.join("") : (o.text ?? "")))
    .join("");
}

function show(r: CliResult): string {
  return `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

test("rlcourse --help lists the commands; an unknown command exits 2", () => {
  if (!fs.existsSync(cli)) return assert.fail("dist/cli.js is missing: build first");
  const help = rlcourse(["--help"]);
  assert.equal(help.status, 0, show(help));
  assert.match(help.stdout, /^\s+run\s/m);
  assert.match(help.stdout, /^\s+lab\s/m);

  const unknown = rlcourse(["frobnicate"]);
  assert.equal(unknown.status, 2, show(unknown));
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);

  const badOption = rlcourse(["run", "--no-such-option"]);
  assert.equal(badOption.status, 2, show(badOption));
  assert.match(badOption.stderr, /--no-such-option/);

  const badTimeout = rlcourse(["run", "--timeout", "soon"]);
  assert.equal(badTimeout.status, 2, show(badTimeout));
  assert.match(badTimeout.stderr, /--timeout/);
});

test("a passing notebook: exit 0, executed .ipynb with its outputs and an HTML page", { skip }, () => {
  const out = tempOut();
  const r = rlcourse(["run", fixture("passing.ipynb"), "--out", out]);
  assert.equal(r.status, 0, show(r));
  assert.match(r.stdout, /ok\s+\[1\/1\] .*passing\.ipynb: 2 cells/);
  assert.match(r.stdout, /Notebooks: 1 ok, 0 failed/);
  assertOutputs(out, ["passing"]);

  const nb = readNotebook(path.join(out, "passing.ipynb"));
  const code = nb.cells.filter((c) => c.cell_type === "code");
  assert.equal(streamText(code[0]!, "stdout"), "hello from tslab 1,4,9\n");
  assert.equal(code[0]!.execution_count, 1);
  assert.equal(streamText(code[2]!, "stdout"), "resolved rl-course\n", "rl-course must resolve from the notebook's folder");
  assert.deepEqual(nb.metadata.rlcourse?.run, { status: "ok" });

  const html = fs.readFileSync(path.join(out, "passing.html"), "utf8");
  assert.match(html, /<html/i);
  assert.match(html, /hello from tslab 1,4,9/);
});

test("a thrown error fails the notebook, names the cell, and keeps the executed part", { skip }, () => {
  const out = tempOut();
  const r = rlcourse(["run", fixture("throws.ipynb"), "--out", out]);
  assert.equal(r.status, 1, show(r));
  assert.match(r.stdout, /FAILED \[1\/1\] .*throws\.ipynb: 2 of 3 cells run/);
  assert.match(r.stderr, /throws\.ipynb, cell 2 \(code cell 2 of 3\): the cell threw an error/);
  assert.match(r.stderr, /> throw new Error\("boom from a test cell"\);/);
  assert.match(r.stderr, /Error: boom from a test cell/);
  assertOutputs(out, ["throws"]);

  const nb = readNotebook(path.join(out, "throws.ipynb"));
  assert.deepEqual(nb.metadata.rlcourse?.run, { status: "failed", cell: 1, kind: "error" });
  assert.equal(streamText(nb.cells[0]!, "stdout"), "before the error\n");
  // The kernel's error output (ename, evalue, traceback), shown once: not on stderr as well.
  const errors = (nb.cells[1]!.outputs ?? []).filter((o) => o.output_type === "error");
  assert.equal(errors.length, 1, JSON.stringify(nb.cells[1]!.outputs));
  assert.equal(errors[0]!.ename, "Error");
  assert.equal(errors[0]!.evalue, "boom from a test cell");
  assert.match(errors[0]!.traceback!.join("\n"), /^Error: boom from a test cell$/m);
  assert.equal(streamText(nb.cells[1]!, "stderr"), "");
  assert.deepEqual(nb.cells[2]!.outputs, [], "cells after the failing one do not run");
});

test("a TypeScript type error fails the notebook; the next notebook still runs", { skip }, () => {
  const out = tempOut();
  const r = rlcourse(["run", fixture("type_error.ipynb"), fixture("passing.ipynb"), "--out", out]);
  assert.equal(r.status, 1, show(r));
  assert.match(r.stderr, /type_error\.ipynb, cell 1 \(code cell 1 of 2\): TypeScript error/);
  assert.match(r.stderr, /> const n: number = "one";/);
  assert.match(r.stderr, /1:7 - Type 'string' is not assignable to type 'number'/);
  assert.match(r.stdout, /ok\s+\[2\/2\] .*passing\.ipynb/);
  assert.match(r.stdout, /Notebooks: 1 ok, 1 failed/);
  assertOutputs(out, ["passing", "type_error"]);
  const nb = readNotebook(path.join(out, "type_error.ipynb"));
  assert.deepEqual(nb.metadata.rlcourse?.run, { status: "failed", cell: 0, kind: "type-error" });
  const errors = (nb.cells[0]!.outputs ?? []).filter((o) => o.output_type === "error");
  assert.deepEqual(
    errors.map((o) => [o.ename, o.traceback]),
    [["CompileError", ["1:7 - Type 'string' is not assignable to type 'number'."]]],
  );
});

test("a cell that never ends is interrupted after --timeout and fails the notebook", { skip }, () => {
  const out = tempOut();
  const r = rlcourse(["run", fixture("infinite_loop.ipynb"), "--out", out, "--timeout", "2"]);
  assert.equal(r.status, 1, show(r));
  assert.match(r.stderr, /infinite_loop\.ipynb, cell 2 \(code cell 2 of 3\): the cell did not finish within 2 s/);
  assert.match(r.stderr, /> while \(true\) \{/);
  assert.ok(r.seconds < 60, `took ${r.seconds} s`);
  assertOutputs(out, ["infinite_loop"]);
  const nb = readNotebook(path.join(out, "infinite_loop.ipynb"));
  assert.equal(nb.metadata.rlcourse?.run?.kind, "timeout");
  assert.match(streamText(nb.cells[1]!, "stderr"), /timed out after 2 s; kernel interrupted/);
});

test("a corrupt or pre-v4 .ipynb fails with a clear message and writes nothing", { skip }, () => {
  const out = tempOut();
  const r = rlcourse(["run", fixture("corrupt.ipynb"), fixture("old_format.ipynb"), "--out", out]);
  assert.equal(r.status, 1, show(r));
  assert.match(r.stderr, /corrupt\.ipynb: not a notebook: invalid JSON/);
  assert.match(r.stderr, /old_format\.ipynb: not an nbformat 4 notebook \(nbformat is 3\)/);
  assert.match(r.stdout, /Notebooks: 0 ok, 2 failed/);
  assert.deepEqual(listing(out), []);

  const absent = rlcourse(["run", fixture("no_such_notebook.ipynb"), "--out", out]);
  assert.equal(absent.status, 1, show(absent));
  assert.match(absent.stderr, /no_such_notebook\.ipynb: file not found/);
});

test("without a registered tslab kernelspec, rlcourse run still runs this package's tslab", { skip }, () => {
  const home = tempDir("rlcourse-home-");
  const out = tempOut();
  // A home and Jupyter data folder without kernelspecs hide the user's tslab kernel: run brings its own.
  const env = { HOME: home, USERPROFILE: home, JUPYTER_DATA_DIR: path.join(home, "jupyter"), RLCOURSE_PYTHON: pythonExecutable };
  const r = rlcourse(["run", fixture("passing.ipynb"), "--out", out], env);
  assert.equal(r.status, 0, show(r));
  assert.deepEqual(listing(out), ["passing.html", "passing.ipynb"]);
});

test("without Jupyter: a clear message pointing to npm run setup", { skip: fs.existsSync(cli) ? false : "build first" }, () => {
  const out = tempOut();
  // Node.js is no Python: the search fails the way it does on a machine without Jupyter.
  const r = rlcourse(["run", fixture("passing.ipynb"), "--out", out], { RLCOURSE_PYTHON: process.execPath });
  assert.equal(r.status, 1, show(r));
  assert.match(r.stderr, /nbclient/);
  assert.match(r.stderr, /npm run setup/);
  assert.deepEqual(listing(out), []);
});

/** A notebook that imports the library with a typed import (TypeScript's resolution) and uses it (Node's). */
function writeProbe(dir: string): string {
  const file = path.join(dir, "probe.ipynb");
  const source = ['import { make } from "rl-course";\n', 'const [obs] = make("CartPole-v1").reset({ seed: 0 });\n', 'console.log("observation length", obs.length);'];
  const notebook = {
    cells: [{ cell_type: "code", id: "probe", metadata: {}, source, execution_count: null, outputs: [] }],
    metadata: { kernelspec: { display_name: "TypeScript", language: "typescript", name: "tslab" }, language_info: { name: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(file, JSON.stringify(notebook, null, 1));
  return file;
}

test("rlcourse workspace DIR: student notebooks and the library reachable from a folder outside the checkout; made again, it keeps the student's work", { skip }, () => {
  const ws = path.join(tempDir("rlcourse-ws-"), "my homework");
  const r = rlcourse(["workspace", ws]);
  assert.equal(r.status, 0, show(r));
  const course = listing(path.join(root, "notebooks")).filter((f) => f.endsWith(".ipynb"));
  assert.match(r.stdout, new RegExp(`${course.length} notebooks written; linked node_modules/rl-course`));
  assert.deepEqual(listing(ws), [...course, "node_modules"].sort());
  assert.equal(fs.realpathSync(path.join(ws, "node_modules", "rl-course")), fs.realpathSync(root));
  const texts = course.map((f) => fs.readFileSync(path.join(ws, f), "utf8"));
  assert.ok(texts.every((t) => !t.includes("BEGIN SOLUTION") && !t.includes("BEGIN HIDDEN TESTS")), "student versions only");
  assert.ok(texts.some((t) => t.includes("YOUR CODE HERE")), "the exercises are left to the student");
  // The student's work survives a second run; a deleted notebook comes back.
  const mine = path.join(ws, course[0]);
  fs.writeFileSync(mine, fs.readFileSync(mine, "utf8").replace("YOUR CODE HERE", "my answer"));
  const edited = fs.readFileSync(mine, "utf8");
  fs.rmSync(path.join(ws, course[1]));
  const again = rlcourse(["workspace", ws]);
  assert.equal(again.status, 0, show(again));
  assert.match(again.stdout, new RegExp(`1 notebook written, ${course.length - 1} already there kept as they are; node_modules/rl-course already links`));
  assert.equal(fs.readFileSync(mine, "utf8"), edited);
  // A notebook in the workspace imports the library; the same notebook in a plain folder cannot.
  const run = rlcourse(["run", writeProbe(ws), "--out", path.join(ws, "out")]);
  assert.equal(run.status, 0, show(run));
  assert.match(streamText(readNotebook(path.join(ws, "out", "probe.ipynb")).cells[0], "stdout"), /observation length 4/);
  const plain = tempDir("rlcourse-plain-");
  const bare = rlcourse(["run", writeProbe(plain), "--out", path.join(plain, "out")]);
  assert.equal(bare.status, 1, show(bare));
  assert.match(bare.stdout + bare.stderr, /rl-course/);
  // Not the course's own folder, and not a file.
  assert.equal(rlcourse(["workspace", path.join(root, "notebooks")]).status, 1);
  assert.equal(rlcourse(["workspace", mine]).status, 1);
});

test("fixtures are in place", () => {
  for (const name of ["passing", "throws", "type_error", "infinite_loop", "corrupt", "old_format"]) {
    assert.ok(fs.existsSync(path.join(fixtures, `${name}.ipynb`)), name);
  }
});
