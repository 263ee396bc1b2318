/**
 * Homework release: the student version of an instructor notebook (`rlcourse release`), and the
 * check that the release works as homework (`rlcourse validate`).
 *
 * **Markers.** In the instructor notebook, a solution sits between the lines `// BEGIN SOLUTION`
 * and `// END SOLUTION`, hidden tests between `// BEGIN HIDDEN TESTS` and `// END HIDDEN TESTS`.
 * A marker is alone on its line, possibly indented, after `//`, `#`, `/*` or `<!--` (closed by
 * `*\/` or `-->`) or none; the words are upper case. Any other line that mentions a marker (in
 * any case) is refused, so that no region is silently left open, cut short or kept.
 *
 * **Release.** The student version keeps every cell, its nbgrader metadata and the kernelspec, and:
 * - replaces each solution region by `// YOUR CODE HERE` and `throw new Error("Not implemented");`
 *   at the marker's indentation (in a markdown or raw cell by `YOUR ANSWER HERE`); the `throw`
 *   keeps a function with a declared return type valid TypeScript, so the released cell compiles
 *   and the function throws when called. A solution cell without markers is wholly a solution and
 *   is replaced the same way, as nbgrader does;
 * - removes each hidden-test region, markers included;
 * - clears all outputs and execution counts (and run metadata: timings, widget state,
 *   `metadata.rlcourse`), and drops a changed solution cell's attachments that its remaining
 *   text no longer uses.
 *
 * It refuses (with the notebook, the cell numbered from 1, its grade_id and the line) a region
 * that is not closed, an END without its BEGIN, nested regions, a solution marker in a cell that
 * is not an nbgrader solution cell, a hidden-test marker in a cell that is not graded, and graded
 * or solution cells without a unique grade_id (and graded ones without points).
 *
 * **Validation.** Both versions are executed through Jupyter and tslab (lib/jupyter/run.ts),
 * every cell even after failures: every graded test cell must pass in the instructor version,
 * and, when the notebook has any solution, fail in the student version.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type CellResult, type DriverEvent, type NotebookResult, runNotebook } from "../jupyter/run";
import type { JupyterPython } from "../jupyter/python";
import {
  type Notebook,
  type NotebookCell,
  NotebookError,
  cellLocation,
  cellSource,
  gradeId,
  isGradedCell,
  isSolutionCell,
  isTestCell,
  nbgrader,
  points,
  readNotebook,
  writeNotebook,
} from "./notebook";

/** What replaces a solution region in a code cell, one line each, at the marker's indentation. */
export const CODE_STUB: readonly string[] = ["// YOUR CODE HERE", 'throw new Error("Not implemented");'];

/** What replaces a solution region in a markdown (or raw) cell. */
export const TEXT_STUB = "YOUR ANSWER HERE";

/** The two kinds of marked region. */
export type RegionKind = "SOLUTION" | "HIDDEN TESTS";

/** A marker line: indentation, optional comment opener, BEGIN/END, kind, optional comment closer. */
const MARKER_LINE = /^([ \t]*)(?:\/\/+|#+|\/\*+|<!--)?[ \t]*(BEGIN|END) (SOLUTION|HIDDEN TESTS)[ \t]*(?:\*+\/|-->)?[ \t]*\r?$/;
/** A marker's words anywhere in a line, in any case or spacing: refused unless a {@link MARKER_LINE}. */
const MARKER_MENTION = /\b(BEGIN|END)\s+(SOLUTION|HIDDEN\s+TESTS)\b/i;

/** One reason a notebook cannot be released. */
export interface ReleaseProblem {
  /** The notebook, as given. */
  file: string;
  /** 0-based index of the cell in `cells` (shown from 1). */
  cell: number;
  /** The cell's nbgrader grade_id, when it has one. */
  gradeId?: string;
  /** 1-based line in the cell's source, when the problem is on a line. */
  line?: number;
  /** What is wrong, and why it is refused. */
  message: string;
}

/** `FILE, cell N (grade_id "ID"), line L: message`. */
export function formatProblem(problem: ReleaseProblem): string {
  const id = problem.gradeId ? ` (grade_id "${problem.gradeId}")` : "";
  const line = problem.line !== undefined ? `, line ${problem.line}` : "";
  return `${problem.file}, cell ${problem.cell + 1}${id}${line}: ${problem.message}`;
}

/** A notebook that cannot be released; the message lists every problem, one a line. */
export class ReleaseError extends Error {
  override name = "ReleaseError";

  /** @param problems at least one */
  constructor(readonly problems: ReleaseProblem[]) {
    super(problems.map(formatProblem).join("\n"));
  }
}

/** What a release changed in one notebook. */
export interface ReleaseSummary {
  /** Solution regions replaced (a solution cell without markers counts as one). */
  solutions: number;
  /** Hidden-test regions removed. */
  hiddenTests: number;
  /** Code cells whose outputs or execution count were cleared. */
  outputsCleared: number;
  /** Indices of the cells that held a solution. */
  solutionCells: number[];
  /** Indices of the graded test cells (see {@link isTestCell}). */
  testCells: number[];
}

/** The student version of a notebook and what changed. */
export interface ReleasedNotebook {
  notebook: Notebook;
  summary: ReleaseSummary;
}

interface CellRelease {
  source: string;
  solutions: number;
  hiddenTests: number;
}

/** Releases one cell's source, adding any problem to `problems`. */
function releaseCell(cell: NotebookCell, file: string, index: number, problems: ReleaseProblem[]): CellRelease {
  const id = gradeId(cell);
  const problem = (message: string, line?: number): void => {
    problems.push({ file, cell: index, ...(id ? { gradeId: id } : {}), ...(line !== undefined ? { line } : {}), message });
  };
  const code = cell.cell_type === "code";
  const stub = (indent: string): string[] => (code ? CODE_STUB.map((l) => indent + l) : [indent + TEXT_STUB]);
  const lines = cellSource(cell).split("\n");
  const out: string[] = [];
  const open: { kind: RegionKind; line: number }[] = []; // more than one only when nested (refused)
  let solutions = 0;
  let hiddenTests = 0;

  lines.forEach((text, i) => {
    const line = i + 1;
    const marker = MARKER_LINE.exec(text);
    if (!marker) {
      const mention = MARKER_MENTION.exec(text);
      if (mention) {
        const marker = `${mention[1]!.toUpperCase()} ${mention[2]!.toUpperCase().replace(/\s+/, " ")}`;
        problem(`"${mention[0]}" is not a marker line: a marker is alone on its line, in upper case, like "// ${marker}"`, line);
      }
      if (open.length === 0) out.push(text);
      return;
    }
    const indent = marker[1] ?? "";
    const kind = marker[3] as RegionKind;
    if (marker[2] === "BEGIN") {
      const outer = open[open.length - 1];
      open.push({ kind, line });
      if (outer) {
        problem(`nested region: BEGIN ${kind} inside the ${outer.kind} region opened at line ${outer.line}; regions cannot be nested`, line);
        return;
      }
      if (kind === "SOLUTION" && !isSolutionCell(cell)) {
        problem(
          "BEGIN SOLUTION in a cell that is not a solution cell (its metadata.nbgrader.solution is not true): " +
            "nbgrader would not collect the student's answer from it and refuses such a notebook; " +
            "mark the cell as a solution cell or move the region",
          line,
        );
      }
      if (kind === "HIDDEN TESTS" && !isGradedCell(cell)) {
        problem(
          "BEGIN HIDDEN TESTS in a cell that is not a graded cell (its metadata.nbgrader.grade is not true): " +
            "only graded cells are restored from the instructor version and run when grading, so these tests " +
            "would never count; mark the cell as a graded test cell or move the tests",
          line,
        );
      }
      if (kind === "SOLUTION") {
        out.push(...stub(indent));
        solutions += 1;
      } else {
        hiddenTests += 1;
      }
      return;
    }
    const region = open.pop();
    if (!region) {
      problem(`END ${kind} without a BEGIN ${kind} before it`, line);
    } else if (region.kind !== kind) {
      problem(`END ${kind} does not close the ${region.kind} region opened at line ${region.line} (expected END ${region.kind})`, line);
    }
  });
  for (const region of open) {
    problem(`BEGIN ${region.kind} is never closed: no END ${region.kind} before the end of the cell`, region.line);
  }

  if (isSolutionCell(cell) && solutions === 0) {
    // nbgrader: a solution cell without a region is all solution.
    return { source: stub("").join("\n"), solutions: 1, hiddenTests };
  }
  if (hiddenTests > 0) {
    while (out.length > 0 && out[out.length - 1]!.trim() === "") out.pop();
  }
  return { source: out.join("\n"), solutions, hiddenTests };
}

/** Checks grade_ids (present and unique on solution and graded cells) and points of graded cells. */
function metadataProblems(notebook: Notebook, file: string): ReleaseProblem[] {
  const problems: ReleaseProblem[] = [];
  const seen = new Map<string, number>();
  notebook.cells.forEach((cell, index) => {
    const meta = nbgrader(cell);
    if (!meta) return;
    const id = gradeId(cell);
    const role = isSolutionCell(cell) ? "solution" : "graded";
    if (id === undefined) {
      if (isSolutionCell(cell) || isGradedCell(cell)) {
        problems.push({ file, cell: index, message: `a ${role} cell needs a metadata.nbgrader.grade_id (nbgrader tracks answers and tests by it)` });
      }
      return;
    }
    const first = seen.get(id);
    if (first !== undefined) {
      const message = `grade_id "${id}" is also the grade_id of cell ${first + 1}; grade_ids must be unique`;
      problems.push({ file, cell: index, gradeId: id, message });
    } else {
      seen.set(id, index);
    }
    if (isGradedCell(cell) && !(typeof meta.points === "number" && Number.isFinite(meta.points) && meta.points >= 0)) {
      const message = `a graded cell needs metadata.nbgrader.points, a number >= 0 (got ${JSON.stringify(meta.points ?? null)})`;
      problems.push({ file, cell: index, gradeId: id, message });
    }
  });
  return problems;
}

/** Names of the attachments (`attachment:NAME`) a markdown text uses. */
function usedAttachments(text: string): Set<string> {
  return new Set(Array.from(text.matchAll(/attachment:([^\s)"'>]+)/g), (m) => decodeURIComponent(m[1]!)));
}

/**
 * The student version of `notebook` (see the module comment); `notebook` is not changed.
 * @param file the notebook's path, named in problems
 * @throws ReleaseError listing every problem found, when the notebook cannot be released
 */
export function releaseNotebook(notebook: Notebook, file: string): ReleasedNotebook {
  const problems: ReleaseProblem[] = metadataProblems(notebook, file);
  const released = structuredClone(notebook);
  const summary: ReleaseSummary = { solutions: 0, hiddenTests: 0, outputsCleared: 0, solutionCells: [], testCells: [] };
  released.cells.forEach((cell, index) => {
    const result = releaseCell(cell, file, index, problems);
    const changed = result.source !== cellSource(cell);
    cell.source = result.source;
    summary.solutions += result.solutions;
    summary.hiddenTests += result.hiddenTests;
    if (result.solutions > 0) summary.solutionCells.push(index);
    if (isTestCell(cell)) summary.testCells.push(index);
    if (cell.cell_type === "code") {
      if ((cell.outputs?.length ?? 0) > 0 || (cell.execution_count ?? null) !== null) summary.outputsCleared += 1;
      cell.outputs = [];
      cell.execution_count = null;
    }
    delete cell.metadata.execution; // nbclient's timings
    if (changed && result.solutions > 0 && cell.attachments) {
      const used = usedAttachments(result.source);
      for (const name of Object.keys(cell.attachments)) if (!used.has(name)) delete cell.attachments[name];
      if (Object.keys(cell.attachments).length === 0) delete cell.attachments;
    }
  });
  delete released.metadata.rlcourse; // rlcourse run's status
  delete released.metadata.widgets; // widget state: outputs
  if (problems.length > 0) {
    problems.sort((a, b) => a.cell - b.cell || (a.line ?? 0) - (b.line ?? 0));
    throw new ReleaseError(problems);
  }
  return { notebook: released, summary };
}

/** Where the student version of `notebook` goes: `OUTDIR/NAME.ipynb`. */
export function releasePath(notebook: string, outDir: string): string {
  return path.join(outDir, path.basename(notebook));
}

/** One notebook written by {@link releaseFiles}. */
export interface ReleasedFile {
  /** The instructor notebook, as given. */
  input: string;
  /** The student version written. */
  output: string;
  summary: ReleaseSummary;
}

/** Notebooks that cannot be released: the message lists every problem, one a line. */
export class ReleaseFilesError extends Error {
  override name = "ReleaseFilesError";

  /** @param problems one line each, naming the notebook */
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

/**
 * Releases `notebooks` into `outDir` (created when missing), each written atomically under its
 * own name. All or nothing: when any notebook cannot be read or released, nothing is written.
 * Refuses to write over an input notebook, and two inputs with the same file name.
 * @throws ReleaseFilesError listing every problem of every notebook
 */
export function releaseFiles(notebooks: string[], outDir: string): ReleasedFile[] {
  const problems: string[] = [];
  const outputs = new Map<string, string>();
  const inputs = new Set(notebooks.map((nb) => path.resolve(nb)));
  const done: { input: string; output: string; released: ReleasedNotebook }[] = [];
  for (const input of notebooks) {
    const output = releasePath(input, outDir);
    const key = path.resolve(output);
    if (inputs.has(key)) {
      const victim = key === path.resolve(input) ? "the notebook itself" : "another input notebook";
      problems.push(`${input}: the student version would overwrite ${victim} (${output}); choose another --out folder`);
      continue;
    }
    const other = outputs.get(key);
    if (other !== undefined) {
      if (path.resolve(other) !== path.resolve(input)) {
        problems.push(`${other} and ${input} would both be released as ${output}; release them into different --out folders`);
      }
      continue;
    }
    outputs.set(key, input);
    try {
      done.push({ input, output, released: releaseNotebook(readNotebook(input), input) });
    } catch (e) {
      if (e instanceof ReleaseError) problems.push(...e.problems.map(formatProblem));
      else if (e instanceof NotebookError) problems.push(e.message);
      else throw e;
    }
  }
  if (problems.length > 0) throw new ReleaseFilesError(problems);
  for (const { output, released } of done) writeNotebook(output, released.notebook);
  return done.map(({ input, output, released }) => ({ input, output, summary: released.summary }));
}

// ---------------------------------------------------------------------------------------------
// Validation

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
  for (const index of released.summary.testCells) {
    const cell = instructorNb.cells[index]!;
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
      ok,
      verdict,
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
    const header = ["grade_id", "points", "instructor", "student", "verdict"];
    const outcome = (o: CellOutcome, kind: string | undefined): string => (o === "fail" && kind ? `fail (${FAILURE_LABELS[kind] ?? kind})` : o);
    const rows = report.tests.map((t) => [
      t.gradeId,
      String(t.points),
      outcome(t.instructor, t.instructorFailure),
      outcome(t.student, t.studentFailure),
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
