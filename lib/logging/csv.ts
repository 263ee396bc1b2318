/**
 * Training logs as CSV files (RFC 4180, through Papa Parse): write the records of a run, read them
 * back as records or as a Danfo.js DataFrame. Writes are atomic: a file is written under a
 * temporary name and renamed, so an interrupted write never leaves a half-written log behind.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import Papa from "papaparse";
import { type DataFrame, type LogValue, toDataFrame } from "./dataframe";

/**
 * The records as CSV text: a header row with every key in order of first appearance, then one row
 * per record (a missing key or `null` is an empty cell; numbers keep their full precision).
 * @param records one object per row; at least one.
 * @throws RangeError when `records` is empty; TypeError when a value is not a number, string, boolean or null.
 */
export function toCsv(records: readonly Record<string, LogValue>[]): string {
  if (!Array.isArray(records) || records.length === 0) throw new RangeError("toCsv: records must be a non-empty array of objects");
  const columns: string[] = [];
  const seen = new Set<string>();
  records.forEach((r, i) => {
    if (typeof r !== "object" || r === null) throw new TypeError(`toCsv: records[${i}] is not an object`);
    for (const [k, v] of Object.entries(r)) {
      if (v !== null && v !== undefined && !["number", "string", "boolean"].includes(typeof v)) {
        throw new TypeError(`toCsv: records[${i}].${k} is a ${typeof v}; expected a number, string, boolean or null`);
      }
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  });
  const rows = records.map((r) => columns.map((k) => r[k] ?? null));
  return Papa.unparse({ fields: columns, data: rows }, { newline: "\n" }) + "\n";
}

/**
 * Parses CSV text with a header row into records: numbers become numbers, `true`/`false` booleans,
 * empty cells `null`, everything else stays a string.
 * @throws SyntaxError naming the first malformed row (e.g. a row with too many or too few cells).
 */
export function parseCsv(text: string): Record<string, LogValue>[] {
  const result = Papa.parse<Record<string, LogValue>>(text, { header: true, dynamicTyping: true, skipEmptyLines: true });
  if (result.errors.length > 0) {
    const e = result.errors[0];
    throw new SyntaxError(`parseCsv: ${e.message}${e.row !== undefined ? ` (data row ${e.row + 1})` : ""}`);
  }
  return result.data.map((row) => {
    const out: Record<string, LogValue> = {};
    for (const k of result.meta.fields ?? []) out[k] = row[k] === undefined || row[k] === "" ? null : row[k];
    return out;
  });
}

/**
 * Writes the records to `path` as CSV ({@link toCsv}), atomically (temporary file, then rename).
 * @throws as {@link toCsv}; file-system errors (the previous file, if any, is left untouched).
 */
export function writeCsv(path: string, records: readonly Record<string, LogValue>[]): void {
  const text = toCsv(records);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Reads a CSV file written by {@link writeCsv} (or any CSV with a header row) into records.
 * @throws Error naming the path when it cannot be read; SyntaxError as {@link parseCsv}.
 */
export function readCsv(path: string): Record<string, LogValue>[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`readCsv: cannot read ${path}: ${(err as Error).message}`);
  }
  return parseCsv(text);
}

/**
 * Reads a CSV file into a Danfo.js DataFrame.
 * @throws as {@link readCsv}; RangeError when the file has no data rows.
 */
export function readCsvFrame(path: string): DataFrame {
  return toDataFrame(readCsv(path));
}
