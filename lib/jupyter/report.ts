/**
 * Console output of `rlcourse run`: a progress line while a notebook runs (rewritten in place on
 * a terminal, one plain line per cell otherwise), a summary line per notebook, failure details,
 * and a closing summary.
 */
import * as path from "node:path";
import type { DriverEvent, NotebookFailure, NotebookResult } from "./run";

/** The streams a {@link RunReporter} writes to. */
export interface ReportStreams {
  /** Progress and summaries. */
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Failure details. */
  err: NodeJS.WritableStream;
}

const MAX_DETAIL_LINES = 20;
/** Stack frames inside Node.js or tslab, left out of failure messages (kept in the notebook). */
const INTERNAL_FRAME = /^\s+at .*(\(node:|\bnode:internal|[\\/]tslab[\\/]dist[\\/])/;

/** A path relative to the current folder when that is shorter, for messages. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/** A failure as a few readable lines naming the notebook, the cell and what went wrong. */
export function formatFailure(notebook: string, failure: NotebookFailure, cells?: number): string {
  const where =
    failure.index !== undefined
      ? `, cell ${failure.index + 1}` + (failure.n !== undefined ? ` (code cell ${failure.n}${cells ? ` of ${cells}` : ""})` : "")
      : "";
  const lines = [`${displayPath(notebook)}${where}: ${failure.message}`];
  if (failure.line) lines.push(`  > ${failure.line}`);
  if (failure.detail) {
    const detail = failure.detail.split(/\r?\n/).filter((line) => !INTERNAL_FRAME.test(line));
    for (const line of detail.slice(0, MAX_DETAIL_LINES)) lines.push(`  ${line}`);
    if (detail.length > MAX_DETAIL_LINES) lines.push(`  ... (${detail.length - MAX_DETAIL_LINES} more lines in the executed notebook)`);
  }
  if (failure.kind === "no-kernel" || failure.kind === "kernel-start") {
    lines.push("  Next step: run `npm run setup` (it registers the tslab kernel with Jupyter).");
  }
  return lines.join("\n");
}

/** Prints progress and results of a run over `total` notebooks. */
export class RunReporter {
  private readonly tty: boolean;
  private current = "";
  private cellStarted = 0;
  private ticker: NodeJS.Timeout | undefined;
  private lineShown = false;

  constructor(
    private readonly streams: ReportStreams,
    private readonly total: number,
  ) {
    this.tty = Boolean(streams.out.isTTY) && !process.env.CI;
  }

  /** Announces notebook number `position` (1-based). */
  startNotebook(position: number, notebook: string): void {
    this.current = `[${position}/${this.total}] ${displayPath(notebook)}`;
  }

  /** Updates the progress line from a driver event. */
  onEvent(event: DriverEvent): void {
    if (event.event === "notebook") {
      this.progress("starting kernel");
    } else if (event.event === "cell_start") {
      this.cellStarted = Date.now();
      const label = `cell ${event.n}/${event.of}`;
      this.progress(label, event.line);
      if (this.tty) {
        clearInterval(this.ticker);
        this.ticker = setInterval(() => this.progress(label, event.line), 1000);
        this.ticker.unref();
      }
    }
  }

  /** Prints the notebook's summary line, and its failure in detail. */
  finishNotebook(result: NotebookResult): void {
    clearInterval(this.ticker);
    this.clearLine();
    const seconds = `${result.seconds.toFixed(1)} s`;
    if (result.ok) {
      this.streams.out.write(`ok     ${this.current}: ${result.cellsRun} cells, ${seconds}\n`);
      return;
    }
    const run = result.cells ? `${result.cellsRun} of ${result.cells} cells run, ` : "";
    const status = result.failure?.kind === "interrupted" ? "STOPPED" : "FAILED ";
    this.streams.out.write(`${status}${this.current}: ${run}${seconds}, 1 error\n`);
    if (result.failure) this.streams.err.write(`Error in ${formatFailure(result.notebook, result.failure, result.cells)}\n`);
  }

  /** Prints the closing summary. */
  summary(results: NotebookResult[], notRun: number, outDir: string): void {
    const ok = results.filter((r) => r.ok).length;
    const failed = results.length - ok;
    const parts = [`${ok} ok`, `${failed} failed`];
    if (notRun > 0) parts.push(`${notRun} not run`);
    const wrote = results.some((r) => r.written.length > 0);
    const where = wrote ? ` Executed copies and HTML in ${displayPath(path.resolve(outDir))}` : "";
    this.streams.out.write(`Notebooks: ${parts.join(", ")}.${where}\n`);
  }

  private progress(status: string, source = ""): void {
    const tail = source ? `: ${source}` : "";
    if (!this.tty) {
      this.streams.out.write(`${this.current}: ${status}${tail}\n`);
      return;
    }
    const elapsed = this.cellStarted ? ` (${Math.round((Date.now() - this.cellStarted) / 1000)} s)` : "";
    let line = `${this.current}: ${status}${elapsed}${tail}`;
    const width = (this.streams.out.columns || 100) - 1;
    if (line.length > width) line = line.slice(0, Math.max(0, width - 1)) + "…";
    this.streams.out.write(`\r\x1b[2K${line}`);
    this.lineShown = true;
  }

  private clearLine(): void {
    if (this.tty && this.lineShown) this.streams.out.write("\r\x1b[2K");
    this.lineShown = false;
    this.cellStarted = 0;
  }
}
