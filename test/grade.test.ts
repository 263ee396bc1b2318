/**
 * `rlcourse grade` against crafted, adversarial submissions, through the real Jupyter (nbclient)
 * and tslab kernels: each submission must get its exact score (see the table in
 * test/fixtures/grading/submissions.ts), the batch must finish whatever the submissions do, and
 * nothing written may contain hidden tests.
 *
 * The submissions are written from the released notebooks at run time. Two batches: notebook 00
 * (`discounted_return_tests`, 2 points) with every case of the adversarial table, and
 * test/fixtures/grading/two_exercises.ipynb (3 + 1 points) for forbidden functions, grading that
 * goes on after a hang or a memory kill, swapped bindings and kernel tampering (canaries).
 *
 * They run the built CLI (dist/cli.js): build first (`npx tsc -p .` or `npm run build`). Without
 * Jupyter or the tslab kernel they are skipped with the reason, except under CI (CI=true).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { findJupyterPython } from "../lib/jupyter/python";
import { type Case, NB00, TWO, cases00, casesSandbox, casesTwo, writeCases } from "./fixtures/grading/submissions";
import { bwrapProblem, hashTree } from "../lib/grading/sandbox";
import { createHash } from "node:crypto";
import * as net from "node:net";
import { cellSource, readNotebook } from "../lib/grading/notebook";
import { hiddenPart } from "../lib/grading/assemble";

const root = path.resolve(__dirname, "..");
const cli = path.join(root, "dist", "cli.js");

/** Why the grading tests cannot run here, or undefined when they can. */
function missingSetup(): string | undefined {
  if (!fs.existsSync(cli)) return "dist/cli.js is missing: run `npx tsc -p .` (or `npm run build`) first";
  if (!fs.existsSync(path.join(root, "dist", "grading", "guard.js"))) return "dist/grading/guard.js is missing: build first";
  const { python } = findJupyterPython({ remember: false });
  if (!python) return "no Python with nbclient/nbconvert: run `npm run setup`";
  return undefined;
}
const missing = missingSetup();
if (missing && process.env.CI) test("Jupyter is set up for the grading tests", () => assert.fail(missing));
const skip = missing && !process.env.CI ? missing : false;

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * Why kernels cannot be sandboxed here (bubblewrap missing, no namespaces: macOS, some
 * containers), or undefined. Then the grading tests run with `--sandbox none` and the sandbox's
 * own test is skipped; under CI (Linux, where setup installs bubblewrap) that is a failure.
 */
const noSandbox = bwrapProblem();
if (noSandbox && process.env.CI) test("bubblewrap is set up for the grading tests", () => assert.fail(noSandbox));

function rlcourse(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  if (args[0] === "grade" && noSandbox && !args.includes("--sandbox")) args = [...args, "--sandbox", "none"];
  const started = Date.now();
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", timeout: 600_000, env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, seconds: (Date.now() - started) / 1000 };
}

function show(r: CliResult): string {
  return `exit ${r.status} after ${r.seconds.toFixed(1)} s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr.slice(-4000)}`;
}

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlcourse-grade-test-"));
  tempDirs.push(dir);
  return dir;
}

interface Results {
  score: number;
  max_score: number;
  execution_time: number;
  output: string;
  tests: { name: string; score: number; max_score: number; status: string; output: string; visibility: string }[];
}
const results = (out: string, student: string): Results => JSON.parse(fs.readFileSync(path.join(out, student, "results.json"), "utf8")) as Results;

/** The gradebook as { student: { column: value } }. */
function gradebook(out: string): Record<string, Record<string, string>> {
  const text = fs.readFileSync(path.join(out, "gradebook.csv"), "utf8").trim();
  const parseLine = (line: string): string[] => {
    const fields: string[] = [];
    let field = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (quoted && ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = !quoted;
      else if (ch === "," && !quoted) {
        fields.push(field);
        field = "";
      } else field += ch;
    }
    fields.push(field);
    return fields;
  };
  const [header, ...rows] = text.split("\n").map(parseLine);
  return Object.fromEntries(rows.map((row) => [row[0]!, Object.fromEntries(header!.map((h, i) => [h, row[i] ?? ""]))]));
}

/** Distinctive lines of the source's hidden tests: none may appear in anything written. */
function hiddenLines(source: string): string[] {
  return readNotebook(source)
    .cells.flatMap((c) => hiddenPart(cellSource(c)).split("\n"))
    .map((l) => l.trim())
    .filter((l) => l.length >= 12 && /[A-Za-z]/.test(l));
}

/** Every file written under `out`, with its text. */
function writtenFiles(out: string): [string, string][] {
  const files: [string, string][] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else files.push([path.relative(out, p), fs.readFileSync(p, "utf8")]);
    }
  };
  walk(out);
  return files;
}

/** Asserts every case's exact score (all mismatches at once) and that nothing leaks the hidden tests. */
function assertScores(out: string, cases: Case[], source: string, r: CliResult): void {
  const wrong = cases
    .map((c) => ({ c, got: fs.existsSync(path.join(out, c.name, "results.json")) ? results(out, c.name).score : "missing" }))
    .filter(({ c, got }) => got !== c.score)
    .map(({ c, got }) => `  ${c.name} (${c.what}): expected ${c.score}, got ${got}\n    ${JSON.stringify(fs.existsSync(path.join(out, c.name, "results.json")) ? results(out, c.name) : null)}`);
  assert.deepEqual(wrong, [], `scores:\n${wrong.join("\n")}\n${show(r)}`);
  const book = gradebook(out);
  for (const c of cases) assert.equal(Number(book[c.name]?.total), c.score, `gradebook total of ${c.name}`);
  const secrets = hiddenLines(source);
  assert.ok(secrets.length >= 3, `found ${secrets.length} hidden lines`);
  for (const [file, text] of writtenFiles(out)) {
    for (const line of secrets) assert.ok(!text.includes(line), `${file} leaks a hidden test line: ${line}`);
    assert.doesNotMatch(text, /__rlcourse_guard_|⟦rlcourse hidden tests|BEGIN HIDDEN TESTS/, `${file} leaks the grader's names`);
  }
}

test("notebook 00: every adversarial submission gets its exact score, and the batch finishes", { skip }, () => {
  const dir = tempDir();
  const cases = cases00();
  const subs = writeCases(path.join(dir, "submissions"), cases);
  const out = path.join(dir, "grades");
  const r = rlcourse(["grade", "--source", path.relative(root, NB00), subs, "--out", out, "--jobs", "4", "--timeout", "20"]);
  console.log(`# grade 00: ${cases.length} submissions in ${r.seconds.toFixed(1)} s (--jobs 4, --timeout 20)`);
  assert.equal(r.status, 0, show(r));
  assert.match(r.stdout, new RegExp(`^Graded ${cases.length} submissions in [\\d.]+ s: mean `, "m"));
  assertScores(out, cases, NB00, r);
  const book = gradebook(out);
  assert.deepEqual(Object.keys(book).sort(), cases.map((c) => c.name).sort());

  const test00 = (student: string) => results(out, student).tests[0]!;
  // The instructor's solution: the visible checks' lines, the hidden verdict, nothing else.
  const right = results(out, "instructor");
  assert.deepEqual([right.score, right.max_score, right.tests.length], [2, 2, 1]);
  assert.deepEqual({ ...right.tests[0], output: undefined }, { name: "discounted_return_tests", score: 2, max_score: 2, status: "passed", output: undefined, visibility: "visible" });
  assert.match(right.tests[0]!.output, /^✔ three rewards, γ = 0\.5: 3 ≈ 3\n(✔ .*\n){4}hidden tests: passed$/);
  assert.ok(right.execution_time > 0);

  // Time limits and crashes: 0, a reason, and the batch went on.
  assert.match(test00("infinite_loop").output, /the test did not finish within 20 s/);
  assert.ok(results(out, "infinite_loop").execution_time < 120, "the hung submission was stopped");
  assert.match(test00("process_exit").output, /the kernel died during the test/);
  assert.match(results(out, "kernel_crash").output, /Your solution cell "discounted_return" killed the kernel: the kernel was restarted/);
  assert.match(book.kernel_crash!.notes!, /kernel restarted 1 time/);
  assert.match(test00("kernel_crash").output, /Cannot find name 'discountedReturn'/);
  assert.match(test00("type_error").output, /TypeScript error/);
  assert.match(results(out, "type_error").output, /Your solution cell "discounted_return" failed: .*Type 'string' is not assignable to type 'number'/);

  // Restored cells, ignored output, stderr.
  assert.match(results(out, "deleted_test").output, /The test cell "discounted_return_tests" was deleted from your notebook: it was restored/);
  assert.match(results(out, "edited_test").output, /The test cell "discounted_return_tests" was edited: it was restored/);
  assert.match(test00("fake_pass_output").output, /hidden tests: failed/);
  assert.match(test00("console_error").output, /hidden tests: passed/);

  // Tampering with the checks.
  assert.match(test00("check_reassigned").output, /hidden tests: failed/);
  const patched = test00("helpers_patched").output;
  for (const what of ["check helpers were modified", "Math.abs (replaced)", "Math.pow (replaced)", "Object.prototype.atol (added)", "Array.prototype.reduce (replaced)"]) {
    assert.ok(patched.includes(what), `helpers_patched output mentions ${what}:\n${patched}`);
  }

  // 50 MB of output: truncated, graded, small results.
  assert.match(book.output_flood!.notes!, /output truncated in 1 cell/);
  assert.match(results(out, "output_flood").output, /A cell printed more than 1 MB: the rest of its output was dropped/);
  assert.ok(fs.statSync(path.join(out, "output_flood", "results.json")).size < 20_000);

  // Unusable submissions: graded from the stubs, with the reason; the same code run once.
  for (const [student, reason] of [
    ["not_json", /not a notebook: invalid JSON/],
    ["other_assignment", /another assignment\? Expected 00_getting_started\.ipynb/],
    ["empty", /the submission is empty/],
  ] as const) {
    assert.match(results(out, student).output, reason, student);
    assert.match(results(out, student).output, /It was graded as an unanswered notebook\./, student);
    assert.equal(book[student]!.status, "invalid submission", student);
    assert.equal(test00(student).status, "failed");
  }
  assert.equal(book.unanswered!.status, "graded");
  assert.match(results(out, "wrong_kernelspec").output, /saved for the Jupyter kernel "python3" \(python\), not "tslab": it was graded as TypeScript/);
  assert.equal(book.wrong_kernelspec!.status, "graded");

  // Feedback pages: the answer, the visible test, the verdicts; never the hidden tests.
  const page = fs.readFileSync(path.join(out, "instructor", "feedback.html"), "utf8");
  assert.match(page, /Score: 2 \/ 2/);
  assert.match(page, /for \(let t = rewards\.length - 1; t &gt;= 0; t--\) G = rewards\[t\] \+ gamma \* G;/);
  assert.match(page, /check\.close\(&quot;three rewards, γ = 0\.5&quot;/);
  assert.match(page, /hidden tests: passed/);
});

test("two exercises: forbidden functions, grading goes on after a hang and a memory kill, swapped bindings, canaries", { skip }, () => {
  const dir = tempDir();
  const cases = casesTwo();
  const subs = writeCases(path.join(dir, "submissions"), cases);
  const out = path.join(dir, "grades");
  const r = rlcourse(["grade", "--source", path.relative(root, TWO), subs, "--out", out, "--jobs", "4", "--timeout", "15", "--memory", "1024"]);
  console.log(`# grade two_exercises: ${cases.length} submissions in ${r.seconds.toFixed(1)} s (--jobs 4, --timeout 15, --memory 1024)`);
  assert.equal(r.status, 0, show(r));
  assertScores(out, cases, TWO, r);
  const book = gradebook(out);
  const byName = (student: string, id: string) => results(out, student).tests.find((t) => t.name === id)!;

  assert.deepEqual(
    results(out, "honest").tests.map((t) => [t.name, t.score, t.max_score, t.status]),
    [
      ["returns_to_go_tests", 3, 3, "passed"],
      ["mean_reward_tests", 1, 1, "passed"],
    ],
  );
  assert.match(byName("forbidden_call", "returns_to_go_tests").output, /discountedReturns may not be used in this exercise: the test forbids it/);
  assert.match(byName("hang_then_right", "returns_to_go_tests").output, /did not finish within 15 s/);
  assert.equal(byName("hang_then_right", "mean_reward_tests").status, "passed", "graded after the restart");
  assert.match(book.hang_then_right!.notes!, /kernel restarted 1 time/);
  assert.match(byName("memory_hog", "returns_to_go_tests").output, /the kernel ran out of memory \(limit 1024 MB\)/);
  assert.equal(byName("memory_hog", "mean_reward_tests").status, "passed");
  assert.equal(byName("exports_swapped", "returns_to_go_tests").status, "failed");
  assert.match(byName("exports_swapped", "returns_to_go_tests").output, /hidden tests: failed/);
  assert.match(book.kernel_tampered!.notes!, /kernel tampering detected/);
  assert.match(byName("kernel_tampered", "mean_reward_tests").output, /kernel was tampered with/);
});

test("the sandbox: attacks on the machine from inside the kernel change no score, file or process outside it", { skip: skip || noSandbox || false }, async () => {
  const dir = tempDir();
  const mark = `rlcourse-hostile-${process.pid}-${Date.now()}`;
  const out = path.join(dir, "grades");
  const connections: string[] = [];
  const server = net.createServer((socket) => {
    connections.push(String(socket.remoteAddress));
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const cases = casesSandbox({ mark, out, port });
  const subs = writeCases(path.join(dir, "submissions"), cases);
  const fileHash = (file: string): string => createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  const before = { dist: hashTree(path.join(root, "dist")), source: fileHash(NB00) };
  try {
    const r = await new Promise<CliResult>((resolve, reject) => {
      // Asynchronous, so that the loopback server above can answer while grading runs.
      const started = Date.now();
      const child = require("node:child_process").execFile(
        process.execPath,
        [cli, "grade", "--source", path.relative(root, NB00), subs, "--out", out, "--jobs", "2", "--timeout", "30", "--memory", "1024"],
        { cwd: root, encoding: "utf8", maxBuffer: 64 << 20, timeout: 900_000 },
        (error: (Error & { code?: number }) | null, stdout: string, stderr: string) => {
          if (error && typeof error.code !== "number") reject(error);
          else resolve({ status: error ? (error.code ?? 1) : 0, stdout, stderr, seconds: (Date.now() - started) / 1000 });
        },
      );
      void child;
    });
    console.log(`# grade sandbox cases: ${cases.length} submissions in ${r.seconds.toFixed(1)} s (--jobs 2)`);
    assert.equal(r.status, 0, show(r));
    assert.match(r.stdout, /^Sandbox: bubblewrap sandbox: own PID, IPC, mount and network namespaces/m);
    assertScores(out, cases, NB00, r);
    // What a detached process would have done 4 s after its kernel: give it the time.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    assert.equal(results(out, "honest").score, 2, "the honest submission's results were not overwritten");
    const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" }).stdout;
    assert.ok(!ps.includes(mark), `no process of a submission survives it:\n${ps.split("\n").filter((l) => l.includes(mark)).slice(0, 5).join("\n")}`);
    for (const folder of ["/dev/shm", os.tmpdir()]) {
      const left = fs.readdirSync(folder).filter((f) => f.includes(mark));
      assert.deepEqual(left, [], `no file of a submission is left in ${folder}`);
    }
    assert.deepEqual(connections, [], "no submission reached the grader's loopback");
    assert.deepEqual({ dist: hashTree(path.join(root, "dist")), source: fileHash(NB00) }, before, "the library and the --source notebook are unchanged");
    assert.match(results(out, "alloc_8gb").output, /ran out of memory/);
    const book = gradebook(out);
    assert.equal(Object.keys(book).length, cases.length, "every submission graded");
  } finally {
    server.close();
  }
});

test("a submission stopped by the notebook time limit: the remaining tests are not graded", { skip }, () => {
  const dir = tempDir();
  const subs = writeCases(path.join(dir, "submissions"), casesTwo().filter((c) => c.name === "hang_then_right"));
  const out = path.join(dir, "grades");
  const r = rlcourse(["grade", "--source", path.relative(root, TWO), subs, "--out", out, "--timeout", "60", "--notebook-timeout", "15"]);
  assert.equal(r.status, 0, show(r));
  const res = results(out, "hang_then_right");
  assert.equal(res.score, 0);
  assert.ok(r.seconds < 45, `stopped at the notebook limit (${r.seconds} s)`);
  assert.match(res.tests[1]!.output, /not graded: the notebook's time limit \(15 s\) was reached/);
});

test("when the grader cannot run: bad --source, no tests, no Jupyter exit 1; usage errors exit 2", { skip: fs.existsSync(cli) ? false : "build first" }, () => {
  const dir = tempDir();
  const sub = path.join(dir, "a.ipynb");
  fs.writeFileSync(sub, "{}");
  const absent = rlcourse(["grade", "--source", "notebooks/no_such.ipynb", sub, "--out", path.join(dir, "o")]);
  assert.equal(absent.status, 1, show(absent));
  assert.match(absent.stderr, /Cannot grade against notebooks\/no_such\.ipynb: file not found/);
  const untested = rlcourse(["grade", "--source", "test/fixtures/notebooks/passing.ipynb", sub, "--out", path.join(dir, "o")]);
  assert.equal(untested.status, 1, show(untested));
  assert.match(untested.stderr, /has no graded test cells/);
  const noJupyter = rlcourse(["grade", "--source", path.relative(root, TWO), sub, "--out", path.join(dir, "o")], { RLCOURSE_PYTHON: process.execPath });
  assert.equal(noJupyter.status, 1, show(noJupyter));
  assert.match(noJupyter.stderr, /nbclient/);
  assert.ok(!fs.existsSync(path.join(dir, "o")), "nothing written when the grader cannot run");
  for (const args of [["grade", sub], ["grade", "--source", path.relative(root, TWO)], ["grade", "--source", path.relative(root, TWO), sub, "--jobs", "0"], ["grade", "--source", path.relative(root, TWO), path.join(dir, "nope")], ["grade", "--source", path.relative(root, TWO), sub, "--sandbox", "docker"]]) {
    const usage = rlcourse(args);
    assert.equal(usage.status, 2, show(usage));
    assert.match(usage.stderr, /See `rlcourse grade --help`/);
  }
  const help = rlcourse(["grade", "--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: rlcourse grade --source NOTEBOOK SUBMISSION\|FOLDER\.\.\./);
  assert.match(rlcourse(["--help"]).stdout, /^\s+grade\s/m);
});

test("every course notebook grades end to end: the instructor's answers get full points, the release 0", { skip }, () => {
  const notebooks = fs.readdirSync(path.join(root, "notebooks")).filter((f) => /^\d\d_.*\.ipynb$/.test(f)).sort();
  assert.ok(notebooks.length >= 13, `found ${notebooks.length} course notebooks`);
  const failures: string[] = [];
  for (const name of notebooks) {
    const source = path.join("notebooks", name);
    const dir = tempDir();
    const subs = path.join(dir, "submissions");
    fs.mkdirSync(subs);
    fs.copyFileSync(path.join(root, source), path.join(subs, "instructor.ipynb"));
    const released = rlcourse(["release", source, "--out", path.join(dir, "release")]);
    assert.equal(released.status, 0, show(released));
    fs.copyFileSync(path.join(dir, "release", name), path.join(subs, "released.ipynb"));
    const out = path.join(dir, "grades");
    const r = rlcourse(["grade", "--source", source, subs, "--out", out, "--jobs", "2"]);
    console.log(`# grade ${name}: instructor and release in ${r.seconds.toFixed(1)} s`);
    if (r.status !== 0) {
      failures.push(`${name}: ${show(r)}`);
      continue;
    }
    const instructor = results(out, "instructor");
    const release = results(out, "released");
    if (instructor.max_score <= 0 || instructor.score !== instructor.max_score) failures.push(`${name}: instructor ${instructor.score} / ${instructor.max_score}\n${instructor.output}\n${JSON.stringify(instructor.tests)}`);
    if (release.score !== 0) failures.push(`${name}: release ${release.score} / ${release.max_score}`);
  }
  assert.deepEqual(failures, []);
});
