/**
 * `rlcourse grade` without Jupyter: how submissions are rebuilt (lib/grading/assemble.ts), the
 * analysis and injected cells (lib/grading/trust.ts), the in-kernel guard run in this process
 * (lib/grading/guard.ts), the checks' captured built-ins, the reports (lib/grading/report.ts)
 * and how submissions are found. The executing, adversarial suite is test/grade.test.ts.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { assembleSubmission, forbiddenNames, hiddenPart, loadAssignment } from "../lib/grading/assemble";
import { check } from "../lib/checks";
import { type SubmissionResult, cleanOutput, collectSubmissions, studentId } from "../lib/grading/grade";
import { bwrapProblem, createSandbox } from "../lib/grading/sandbox";
import { type Notebook, cellSource, gradeId, serializeNotebook } from "../lib/grading/notebook";
import { feedbackHtml, gradebookCsv, gradescopeResults } from "../lib/grading/report";
import { analyzeAssignment, canaryCell, newTrustNames, setupCell, valueReferences, withKeep, wrapTest } from "../lib/grading/trust";
import { pickSubmission, runAutograderScript, ungradedResults } from "../lib/grading/autograder";
import { HIDDEN_TESTS_FAILED, runHiddenTests } from "../lib/checks/hidden";
import { NB00, NB04, TWO, instructorAnswer, solved } from "./fixtures/grading/submissions";

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlcourse-grade-unit-"));
  tempDirs.push(dir);
  return dir;
}
function write(dir: string, name: string, content: string | Notebook): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === "string" ? content : serializeNotebook(content));
  return file;
}

const a00 = loadAssignment(NB00);
const RIGHT = instructorAnswer(NB00, "discounted_return");

// ---------------------------------------------------------------------------------------------
// The assignment and the rebuilt submission

test("loadAssignment: tests with visible and hidden parts, FORBID lines, solution ids", () => {
  assert.deepEqual(a00.solutionIds, ["discounted_return"]);
  assert.equal(a00.tests.length, 1);
  const t = a00.tests[0]!;
  assert.deepEqual([t.gradeId, t.points, t.forbid], ["discounted_return_tests", 2, ["discountedReturn", "discountedReturns", "discountCumsum", "rewardToGo"]]);
  assert.match(t.visible, /^\/\/ FORBID: [^\n]+\ncheck\.close\("three rewards/);
  assert.doesNotMatch(t.visible, /HIDDEN|20261122/);
  assert.match(t.hidden, /new Rng\(20261122\)/);
  assert.doesNotMatch(t.hidden, /BEGIN|END|three rewards/);
  const two = loadAssignment(TWO);
  assert.deepEqual(two.tests.map((x) => [x.gradeId, x.points, x.forbid]), [
    ["returns_to_go_tests", 3, ["discountedReturns", "discountCumsum", "rewardToGo"]],
    ["mean_reward_tests", 1, []],
  ]);
  assert.equal(hiddenPart("a\n// BEGIN HIDDEN TESTS\nb\n// END HIDDEN TESTS\nc\n  // BEGIN HIDDEN TESTS\nd\n  // END HIDDEN TESTS"), "b\nd");
  assert.throws(() => forbiddenNames("// FORBID: ok, not-a-name"), /"not-a-name" is not a function name/);
});

test("assemble: the student's solution, everything else from the source; deleted, edited, added and retyped cells noted", () => {
  const dir = tempDir();
  const nb = solved(NB00, { discounted_return: RIGHT });
  const tests = nb.cells.findIndex((c) => gradeId(c) === "discounted_return_tests");
  nb.cells[tests]!.source = 'check.ok("fine", true);';
  const summary = nb.cells.findIndex((c) => gradeId(c) === "summary");
  nb.cells.splice(summary, 1);
  nb.cells.push({ cell_type: "code", id: "mine", metadata: {}, source: 'console.log("my experiment")', outputs: [], execution_count: null });
  nb.cells[2]!.source = "// the student changed a plain cell";
  const sub = assembleSubmission(a00, write(dir, "alice.ipynb", nb), "alice");
  assert.equal(sub.invalid, undefined);
  assert.deepEqual(sub.answers, [{ gradeId: "discounted_return", source: RIGHT, stub: false }]);
  const source = a00.source.cells;
  assert.equal(sub.cells.length, source.length);
  for (const cell of sub.cells) {
    if (cell.role === "solution") assert.equal(cell.source, RIGHT);
    else assert.equal(cell.source, cellSource(a00.released.cells[cell.index]!), `cell ${cell.index + 1} comes from the assignment`);
  }
  assert.ok(!sub.cells.some((c) => c.source.includes("my experiment") || c.source.includes("changed a plain cell")));
  assert.deepEqual(sub.notes, [
    'The test cell "discounted_return_tests" was edited: it was restored from the assignment (your changes were ignored).',
    'The locked cell "summary" was deleted from your notebook: it was restored from the assignment.',
    "You added 1 cell to the notebook: it was not run. Only the solution cells are graded; put all your code in them.",
  ]);

  const retyped = solved(NB00, { discounted_return: RIGHT });
  const answer = retyped.cells.find((c) => gradeId(c) === "discounted_return")!;
  answer.cell_type = "markdown";
  delete answer.outputs;
  delete answer.execution_count;
  const sub2 = assembleSubmission(a00, write(dir, "bob.ipynb", retyped), "bob");
  assert.match(sub2.notes.join("\n"), /"discounted_return" was changed from a code cell to a markdown cell: it was run as a code cell/);
  assert.equal(sub2.cells.find((c) => c.role === "solution")!.code, true);

  const missing = solved(NB00, {});
  missing.cells = missing.cells.filter((c) => gradeId(c) !== "discounted_return");
  const sub3 = assembleSubmission(a00, write(dir, "carol.ipynb", missing), "carol");
  assert.match(sub3.notes.join("\n"), /The solution cell "discounted_return" is missing from your notebook: it was graded as unanswered/);
  assert.deepEqual(sub3.answers.map((a) => a.stub), [true]);
  assert.match(sub3.cells.find((c) => c.role === "solution")!.source, /throw new Error\("Not implemented"\)/);
});

test("assemble: unusable submissions are graded from the stubs with a clear reason", () => {
  const dir = tempDir();
  const stub = cellSource(a00.released.cells.find((c) => gradeId(c) === "discounted_return")!);
  const python = solved(NB00, { discounted_return: RIGHT });
  python.metadata.kernelspec = { name: "python3", display_name: "Python 3", language: "python" };
  const cases: [string, string | Notebook, RegExp][] = [
    ["empty", "", /the submission is empty/],
    ["blank", "  \n", /the submission is empty/],
    ["not_json", "{ nope", /the submission is not a notebook: invalid JSON/],
    ["v3", JSON.stringify({ nbformat: 3, nbformat_minor: 0, metadata: {}, worksheets: [] }), /not an nbformat 4 notebook \(nbformat is 3\)/],
    ["other", solved(NB04, {}), /none of this assignment's solution or test cells are in the submission.*another assignment\? Expected 00_getting_started\.ipynb/],
    ["no_cells", { ...solved(NB00, {}), cells: [] }, /the notebook has no cells/],
  ];
  for (const [name, content, reason] of cases) {
    const sub = assembleSubmission(a00, write(dir, `${name}.ipynb`, content), name);
    assert.match(sub.invalid ?? "", reason, name);
    assert.match(sub.notes[0]!, /^Your submission could not be used: .*It was graded as an unanswered notebook\.$/s, name);
    assert.equal(sub.notes.length, 1, `${name}: one note`);
    assert.deepEqual(sub.answers, [{ gradeId: "discounted_return", source: stub, stub: true }], name);
  }
  // Another kernelspec (a student's Jupyter saved python3): graded as TypeScript, with a note.
  const py = assembleSubmission(a00, write(dir, "python.ipynb", python), "python");
  assert.equal(py.invalid, undefined);
  assert.deepEqual(py.answers.map((a) => a.stub), [false]);
  assert.match(py.notes.join("\n"), /saved for the Jupyter kernel "python3" \(python\), not "tslab": it was graded as TypeScript/);
  const gone = assembleSubmission(a00, path.join(dir, "absent.ipynb"), "absent");
  assert.match(gone.invalid ?? "", /could not be read \(ENOENT\)/);
});

// ---------------------------------------------------------------------------------------------
// Injected cells

test("trust analysis of notebook 00: setup after the import cell, shadows for imports and locked values", () => {
  const analysis = analyzeAssignment(a00);
  const importCell = a00.source.cells.findIndex((c) => cellSource(c).includes('from "rl-course"'));
  assert.equal(analysis.setupAfter, importCell);
  const episodesCell = a00.source.cells.findIndex((c) => /^const episodes = /m.test(cellSource(c)));
  assert.deepEqual([...analysis.keep], [[episodesCell, ["episodes"]]]);
  const t = analysis.tests[0]!;
  assert.deepEqual(
    t.shadows.map((s) => [s.name, s.binding.kind]),
    [["check", "import"], ["Rng", "import"], ["Array", "global"], ["Math", "global"], ["episodes", "locked"]],
  );
  assert.match(wrapTest(newTrustNames(), t).source, /const Math = __rlcourse_g\.global\("Math"\) as typeof globalThis\.Math;/, "built-ins come from the guard, whatever a solution declares");
  assert.deepEqual(t.solutionNames, ["discountedReturn"]);

  const a04 = loadAssignment(NB04);
  const an04 = analyzeAssignment(a04);
  assert.equal(an04.setupAfter, 2);
  const td = an04.tests.find((x) => x.test.gradeId === "td_zero_update_tests")!;
  assert.deepEqual(td.shadows.map((s) => s.name).sort(), ["Float64Array", "Math", "Rng", "check", "randomPolicy", "rl", "sampleEpisode", "walk"]);
  assert.deepEqual(td.solutionNames, ["tdZeroUpdate"]);
  assert.deepEqual(valueReferences("const x: plot.Figure = f(a.b, { c }, d => e); type T = typeof g;").sort(), ["a", "c", "e", "f"]);
});

test("helpers a test cell declares and a later test reads are run before it as locked code and kept (notebook 09)", () => {
  const a09 = loadAssignment(path.join(path.dirname(NB00), "09_trust_regions.ipynb"));
  const analysis = analyzeAssignment(a09);
  const cg = analysis.tests.find((t) => t.test.gradeId === "cg_solve_tests")!;
  const later = analysis.tests.find((t) => t.test.gradeId === "trpo_full_step_tests")!;
  assert.deepEqual(analysis.keep.get(cg.test.index)?.slice().sort(), ["matVec", "randomSpd"]);
  const helpers = analysis.helpers.get(cg.test.index)!;
  assert.match(helpers, /^const matVec = \(A: number\[\]\[\]\) =>/);
  assert.match(helpers, /function randomSpd\(n: number, rng: Rng, shift: number\)/);
  assert.doesNotMatch(helpers, /check\.close/, "only the declarations, not the checks");
  for (const name of ["matVec", "randomSpd"]) {
    assert.ok(later.shadows.some((s) => s.name === name && s.binding.kind === "locked"), `${name} is shadowed with the kept value in the later test`);
  }
  const names = newTrustNames();
  assert.match(withKeep(names, helpers, cg.test.index, ["matVec", "randomSpd"]), /\.keep\(\d+, \{ matVec: matVec, randomSpd: randomSpd \}\);/);
});

test("wrapped tests: guard first, shadows, visible then marker then hidden in a catch; line ranges map back", () => {
  const names = newTrustNames();
  const analysis = analyzeAssignment(a00);
  const t = analysis.tests[0]!;
  const wrapped = wrapTest(names, t);
  const lines = wrapped.source.split("\n");
  const visible = lines.slice(wrapped.visible[0] - 1, wrapped.visible[1]).join("\n");
  const hidden = lines.slice(wrapped.hidden[0] - 1, wrapped.hidden[1]).join("\n");
  assert.equal(visible, t.test.visible);
  assert.equal(hidden, t.test.hidden);
  assert.match(wrapped.source, new RegExp(`^// rlcourse grade: test "discounted_return_tests"\\n\\{\\nconst __rlcourse_test = async function \\(\\) \\{\\n"use strict";\\n// @ts-ignore\\nconst __rlcourse_g: any = ${names.guard}\\.open\\("${names.token}"\\);\\n__rlcourse_g\\.begin\\(\\["discountedReturn","discountedReturns","discountCumsum","rewardToGo"\\]\\);\\ntry \\{`));
  assert.match(wrapped.source, /const check = __rlcourse_g\.imported\("check"\) as typeof import\("rl-course"\)\.check;/);
  assert.match(wrapped.source, /const episodes = __rlcourse_g\.kept\(\d+, "episodes"\) as RlcourseKept\d+_episodes;/);
  assert.ok(lines.indexOf(";__rlcourse_g.hidden();") === wrapped.visible[1], "the marker comes right after the visible tests");
  assert.match(wrapped.source, /\} catch \(__rlcourse_e\) \{ __rlcourse_g\.hiddenFailed\(__rlcourse_e\); \}\n\} finally \{ __rlcourse_g\.end\(\); \}\n\};\nawait __rlcourse_test\.call\(undefined\);\n\}$/);

  const canary = canaryCell(names, t);
  assert.match(canary, /check\.close\("discounted_return_tests [0-9a-f]{8}", typeof discountedReturn === "undefined" \|\| true \? [\d.]+ : 0, [\d.]+\);/);
  assert.equal(canary.split("\n").slice(0, 6).join("\n"), lines.slice(0, 6).join("\n").replace('"discounted_return_tests"', '"discounted_return_tests"'));
  const setup = setupCell(names, [[16, ["episodes"]]]);
  assert.match(setup, new RegExp(`installGuard\\(${JSON.stringify(names.guard)}, \\{ marker: `));
  assert.match(setup, /\.keep\(16, \{ episodes: episodes \}\);\ntype RlcourseKept16_episodes = typeof episodes;/);
  assert.match(withKeep(names, "const a = 1;", 3, ["a"]), /^const a = 1;\n;\n\/\/ @ts-ignore\n__rlcourse_guard_[0-9a-f]+\.open\("[0-9a-f]{32}"\)\.keep\(3, \{ a: a \}\);\ntype RlcourseKept3_a = typeof a;$/);
  assert.notEqual(newTrustNames().guard, names.guard, "random names per submission");
});

// ---------------------------------------------------------------------------------------------
// The guard and the checks, in this process

const dist = path.resolve(__dirname, "..", "dist");
const skipNoDist = fs.existsSync(path.join(dist, "grading", "guard.js")) ? false : "dist/ is missing: build first (npx tsc -p .)";

test("guard: detects patched built-ins, checks and library; forbids functions for the duration of a test however student code reaches them", { skip: skipNoDist }, () => {
  // The compiled library, as the kernel loads it (tsc's CommonJS exports are data properties).
  const { installGuard } = require(path.join(dist, "grading", "guard.js")) as typeof import("../lib/grading/guard");
  const rl = require(path.join(dist, "index.js")) as typeof import("../lib/index");
  const name = `__rlcourse_guard_unit_${process.pid}`;
  // A reference taken before the guard: the original, as the notebook's import cell has.
  const before = rl.discountedReturns;
  const guard = installGuard(name, { marker: "MARK", token: "secret" });
  assert.throws(() => installGuard(name, { marker: "x", token: "y" }), /already installed/);
  assert.equal(Reflect.set(globalThis, name, {}), false, "the global cannot be replaced");
  assert.equal(Reflect.deleteProperty(globalThis, name), false, "nor deleted");
  const gate = (globalThis as Record<string, unknown>)[name] as { open(token: string): unknown };
  assert.equal(gate.open("secret"), guard, "the grader's cells open the guard with the token");
  assert.throws(() => gate.open("guess"), /opens only for the grader's cells/);
  assert.deepEqual(Object.keys(gate), ["open"], "nothing else is reachable without the token");
  assert.ok(Object.isFrozen(guard) && Object.isFrozen(guard.check));
  assert.equal(guard.imported("check"), rl.check);
  assert.throws(() => guard.imported("noSuchExport"), /no export noSuchExport/);

  guard.begin([]);
  guard.end();
  const attempts: [string, () => () => void][] = [
    ["Math.abs (replaced)", () => { const o = Math.abs; Math.abs = () => 0; return () => { Math.abs = o; }; }],
    ["Object.prototype.atol (added)", () => { (Object.prototype as Record<string, unknown>).atol = 1e9; return () => { delete (Object.prototype as Record<string, unknown>).atol; }; }],
    ["Array.prototype.Symbol(Symbol.iterator) (replaced)", () => { const o = Array.prototype[Symbol.iterator]; Array.prototype[Symbol.iterator] = function* () {} as never; return () => { Array.prototype[Symbol.iterator] = o; }; }],
    ["globalThis.JSON (replaced)", () => { const o = JSON; (globalThis as Record<string, unknown>).JSON = {}; return () => { (globalThis as Record<string, unknown>).JSON = o; }; }],
    ["vm.runInThisContext (replaced)", () => { const vm = require("node:vm"); const o = vm.runInThisContext; vm.runInThisContext = () => undefined; return () => { vm.runInThisContext = o; }; }],
    ["random.js:Rng.prototype.uniform (replaced)", () => { const o = rl.Rng.prototype.uniform; rl.Rng.prototype.uniform = () => 0; return () => { rl.Rng.prototype.uniform = o; }; }],
  ];
  for (const [what, patch] of attempts) {
    const undo = patch();
    try {
      assert.throws(() => guard.begin([]), (e: Error) => e.name === "GuardError" && e.message.startsWith("check helpers were modified: ") && e.message.includes(what.replace("random.js:", "")), what);
    } finally {
      undo();
    }
    guard.begin([]);
    guard.end();
  }

  // check.close = ... has no effect: the checks are frozen.
  assert.equal(Reflect.set(rl.check, "close", () => {}), false);

  // Forbidden functions: student code (compiled as tslab compiles cells) reaches them however it
  // likes — the namespace, a reference taken earlier, a computed key, require of the module — and
  // gets an error; the test's own reference (the original) works.
  const vm = require("node:vm") as typeof import("node:vm");
  const student = vm.runInThisContext(`(rl, taken, require) => ({
    direct: () => rl.discountedReturns([1, 1], 1),
    taken: () => taken([1, 1], 1),
    computed: () => rl["discounted" + "Returns"]([1, 1], 1),
    required: () => require(${JSON.stringify(path.join(dist, "tabular", "monte_carlo.js"))}).discountedReturns([1, 1], 1),
    viaMap: () => [[1, 1]].map((r) => rl.discountedReturns(r, 1)),
  })`)(rl, rl.discountedReturns, require) as Record<string, () => unknown>;
  for (const [how, call] of Object.entries(student)) assert.equal(Array.from(call() as ArrayLike<number>).length > 0, true, `${how} works outside a test`);
  guard.begin(["discountedReturns"]);
  try {
    for (const [how, call] of Object.entries(student)) assert.throws(call, /discountedReturns may not be used in this exercise: the test forbids it/, how);
    assert.equal((guard.imported("discountedReturns") as typeof rl.discountedReturns)([1, 1], 1)[0], 2, "the test itself keeps the original");
    assert.equal(before([1, 1], 1)[0], 2, "so does a reference the instructor's cells took before the guard");
  } finally {
    guard.end();
  }
  assert.equal((student.direct!() as Float64Array)[0], 2, "restored after the test");
  assert.throws(() => guard.begin(["noSuchFunction"]), /forbids noSuchFunction, which is not a function exported by rl-course/);
  guard.end();

  // A test's hidden part prints nothing, whatever the notebook did to stdout; an accessor on
  // process.stdout.write (to read every line a test prints) fails the next test.
  const printed: string[] = [];
  const log = console.log;
  console.log = (line: string) => void printed.push(line);
  try {
    guard.begin([]);
    rl.check.close("visible", 1, 1);
    guard.hidden();
    rl.check.close("hidden label", 2, 2);
    assert.throws(() => rl.check.close("hidden failure", 2, 3));
    guard.end();
    rl.check.close("after", 1, 1);
  } finally {
    console.log = log;
  }
  assert.deepEqual(printed, ["✔ visible: 1 ≈ 1", "✔ after: 1 ≈ 1"]);
  Object.defineProperty(process.stdout, "write", { configurable: true, get: () => () => true, set: () => {} });
  try {
    assert.throws(() => guard.begin([]), /process\.stdout\.write \(not the kernel's writer\)/);
  } finally {
    delete (process.stdout as unknown as Record<string, unknown>).write;
  }
  guard.end();

  guard.keep(4, { walk: "W" });
  assert.equal(guard.kept(4, "walk"), "W");
  assert.throws(() => guard.kept(5, "walk"), /was not recorded: that cell did not finish/);
  assert.throws(() => guard.hiddenFailed(new Error("expected 0.123 got 0.5")), (e: Error) => e.message === "hidden tests failed");
});

test("checks decide with built-ins captured at load: patched Math.abs, Object.prototype.atol, array iterators change nothing", () => {
  const quiet = (fn: () => void): Error | undefined => {
    const log = console.log;
    console.log = () => {};
    try {
      fn();
      return undefined;
    } catch (e) {
      return e as Error;
    } finally {
      console.log = log;
    }
  };
  const abs = Math.abs;
  const iterator = Array.prototype[Symbol.iterator];
  const join = Array.prototype.join;
  // Nothing but the checks runs while the built-ins are patched (node's assert uses them too).
  let outcomes: (Error | undefined)[];
  try {
    Math.abs = () => 0;
    (Object.prototype as Record<string, unknown>).atol = 1e9;
    (Object.prototype as Record<string, unknown>).rtol = 1e9;
    Array.prototype[Symbol.iterator] = function* () {} as never;
    Array.prototype.join = () => "same";
    (Array.prototype as unknown as Record<number, unknown>)[1] = 2;
    outcomes = [
      quiet(() => check.close("wrong", 1, 2)),
      quiet(() => check.close("wrong arrays", [1, 2, 3], [1, 2, 4])),
      quiet(() => check.close("hole", [1, , 3], [1, 2, 3])),
      quiet(() => check.shape("shape", [[1, 2]], [2, 2])),
      quiet(() => check.close("right", [1, 2], [1, 2])),
    ];
  } finally {
    Math.abs = abs;
    delete (Object.prototype as Record<string, unknown>).atol;
    delete (Object.prototype as Record<string, unknown>).rtol;
    Array.prototype[Symbol.iterator] = iterator;
    Array.prototype.join = join;
    delete (Array.prototype as unknown as Record<number, unknown>)[1];
  }
  assert.deepEqual(
    outcomes.map((e) => e?.message.split(":")[0]),
    ["✘ wrong", "✘ wrong arrays", "✘ hole", "✘ shape", undefined],
    "wrong values fail, a hole does not read Array.prototype[1], shape does not use join, right values pass",
  );
});

// ---------------------------------------------------------------------------------------------
// Reports and inputs

function sampleResult(): SubmissionResult {
  return {
    student: "eve",
    file: "eve.ipynb",
    score: 2,
    maxScore: 5,
    seconds: 12.34,
    tests: [
      { gradeId: "a_tests", points: 2, score: 2, passed: true, outcome: "passed", message: "", output: "✔ a: 1 ≈ 1", hidden: "passed", seconds: 0.1 },
      { gradeId: "b_tests", points: 3, score: 0, passed: false, outcome: "failed", message: "hidden tests failed", output: "✔ b: <script>alert(1)</script>", hidden: "failed", seconds: 0.2 },
    ],
    answers: [{ gradeId: "a", source: "function a() { return '<b>'; }", stub: false }],
    solutionErrors: [],
    notes: ["You added 1 cell, \"x\""],
    flags: ["kernel restarted 1 time", "same code as bob, \"run once\""],
    restarts: 1,
  };
}

test("results.json follows Gradescope's format; gradebook.csv quotes; feedback.html escapes everything", () => {
  const r = sampleResult();
  const json = gradescopeResults(r);
  assert.deepEqual(Object.keys(json).sort(), ["execution_time", "max_score", "output", "score", "stdout_visibility", "tests", "visibility"]);
  assert.deepEqual([json.score, json.max_score, json.execution_time], [2, 5, 12.3]);
  assert.deepEqual(json.tests[1], { name: "b_tests", score: 0, max_score: 3, status: "failed", output: "✔ b: <script>alert(1)</script>\nhidden tests: failed", visibility: "visible" });
  const assignment = { ...loadAssignment(TWO), tests: [{ gradeId: "a_tests", points: 2, visible: "", hidden: "SECRET", index: 0, forbid: [] }, { gradeId: "b_tests", points: 3, visible: "", hidden: "SECRET", index: 1, forbid: [] }] };
  const csv = gradebookCsv(assignment, [r]);
  assert.equal(csv, 'student,a_tests,b_tests,total,max_score,status,notes\neve,2,0,2,5,graded,"kernel restarted 1 time; same code as bob, ""run once"""\n');
  const html = feedbackHtml(assignment, r);
  assert.match(html, /Score: 2 \/ 5/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(html, /<script>|SECRET/);
  assert.match(html, /return &#39;&lt;b&gt;&#39;|return '&lt;b&gt;'/);
});

test("submissions from files and folders; ids from file or folder names, made unique", () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "batch", "zoe"), { recursive: true });
  fs.mkdirSync(path.join(dir, "batch", ".ipynb_checkpoints"));
  fs.writeFileSync(path.join(dir, "batch", "al ice.ipynb"), "");
  fs.writeFileSync(path.join(dir, "batch", "notes.txt"), "");
  fs.writeFileSync(path.join(dir, "batch", "zoe", "00_getting_started.ipynb"), "");
  fs.writeFileSync(path.join(dir, "batch", "zoe", "scratch.ipynb"), "");
  fs.mkdirSync(path.join(dir, "other"));
  fs.writeFileSync(path.join(dir, "other", "al ice.ipynb"), "");
  const found = collectSubmissions([path.join(dir, "batch"), path.join(dir, "other", "al ice.ipynb")], "00_getting_started.ipynb");
  assert.deepEqual(
    found.map((s) => [s.student, path.relative(dir, s.file)]),
    [
      ["al_ice", path.join("batch", "al ice.ipynb")],
      ["zoe", path.join("batch", "zoe", "00_getting_started.ipynb")],
      ["al_ice-2", path.join("other", "al ice.ipynb")],
    ],
  );
  assert.throws(() => collectSubmissions([path.join(dir, "nope")], "x.ipynb"), /no such file or folder/);
  fs.mkdirSync(path.join(dir, "empty"));
  assert.throws(() => collectSubmissions([path.join(dir, "empty")], "x.ipynb"), /no notebooks/);
  assert.equal(studentId("../../etc"), "__.._etc");
});

test("cleanOutput drops stack frames, Node's source-line headers and the repeated CheckFailure", () => {
  const raw = "✘ a: expected 1, got 2\n/x/dist/checks/check.js:64\n    throw new CheckFailure(line);\n    ^\n\nCheckFailure: ✘ a: expected 1, got 2\n    at fail (/x/check.js:64:11)\n    at evalmachine.<anonymous>:9:15\n\x1b[31mred\x1b[0m";
  assert.equal(cleanOutput(raw), "✘ a: expected 1, got 2\n\nred");
  // The kernel's own traceback of a CheckFailure (Symbol.for("tslab.traceback")) after the ✘ line.
  assert.equal(cleanOutput("✘ b: expected 3, got 4\nCheckFailure: the check above failed (its ✘ line says what was expected)"), "✘ b: expected 3, got 4");
  assert.equal(cleanOutput("CheckFailure: alone"), "CheckFailure: alone", "kept without a ✘ line before it");
});

test("grading kernels: without a sandbox, this project's tslab with a V8 heap limit; with bwrap, no network, a read-only library copy", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlcourse-sandbox-unit-"));
  try {
    const none = createSandbox("none", dir).kernel(dir, 2048);
    assert.equal(none.spec.argv[0], process.execPath);
    assert.equal(none.spec.argv[1], "--max-old-space-size=1536");
    assert.match(none.spec.argv[2]!, /node_modules[\\/]tslab[\\/]bin[\\/]tslab$/);
    assert.deepEqual(none.spec.argv.slice(3), ["kernel", "--config-path", "{connection_file}"]);
    assert.equal(fs.realpathSync(path.join(none.cwd, "node_modules", "rl-course")), fs.realpathSync(path.resolve(__dirname, "..")));
    none.dispose();
    assert.ok(!fs.existsSync(none.cwd));
    const problem = bwrapProblem();
    if (problem) return void console.log(`# bwrap part skipped: ${problem}`);
    const sandbox = createSandbox("bwrap", dir);
    const k = sandbox.kernel(dir, 1024);
    const argv = k.spec.argv.join(" ");
    for (const flag of ["--unshare-net", "--unshare-pid", "--die-with-parent", "--clearenv", "--max-old-space-size=768"]) assert.ok(argv.includes(flag), `${flag} in ${argv}`);
    assert.ok(k.ipc && k.ipc.startsWith(k.cwd), "Unix sockets in the kernel's own folder");
    k.verify();
    const copy = path.join(dir, "library", "rl-course", "dist", "index.js");
    fs.appendFileSync(copy, "\n// changed\n");
    assert.throws(() => k.verify(), /the grading run's copy of the library changed/);
    k.dispose();
    sandbox.dispose();
    assert.ok(!fs.existsSync(path.join(dir, "library")));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("Gradescope: the one notebook of a submission to grade; results with no points and the reason; run_autograder quotes its arguments", async () => {
  const a = { student: "a", file: "/s/04_td_learning.ipynb" };
  const b = { student: "b", file: "/s/scratch.ipynb" };
  assert.equal(pickSubmission([b], "04_td_learning.ipynb"), b, "the only notebook, whatever its name");
  assert.equal(pickSubmission([a, b], "04_td_learning.ipynb"), a, "the one named like the instructor notebook");
  assert.equal(pickSubmission([b, { student: "c", file: "/s/c.ipynb" }], "04_td_learning.ipynb"), "upload one notebook (04_td_learning.ipynb); this submission holds 2: scratch.ipynb, c.ipynb");
  assert.equal(pickSubmission([], "x.ipynb"), "upload one notebook (x.ipynb); this submission holds none");
  assert.deepEqual(ungradedResults("why", 9), { score: 0, max_score: 9, execution_time: 0, output: "why", visibility: "visible", stdout_visibility: "hidden", tests: [] });

  const script = runAutograderScript("it's $HOME.ipynb", { sandbox: "none", timeoutSeconds: 5, notebookTimeoutSeconds: 50, memoryMb: 512 });
  // bash parses it, and the grade command gets each argument as written
  const args = (await import("node:child_process")).spawnSync("bash", ["-c", script.replace(/^exec node dist\/cli\.js grade /m, 'printf "%s\\n" ').replace(/^cd .*$/m, "")], { encoding: "utf8" });
  assert.equal(args.status, 0, args.stderr);
  assert.deepEqual(args.stdout.trim().split("\n"), [
    "--source", "../it's $HOME.ipynb", "--out", "/autograder/grades", "--jobs", "1", "--sandbox", "none", "--timeout", "5",
    "--notebook-timeout", "50", "--memory", "512", "--results", "/autograder/results/results.json", "/autograder/submission",
  ]);
});

test("runHiddenTests: hidden checks print nothing, a failure says only that hidden tests failed, outputs come back", async () => {
  const writes: string[] = [];
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string) => writes.push(String(chunk)) > 0) as typeof process.stdout.write;
  try {
    await runHiddenTests(() => {
      check.close("hidden label", 1, 1);
      console.log("student debug output");
    });
    await assert.rejects(runHiddenTests(async () => check.close("secret label", 1, 2)), (e: Error) => e.message === HIDDEN_TESTS_FAILED && !e.message.includes("secret"));
    await assert.rejects(runHiddenTests(() => { throw "anything"; }), { message: HIDDEN_TESTS_FAILED });
    check.close("visible label", 1, 1);
  } finally {
    process.stdout.write = original;
  }
  const printed = writes.join("");
  assert.doesNotMatch(printed, /hidden label|secret label|student debug output/);
  assert.match(printed, /✔ visible label/);
  await assert.rejects(runHiddenTests("no" as unknown as () => void), /tests must be a function/);
});
