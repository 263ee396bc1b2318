/**
 * Training logs as Danfo.js DataFrames. danfojs is loaded on first use (it takes about a second),
 * so importing the library stays fast.
 */

/** A cell value in a log record. */
export type LogValue = number | string | boolean | null;

/**
 * The part of a Danfo.js `DataFrame` this library relies on. The object returned is a real
 * danfojs DataFrame, so every other danfojs method is there too (typed loosely: danfojs ships no
 * types that Node10 module resolution, which tslab uses, can find).
 */
export interface DataFrame {
  readonly columns: string[];
  readonly index: (string | number)[];
  readonly shape: [number, number] | number[];
  readonly values: unknown[][];
  head(rows?: number): DataFrame;
  tail(rows?: number): DataFrame;
  describe(): DataFrame;
  print(): void;
  column(name: string): { values: unknown[]; index: (string | number)[]; mean(): number; [method: string]: any };
  [member: string]: any;
}

/** The danfojs module, loaded once on first use. */
export function danfo(): any {
  return require("danfojs");
}

/**
 * Builds a DataFrame from an array of records (one object per row, e.g. one per episode).
 * @param records rows with the same keys; at least one.
 * @throws RangeError when `records` is empty (a DataFrame needs its columns).
 * @example toDataFrame([{ episode: 0, return: 21 }, { episode: 1, return: 13 }])
 */
export function toDataFrame(records: readonly Record<string, LogValue>[]): DataFrame {
  if (!Array.isArray(records) || records.length === 0) {
    throw new RangeError("toDataFrame: records must be a non-empty array of objects");
  }
  const dfd = danfo();
  return new dfd.DataFrame(records as Record<string, LogValue>[]);
}
