/**
 * Showing figures and tables in a notebook (tslab kernel).
 *
 * A {@link Figure} becomes ONE output whose MIME bundle holds
 * - `application/vnd.plotly.v1+json`: `{ data, layout, config }`, drawn by JupyterLab's Plotly
 *   renderer when it is installed (it outranks HTML);
 * - `text/html`: a fallback that draws with plotly.js embedded inline, read from the installed
 *   `plotly.js-dist-min` package (never from a URL). The library is embedded at most once per kernel
 *   session, in the first chart's HTML; later charts only call `Plotly.newPlot`. It works in JupyterLab,
 *   in the classic notebook (require.js: the library runs with `define`/`module`/`exports`/`require`
 *   hidden so that it sets `window.Plotly` instead of registering an AMD module) and in HTML exported by
 *   nbconvert (`rlcourse run`), which picks `text/html` from the bundle;
 * - `text/plain`: a one-line description.
 *
 * A danfojs DataFrame / Series or an array of records becomes an HTML table (plus a text table).
 *
 * Outside a tslab kernel (plain Node: scripts, tests, the CLI) {@link display} prints the `text/plain`
 * form to stdout (one line for a figure, the text table for a table) and live updates are silent.
 */

import { randomBytes } from "crypto";
import * as fs from "fs";
import { inspect } from "util";
import { Figure, isFigure } from "./spec";
import { DisplayWriter, tslabWriter } from "./tslab_display";

/** The Plotly JSON MIME type rendered by JupyterLab's Plotly extension. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** The Plotly config used for every chart: resizes with the output, no Plotly logo. */
export const PLOTLY_CONFIG: Readonly<Record<string, unknown>> = { responsive: true, displaylogo: false };

/** A Jupyter MIME bundle: MIME type → data. `text/plain` is always present. */
export interface MimeBundle {
  "text/plain": string;
  "text/html"?: string;
  [PLOTLY_MIME]?: { data: unknown[]; layout: Record<string, unknown>; config: Record<string, unknown> };
  [mime: string]: unknown;
}

/**
 * What {@link tableBundle} accepts as a DataFrame (duck-typed, so danfojs is never imported here):
 * danfojs `DataFrame` (`columns`, `index`, 2-D `values`) or `Series` (1-D `values`, name in `columns[0]`).
 */
export interface DataFrameLike {
  columns: readonly unknown[];
  index: readonly unknown[];
  values: readonly unknown[];
}

/** A table row: column name → cell value. */
export type TableRecord = Readonly<Record<string, unknown>>;

/** Anything {@link display} can show. */
export type Displayable = Figure | DataFrameLike | readonly TableRecord[];

/** Options of {@link display}. */
export interface DisplayOptions {
  /**
   * Give the output this display id, so that a later `display(x, { displayId, update: true })` replaces
   * it in place. {@link liveChart} does this for you.
   */
  displayId?: string;
  /** Replace the output(s) carrying `displayId` (Jupyter `update_display_data`) instead of adding one. */
  update?: boolean;
  /** Tables: the most rows shown (first and last halves, default 20); the rest is summarised. */
  maxRows?: number;
}

// ---------------------------------------------------------------------------------------------
// Session state and writer
// ---------------------------------------------------------------------------------------------

interface PlotState {
  /** plotly.js has been sent to the notebook in this kernel session. */
  embedded: boolean;
  /** Counter for unique chart element ids. */
  counter: number;
  /** Random per-process prefix, so ids stay unique across kernel restarts in one notebook. */
  session: string;
}

// Kept on globalThis (not only in this module) so that two copies of the library loaded in one kernel
// still embed plotly.js once.
const STATE_KEY = Symbol.for("rl-course.plot.state");

function state(): PlotState {
  const g = globalThis as unknown as Record<symbol, PlotState | undefined>;
  let s = g[STATE_KEY];
  if (!s) {
    s = { embedded: false, counter: 0, session: randomBytes(4).toString("hex") };
    g[STATE_KEY] = s;
  }
  return s;
}

/**
 * Forget that plotly.js was embedded, so that the next chart embeds it again. Use it when the output
 * that carried the library was cleared (charts then show "plotly.js is not loaded") or in tests.
 */
export function resetPlotlyEmbedding(): void {
  state().embedded = false;
}

let injectedWriter: DisplayWriter | null = null;

/**
 * Replaces the output channel (dependency injection for tests and for tools that collect outputs).
 * `null` restores the default: the running tslab kernel, else stdout. Returns the previous override.
 *
 * @example
 * const outputs: DisplayMessage[] = [];
 * setDisplayWriter((msg, update) => outputs.push(msg));
 */
export function setDisplayWriter(writer: DisplayWriter | null): DisplayWriter | null {
  const previous = injectedWriter;
  injectedWriter = writer;
  return previous;
}

/** Outside a kernel: print the text form of new outputs; updates are silent (no redraw in a terminal). */
const consoleWriter: DisplayWriter = (message, update) => {
  if (!update) console.log(String(message.data["text/plain"] ?? ""));
};

function resolveWriter(): { write: DisplayWriter; rich: boolean } {
  if (injectedWriter) return { write: injectedWriter, rich: true };
  const kernel = tslabWriter();
  if (kernel) return { write: kernel, rich: true };
  return { write: consoleWriter, rich: false };
}

// ---------------------------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------------------------

let libraryCache: { text: string; version: string } | null = null;

/** The text of the installed `plotly.js-dist-min/plotly.min.js`, checked safe to inline in `<script>`. */
export function plotlyLibrary(): { text: string; version: string } {
  if (libraryCache) return libraryCache;
  const file = require.resolve("plotly.js-dist-min/plotly.min.js");
  const text = fs.readFileSync(file, "utf8");
  // Inside <script>, only "</script" ends the element, and "<!--" can only hide the end tag when
  // followed by "<script"; a library free of both is inert HTML-wise.
  if (/<\/?script/i.test(text)) {
    throw new Error(`rl-course plot: ${file} contains "<script" or "</script" and cannot be inlined in HTML safely`);
  }
  const version = /plotly\.js v([\w.-]+)/.exec(text.slice(0, 500))?.[1] ?? "unknown";
  libraryCache = { text, version };
  return libraryCache;
}

/**
 * HTML that loads plotly.js (once per page: it does nothing when `window.Plotly` exists). The library
 * runs inside a function whose parameters shadow `define`, `module`, `exports` and `require`, so under
 * require.js (classic notebook, nbconvert templates) or CommonJS-like globals it still sets
 * `window.Plotly` instead of registering a module.
 */
export function plotlyLoaderHtml(): string {
  const lib = plotlyLibrary();
  return (
    `<script type="text/javascript">/* plotly.js ${lib.version} (MIT license), embedded by rl-course */\n` +
    `if (!window.Plotly) { (function (define, module, exports, require) {\n${lib.text}\n}).call(window); }\n</script>`
  );
}

/** JSON that is safe inside an HTML `<script>` element (no `<`, `>`, `&`, U+2028/9 characters). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** Deep copy as plain JSON: typed arrays become arrays, NaN/±Infinity become null, functions are dropped. */
function plainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v))) as T;
}

function titleOf(fig: Figure): string | undefined {
  const t = fig.layout?.title as unknown;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") return (t as { text: string }).text;
  return undefined;
}

/** A one-line description of a figure: `Figure "V^π": 1 trace (heatmap)`. */
export function describeFigure(fig: Figure): string {
  const counts = new Map<string, number>();
  for (const t of fig.data) {
    const type = typeof t.type === "string" ? t.type : "scatter";
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  const kinds = [...counts].map(([k, n]) => (n > 1 ? `${n} ${k}` : k)).join(", ");
  const title = titleOf(fig);
  const n = fig.data.length;
  return `Figure${title ? ` ${JSON.stringify(title)}` : ""}: ${n} trace${n === 1 ? "" : "s"}${n ? ` (${kinds})` : ""}`;
}

/**
 * The HTML that draws `fig` into a new `<div>` with plotly.js found on the page (`window.Plotly`). It
 * waits (polling) until the library is there and the div is attached to the document (JupyterLab
 * may render outputs before attaching them); after 5 s without plotly.js it says so in the div.
 */
function drawHtml(spec: { data: unknown[]; layout: Record<string, unknown>; config: Record<string, unknown> }, divId: string): string {
  const height = typeof spec.layout.height === "number" ? spec.layout.height : 450;
  const width = typeof spec.layout.width === "number" ? `${spec.layout.width}px` : "100%";
  const id = JSON.stringify(divId);
  return (
    `<div id="${divId}" class="rl-course-plot" style="width:${width};height:${height}px;"></div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `var id = ${id}, spec = ${scriptJson(spec)}, tries = 0;\n` +
    `var s = document.currentScript, el = document.getElementById(id);\n` +
    `if (!el && s && s.previousElementSibling && s.previousElementSibling.id === id) el = s.previousElementSibling;\n` +
    `function draw() {\n` +
    `  if (!el || !el.isConnected) el = document.getElementById(id) || el;\n` +
    `  var P = window.Plotly;\n` +
    `  if (P && el && el.isConnected) { el.textContent = ""; P.newPlot(el, spec.data, spec.layout, spec.config); return; }\n` +
    `  if (++tries === 50 && !P && el) el.textContent = "Chart not drawn: plotly.js is not loaded on this page. rl-course embeds it ` +
    `once per kernel session, in the first chart's output: re-run that cell, or restart the kernel and run all cells.";\n` +
    `  if (tries < 1200) setTimeout(draw, 100);\n` +
    `}\n` +
    `draw();\n` +
    `})();</script>`
  );
}

/** Options of {@link figureBundle}. */
export interface FigureBundleOptions {
  /** Put plotly.js itself into the HTML (default false). */
  embedPlotly?: boolean;
  /** Element id of the chart's div (default: a fresh unique id). */
  divId?: string;
}

/**
 * The MIME bundle of a figure (what {@link display} sends): `application/vnd.plotly.v1+json`,
 * `text/html` (the div and its draw script, preceded by plotly.js when `embedPlotly`) and `text/plain`.
 *
 * @example
 * const b = figureBundle(lineChart([1, 2, 3]), { embedPlotly: true });
 * fs.writeFileSync("chart.html", b["text/html"]!); // a standalone page drawing the chart, offline
 */
export function figureBundle(fig: Figure, options: FigureBundleOptions = {}): MimeBundle {
  if (!isFigure(fig)) throw new TypeError("plot.figureBundle: fig must be a Figure { data: PlotlyTrace[], layout }");
  const spec = plainJson({ data: fig.data, layout: fig.layout ?? {}, config: { ...PLOTLY_CONFIG } });
  const st = state();
  const divId = options.divId ?? `rl-course-plot-${st.session}-${++st.counter}`;
  const html = (options.embedPlotly ? plotlyLoaderHtml() + "\n" : "") + drawHtml(spec, divId);
  return { [PLOTLY_MIME]: spec, "text/html": html, "text/plain": describeFigure(fig) };
}

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

/** True for a danfojs DataFrame or Series (or anything with the same `columns`/`index`/`values`). */
export function isDataFrameLike(x: unknown): x is DataFrameLike {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const d = x as Record<string, unknown>;
  return Array.isArray(d.columns) && Array.isArray(d.index) && Array.isArray(d.values);
}

/** True for a non-empty array of plain objects (records), or an empty array. */
export function isRecordArray(x: unknown): x is readonly TableRecord[] {
  return Array.isArray(x) && x.every((r) => typeof r === "object" && r !== null && !Array.isArray(r) && !ArrayBuffer.isView(r));
}

interface Table {
  columns: string[];
  index: unknown[];
  rows: unknown[][];
}

function toTable(x: DataFrameLike | readonly TableRecord[]): Table {
  if (isDataFrameLike(x)) {
    const values = x.values as unknown[];
    const isSeries = (x as { $isSeries?: unknown }).$isSeries === true || (values.length > 0 && !Array.isArray(values[0]));
    if (isSeries) {
      const name = x.columns.length > 0 ? String(x.columns[0]) : "value";
      return { columns: [name], index: [...x.index], rows: values.map((v) => [v]) };
    }
    return { columns: x.columns.map(String), index: [...x.index], rows: values.map((r) => (Array.isArray(r) ? r : [r])) };
  }
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of x) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  return { columns, index: x.map((_, i) => i), rows: x.map((r) => columns.map((c) => r[c])) };
}

const MAX_CELL = 100;

/**
 * How a cell value is written: integers as they are, other numbers with at most 4 decimals (trailing
 * zeros dropped), exponent notation below 1e-4 or from 1e6, null/undefined as an empty cell.
 *
 * @example
 * formatCell(0.123456); // "0.1235"
 * formatCell(2.5e-7);   // "2.500e-7"
 * formatCell(42);       // "42"
 */
export function formatCell(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = "";
  else if (typeof v === "number") {
    const a = Math.abs(v);
    if (!Number.isFinite(v)) s = String(v);
    else if (Number.isInteger(v) && a < 1e15) s = String(v);
    else if (a !== 0 && (a < 1e-4 || a >= 1e6)) s = v.toExponential(3);
    else s = String(Number(v.toFixed(4)));
  } else if (typeof v === "string") s = v;
  else if (typeof v === "bigint" || typeof v === "boolean") s = String(v);
  else if (v instanceof Date) s = Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
  else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) s = `[${Array.from(v as unknown as ArrayLike<number>, formatCell).join(", ")}]`;
  else if (Array.isArray(v)) s = `[${v.map(formatCell).join(", ")}]`;
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > MAX_CELL ? s.slice(0, MAX_CELL - 1) + "…" : s;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/** Row positions to show: all, or the first ⌈max/2⌉ and last ⌊max/2⌋ with a gap between. */
function shownRows(n: number, maxRows: number): { head: number[]; tail: number[]; hidden: number } {
  if (n <= maxRows) return { head: Array.from({ length: n }, (_, i) => i), tail: [], hidden: 0 };
  const h = Math.ceil(maxRows / 2);
  const t = maxRows - h;
  return {
    head: Array.from({ length: h }, (_, i) => i),
    tail: Array.from({ length: t }, (_, i) => n - t + i),
    hidden: n - maxRows,
  };
}

/**
 * The MIME bundle of a table (what {@link display} sends): `text/html` (escaped cells, readable
 * numbers, at most `maxRows` rows with "… k more rows") and `text/plain` (the same as aligned text).
 *
 * @param x a danfojs DataFrame or Series, or an array of records `[{ episode: 1, return: -13 }, …]`
 *   (columns: the union of the records' keys, in first-seen order).
 * @example
 * tableBundle([{ episode: 1, return: -13.5 }], { maxRows: 10 })["text/html"];
 */
export function tableBundle(x: DataFrameLike | readonly TableRecord[], options: { maxRows?: number } = {}): MimeBundle {
  const maxRows = options.maxRows ?? 20;
  if (!Number.isInteger(maxRows) || maxRows < 1) throw new RangeError(`plot.display: options.maxRows must be a positive integer, got ${String(maxRows)}`);
  if (!isDataFrameLike(x) && !isRecordArray(x)) {
    throw new TypeError("plot.tableBundle: x must be a danfojs DataFrame/Series or an array of records");
  }
  const t = toTable(x);
  const n = t.rows.length;
  const m = t.columns.length;
  const { head, tail, hidden } = shownRows(n, maxRows);
  const more = `… ${hidden} more row${hidden === 1 ? "" : "s"}`;
  const shape = `${n} row${n === 1 ? "" : "s"} × ${m} column${m === 1 ? "" : "s"}`;

  const cell = (r: number, c: number) => formatCell(t.rows[r][c]);
  const htmlRow = (r: number) =>
    `<tr><th>${escapeHtml(formatCell(t.index[r]))}</th>${t.columns.map((_, c) => `<td>${escapeHtml(cell(r, c))}</td>`).join("")}</tr>`;
  const html = [
    `<div class="rl-course-table">`,
    `<table class="dataframe" border="1">`,
    `<thead><tr style="text-align: right;"><th></th>${t.columns.map((c) => `<th>${escapeHtml(formatCell(c))}</th>`).join("")}</tr></thead>`,
    `<tbody>`,
    ...head.map(htmlRow),
    ...(hidden > 0 ? [`<tr><th>…</th><td colspan="${Math.max(1, m)}" style="text-align: center;">${escapeHtml(more)}</td></tr>`] : []),
    ...tail.map(htmlRow),
    `</tbody>`,
    `</table>`,
    `<p style="font-size: smaller; margin: 2px 0;">${escapeHtml(shape)}</p>`,
    `</div>`,
  ].join("\n");

  // Text: right-aligned columns, index first.
  const shown = [...head, ...tail];
  const header = ["", ...t.columns.map((c) => formatCell(c))];
  const body = shown.map((r) => [formatCell(t.index[r]), ...t.columns.map((_, c) => cell(r, c))]);
  const widths = header.map((h, c) => Math.min(30, Math.max([...h].length, ...body.map((row) => [...row[c]].length))));
  const fit = (s: string, w: number) => {
    const chars = [...s];
    return chars.length > w ? chars.slice(0, w - 1).join("") + "…" : " ".repeat(w - chars.length) + s;
  };
  const line = (row: string[]) => row.map((s, c) => fit(s, widths[c])).join("  ").replace(/\s+$/, "");
  const lines = [line(header), ...body.slice(0, head.length).map(line)];
  if (hidden > 0) lines.push(more);
  lines.push(...body.slice(head.length).map(line));
  lines.push(`[${shape}]`);
  return { "text/html": html, "text/plain": lines.join("\n") };
}

// ---------------------------------------------------------------------------------------------
// display and live charts
// ---------------------------------------------------------------------------------------------

/** A fresh display id for {@link DisplayOptions.displayId}. */
export function newDisplayId(): string {
  return `rl-course-${randomBytes(8).toString("hex")}`;
}

/**
 * Shows a figure or a table as one notebook output.
 *
 * - {@link Figure}: Plotly JSON + HTML fallback + text (see the module doc); plotly.js goes into the
 *   first chart of the kernel session. An output that can be replaced (`displayId` given) never carries
 *   the library: if it is still needed, it is sent first as a separate, invisible output, so that
 *   replacing the chart cannot remove plotly.js from the saved notebook.
 * - danfojs DataFrame / Series, or an array of records: an HTML table with at most `maxRows` rows.
 *
 * In a tslab kernel the output goes to the cell being executed (called from a callback after the cell
 * has finished, to the last executed cell); outside one (plain Node) the text form is printed and
 * updates are ignored.
 *
 * @example
 * import { plot } from "rl-course";
 * plot.display(plot.lineChart(returns, { window: 20, title: "returns" }));
 * plot.display(log.tail(10));                       // a danfojs DataFrame
 * plot.display([{ alpha: 0.1, return: -17 }, { alpha: 0.5, return: -13 }]);
 */
export function display(x: Displayable, options: DisplayOptions = {}): void {
  const { write, rich } = resolveWriter();
  const st = state();
  const displayId = options.displayId;
  if (displayId !== undefined && (typeof displayId !== "string" || displayId === "")) {
    throw new TypeError("plot.display: options.displayId must be a non-empty string");
  }
  const transient = displayId !== undefined ? { display_id: displayId } : {};
  let bundle: MimeBundle;
  if (isFigure(x)) {
    let embed = false;
    if (rich && !st.embedded) {
      if (displayId !== undefined) {
        write({ data: { "text/html": plotlyLoaderHtml(), "text/plain": "" }, metadata: {}, transient: {} }, false);
        st.embedded = true;
      } else {
        embed = true;
      }
    }
    bundle = figureBundle(x, { embedPlotly: embed });
    write({ data: bundle, metadata: {}, transient }, options.update === true);
    if (embed) st.embedded = true;
    return;
  }
  if (isDataFrameLike(x) || isRecordArray(x)) {
    bundle = tableBundle(x, { maxRows: options.maxRows });
    write({ data: bundle, metadata: {}, transient }, options.update === true);
    return;
  }
  throw new TypeError(
    "plot.display: x must be a Figure { data, layout } (see plot.lineChart, plot.heatmap, …), " +
      "a danfojs DataFrame or Series, or an array of records",
  );
}

/** A chart (or table) shown once and redrawn in place; see {@link liveChart}. */
export interface LiveChart {
  /** The Jupyter display id of the output. */
  readonly displayId: string;
  /** Replaces the output with `x` (Jupyter `update_display_data`). */
  update(x: Displayable): void;
}

/**
 * Shows `initial` and returns a handle whose `update(next)` redraws that same output in place
 * (Jupyter `update_display_data` with the output's display id), so that a training loop keeps one
 * chart instead of adding an output per redraw.
 *
 * Throttling is the caller's business: each update sends the whole figure to the browser and makes it
 * redraw, so update every N episodes or at most a few times per second, not on every step. Outside a
 * kernel the initial display prints one line and updates print nothing.
 *
 * @example
 * const live = plot.liveChart(plot.lineChart([], { title: "return" }));   // or any initial figure
 * let last = 0;
 * train({ ..., onEpisode: (returns) => {
 *   if (Date.now() - last > 500) { live.update(plot.lineChart(returns, { window: 20 })); last = Date.now(); }
 * } });
 * live.update(plot.lineChart(finalReturns, { window: 20 }));              // final state
 */
export function liveChart(initial: Displayable, options: { displayId?: string } = {}): LiveChart {
  const displayId = options.displayId ?? newDisplayId();
  display(initial, { displayId });
  const handle: LiveChart & { [inspect.custom]?: () => string } = {
    displayId,
    update(x: Displayable): void {
      display(x, { displayId, update: true });
    },
  };
  // tslab prints a cell's last expression with console.log: keep that to one short line.
  Object.defineProperty(handle, inspect.custom, { value: () => `LiveChart(${displayId})`, enumerable: false });
  return handle;
}
