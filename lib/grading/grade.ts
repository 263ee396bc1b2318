/**
 * `rlcourse grade`: grades a batch of submissions against an instructor notebook.
 *
 * Each submission is rebuilt from the instructor source (lib/grading/assemble.ts) and run in a
 * fresh tslab kernel of its own (lib/grading/runner.ts, which says how tests are scored and what
 * happens after a crash), `jobs` at a time; one submission's failure never stops the others.
 * Submissions whose code is the same (unanswered ones, broken ones graded from the stubs,
 * copies) are run once. Each kernel runs in an OS sandbox (lib/grading/sandbox.ts) started by a
 * kernelspec written for it; the drivers get a minimal environment.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type AssembledSubmission, type Assignment, assembleSubmission } from "./assemble";
import { analyzeAssignment } from "./trust";
import { type SandboxMode, createSandbox } from "./sandbox";
import { type RunContext, type RunOptions, type SubmissionResult, runSubmission } from "./runner";

// The limits and result types of one submission's run, for callers of gradeSubmissions.
export {
  DEFAULT_CELL_OUTPUT_BYTES,
  DEFAULT_GRADE_CELL_TIMEOUT,
  DEFAULT_GRADE_MEMORY_MB,
  DEFAULT_GRADE_NOTEBOOK_TIMEOUT,
  DEFAULT_NOTEBOOK_OUTPUT_BYTES,
  MAX_RESTARTS,
  type SolutionError,
  type SubmissionResult,
  type TestOutcome,
  type TestResult,
} from "./runner";
export { cleanOutput } from "./verdict";

/** Progress of {@link gradeSubmissions}. */
export type GradeEvent =
  | { event: "sandbox"; mode: SandboxMode; enforced: string[] }
  | { event: "start"; student: string; file: string }
  | { event: "done"; result: SubmissionResult };

/** One submission to grade. */
export interface SubmissionInput {
  /** The student's id (a folder name under --out). */
  student: string;
  file: string;
}

/** Options of {@link gradeSubmissions}. */
export interface GradeOptions extends RunOptions {
  /** Submissions graded at once, each in its own kernel (default: the number of CPU cores). */
  jobs?: number;
  /** How kernels are isolated (default `bwrap`; see lib/grading/sandbox.ts). */
  sandbox?: SandboxMode;
  onEvent?: (event: GradeEvent) => void;
}

/** The environment variables passed on to the drivers (everything else is left out; sandboxed kernels get none). */
const KEPT_ENV = ["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "TEMP", "TMP"];

/** Creates the run's folder, sandbox (the library's copy) and environment. */
function prepareRun(mode: SandboxMode): RunContext {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlcourse-grade-"));
  try {
    for (const sub of ["home", "data", "config", "kernels"]) fs.mkdirSync(path.join(dir, sub));
    const env: NodeJS.ProcessEnv = {};
    for (const key of KEPT_ENV) if (process.env[key] !== undefined) env[key] = process.env[key];
    Object.assign(env, {
      HOME: path.join(dir, "home"),
      USERPROFILE: path.join(dir, "home"),
      JUPYTER_DATA_DIR: path.join(dir, "data"),
      JUPYTER_CONFIG_DIR: path.join(dir, "config"),
    });
    return { dir, env, sandbox: createSandbox(mode, dir) };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Runs `fn` over `items` with at most `jobs` at once, in order of start; results in input order. */
async function pool<T, R>(items: T[], jobs: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}

/**
 * Grades `submissions` against `assignment`, `jobs` at a time, each in a fresh kernel.
 * Never throws for a submission's doing: a bad or hostile submission gets its result (and 0s).
 * @throws Error when the sandbox asked for cannot be made here (its message says why)
 */
export async function gradeSubmissions(assignment: Assignment, submissions: SubmissionInput[], options: GradeOptions): Promise<SubmissionResult[]> {
  const analysis = analyzeAssignment(assignment);
  const run = prepareRun(options.sandbox ?? "bwrap");
  options.onEvent?.({ event: "sandbox", mode: run.sandbox.mode, enforced: run.sandbox.enforced });
  // Submissions whose code is the same (unanswered ones, broken ones graded from the stubs,
  // copies) are run once: the first of them runs, the others get its test results.
  const subs = submissions.map((input) => assembleSubmission(assignment, input.file, input.student));
  const keys = subs.map(codeKey);
  const first = new Map<string, number>();
  keys.forEach((key, i) => {
    if (!first.has(key)) first.set(key, i);
  });
  const results: SubmissionResult[] = new Array(subs.length);
  try {
    await pool([...first.values()], options.jobs ?? os.availableParallelism(), async (i) => {
      results[i] = await gradeOne(subs[i]!);
    });
    subs.forEach((sub, i) => {
      const original = first.get(keys[i]!)!;
      if (original === i) return;
      options.onEvent?.({ event: "start", student: sub.student, file: sub.file });
      results[i] = sameCode(subs[original]!, results[original]!, sub);
      options.onEvent?.({ event: "done", result: results[i]! });
    });
    return results;
  } finally {
    run.sandbox.dispose();
    fs.rmSync(run.dir, { recursive: true, force: true });
  }

  async function gradeOne(sub: AssembledSubmission): Promise<SubmissionResult> {
    options.onEvent?.({ event: "start", student: sub.student, file: sub.file });
    let result: SubmissionResult;
    try {
      result = await runSubmission(sub, assignment, analysis, run, options);
    } catch (e) {
      // A bug of the grader's: report it on this submission and go on with the others.
      result = {
        student: sub.student,
        file: sub.file,
        score: 0,
        maxScore: assignment.tests.reduce((sum, t) => sum + t.points, 0),
        seconds: 0,
        tests: assignment.tests.map((t) => ({ gradeId: t.gradeId, points: t.points, score: 0, passed: false, outcome: "not-run", message: "not graded: grader error", output: "", hidden: t.hidden.trim() ? "not run" : "none", seconds: 0 })),
        answers: sub.answers,
        solutionErrors: [],
        notes: [...sub.notes],
        flags: [],
        graderError: `grader error: ${(e as Error).stack ?? String(e)}`,
        restarts: 0,
      };
    }
    options.onEvent?.({ event: "done", result });
    return result;
  }
}

/** What identifies a submission's code: the sources of the cells that run, in order. */
function codeKey(sub: AssembledSubmission): string {
  const code = sub.cells.filter((c) => c.code).map((c) => [c.index, c.source]);
  return createHash("sha256").update(JSON.stringify(code)).digest("hex");
}

/** The result of `sub`, whose code is the same as `original`'s, from `original`'s result. */
function sameCode(original: AssembledSubmission, result: SubmissionResult, sub: AssembledSubmission): SubmissionResult {
  const runNotes = result.notes.slice(original.notes.length);
  const runFlags = result.flags.filter((f) => !f.startsWith("invalid submission: "));
  const answered = sub.answers.some((a) => !a.stub);
  return {
    ...result,
    student: sub.student,
    file: sub.file,
    answers: sub.answers,
    notes: [...sub.notes, ...runNotes],
    flags: [...(sub.invalid ? [`invalid submission: ${sub.invalid}`] : []), ...runFlags, ...(answered ? [`same code as ${result.student} (run once for both)`] : [])],
    ...(sub.invalid ? { invalid: sub.invalid } : { invalid: undefined }),
  };
}

/** A folder name for a student id: letters, digits and `._@-` kept, anything else `_`. */
export function studentId(name: string): string {
  const id = name.replace(/[^A-Za-z0-9._@-]/g, "_").replace(/^\.+/, "_");
  return id === "" ? "submission" : id;
}

/**
 * The submissions named on the command line: a file is one submission (its id is its name without
 * `.ipynb`); a folder holds submissions, as `*.ipynb` files (id: the file name) or as one folder
 * per student holding the notebook (id: the folder name; the notebook named like `sourceName`,
 * else the only `.ipynb` in it). Ids are made unique with `-2`, `-3`, ...
 * @throws Error naming a path that does not exist or a folder without notebooks
 */
export function collectSubmissions(paths: string[], sourceName: string): SubmissionInput[] {
  const found: { student: string; file: string }[] = [];
  const notebooksIn = (dir: string): string[] =>
    fs
      .readdirSync(dir)
      .filter((f) => f.toLowerCase().endsWith(".ipynb") && !f.startsWith(".") && fs.statSync(path.join(dir, f)).isFile())
      .sort();
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new Error(`${p}: no such file or folder`);
    if (!fs.statSync(p).isDirectory()) {
      found.push({ student: path.basename(p).replace(/\.ipynb$/i, ""), file: p });
      continue;
    }
    const before = found.length;
    for (const f of notebooksIn(p)) found.push({ student: f.replace(/\.ipynb$/i, ""), file: path.join(p, f) });
    for (const d of fs.readdirSync(p).sort()) {
      const sub = path.join(p, d);
      if (d.startsWith(".") || !fs.statSync(sub).isDirectory()) continue;
      const inside = notebooksIn(sub);
      const pick = inside.includes(sourceName) ? sourceName : inside.length === 1 ? inside[0] : undefined;
      if (pick) found.push({ student: d, file: path.join(sub, pick) });
    }
    if (found.length === before) throw new Error(`${p}: no notebooks (*.ipynb, or one folder per student holding one) in this folder`);
  }
  const used = new Set<string>();
  return found.map(({ student, file }) => {
    const base = studentId(student);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return { student: id, file };
  });
}
