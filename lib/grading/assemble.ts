/**
 * What `rlcourse grade` executes for one submission: the instructor's notebook with the
 * student's answers in it.
 *
 * The graded notebook is rebuilt from the instructor source, cell by cell in the source's order:
 * - a *solution* cell (nbgrader `solution: true`) takes the source of the submission's cell with
 *   the same `grade_id`; when there is none, the released stub ("not implemented"); when the
 *   student changed its type (code to markdown, say), it keeps the source's type, as nbgrader
 *   does, and the change is noted;
 * - every other cell comes from the instructor source: locked cells, plain cells, markdown, and
 *   test cells with their hidden tests (kept apart, see {@link TestSpec}). A test or locked cell
 *   the student deleted or edited is restored and the change noted; cells the student added are
 *   not run (only solution cells are graded) and are counted in a note.
 *
 * A submission that cannot be used — not readable, empty, not JSON, not nbformat 4, or holding
 * none of the assignment's cells (another assignment) — is graded from the stubs, as an unanswered
 * notebook, with a note saying why. One saved with another kernelspec (a student's Jupyter may
 * write python3) is graded as TypeScript all the same, with a note, as nbgrader does.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type Notebook,
  type NotebookCell,
  NotebookError,
  cellSource,
  gradeId,
  isSolutionCell,
  isTestCell,
  parseNotebook,
  points,
  readNotebook,
} from "./notebook";
import { KERNEL_NAME } from "../jupyter/kernelspec";
import { releaseNotebook } from "./release";

/** One graded test cell of the assignment. */
export interface TestSpec {
  /** 0-based index in the source's cells. */
  index: number;
  gradeId: string;
  points: number;
  /** The visible part: the cell as released to students. */
  visible: string;
  /** The hidden tests (every hidden region, in order), empty when there are none. */
  hidden: string;
  /** rl-course functions the test forbids (`// FORBID: a, b` lines of the source cell). */
  forbid: string[];
}

/** The instructor notebook a submission is graded against. */
export interface Assignment {
  /** The source notebook, as given. */
  file: string;
  source: Notebook;
  /** The student version (what `rlcourse release` writes). */
  released: Notebook;
  /** Graded test cells, in notebook order. */
  tests: TestSpec[];
  /** grade_ids of the solution cells, in notebook order. */
  solutionIds: string[];
  /** Points of solution cells that are graded by hand (nbgrader `grade` and `solution`): not autograded. */
  manualPoints: number;
}

/** How one cell of the rebuilt notebook is run. */
export type CellRole = "code" | "solution" | "test" | "markdown";

/** One cell of the rebuilt notebook. */
export interface AssembledCell {
  /** 0-based index in the source's cells. */
  index: number;
  role: CellRole;
  /** What runs (for a test: the visible part; the hidden part is in the {@link TestSpec}). */
  source: string;
  /** Whether the cell is a code cell (markdown solution cells are not run). */
  code: boolean;
  gradeId?: string;
}

/** A student's answer, for the feedback. */
export interface Answer {
  gradeId: string;
  source: string;
  /** Whether the answer is the released stub (the student's cell was missing or unusable). */
  stub: boolean;
}

/** One submission, ready to run. */
export interface AssembledSubmission {
  /** The student's id (from the file name). */
  student: string;
  /** The submission file, as given. */
  file: string;
  cells: AssembledCell[];
  answers: Answer[];
  /** What the student should know about how the notebook was read (deleted tests, added cells, ...). */
  notes: string[];
  /** Why the submission could not be used at all, when it could not (then it is graded from stubs). */
  invalid?: string;
}

/** Lines that open or close a hidden-test region (validated by releaseNotebook). */
const HIDDEN_MARKER = /^[ \t]*(?:\/\/+|#+|\/\*+|<!--)?[ \t]*(BEGIN|END) HIDDEN TESTS[ \t]*(?:\*+\/|-->)?[ \t]*\r?$/;
/** `// FORBID: name, name`: functions of rl-course the test forbids. */
const FORBID_LINE = /^[ \t]*\/\/[ \t]*FORBID:[ \t]*(.*)$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The hidden regions of a test cell's source (markers excluded), joined in order. */
export function hiddenPart(source: string): string {
  const out: string[] = [];
  let inside = false;
  for (const line of source.split("\n")) {
    const marker = HIDDEN_MARKER.exec(line);
    if (marker) {
      inside = marker[1] === "BEGIN";
      continue;
    }
    if (inside) out.push(line);
  }
  return out.join("\n");
}

/**
 * The names listed by `// FORBID:` lines of a test cell.
 * @throws Error naming a malformed name
 */
export function forbiddenNames(source: string): string[] {
  const names: string[] = [];
  for (const line of source.split("\n")) {
    const m = FORBID_LINE.exec(line);
    if (!m) continue;
    for (const name of m[1]!.split(/[\s,]+/).filter(Boolean)) {
      if (!IDENTIFIER.test(name)) throw new Error(`FORBID: "${name}" is not a function name`);
      if (!names.includes(name)) names.push(name);
    }
  }
  return names;
}

/**
 * Reads and releases the instructor notebook `file` (the release validates its markers and
 * nbgrader metadata).
 * @throws NotebookError or ReleaseError when it cannot be graded against; Error for a bad FORBID line
 */
export function loadAssignment(file: string): Assignment {
  const source = readNotebook(file);
  const { notebook: released, summary } = releaseNotebook(source, file);
  const tests: TestSpec[] = summary.testCells.map((index) => {
    const cell = source.cells[index]!;
    const text = cellSource(cell);
    let forbid: string[];
    try {
      forbid = forbiddenNames(text);
    } catch (e) {
      throw new Error(`${file}, cell ${index + 1} (grade_id "${gradeId(cell)}"): ${(e as Error).message}`);
    }
    return {
      index,
      gradeId: gradeId(cell)!,
      points: points(cell),
      visible: cellSource(released.cells[index]!),
      hidden: hiddenPart(text),
      forbid,
    };
  });
  const solutionIds = source.cells.filter(isSolutionCell).map((c) => gradeId(c)!);
  const manualPoints = source.cells.filter((c) => isSolutionCell(c) && c.metadata.nbgrader?.grade === true).reduce((sum, c) => sum + points(c), 0);
  return { file, source, released, tests, solutionIds, manualPoints };
}

/** Text compared the way a student's edit is judged: line endings and trailing blanks ignored. */
function normalized(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(/[ \t]+$/gm, "").trimEnd();
}

/** Why a submission's text cannot be used, or its notebook. */
function readSubmission(file: string): { notebook?: Notebook; invalid?: string; note?: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    return { invalid: `the file could not be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  if (text.trim() === "") return { invalid: "the submission is empty (0 bytes of notebook)" };
  let notebook: Notebook;
  try {
    notebook = parseNotebook(text, file);
  } catch (e) {
    if (e instanceof NotebookError) {
      return { invalid: e.reason.startsWith("not ") ? `the submission is ${e.reason}` : `the submission is not a valid notebook (${e.reason})` };
    }
    throw e;
  }
  if (notebook.cells.length === 0) return { invalid: "the notebook has no cells" };
  // As nbgrader does: the kernelspec a student's Jupyter saved does not decide how it is graded.
  const kernel = notebook.metadata.kernelspec;
  if (kernel && (kernel.name !== KERNEL_NAME || (kernel.language !== undefined && kernel.language !== "typescript"))) {
    return {
      notebook,
      note:
        `Your notebook was saved for the Jupyter kernel "${String(kernel.name)}" (${String(kernel.language ?? "unknown language")}), ` +
        `not "${KERNEL_NAME}": it was graded as TypeScript, the assignment's language. Check that your Jupyter opens it with the TypeScript kernel.`,
    };
  }
  return { notebook };
}

/**
 * Rebuilds `submissionFile` against the assignment (see the module comment). Never throws for a
 * bad submission.
 * @param student the student's id, for the report
 */
export function assembleSubmission(assignment: Assignment, submissionFile: string, student: string): AssembledSubmission {
  const { source, released } = assignment;
  const read = readSubmission(submissionFile);
  const notes: string[] = read.note ? [read.note] : [];
  let invalid = read.invalid;
  const byId = new Map<string, NotebookCell>();
  const sourceIds = new Set(source.cells.map(gradeId).filter((id): id is string => id !== undefined));
  if (read.notebook && !invalid) {
    const duplicates = new Set<string>();
    for (const cell of read.notebook.cells) {
      const id = gradeId(cell);
      if (id === undefined) continue;
      if (byId.has(id)) duplicates.add(id);
      else byId.set(id, cell);
    }
    // Locked markdown cells ("intro", "summary") may share ids across assignments: match on answers and tests.
    const gradedIds = new Set([...assignment.solutionIds, ...assignment.tests.map((t) => t.gradeId)]);
    if (![...byId.keys()].some((id) => gradedIds.has(id))) {
      invalid =
        "none of this assignment's solution or test cells are in the submission (no matching nbgrader grade_id): " +
        `is it the notebook of another assignment? Expected ${path.basename(assignment.file)}`;
    }
    for (const id of duplicates) if (sourceIds.has(id)) notes.push(`two cells have the grade_id "${id}": the first one was used`);
  }
  if (invalid) {
    byId.clear();
    notes.unshift(`Your submission could not be used: ${invalid}. It was graded as an unanswered notebook.`);
  }

  const cells: AssembledCell[] = [];
  const answers: Answer[] = [];
  source.cells.forEach((cell, index) => {
    const id = gradeId(cell);
    const code = cell.cell_type === "code";
    if (isSolutionCell(cell)) {
      const student = id !== undefined ? byId.get(id) : undefined;
      const stub = cellSource(released.cells[index]!);
      let text = stub;
      if (!student) {
        if (!invalid) notes.push(`The solution cell "${id}" is missing from your notebook: it was graded as unanswered.`);
      } else {
        text = cellSource(student);
        if (student.cell_type !== cell.cell_type) {
          notes.push(`The solution cell "${id}" was changed from a ${cell.cell_type} cell to a ${student.cell_type} cell: it was run as a ${cell.cell_type} cell, as in the assignment.`);
        }
      }
      cells.push({ index, role: "solution", source: text, code, gradeId: id });
      answers.push({ gradeId: id!, source: text, stub: !student });
      return;
    }
    if (id !== undefined && !invalid) {
      const student = byId.get(id);
      const what = isTestCell(cell) ? "test cell" : "locked cell";
      if (!student) notes.push(`The ${what} "${id}" was deleted from your notebook: it was restored from the assignment.`);
      else if (normalized(cellSource(student)) !== normalized(cellSource(released.cells[index]!))) {
        notes.push(`The ${what} "${id}" was edited: it was restored from the assignment (your changes were ignored).`);
      }
    }
    const role: CellRole = isTestCell(cell) ? "test" : code ? "code" : "markdown";
    cells.push({ index, role, source: cellSource(released.cells[index]!), code, ...(id !== undefined ? { gradeId: id } : {}) });
  });

  if (read.notebook && !invalid) {
    const sourceCellIds = new Set(source.cells.map((c) => c.id).filter((x): x is string => typeof x === "string"));
    const releasedTexts = new Set(released.cells.map((c) => normalized(cellSource(c))));
    const added = read.notebook.cells.filter((cell) => {
      const id = gradeId(cell);
      if (id !== undefined) return !sourceIds.has(id);
      if (typeof cell.id === "string" && sourceCellIds.size > 0) return !sourceCellIds.has(cell.id);
      return !releasedTexts.has(normalized(cellSource(cell)));
    });
    if (added.length > 0) {
      const plural = added.length === 1 ? "cell" : "cells";
      notes.push(
        `You added ${added.length} ${plural} to the notebook: ${added.length === 1 ? "it was" : "they were"} not run. ` +
          "Only the solution cells are graded; put all your code in them.",
      );
    }
  }
  return { student, file: submissionFile, cells, answers, notes, ...(invalid ? { invalid } : {}) };
}
