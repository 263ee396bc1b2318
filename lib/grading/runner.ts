/**
 * One submission's run in its own kernel, for `rlcourse grade` (lib/grading/grade.ts runs many).
 *
 * The steps are the rebuilt notebook's code cells in order, with the grader's cells injected
 * (lib/grading/trust.ts): the setup cell, keep code appended to locked cells, and for each test
 * a canary, the wrapped test, and another canary. Cells after the last test are not run: they
 * cannot change the score.
 *
 * **Scoring.** A test cell earns its points iff the kernel's execute reply for the wrapped cell
 * is `ok` and the canaries right before and after it came back failed, as they must. A type
 * error, an exception, a failed check, a timeout, a dead kernel, or a check that finds the check
 * helpers modified: 0 for that cell. Nothing printed is read for the verdict; what the visible
 * part printed (up to the marker line) is kept for the report, what the hidden part printed never.
 *
 * **Crashes.** After a timeout or a dead kernel (process.exit(), a crash, the memory limit), the
 * kernel is restarted and every earlier cell that is not a test (locked cells, solution cells,
 * the setup) is run again, except the ones that hung or crashed, before going on with the next
 * cell; the cell that hung is not run again. After {@link MAX_RESTARTS} restarts, or when the
 * notebook's time limit is reached, the remaining tests are not graded (0, with the reason).
 *
 * **Isolation.** The kernel runs in the run's sandbox (lib/grading/sandbox.ts: namespaces, a
 * read-only copy of the library checked before each start, limits, everything killed at the end);
 * no answers or hidden tests reach its files: cells arrive through a pipe.
 */
import * as path from "node:path";
import type { Answer, AssembledSubmission, Assignment } from "./assemble";
import {
  type AssignmentAnalysis,
  type TestAnalysis,
  type TrustNames,
  type WrappedCell,
  canaryCell,
  newTrustNames,
  setupCell,
  withKeep,
  wrapTest,
} from "./trust";
import type { JupyterPython } from "../jupyter/python";
import { KernelSession, type SessionCellResult, type SessionStart } from "../jupyter/session";
import { SANDBOX_KERNEL, type Sandbox } from "./sandbox";
import { describeSolutionFailure, judgeTest } from "./verdict";

/** Default per-cell time limit of `rlcourse grade`, in seconds. */
export const DEFAULT_GRADE_CELL_TIMEOUT = 60;
/** Default time limit of one submission, in seconds. */
export const DEFAULT_GRADE_NOTEBOOK_TIMEOUT = 1200;
/** Default resident-memory limit of a kernel, in MiB (the V8 heap limit is 3/4 of it). */
export const DEFAULT_GRADE_MEMORY_MB = 4096;
/** Default limit of text output kept per cell, in bytes. */
export const DEFAULT_CELL_OUTPUT_BYTES = 1 << 20;
/** Default limit of text output kept per submission, in bytes. */
export const DEFAULT_NOTEBOOK_OUTPUT_BYTES = 5 << 20;
/** Kernel restarts allowed per submission before the remaining tests are given up. */
export const MAX_RESTARTS = 3;

/** How a graded test cell ended. */
export type TestOutcome =
  | "passed"
  | "failed" // a check failed or the code threw
  | "type-error"
  | "timeout"
  | "dead" // the kernel died
  | "memory" // the kernel exceeded the memory limit
  | "aborted"
  | "not-run"
  | "untrusted"; // a canary showed the kernel was tampered with

/** The result of one graded test cell. */
export interface TestResult {
  gradeId: string;
  points: number;
  score: number;
  passed: boolean;
  outcome: TestOutcome;
  /** One line: why it failed (empty when it passed). */
  message: string;
  /** What the visible tests printed (cleaned, shortened); never anything from the hidden tests. */
  output: string;
  /** The hidden tests' verdict. */
  hidden: "passed" | "failed" | "not run" | "none";
  seconds: number;
}

/** A solution cell that failed when it ran (for the feedback). */
export interface SolutionError {
  gradeId: string;
  /** Short description: the TypeScript diagnostics, or the error's first lines. */
  message: string;
}

/** The grading of one submission. */
export interface SubmissionResult {
  student: string;
  file: string;
  score: number;
  maxScore: number;
  /** Seconds from kernel start to the last cell. */
  seconds: number;
  tests: TestResult[];
  answers: Answer[];
  solutionErrors: SolutionError[];
  /** For the student: how the notebook was read and anything that affected the grading. */
  notes: string[];
  /** For the instructor only (gradebook): restarts, tampering, output truncated, ... */
  flags: string[];
  /** Why the submission could not be used (graded from stubs). */
  invalid?: string;
  /** The grader could not grade it (kernel would not start, setup failed): not the student's doing. */
  graderError?: string;
  restarts: number;
}

/** Options of {@link runSubmission} (and of gradeSubmissions). */
export interface RunOptions {
  python: JupyterPython;
  /** Per-cell time limit in seconds (default {@link DEFAULT_GRADE_CELL_TIMEOUT}). */
  cellTimeoutSeconds?: number;
  /** Per-submission time limit in seconds (default {@link DEFAULT_GRADE_NOTEBOOK_TIMEOUT}). */
  notebookTimeoutSeconds?: number;
  /** Resident-memory limit of each kernel in MiB (default {@link DEFAULT_GRADE_MEMORY_MB}). */
  memoryMb?: number;
  /** Text output kept per cell in bytes (default 1 MiB). */
  cellOutputBytes?: number;
  /** Text output kept per submission in bytes (default 5 MiB). */
  notebookOutputBytes?: number;
  /** Aborting it stops grading (kernels are shut down). */
  signal?: AbortSignal;
  /** The drivers' stderr (Jupyter and kernel logs). */
  onLog?: (student: string, text: string) => void;
  /**
   * Every cell run, with what it was (`cell 5`, `setup`, `test ID`, `canary`, ...): for
   * debugging the grader. Its outputs include hidden tests' output: never show them to students.
   */
  onCell?: (student: string, what: string, result: SessionCellResult) => void;
}

/** A folder shared by one grading run: Jupyter's folders, the kernels' folders, the sandbox. */
export interface RunContext {
  /** The folder (holds `kernels/`, where each kernel gets its own folder). */
  dir: string;
  /** The environment of the drivers. */
  env: NodeJS.ProcessEnv;
  /** Makes each kernel's sandbox (kernelspec, folders, limits). */
  sandbox: Sandbox;
}

/** One thing to run, in order. */
type Step =
  | { kind: "setup"; source: string }
  | { kind: "cell"; source: string; index: number; gradeId?: string; solution: boolean }
  | { kind: "test"; analysis: TestAnalysis; wrapped: WrappedCell; before: string; after: string };

/** The steps of one submission: its cells, the setup, keep code, wrapped tests and canaries. */
function buildSteps(sub: AssembledSubmission, analysis: AssignmentAnalysis, names: TrustNames): Step[] {
  const steps: Step[] = [];
  const byIndex = new Map(analysis.tests.map((t) => [t.test.index, t]));
  const keepBefore = [...analysis.keep].filter(([cell]) => cell <= analysis.setupAfter).sort((a, b) => a[0] - b[0]);
  const setup: Step = { kind: "setup", source: setupCell(names, keepBefore) };
  if (analysis.setupAfter < 0) steps.push(setup);
  for (const cell of sub.cells) {
    if (cell.code) {
      const test = cell.role === "test" ? byIndex.get(cell.index) : undefined;
      if (test) {
        const helpers = analysis.helpers.get(cell.index);
        if (helpers) steps.push({ kind: "cell", source: withKeep(names, helpers, cell.index, analysis.keep.get(cell.index)!), index: cell.index, solution: false });
        steps.push({ kind: "test", analysis: test, wrapped: wrapTest(names, test), before: canaryCell(names, test), after: canaryCell(names, test) });
      } else if (cell.source.trim() !== "") {
        const kept = cell.index > analysis.setupAfter ? analysis.keep.get(cell.index) : undefined;
        const source = kept ? withKeep(names, cell.source, cell.index, kept) : cell.source;
        steps.push({ kind: "cell", source, index: cell.index, solution: cell.role === "solution", ...(cell.gradeId ? { gradeId: cell.gradeId } : {}) });
      }
    }
    if (cell.index === analysis.setupAfter) steps.push(setup);
  }
  let last = steps.length - 1;
  while (last >= 0 && steps[last]!.kind !== "test") last--;
  return steps.slice(0, last + 1);
}

/** What a step is, for {@link GradeOptions.onCell}. */
function stepName(step: Step): string {
  if (step.kind === "setup") return "setup";
  if (step.kind === "test") return `test ${step.analysis.test.gradeId}`;
  return `cell ${step.index + 1}${step.gradeId ? ` (${step.gradeId})` : ""}`;
}

/** Grades one assembled submission in its own kernel. Never throws for the submission's doing. */
export async function runSubmission(sub: AssembledSubmission, assignment: Assignment, analysis: AssignmentAnalysis, run: RunContext, options: RunOptions): Promise<SubmissionResult> {
  const cellTimeout = options.cellTimeoutSeconds ?? DEFAULT_GRADE_CELL_TIMEOUT;
  const notebookTimeout = options.notebookTimeoutSeconds ?? DEFAULT_GRADE_NOTEBOOK_TIMEOUT;
  const memoryMb = options.memoryMb ?? DEFAULT_GRADE_MEMORY_MB;
  const outputBudget = options.notebookOutputBytes ?? DEFAULT_NOTEBOOK_OUTPUT_BYTES;
  const names = newTrustNames();
  const steps = buildSteps(sub, analysis, names);
  const maxScore = assignment.tests.reduce((sum, t) => sum + t.points, 0);
  const result: SubmissionResult = {
    student: sub.student,
    file: sub.file,
    score: 0,
    maxScore,
    seconds: 0,
    tests: [],
    answers: sub.answers,
    solutionErrors: [],
    notes: [...sub.notes],
    flags: [],
    ...(sub.invalid ? { invalid: sub.invalid } : {}),
    restarts: 0,
  };
  if (sub.invalid) result.flags.push(`invalid submission: ${sub.invalid}`);
  const tests = new Map<string, TestResult>();

  // The kernel's sandbox holds the course library and nothing of the submission or the hidden
  // tests: cells arrive through a pipe.
  const kernel = run.sandbox.kernel(path.join(run.dir, "kernels"), memoryMb);
  let oomSeen = 0;

  const session = new KernelSession({
    python: options.python,
    kernel: SANDBOX_KERNEL,
    cwd: kernel.cwd,
    env: { ...run.env, ...kernel.env },
    ...(kernel.ipc ? { ipc: kernel.ipc } : {}),
    maxOutputBytes: options.cellOutputBytes ?? DEFAULT_CELL_OUTPUT_BYTES,
    rssLimitMb: memoryMb,
    onLog: options.onLog ? (text) => options.onLog!(sub.student, text) : undefined,
  });
  const started = Date.now();
  const deadline = started + notebookTimeout * 1000;
  let outputUsed = 0;
  let truncatedNotebook = false;
  let truncatedCells = 0;
  let stop: string | undefined; // why the remaining tests are not graded
  const onAbort = (): void => session.kill();
  options.signal?.addEventListener("abort", onAbort, { once: true });

  /** Runs one source within the cell and notebook limits; charges its output to the notebook's budget. */
  let lastLimit = cellTimeout; // the time limit of the last cell run, in seconds
  const exec = async (source: string, what: string): Promise<SessionCellResult> => {
    const remaining = (deadline - Date.now()) / 1000;
    lastLimit = Math.max(1, Math.ceil(Math.min(cellTimeout, remaining)));
    const r = await session.run(source, lastLimit);
    if (r.status === "dead" && kernel.oomKills() > oomSeen) {
      oomSeen = kernel.oomKills();
      r.memory = true; // the sandbox's memory limit killed it
    }
    options.onCell?.(sub.student, what, r);
    if (r.truncated) truncatedCells += 1;
    for (const out of r.outputs) {
      const size = Buffer.byteLength(out.text);
      if (outputUsed + size > outputBudget) {
        out.text = out.text.slice(0, Math.max(0, outputBudget - outputUsed));
        truncatedNotebook = true;
        r.truncated = true;
      }
      outputUsed += Buffer.byteLength(out.text);
    }
    return r;
  };
  const timeLeft = (): boolean => Date.now() < deadline;
  /** Starts (or restarts) the kernel once the library it will load is checked. */
  const startChecked = async (go: () => Promise<SessionStart>): Promise<SessionStart> => {
    try {
      kernel.verify();
    } catch (e) {
      return { ok: false, kind: "library", message: (e as Error).message };
    }
    return go();
  };
  const crashed = new Set<number>();
  const testsAfter = (i: number): boolean => steps.slice(i + 1).some((s) => s.kind === "test");

  /** Restarts the kernel and replays the steps before `upTo` that are not tests and did not crash. */
  const recover = async (upTo: number): Promise<boolean> => {
    for (;;) {
      if (options.signal?.aborted) return false;
      result.restarts += 1;
      if (result.restarts > MAX_RESTARTS) {
        stop = `not graded: the kernel hung or crashed ${MAX_RESTARTS + 1} times`;
        return false;
      }
      if (!timeLeft()) {
        stop = `not graded: the notebook's time limit (${notebookTimeout} s) was reached`;
        return false;
      }
      const start = await startChecked(() => session.restart());
      if (!start.ok) {
        result.graderError = `the kernel could not be restarted: ${start.message}`;
        stop = "not graded: the grader could not restart the kernel";
        return false;
      }
      let replayed = true;
      for (let j = 0; j < upTo && replayed; j++) {
        const step = steps[j]!;
        if (step.kind === "test" || crashed.has(j)) continue;
        const r = await exec(step.source, `replay ${stepName(step)}`);
        if (r.status === "timeout" || r.status === "dead") {
          crashed.add(j);
          replayed = false;
        } else if (step.kind === "setup" && r.status !== "ok") {
          result.graderError = `the grader's setup cell failed after a restart: ${describeSolutionFailure(r, lastLimit)}`;
          stop = "not graded: the grader's setup failed";
          return false;
        }
      }
      if (replayed) return true;
    }
  };

  try {
    const start = options.signal?.aborted ? { ok: false as const, kind: "interrupted", message: "interrupted" } : await startChecked(() => session.start());
    if (options.signal?.aborted) stop = "not graded: grading was interrupted";
    else if (!start.ok) {
      result.graderError = `${start.message}${start.detail ? ` (${start.detail})` : ""}`;
      stop = "not graded: the kernel did not start";
    }
    for (let i = 0; !stop && i < steps.length; i++) {
      if (options.signal?.aborted) {
        stop = "not graded: grading was interrupted";
        break;
      }
      if (!timeLeft()) {
        stop = `not graded: the notebook's time limit (${notebookTimeout} s) was reached`;
        break;
      }
      const step = steps[i]!;
      if (step.kind === "test") {
        const { test } = step.analysis;
        const before = await exec(step.before, `canary before ${test.gradeId}`);
        if (before.status === "ok" || before.status === "aborted") {
          stop = "not graded: a check that must fail passed, so the kernel was tampered with (canary)";
          result.flags.push(`kernel tampering detected before test ${test.gradeId}`);
          break;
        }
        let verdict: TestResult;
        let crashedHere = before.status === "timeout" || before.status === "dead";
        if (crashedHere) {
          verdict = { gradeId: test.gradeId, points: test.points, score: 0, passed: false, outcome: "not-run", message: "the kernel stopped responding before the test (code left running by an earlier cell?)", output: "", hidden: test.hidden.trim() ? "not run" : "none", seconds: 0 };
        } else {
          const r = await exec(step.wrapped.source, `test ${test.gradeId}`);
          verdict = judgeTest(step.analysis, step.wrapped, r, names, lastLimit, memoryMb);
          crashedHere = r.status === "timeout" || r.status === "dead";
          if (!crashedHere) {
            const after = await exec(step.after, `canary after ${test.gradeId}`);
            if (after.status === "ok" || after.status === "aborted") {
              tests.set(test.gradeId, { ...verdict, score: 0, passed: false, outcome: "untrusted", message: "not graded: the kernel was tampered with during the test", output: "" });
              result.flags.push(`kernel tampering detected during test ${test.gradeId}`);
              stop = "not graded: the kernel was tampered with (canary)";
              break;
            }
            if (after.status === "timeout" || after.status === "dead") {
              crashedHere = true;
              if (verdict.passed) verdict = { ...verdict, score: 0, passed: false, outcome: "not-run", message: "the kernel stopped responding right after the test (code left running by it?): its result cannot be confirmed" };
            }
          }
        }
        tests.set(test.gradeId, verdict);
        if (crashedHere) {
          crashed.add(i);
          if (!testsAfter(i) || !(await recover(i + 1))) break;
        }
        continue;
      }
      const r = await exec(step.source, stepName(step));
      if (step.kind === "setup" && r.status !== "ok") {
        result.graderError = `the grader's setup cell failed: ${describeSolutionFailure(r, lastLimit)}`;
        stop = "not graded: the grader's setup failed";
        break;
      }
      if (step.kind === "cell" && step.solution && (r.status === "error" || r.status === "aborted") && step.gradeId) {
        result.solutionErrors.push({ gradeId: step.gradeId, message: describeSolutionFailure(r, lastLimit) });
      }
      if (r.status === "timeout" || r.status === "dead") {
        crashed.add(i);
        if (step.kind === "cell") {
          const what = step.solution ? `your solution cell "${step.gradeId}"` : `cell ${step.index + 1}`;
          const how = r.status === "timeout" ? `did not finish within ${lastLimit} s` : r.memory ? "ran out of memory" : "killed the kernel";
          const next = testsAfter(i) ? ": the kernel was restarted and the cells before it run again without it" : "";
          result.notes.push(`${what[0]!.toUpperCase()}${what.slice(1)} ${how}${next}.`);
        }
        if (!testsAfter(i) || !(await recover(i + 1))) break;
      }
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await session.close();
    kernel.dispose();
  }
  result.seconds = (Date.now() - started) / 1000;
  for (const test of assignment.tests) {
    const t = tests.get(test.gradeId) ?? {
      gradeId: test.gradeId,
      points: test.points,
      score: 0,
      passed: false,
      outcome: "not-run" as const,
      message: stop ?? "not graded",
      output: "",
      hidden: test.hidden.trim() ? ("not run" as const) : ("none" as const),
      seconds: 0,
    };
    result.tests.push(t);
  }
  result.score = result.tests.reduce((sum, t) => sum + t.score, 0);
  if (stop && !result.graderError) result.notes.push(stop.replace(/^not graded: /, "Some tests were not graded: "));
  if (result.restarts > 0) result.flags.push(`kernel restarted ${result.restarts} time${result.restarts === 1 ? "" : "s"}`);
  const cellLimit = options.cellOutputBytes ?? DEFAULT_CELL_OUTPUT_BYTES;
  if (truncatedCells > 0 && !truncatedNotebook) {
    result.flags.push(`output truncated in ${truncatedCells} cell${truncatedCells === 1 ? "" : "s"}`);
    result.notes.push(`A cell printed more than ${megabytes(cellLimit)}: the rest of its output was dropped (grading went on).`);
  }
  if (truncatedNotebook) {
    result.flags.push("output over the notebook limit was dropped");
    result.notes.push(`Your notebook printed more than ${megabytes(outputBudget)}: the rest of its output was dropped (grading went on).`);
  }
  if (assignment.manualPoints > 0) result.notes.push(`${assignment.manualPoints} more points are graded by hand.`);
  return result;
}

/** `bytes` as "N MB" (or "N KB" below a megabyte). */
function megabytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${Math.round(bytes / (1 << 20))} MB` : `${Math.round(bytes / 1024)} KB`;
}
