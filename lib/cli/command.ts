/**
 * What every `rlcourse` command is made of: the {@link Command} shape, {@link UsageError}, option
 * parsing, and the steps several commands share (the notebooks to execute, the Jupyter Python,
 * Ctrl-C). The commands themselves live beside this module, one module per group; lib/cli.ts
 * lists them and dispatches.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { type JupyterPython, findJupyterPython, noJupyterMessage, packageRoot } from "../jupyter/python";
import { displayPath } from "../jupyter/report";
import { DEFAULT_CELL_TIMEOUT, defaultNotebooks } from "../jupyter/run";

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

/** The notebooks named by `args`: notebooks, or folders whose *.ipynb (sorted) to take. */
export function notebooksFrom(args: string[]): string[] {
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

type CommandOptions = NonNullable<ParseArgsConfig["options"]>;

/** The parse of a command's arguments with its options `T` (see {@link parseCommandArgs}). */
type CommandConfig<T extends CommandOptions> = { args: string[]; allowPositionals: true; options: T & { help: { type: "boolean"; short: "h" } } };

/**
 * Parses a command's arguments (positionals allowed; `-h`/`--help` added). Returns `undefined`
 * after printing `usage` when help was asked for.
 * @throws UsageError on an unknown option or a missing value.
 */
export function parseCommandArgs<T extends CommandOptions>(args: string[], options: T, usage: string): ReturnType<typeof parseArgs<CommandConfig<T>>> | undefined {
  let parsed;
  try {
    parsed = parseArgs<CommandConfig<T>>({
      args,
      allowPositionals: true,
      options: { ...options, help: { type: "boolean", short: "h" } },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage + "\n");
    return undefined;
  }
  return parsed;
}

/** A number option >= `min`, or a usage error naming it. */
export function numberOption(name: string, value: string, min: number, integer = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? "an integer" : "a number"} >= ${min}, got '${value}'`);
  }
  return n;
}

/** The arguments of a command that executes notebooks (`run`, `validate`). */
export interface NotebookArgs<Out extends string | undefined = string | undefined> {
  /** `--out DIR` (`undefined` when not given and the command has no default). */
  out: Out;
  /** `--timeout SECONDS`, per cell (0: none). */
  timeout: number;
  /** `--verbose`. */
  verbose: boolean;
  /** The notebooks named, or this course's notebooks/*.ipynb when none is. */
  notebooks: string[];
}

/**
 * Parses the arguments of a command that executes notebooks: notebooks or folders, `--out DIR`
 * (default `out`, none when `undefined`), `--timeout SECONDS`, `--verbose`.
 * @param verb what the command does to the notebooks, for "No notebooks to VERB"
 * @returns the arguments, or an exit status: 0 after printing the help, 1 when there is no
 *   notebook to execute (said on stderr)
 * @throws UsageError on a bad option or value
 */
export function notebookArgs(args: string[], usage: string, verb: string, out: string): NotebookArgs<string> | number;
export function notebookArgs(args: string[], usage: string, verb: string, out?: undefined): NotebookArgs | number;
export function notebookArgs(args: string[], usage: string, verb: string, out?: string): NotebookArgs | number {
  const parsed = parseCommandArgs(
    args,
    {
      out: out === undefined ? { type: "string" } : { type: "string", default: out },
      timeout: { type: "string", default: String(DEFAULT_CELL_TIMEOUT) },
      verbose: { type: "boolean", default: false },
    },
    usage,
  );
  if (!parsed) return 0;
  const { positionals } = parsed;
  const values = parsed.values as { out?: string; timeout: string; verbose: boolean };
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout < 0) throw new UsageError(`--timeout must be a number of seconds >= 0, got '${values.timeout}'`);
  const notebooks = positionals.length > 0 ? notebooksFrom(positionals) : defaultNotebooks();
  if (notebooks.length === 0) {
    process.stderr.write(`No notebooks to ${verb}: ${displayPath(path.join(packageRoot(), "notebooks"))} has no .ipynb files.\n`);
    return 1;
  }
  return { out: values.out, timeout, verbose: values.verbose, notebooks };
}

/** The Python with Jupyter that `npm run setup` found, or `undefined` after saying on stderr why there is none. */
export function jupyterPython(): JupyterPython | undefined {
  const search = findJupyterPython();
  if (search.python) return search.python;
  process.stderr.write(noJupyterMessage(search) + "\n");
  return undefined;
}

/** A signal that Ctrl-C (SIGINT) or SIGTERM aborts, until {@link stop} is called. */
export interface Interrupt {
  signal: AbortSignal;
  /** Stops listening for the signals. */
  stop(): void;
}

/** Listens for Ctrl-C (SIGINT) and SIGTERM: they abort the returned signal instead of ending the process. */
export function listenForInterrupt(): Interrupt {
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: abort.signal,
    stop: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
