#!/usr/bin/env node
/**
 * `rlcourse`: the course's command line.
 *
 * Commands live in {@link COMMANDS}, one entry each (name, one-line summary, usage text and an
 * async `run(args)` returning the exit status). To add one (`release`, `validate`, `grade`,
 * `bench`), write its logic in its own module under lib/ and append an entry here.
 *
 * Exit status: 0 success, 1 failure (the command says why), 2 usage error (unknown command or
 * option, bad value), 130 interrupted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { KERNEL_NAME, listKernelSpecs } from "./jupyter/kernelspec";
import { jupyterApp, startLab } from "./jupyter/lab";
import { findJupyterPython, noJupyterMessage, packageRoot } from "./jupyter/python";
import { RunReporter, displayPath } from "./jupyter/report";
import { DEFAULT_CELL_TIMEOUT, defaultNotebooks, outputName, runNotebook, type NotebookResult } from "./jupyter/run";

/** One subcommand of `rlcourse`. */
export interface Command {
  /** The word after `rlcourse`. */
  name: string;
  /** One line for `rlcourse --help`. */
  summary: string;
  /** Full help: usage line, then options. */
  usage: string;
  /** Runs the command with the arguments after its name; resolves to the exit status. */
  run(args: string[]): Promise<number>;
}

/** A mistake in the command line: printed with a pointer to `--help`, exit status 2. */
export class UsageError extends Error {}

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

const LAB_USAGE = `Usage: rlcourse lab [JUPYTER OPTIONS...]

Opens JupyterLab on the course's notebooks/ folder (the classic notebook where JupyterLab is not
installed). Options are passed to Jupyter, e.g. --no-browser or --port=8899.
Run \`npm run setup\` first.`;

function notebooksFrom(args: string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    if (fs.existsSync(arg) && fs.statSync(arg).isDirectory()) {
      const inside = fs.readdirSync(arg).filter((f) => f.endsWith(".ipynb")).sort();
      if (inside.length === 0) throw new UsageError(`no .ipynb files in ${arg}`);
      files.push(...inside.map((f) => path.join(arg, f)));
    } else {
      files.push(arg);
    }
  }
  return files;
}

async function runCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        out: { type: "string", default: "out" },
        timeout: { type: "string", default: String(DEFAULT_CELL_TIMEOUT) },
        verbose: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(RUN_USAGE + "\n");
    return 0;
  }
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout < 0) throw new UsageError(`--timeout must be a number of seconds >= 0, got '${values.timeout}'`);
  const outDir = values.out;

  const notebooks = positionals.length > 0 ? notebooksFrom(positionals) : defaultNotebooks();
  if (notebooks.length === 0) {
    process.stderr.write(`No notebooks to run: ${displayPath(path.join(packageRoot(), "notebooks"))} has no .ipynb files.\n`);
    return 1;
  }
  const byName = new Map<string, string>();
  for (const nb of notebooks) {
    const other = byName.get(outputName(nb));
    if (other !== undefined && path.resolve(other) !== path.resolve(nb)) {
      throw new UsageError(`${other} and ${nb} would both be written as ${outputName(nb)}.ipynb; run them with different --out folders`);
    }
    byName.set(outputName(nb), nb);
  }
  const unique = notebooks.filter((nb, i) => notebooks.findIndex((other) => path.resolve(other) === path.resolve(nb)) === i);

  const search = findJupyterPython();
  if (!search.python) {
    process.stderr.write(noJupyterMessage(search) + "\n");
    return 1;
  }
  const python = search.python;

  // Ctrl-C: the driver shuts its kernel down (it gets the signal from the terminal too, or from
  // the abort), then the run stops.
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const reporter = new RunReporter({ out: process.stdout, err: process.stderr }, unique.length);
  const results: NotebookResult[] = [];
  try {
    for (const [i, notebook] of unique.entries()) {
      reporter.startNotebook(i + 1, notebook);
      const result = await runNotebook(notebook, {
        python,
        outDir,
        timeoutSeconds: timeout,
        signal: abort.signal,
        onEvent: (event) => reporter.onEvent(event),
        onLog: values.verbose ? (text) => process.stderr.write(text) : undefined,
        logLevel: values.verbose ? "INFO" : "WARNING",
      });
      results.push(result);
      reporter.finishNotebook(result);
      const kind = result.failure?.kind;
      if ((kind === "driver" || kind === "kernel-start") && !values.verbose && result.log.trim()) {
        const tail = result.log.trim().split(/\r?\n/).slice(kind === "driver" ? -30 : -15);
        process.stderr.write(`Log of Jupyter and the kernel (last lines):\n${tail.map((l) => `  ${l}`).join("\n")}\n`);
      }
      if (abort.signal.aborted || result.fatal) break;
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  reporter.summary(results, unique.length - results.length, outDir);
  if (abort.signal.aborted) return 130;
  return results.every((r) => r.ok) && results.length === unique.length ? 0 : 1;
}

async function labCommand(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(LAB_USAGE + "\n");
    return 0;
  }
  const search = findJupyterPython();
  if (!search.python) {
    process.stderr.write(noJupyterMessage(search) + "\n");
    return 1;
  }
  const python = search.python;
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
  const dir = path.join(packageRoot(), "notebooks");
  process.stdout.write(`Starting ${app === "jupyterlab" ? "JupyterLab" : "the classic Jupyter notebook"} in ${displayPath(dir)} (Ctrl-C to stop)\n`);
  return startLab(python, app, dir, args);
}

/** The subcommands, in the order `rlcourse --help` lists them. */
export const COMMANDS: Command[] = [
  { name: "run", summary: "execute notebooks with Jupyter + tslab; write executed .ipynb and HTML to out/", usage: RUN_USAGE, run: runCommand },
  { name: "lab", summary: "open JupyterLab (or the classic notebook) on notebooks/", usage: LAB_USAGE, run: labCommand },
];

/** The top-level help text listing every command. */
export function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: rlcourse <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun \`rlcourse <command> --help\` for a command's options.`;
}

function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/**
 * Dispatches `argv` (the arguments after `rlcourse`) to its command.
 * @returns the exit status.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write((topic ? topic.usage : mainUsage()) + "\n");
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`rlcourse ${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`rlcourse: unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.name).join(", ")}. See \`rlcourse --help\`.\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`rlcourse ${name}: ${e.message}\nSee \`rlcourse ${name} --help\`.\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`rlcourse: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
