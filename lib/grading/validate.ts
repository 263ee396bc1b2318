/**
 * `rlcourse validate`: the check that an instructor notebook works as homework. Both versions
 * (lib/grading/release.ts makes the student one) are executed through Jupyter and tslab
 * (lib/jupyter/run.ts), every cell even after failures: every graded test cell must pass in the
 * instructor version and, when the notebook has any solution, fail in the student version. And a
 * test that compares the answer with a library function (lib/grading/trust.ts,
 * comparedFunctions) must forbid it (`// FORBID:`), so that an answer calling the library fails.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type CellResult, type DriverEvent, type NotebookResult, runNotebook } from "../jupyter/run";
import type { JupyterPython } from "../jupyter/python";
import { loadAssignment } from "./assemble";
import { type Notebook, type NotebookCell, NotebookError, cellLocation, cellSource, gradeId, points, readNotebook, writeNotebook } from "./notebook";
import { ReleaseError, type ReleaseSummary, type ReleasedNotebook, formatProblem, releaseNotebook } from "./release";
import { analyzeAssignment, comparedFunctions, solutionLibraryReferences } from "./trust";

/** Which version of a notebook: the instructor's, or the released student version. */
export type Version = "instructor" | "student";

/**
 * A cell's outcome in one run: `pass`, `fail`, `empty` (no code to run, so nothing failed) or
 * `not run` (the run ended before it: a timeout, a dead kernel, or the kernel did not start).
 */
export type CellOutcome = "pass" | "fail" | "empty" | "not run";

/** One graded test cell in a validation. */
export interface TestCellReport {
  /** 0-based index in `cells`. */
  index: number;
  gradeId: string;
  points: number;
  instructor: CellOutcome;
  student: CellOutcome;
  /** How the cell failed in the instructor version (a {@link CellResult.kind}), when it did. */
  instructorFailure?: string;
  /** How the cell failed in the student version, when it did: `error` (it threw), `type-error`, ... */
  studentFailure?: string;
  /** Whether the student version must fail (the notebook has a solution). */
  mustFailInStudent: boolean;
  /** Library functions the test compares the answer with (see comparedFunctions in trust.ts). */
  compares: string[];
  /** Library functions the test forbids (`// FORBID:`). */
  forbids: string[];
  /** Whether both outcomes are as required. */
  ok: boolean;
  /** `ok`, or what is wrong. */
  verdict: string;
}

/** The validation of one notebook. */
export interface ValidationReport {
  /** The notebook, as given. */
  notebook: string;
  /** No violation at all. */
  ok: boolean;
  /** Graded test cells in notebook order. */
  tests: TestCellReport[];
  /** Violations outside the test table (one a line, may continue on indented lines). */
  violations: string[];
  /** Remarks that are not violations. */
  notes: string[];
  /** What the release changed, when it succeeded. */
  release?: ReleaseSummary;
  instructor?: NotebookResult;
  student?: NotebookResult;
  /** The kernel or Jupyter is missing: later notebooks cannot run either. */
  fatal: boolean;
  /** The run was interrupted. */
  interrupted: boolean;
}

/** Options of {@link validateNotebook}. */
export interface ValidateOptions {
  /** Python with nbclient (see findJupyterPython). */
  python: JupyterPython;
  /** Per-cell time limit in seconds; 0 for none. */
  timeoutSeconds?: number;
  /** Also keep the executed instructor notebook and its HTML here (as `rlcourse run --out`); default: discarded. */
  outDir?: string;
  /** Aborting it interrupts both runs. */
  signal?: AbortSignal;
  /** Every driver event of either run, for progress display. */
  onEvent?: (version: Version, event: DriverEvent) => void;
  /** The drivers' stderr (Jupyter and kernel logs) as it arrives. */
  onLog?: (text: string) => void;
  /** Python logging level of the drivers. */
  logLevel?: "DEBUG" | "INFO" | "WARNING" | "ERROR";
}

/** A cell's outcome in `result` (see {@link CellOutcome}). */
export function cellOutcome(result: NotebookResult, cell: NotebookCell, index: number): CellOutcome {
  const run = result.cellResults.find((c) => c.index === index);
  if (run) return run.status === "ok" ? "pass" : "fail";
  return cellSource(cell).trim() === "" ? "empty" : "not run";
}

const MAX_DETAIL_LINES = 12;

/** A failed cell's kind and first lines of detail, indented, for violation messages. */
function describeFailure(cell: CellResult | undefined): string {
  if (!cell || cell.status === "ok") return "";
  const detail = (cell.detail ?? "")
    .split(/\r?\n/)
    .filter((l) => l.trim() && !/^\s+at /.test(l)) // without stack frames: the message and source line say enough
    .slice(0, MAX_DETAIL_LINES)
    .map((l) => `\n      ${l}`)
    .join("");
  return ` (${cell.message ?? cell.kind ?? cell.status})${detail}`;
}

/** The verdict on one graded test cell. */
function judge(instructor: CellOutcome, student: CellOutcome, mustFail: boolean): { ok: boolean; verdict: string } {
  if (instructor === "fail") return { ok: false, verdict: "VIOLATION: fails in the instructor version" };
  if (instructor === "not run") return { ok: false, verdict: "VIOLATION: did not run in the instructor version" };
  if (instructor === "empty") return { ok: false, verdict: "VIOLATION: the test cell is empty" };
  if (!mustFail) return { ok: true, verdict: "ok (no solution to withhold)" };
  if (student === "pass") return { ok: false, verdict: "VIOLATION: passes without the solution" };
  if (student === "empty") return { ok: false, verdict: "VIOLATION: passes without the solution (its visible part is empty)" };
  if (student === "not run") return { ok: false, verdict: "VIOLATION: did not run in the student version" };
  return { ok: true, verdict: "ok" };
}

/**
 * Validates one instructor notebook: releases it in memory, executes the instructor version and
 * the student version (from the instructor notebook's folder, both at once, each going on after
 * failing cells), and judges every graded test cell: it must pass in the instructor version and,
 * when the notebook has any solution, fail in the student version. Also violations: any other
 * cell failing in the instructor version, a solution cell that does not compile in the student
 * version, a notebook that cannot be released. Never throws for notebook problems.
 */
export async function validateNotebook(file: string, options: ValidateOptions): Promise<ValidationReport> {
  const report: ValidationReport = { notebook: file, ok: false, tests: [], violations: [], notes: [], fatal: false, interrupted: false };
  let instructorNb: Notebook;
  let released: ReleasedNotebook;
  try {
    instructorNb = readNotebook(file);
    released = releaseNotebook(instructorNb, file);
  } catch (e) {
    if (e instanceof ReleaseError) {
      report.violations.push(`cannot be released:\n${e.problems.map((p) => `    ${formatProblem(p)}`).join("\n")}`);
      return report;
    }
    if (e instanceof NotebookError) {
      report.violations.push(e.reason);
      return report;
    }
    throw e;
  }
  report.release = released.summary;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rlcourse-validate-"));
  try {
    const studentFile = path.join(tmp, "student", path.basename(file));
    writeNotebook(studentFile, released.notebook);
    const common = {
      python: options.python,
      timeoutSeconds: options.timeoutSeconds,
      signal: options.signal,
      onLog: options.onLog,
      logLevel: options.logLevel,
      allowErrors: true,
    };
    const [instructor, student] = await Promise.all([
      runNotebook(file, {
        ...common,
        outDir: options.outDir ?? path.join(tmp, "instructor-out"),
        onEvent: (event) => options.onEvent?.("instructor", event),
      }),
      runNotebook(studentFile, {
        ...common,
        outDir: path.join(tmp, "student-out"),
        cwd: path.dirname(path.resolve(file)),
        onEvent: (event) => options.onEvent?.("student", event),
      }),
    ]);
    report.instructor = instructor;
    report.student = student;
    let ran = true;
    for (const [version, result] of [["instructor", instructor], ["student", student]] as const) {
      const failure = result.failure;
      if (failure?.kind === "interrupted") report.interrupted = true;
      if (result.fatal) report.fatal = true;
      // A failure outside any cell: the notebook did not run (or, for `export`, its HTML page).
      if (failure && failure.index === undefined && failure.kind !== "interrupted") {
        const detail = failure.detail ? `\n      ${failure.detail}` : "";
        report.violations.push(`the ${version} version ${failure.kind === "export" ? "ran, but" : "did not run"}: ${failure.message}${detail}`);
        if (failure.kind !== "export") ran = false;
      }
    }
    if (report.interrupted || !ran) return report;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const instructor = report.instructor!;
  const student = report.student!;

  const mustFail = released.summary.solutions > 0;
  const byCell: { index: number; text: string }[] = []; // violations of cells, reported in cell order
  const library = libraryComparisons(file);
  for (const index of released.summary.testCells) {
    const cell = instructorNb.cells[index]!;
    const { compares, forbids, unknown } = library.get(index) ?? { compares: [], forbids: [], unknown: [] };
    const unforbidden = compares.filter((name) => !forbids.includes(name));
    if (unknown.length > 0) {
      byCell.push({ index, text: `${cellLocation(file, index, cell)}: FORBID names ${unknown.join(", ")}, not a function rl-course exports (rlcourse grade would fail the test)` });
    }
    if (unforbidden.length > 0) {
      byCell.push({
        index,
        text:
          `${cellLocation(file, index, cell)}: the test compares the answer with the library's ${unforbidden.join(", ")} but does not forbid ` +
          `${unforbidden.length === 1 ? "it" : "them"}, so an answer that calls the library passes: add the line \`// FORBID: ${unforbidden.join(", ")}\``,
      });
    }
    const instructorOutcome = cellOutcome(instructor, cell, index);
    const studentOutcome = cellOutcome(student, released.notebook.cells[index]!, index);
    const { ok, verdict } = judge(instructorOutcome, studentOutcome, mustFail);
    const instructorFailure = instructor.cellResults.find((c) => c.index === index)?.kind;
    const studentFailure = student.cellResults.find((c) => c.index === index)?.kind;
    report.tests.push({
      index,
      gradeId: gradeId(cell) ?? `cell ${index + 1}`,
      points: points(cell),
      instructor: instructorOutcome,
      student: studentOutcome,
      ...(instructorFailure ? { instructorFailure } : {}),
      ...(studentFailure ? { studentFailure } : {}),
      mustFailInStudent: mustFail,
      compares,
      forbids,
      ok: ok && unforbidden.length === 0 && unknown.length === 0,
      verdict: ok && unforbidden.length > 0 ? `VIOLATION: compares with ${unforbidden.join(", ")}, not forbidden` : ok && unknown.length > 0 ? `VIOLATION: forbids ${unknown.join(", ")}, not library functions` : verdict,
    });
    if (ok) continue;
    const where = cellLocation(file, index, cell);
    if (instructorOutcome === "fail") {
      const failed = instructor.cellResults.find((c) => c.index === index);
      byCell.push({ index, text: `${where}: the test fails in the instructor version${describeFailure(failed)}` });
    } else if (instructorOutcome === "pass" && (studentOutcome === "pass" || studentOutcome === "empty")) {
      const empty = studentOutcome === "empty" ? " (the released cell is empty: it has only hidden tests; add a visible test)" : "";
      const text = `${where}: the test passes in the student version, without the solution${empty}; it must fail until the student answers`;
      byCell.push({ index, text: `${text} (check what the solution computes)` });
    } else {
      byCell.push({ index, text: `${where}: ${verdict.replace(/^VIOLATION: /, "the test ")}` });
    }
  }
  const tests = new Set(released.summary.testCells);
  for (const cellResult of instructor.cellResults) {
    if (cellResult.status === "ok" || tests.has(cellResult.index)) continue;
    const cell = instructorNb.cells[cellResult.index]!;
    const where = cellLocation(file, cellResult.index, cell);
    byCell.push({ index: cellResult.index, text: `${where}: fails in the instructor version${describeFailure(cellResult)}` });
  }
  for (const index of released.summary.solutionCells) {
    const cellResult = student.cellResults.find((c) => c.index === index);
    if (cellResult?.kind === "type-error") {
      const text =
        `${cellLocation(file, index, instructorNb.cells[index])}: the released solution cell does not compile, so students ` +
        `would start from a TypeScript error (code after the solution region uses what the region declared?)${describeFailure(cellResult)}`;
      byCell.push({ index, text });
    }
  }
  byCell.sort((a, b) => a.index - b.index);
  report.violations.push(...byCell.map((v) => v.text));
  const testCount = released.summary.testCells.length;
  if (mustFail && testCount === 0) report.notes.push("the notebook has solutions but no graded test cells: nothing grades them automatically");
  if (!mustFail && testCount > 0) report.notes.push("the notebook has no solution: its tests are only checked in the instructor version");
  report.ok = report.violations.length === 0 && report.tests.every((t) => t.ok);
  return report;
}

/** For each graded test cell (by index): the library functions it compares with, those it forbids, and forbidden names that are not functions of the library. */
function libraryComparisons(file: string): Map<number, { compares: string[]; forbids: string[]; unknown: string[] }> {
  const assignment = loadAssignment(file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const library = require("../index") as Record<string, unknown>;
  const isFunction = (name: string): boolean => typeof library[name] === "function" && !/^class\b/.test(Function.prototype.toString.call(library[name]));
  const out = new Map<number, { compares: string[]; forbids: string[]; unknown: string[] }>();
  for (const t of analyzeAssignment(assignment).tests) {
    const compares = comparedFunctions(t, solutionLibraryReferences(assignment, t.solutionNames)).filter(isFunction);
    out.set(t.test.index, { compares, forbids: t.test.forbid, unknown: t.test.forbid.filter((name) => !isFunction(name)) });
  }
  return out;
}

/** Short names of failure kinds for the table. */
const FAILURE_LABELS: Record<string, string> = {
  error: "threw",
  "type-error": "TypeScript error",
  uncaught: "uncaught error",
  timeout: "timeout",
  "dead-kernel": "kernel died",
};

/** The validation of one notebook as text: a header, the table of test cells, violations and notes. */
export function formatValidation(report: ValidationReport, displayName: string = report.notebook): string {
  const lines: string[] = [];
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
  const runs: string[] = [];
  for (const [version, result] of [["instructor", report.instructor], ["student", report.student]] as const) {
    if (result) runs.push(`${version} ${plural(result.cellsRun, "cell")} in ${result.seconds.toFixed(1)} s`);
  }
  const summary = report.release;
  const release = summary ? ` (${plural(summary.solutions, "solution region")}, ${plural(summary.hiddenTests, "hidden-test region")})` : "";
  lines.push(`${report.ok ? "ok    " : "FAILED"} ${displayName}${release}${runs.length > 0 ? `: ${runs.join(", ")}` : ""}`);
  if (report.tests.length > 0) {
    const header = ["grade_id", "points", "instructor", "student", "compares with (forbidden)", "verdict"];
    const outcome = (o: CellOutcome, kind: string | undefined): string => (o === "fail" && kind ? `fail (${FAILURE_LABELS[kind] ?? kind})` : o);
    const rows = report.tests.map((t) => [
      t.gradeId,
      String(t.points),
      outcome(t.instructor, t.instructorFailure),
      outcome(t.student, t.studentFailure),
      t.compares.map((name) => (t.forbids.includes(name) ? `${name} (forbidden)` : name)).join(", ") || "-",
      t.verdict,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const pad = (cell: string, i: number): string => (i === 1 ? cell.padStart(widths[i]!) : i === header.length - 1 ? cell : cell.padEnd(widths[i]!));
    const format = (row: string[]): string => "  " + row.map(pad).join("  ");
    lines.push(format(header), ...rows.map(format));
  } else if (report.release) {
    lines.push("  no graded test cells");
  }
  for (const v of report.violations) lines.push(`  VIOLATION ${v}`);
  for (const n of report.notes) lines.push(`  note: ${n}`);
  return lines.join("\n");
}
