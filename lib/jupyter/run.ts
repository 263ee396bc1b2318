/**
 * Executes notebooks with Jupyter's own executor (nbclient) and the tslab kernel, and writes the
 * executed `.ipynb` and a standalone HTML page per notebook: the engine of `rlcourse run`.
 *
 * Each notebook runs in its own `python execute.py` process (lib/jupyter/execute.py and the
 * rlcourse_driver.py it imports, copied to dist/jupyter/ by `npm run build`), with the kernel's
 * cwd set to the notebook's folder so that relative paths and `import ... from "rl-course"`
 * resolve as they do in Jupyter. The driver
 * streams one JSON event per line (see {@link DriverEvent}); this module turns them into a
 * {@link NotebookResult} and forwards them to a listener for progress display.
 *
 * Output files: `OUT/NAME.ipynb` and `OUT/NAME.html`, each written under a temporary name and
 * renamed into place, so OUT never holds a half-written file. A notebook whose cells started is
 * written also when a cell fails (executed up to the failing cell, which shows its error), with
 * `metadata.rlcourse.run.status = "failed"`; a notebook that could not be read or whose kernel
 * did not start leaves OUT untouched.
 *
 * With {@link RunOptions.allowErrors} the run goes on after a failing cell (nbclient's
 * `allow_errors`), so that every cell runs and {@link NotebookResult.cellResults} tells which
 * passed: `rlcourse validate` runs the student version of a notebook this way.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { KERNEL_NAME, privateKernelPath } from "./kernelspec";
import { packageRoot, type JupyterPython } from "./python";

/** Default per-cell time limit in seconds. */
export const DEFAULT_CELL_TIMEOUT = 300;

/** Suffix of the temporary files the driver writes before renaming them into place. */
export const TMP_SUFFIX = ".rlcourse-tmp";

/** What went wrong in a notebook. */
export interface NotebookFailure {
  /**
   * `error` (a cell threw), `type-error` (TypeScript rejected a cell), `uncaught` (an error thrown
   * later by a timer or promise), `aborted` (the kernel answered "aborted" instead of running the
   * cell, which the patched tslab does only to requests queued behind a failing one), `timeout`, `dead-kernel`,
   * `invalid-notebook`, `no-kernel`, `kernel-start`, `export` (HTML could not be written),
   * `interrupted` or `driver` (the Python side crashed).
   */
  kind: string;
  /** One-line summary. */
  message: string;
  /** Index of the failing cell in the notebook's `cells` (0-based), when a cell failed. */
  index?: number;
  /** 1-based number of the failing cell among the code cells. */
  n?: number;
  /** First source line of the failing cell. */
  line?: string;
  /** The cell's error (tslab's error output: the error or the TypeScript diagnostics) and what it printed to stderr, possibly shortened. */
  detail?: string;
}

/** How a code cell ended: `ok`, `error` (it threw or did not compile), `timeout`, `dead` (kernel died). */
export type CellStatus = "ok" | "error" | "timeout" | "dead";

/** The outcome of one code cell that was run. */
export interface CellResult {
  /** Index of the cell in the notebook's `cells` (0-based). */
  index: number;
  /** 1-based number of the cell among the (non-empty) code cells. */
  n: number;
  /** First source line of the cell. */
  line: string;
  status: CellStatus;
  /** Set when the cell failed: the failure kind, as in {@link NotebookFailure.kind}. */
  kind?: string;
  /** Set when the cell failed: one-line summary. */
  message?: string;
  /** Set when the cell failed: its error output and what it printed to stderr, possibly shortened. */
  detail?: string;
  seconds: number;
}

/** One JSON line from the driver. */
export type DriverEvent =
  | { event: "notebook"; path: string; cells: number }
  | { event: "kernel_ready"; seconds: number }
  | { event: "cell_start"; index: number; n: number; of: number; line: string }
  | ({ event: "cell_end"; index: number; status: CellStatus; seconds: number } & Partial<
      Pick<NotebookFailure, "kind" | "message" | "detail"> // when the cell failed
    >)
  | ({ event: "failure" } & NotebookFailure)
  | { event: "written"; ipynb: string; html: string | null }
  | { event: "done"; ok: boolean; cells_run: number; seconds: number };

/** The outcome of running one notebook. */
export interface NotebookResult {
  /** The notebook as given. */
  notebook: string;
  ok: boolean;
  /** Number of code cells (non-empty) in the notebook, when it could be read. */
  cells: number;
  /** Code cells that were started (including a failing one). */
  cellsRun: number;
  /** Every code cell that ran, in order, with its status. */
  cellResults: CellResult[];
  seconds: number;
  /** Set when `ok` is false. */
  failure?: NotebookFailure;
  /** Files written to the output folder. */
  written: string[];
  /** Whether the remaining notebooks cannot run either (kernel or Jupyter missing). */
  fatal: boolean;
  /** What the driver wrote to stderr (kernel and Jupyter logs), for diagnosis. */
  log: string;
}

/** Options of {@link runNotebook}. */
export interface RunOptions {
  /** Python with nbclient and nbconvert (see findJupyterPython). */
  python: JupyterPython;
  /** Output folder (created when missing). */
  outDir: string;
  /** Per-cell time limit in seconds; 0 for none. Default {@link DEFAULT_CELL_TIMEOUT}. */
  timeoutSeconds?: number;
  /** Kernel name; default `tslab`, this package's own (see privateKernelPath), not the user's registered one. */
  kernel?: string;
  /** Called with every driver event as it arrives. */
  onEvent?: (event: DriverEvent) => void;
  /** Called with the driver's stderr as it arrives (kernel logs); default: collected only. */
  onLog?: (text: string) => void;
  /** Aborting it interrupts the driver (SIGINT), which shuts its kernel down and writes nothing. */
  signal?: AbortSignal;
  /** Python logging level of the driver (Jupyter's logs); default `WARNING`. */
  logLevel?: "DEBUG" | "INFO" | "WARNING" | "ERROR";
  /**
   * Go on after a failing cell, as nbclient's `allow_errors`, so that every cell runs; the
   * notebook still fails (its {@link NotebookResult.failure} is the first failing cell). A timeout
   * or a dead kernel still ends the run. Default false: stop at the first failing cell.
   */
  allowErrors?: boolean;
  /** The kernel's working folder; default the notebook's folder. */
  cwd?: string;
}

/** The notebooks `rlcourse run` executes by default: `notebooks/*.ipynb` under root, sorted. */
export function defaultNotebooks(root: string = packageRoot()): string[] {
  const dir = path.join(root, "notebooks");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".ipynb"))
    .sort()
    .map((name) => path.join(dir, name));
}

/**
 * Path of a Python driver (`execute.py`: one notebook, for `rlcourse run`; `serve.py`: cells sent
 * one by one, for `rlcourse grade`; both import `rlcourse_driver.py` beside them): lib/jupyter/ in
 * a source checkout (always current, even when the last build stopped early), else the copy
 * beside the compiled module (the package).
 */
export function driverPath(script: "execute.py" | "serve.py" = "execute.py"): string {
  const candidates = [path.join(packageRoot(), "lib", "jupyter", script), path.join(__dirname, script)];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`the notebook driver ${script} is missing (looked in ${candidates.join(", ")}); run \`npm run build\``);
  return found;
}

/**
 * Checks that `file` is an nbformat 4 notebook before any kernel starts.
 * @returns a reason it is not, or `null` when it looks fine (the driver validates the schema).
 */
export function notebookProblem(file: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "file not found" : `cannot read it: ${(e as Error).message}`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return `not a notebook: invalid JSON (${(e as Error).message})`;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return "not a notebook: the JSON is not an object";
  const nb = json as { nbformat?: unknown; cells?: unknown };
  if (nb.nbformat !== 4) {
    return `not an nbformat 4 notebook (nbformat is ${JSON.stringify(nb.nbformat ?? null)}); open and save it in Jupyter to convert it`;
  }
  if (!Array.isArray(nb.cells)) return "not a notebook: 'cells' is missing or not a list";
  return null;
}

/** The base name without `.ipynb`, used for the output files. */
export function outputName(notebook: string): string {
  return path.basename(notebook).replace(/\.ipynb$/i, "");
}

/** Removes temporary files a killed driver may have left for `name` in `outDir`. */
export function removeTempFiles(outDir: string, name: string): void {
  if (!fs.existsSync(outDir)) return;
  for (const file of fs.readdirSync(outDir)) {
    if (file.startsWith(`.${name}.`) && file.endsWith(TMP_SUFFIX)) fs.rmSync(path.join(outDir, file), { force: true });
  }
}

/** Executes one notebook and writes its outputs; never throws for notebook problems. */
export async function runNotebook(notebook: string, options: RunOptions): Promise<NotebookResult> {
  const started = Date.now();
  const result: NotebookResult = { notebook, ok: false, cells: 0, cellsRun: 0, cellResults: [], seconds: 0, written: [], fatal: false, log: "" };
  const finish = (): NotebookResult => {
    result.seconds = (Date.now() - started) / 1000;
    return result;
  };
  const problem = notebookProblem(notebook);
  if (problem) {
    result.failure = { kind: "invalid-notebook", message: problem };
    return finish();
  }

  const timeout = Math.ceil(options.timeoutSeconds ?? DEFAULT_CELL_TIMEOUT);
  const args = [
    "-u",
    driverPath(),
    path.resolve(notebook),
    "--out",
    path.resolve(options.outDir),
    "--kernel",
    options.kernel ?? KERNEL_NAME,
    "--timeout",
    String(timeout),
    "--log-level",
    options.logLevel ?? "WARNING",
  ];
  if (options.allowErrors) args.push("--allow-errors");
  if (options.cwd !== undefined) args.push("--cwd", path.resolve(options.cwd));
  // The default kernel is this package's tslab, whatever the user registered under that name.
  const kernelPath = options.kernel === undefined ? privateKernelPath() : null;
  const jupyterPath = kernelPath ? { JUPYTER_PATH: [kernelPath.dir, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter) } : {};
  const child = spawn(options.python.executable, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...jupyterPath, PYTHONUNBUFFERED: "1", PYTHONIOENCODING: "utf-8" },
    windowsHide: true,
  });

  const interrupt = (): void => {
    child.kill("SIGINT");
  };
  options.signal?.addEventListener("abort", interrupt, { once: true });

  const failures: NotebookFailure[] = [];
  let running: Pick<CellResult, "index" | "n" | "line"> | undefined; // the cell last started
  let buffered = "";
  const handleLine = (line: string): void => {
    if (!line.trim()) return;
    let event: DriverEvent;
    try {
      event = JSON.parse(line) as DriverEvent;
    } catch {
      result.log += line + "\n";
      return;
    }
    switch (event.event) {
      case "notebook":
        result.cells = event.cells;
        break;
      case "cell_start":
        running = { index: event.index, n: event.n, line: event.line };
        break;
      case "cell_end": {
        result.cellsRun += 1;
        const { event: _event, ...end } = event;
        const start = running?.index === end.index ? running : { index: end.index, n: 0, line: "" };
        result.cellResults.push({ ...start, ...end });
        break;
      }
      case "failure": {
        const { event: _event, ...failure } = event;
        failures.push(failure);
        break;
      }
      case "written":
        result.written.push(event.ipynb);
        if (event.html) result.written.push(event.html);
        break;
      default:
        break;
    }
    options.onEvent?.(event);
  };
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      handleLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    result.log += chunk;
    options.onLog?.(chunk);
  });

  if (options.signal?.aborted) interrupt();
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("error", (error) => {
      result.log += `${error.message}\n`;
      resolve({ code: null, signal: null });
    });
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  options.signal?.removeEventListener("abort", interrupt);
  kernelPath?.dispose();
  if (buffered) handleLine(buffered);
  removeTempFiles(options.outDir, outputName(notebook));

  // The first failure is the cause; an export failure after a cell failure is secondary.
  result.failure = failures[0];
  result.ok = code === 0 && failures.length === 0;
  if (!result.ok && !result.failure) {
    const why = signal ? `was killed by ${signal}` : code === null ? "could not start" : `exited with status ${code}`;
    result.failure = { kind: "driver", message: `the notebook driver (${options.python.executable}) ${why}` };
  }
  result.fatal = result.failure?.kind === "no-kernel" || result.failure?.kind === "kernel-start";
  return finish();
}
