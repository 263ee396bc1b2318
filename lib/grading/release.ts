/**
 * Homework release: the student version of an instructor notebook (`rlcourse release`).
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
 * The check that a release works as homework (`rlcourse validate`) is lib/grading/validate.ts.
 */
import * as path from "node:path";
import {
  type Notebook,
  type NotebookCell,
  NotebookError,
  cellSource,
  gradeId,
  isGradedCell,
  isSolutionCell,
  isTestCell,
  nbgrader,
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
