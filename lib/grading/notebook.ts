/**
 * Jupyter notebooks as the homework tools see them: reading and validating an nbformat 4 file,
 * cell sources as strings, writing a notebook atomically, and nbgrader's cell metadata
 * (`metadata.nbgrader`, schema_version 3), which says which cells are solutions, graded tests or
 * locked, with their `grade_id` and `points`.
 *
 * Errors name the file (and the cell, numbered from 1 as `rlcourse run` does).
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The kinds of cell nbformat 4 knows. */
export type CellType = "code" | "markdown" | "raw";

/**
 * nbgrader's cell metadata, schema_version 3. In nbgrader's terms: a *solution* cell holds the
 * student's answer; a *graded* code cell that is not a solution is an autograder test cell
 * (worth `points`); a *locked* cell may not be edited by the student. `grade_id` names the cell
 * and is unique within a notebook.
 */
export interface NbgraderMetadata {
  grade?: boolean;
  solution?: boolean;
  locked?: boolean;
  /** nbgrader's manually graded task (a markdown cell). */
  task?: boolean;
  grade_id?: string;
  points?: number;
  schema_version?: number;
  [key: string]: unknown;
}

/** A cell's metadata: nbgrader's, and whatever else Jupyter or extensions put there. */
export interface CellMetadata {
  nbgrader?: NbgraderMetadata;
  [key: string]: unknown;
}

/** One cell of an nbformat 4 notebook. `source` is a string or a list of lines, as on disk. */
export interface NotebookCell {
  cell_type: CellType;
  id?: string;
  metadata: CellMetadata;
  source: string | string[];
  /** Code cells only. */
  outputs?: unknown[];
  /** Code cells only: `null` when not run. */
  execution_count?: number | null;
  /** Markdown and raw cells: images pasted into the cell. */
  attachments?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The kernel a notebook runs with (`metadata.kernelspec`). */
export interface KernelSpecMetadata {
  name: string;
  display_name?: string;
  language?: string;
  [key: string]: unknown;
}

/** An nbformat 4 notebook. */
export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: { kernelspec?: KernelSpecMetadata; [key: string]: unknown };
  cells: NotebookCell[];
  [key: string]: unknown;
}

/** A notebook that cannot be read, or is not a valid nbformat 4 notebook; the message names the file. */
export class NotebookError extends Error {
  override name = "NotebookError";

  /**
   * @param file the notebook, as given
   * @param reason what is wrong, without the file name
   */
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** Suffix of the temporary files {@link writeNotebook} writes before renaming them into place. */
export const NOTEBOOK_TMP_SUFFIX = ".rlcourse-tmp";

const CELL_TYPES: readonly string[] = ["code", "markdown", "raw"];

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * Parses and validates the text of an nbformat 4 notebook: JSON, `nbformat: 4`, a list of cells
 * each with a known `cell_type`, a string (or list of strings) `source` and an object `metadata`.
 * @param file named in error messages
 * @throws NotebookError saying what is wrong
 */
export function parseNotebook(text: string, file: string): Notebook {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new NotebookError(file, `not a notebook: invalid JSON (${(e as Error).message})`);
  }
  if (!isObject(json)) throw new NotebookError(file, "not a notebook: the JSON is not an object");
  if (json.nbformat !== 4) {
    throw new NotebookError(
      file,
      `not an nbformat 4 notebook (nbformat is ${JSON.stringify(json.nbformat ?? null)}); open and save it in Jupyter to convert it`,
    );
  }
  if (!Array.isArray(json.cells)) throw new NotebookError(file, "not a notebook: 'cells' is missing or not a list");
  if (!isObject(json.metadata)) throw new NotebookError(file, "not a valid notebook: 'metadata' is missing or not an object");
  if (typeof json.nbformat_minor !== "number") throw new NotebookError(file, "not a valid notebook: 'nbformat_minor' is missing");
  json.cells.forEach((cell: unknown, i: number) => {
    const where = `cell ${i + 1}`;
    if (!isObject(cell)) throw new NotebookError(file, `${where} is not an object`);
    if (typeof cell.cell_type !== "string" || !CELL_TYPES.includes(cell.cell_type)) {
      throw new NotebookError(file, `${where} has an unknown cell_type ${JSON.stringify(cell.cell_type ?? null)}`);
    }
    const source = cell.source;
    if (typeof source !== "string" && !(Array.isArray(source) && source.every((line) => typeof line === "string"))) {
      throw new NotebookError(file, `${where}: 'source' is not a string or a list of strings`);
    }
    if (!isObject(cell.metadata)) throw new NotebookError(file, `${where}: 'metadata' is missing or not an object`);
    if (cell.metadata.nbgrader !== undefined && !isObject(cell.metadata.nbgrader)) {
      throw new NotebookError(file, `${where}: 'metadata.nbgrader' is not an object`);
    }
  });
  return json as unknown as Notebook;
}

/**
 * Reads and validates an nbformat 4 notebook (see {@link parseNotebook}).
 * @throws NotebookError naming the file when it is missing, unreadable, not JSON or not nbformat 4
 */
export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NotebookError(file, code === "ENOENT" ? "file not found" : `cannot read it: ${(e as Error).message}`);
  }
  return parseNotebook(text, file);
}

/** A cell's source as one string (nbformat allows a list of lines, joined as they are). */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** Splits text into lines that keep their `\n`, the way Jupyter stores sources and outputs. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Recursively sorts object keys, as nbformat does when it writes a notebook (stable diffs). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
  return out;
}

/**
 * A notebook as Jupyter writes it: cell sources as lists of lines, keys sorted, one-space
 * indentation, a final newline (outputs are written as they are).
 */
export function serializeNotebook(notebook: Notebook): string {
  const copy = {
    ...notebook,
    cells: notebook.cells.map((cell) => ({ ...cell, source: splitLines(cellSource(cell)) })),
  };
  return JSON.stringify(sortKeys(copy), null, 1) + "\n";
}

/**
 * Writes `notebook` to `file` atomically: to a temporary file in the same folder (created when
 * missing), then renamed into place, so `file` is never half written.
 */
export function writeNotebook(file: string, notebook: Notebook): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}${NOTEBOOK_TMP_SUFFIX}`);
  try {
    fs.writeFileSync(tmp, serializeNotebook(notebook), "utf8");
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** The cell's nbgrader metadata, or `undefined` when it has none. */
export function nbgrader(cell: NotebookCell): NbgraderMetadata | undefined {
  return cell.metadata.nbgrader;
}

/** Whether the cell holds the student's answer (`nbgrader.solution: true`). */
export function isSolutionCell(cell: NotebookCell): boolean {
  return nbgrader(cell)?.solution === true;
}

/** Whether the cell is graded (`nbgrader.grade: true`): a test cell, or a manually graded answer. */
export function isGradedCell(cell: NotebookCell): boolean {
  return nbgrader(cell)?.grade === true;
}

/** Whether the cell is an autograder test: a graded code cell that is not a solution cell. */
export function isTestCell(cell: NotebookCell): boolean {
  return cell.cell_type === "code" && isGradedCell(cell) && !isSolutionCell(cell);
}

/** Whether the student may not edit the cell (`nbgrader.locked: true`). */
export function isLockedCell(cell: NotebookCell): boolean {
  return nbgrader(cell)?.locked === true;
}

/** The cell's nbgrader `grade_id`, or `undefined`. */
export function gradeId(cell: NotebookCell): string | undefined {
  const id = nbgrader(cell)?.grade_id;
  return typeof id === "string" && id !== "" ? id : undefined;
}

/** The points a graded cell is worth (`nbgrader.points`); 0 for other cells or when unset. */
export function points(cell: NotebookCell): number {
  const p = nbgrader(cell)?.points;
  return isGradedCell(cell) && typeof p === "number" && Number.isFinite(p) ? p : 0;
}

/**
 * Where a cell is, for messages: `FILE, cell N (grade_id "ID")`, cells numbered from 1 as in
 * `rlcourse run`'s messages.
 * @param index the cell's 0-based index in `cells`
 */
export function cellLocation(file: string, index: number, cell?: NotebookCell): string {
  const id = cell ? gradeId(cell) : undefined;
  return `${file}, cell ${index + 1}${id ? ` (grade_id "${id}")` : ""}`;
}
