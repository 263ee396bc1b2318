/**
 * The commands that drive Jupyter for the course's notebooks: `rlcourse run` (execute notebooks,
 * write the executed copies and their HTML) and `rlcourse lab` (open JupyterLab on notebooks/).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { KERNEL_NAME, listKernelSpecs } from "../jupyter/kernelspec";
import { jupyterApp, startLab } from "../jupyter/lab";
import { packageRoot } from "../jupyter/python";
import { RunReporter, displayPath } from "../jupyter/report";
import { DEFAULT_CELL_TIMEOUT, outputName, runNotebook, type NotebookResult } from "../jupyter/run";
import { type Command, UsageError, jupyterPython, listenForInterrupt, notebookArgs } from "./command";

const RUN_USAGE = `Usage: rlcourse run [NOTEBOOK|FOLDER...] [--out DIR] [--timeout SECONDS] [--verbose]

Executes notebooks with Jupyter's executor (nbclient) and the tslab kernel, each in its own
folder, and writes the executed NAME.ipynb and a standalone NAME.html to the output folder.
Stops a notebook at its first failing cell (a thrown error, a TypeScript error, a timeout) and
still writes it, with the error shown; exits 1 when any notebook failed.

Arguments:
  NOTEBOOK|FOLDER     notebooks to run, or folders whose *.ipynb to run
                      (default: notebooks/*.ipynb of this course, sorted)
Options:
  --out DIR           output folder (default: out/)
  --timeout SECONDS   time limit per cell; the kernel is interrupted and the notebook fails
                      (default: ${DEFAULT_CELL_TIMEOUT}; 0 for none)
  --verbose           also print Jupyter's and the kernel's logs
  -h, --help          show this help`;

const LAB_USAGE = `Usage: rlcourse lab [DIR] [JUPYTER OPTIONS...]

Opens JupyterLab on DIR (default: the course's notebooks/ folder; e.g. a folder made by
\`rlcourse workspace DIR\`), or the classic notebook where JupyterLab is not installed. Options are
passed to Jupyter, e.g. --no-browser or --port=8899. Run \`npm run setup\` first.`;

async function runCommand(args: string[]): Promise<number> {
  const parsed = notebookArgs(args, RUN_USAGE, "run", "out");
  if (typeof parsed === "number") return parsed;
  const { out: outDir, timeout, verbose, notebooks } = parsed;
  const byName = new Map<string, string>();
  for (const nb of notebooks) {
    const other = byName.get(outputName(nb));
    if (other !== undefined && path.resolve(other) !== path.resolve(nb)) {
      throw new UsageError(`${other} and ${nb} would both be written as ${outputName(nb)}.ipynb; run them with different --out folders`);
    }
    byName.set(outputName(nb), nb);
  }
  const unique = notebooks.filter((nb, i) => notebooks.findIndex((other) => path.resolve(other) === path.resolve(nb)) === i);

  const python = jupyterPython();
  if (!python) return 1;

  // Ctrl-C: the driver shuts its kernel down (it gets the signal from the terminal too, or from
  // the abort), then the run stops.
  const interrupt = listenForInterrupt();
  const reporter = new RunReporter({ out: process.stdout, err: process.stderr }, unique.length);
  const results: NotebookResult[] = [];
  try {
    for (const [i, notebook] of unique.entries()) {
      reporter.startNotebook(i + 1, notebook);
      const result = await runNotebook(notebook, {
        python,
        outDir,
        timeoutSeconds: timeout,
        signal: interrupt.signal,
        onEvent: (event) => reporter.onEvent(event),
        onLog: verbose ? (text) => process.stderr.write(text) : undefined,
        logLevel: verbose ? "INFO" : "WARNING",
      });
      results.push(result);
      reporter.finishNotebook(result);
      const kind = result.failure?.kind;
      if ((kind === "driver" || kind === "kernel-start") && !verbose && result.log.trim()) {
        const tail = result.log.trim().split(/\r?\n/).slice(kind === "driver" ? -30 : -15);
        process.stderr.write(`Log of Jupyter and the kernel (last lines):\n${tail.map((l) => `  ${l}`).join("\n")}\n`);
      }
      if (interrupt.signal.aborted || result.fatal) break;
    }
  } finally {
    interrupt.stop();
  }
  reporter.summary(results, unique.length - results.length, outDir);
  if (interrupt.signal.aborted) return 130;
  return results.every((r) => r.ok) && results.length === unique.length ? 0 : 1;
}

async function labCommand(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(LAB_USAGE + "\n");
    return 0;
  }
  const python = jupyterPython();
  if (!python) return 1;
  const app = jupyterApp(python);
  if (!app) {
    process.stderr.write(
      `Neither JupyterLab nor the classic notebook is installed in ${python.executable}.\n` +
        "Next step: install JupyterLab (`python3 -m pip install jupyterlab`), or run `npm run setup`.\n",
    );
    return 1;
  }
  let specs;
  try {
    specs = listKernelSpecs(python.executable);
  } catch (e) {
    process.stderr.write(`Could not list Jupyter kernels: ${(e as Error).message}\n`);
    return 1;
  }
  if (!specs[KERNEL_NAME]) {
    process.stderr.write(`The Jupyter kernel '${KERNEL_NAME}' is not installed.\nNext step: run \`npm run setup\`.\n`);
    return 1;
  }
  const folder = args.length > 0 && !args[0].startsWith("-") ? args.shift() : undefined;
  if (folder !== undefined && !(fs.existsSync(folder) && fs.statSync(folder).isDirectory())) {
    process.stderr.write(`${folder} is not a folder.\nNext step: make a workspace there with \`rlcourse workspace ${folder}\`.\n`);
    return 1;
  }
  const dir = folder === undefined ? path.join(packageRoot(), "notebooks") : path.resolve(folder);
  process.stdout.write(`Starting ${app === "jupyterlab" ? "JupyterLab" : "the classic Jupyter notebook"} in ${displayPath(dir)} (Ctrl-C to stop)\n`);
  return startLab(python, app, dir, args);
}

/** `rlcourse run`. */
export const RUN: Command = { name: "run", summary: "execute notebooks with Jupyter + tslab; write executed .ipynb and HTML to out/", usage: RUN_USAGE, run: runCommand };

/** `rlcourse lab`. */
export const LAB: Command = { name: "lab", summary: "open JupyterLab (or the classic notebook) on notebooks/ or a workspace", usage: LAB_USAGE, run: labCommand };
