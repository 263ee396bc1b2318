#!/usr/bin/env node
/**
 * `rlcourse`: the course's command line.
 *
 * Commands live in {@link COMMANDS}, one entry each (name, one-line summary, usage text and an
 * async `run(args)` returning the exit status). To add one (`bench`), write its logic in its own
 * module under lib/ and append an entry here.
 *
 * Exit status: 0 success, 1 failure (the command says why), 2 usage error (unknown command or
 * option, bad value), 130 interrupted.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { KERNEL_NAME, listKernelSpecs } from "./jupyter/kernelspec";
import { jupyterApp, startLab } from "./jupyter/lab";
import { ReleaseError, ReleaseFilesError, releaseFiles } from "./grading/release";
import { formatValidation, validateNotebook, type ValidationReport, type Version } from "./grading/validate";
import { type Assignment, loadAssignment } from "./grading/assemble";
import {
  DEFAULT_GRADE_CELL_TIMEOUT,
  DEFAULT_GRADE_MEMORY_MB,
  DEFAULT_GRADE_NOTEBOOK_TIMEOUT,
  type SubmissionInput,
  type SubmissionResult,
  collectSubmissions,
  gradeSubmissions,
} from "./grading/grade";
import { gradescopeResults, writeGradebook, writeResults, writeSubmissionReport } from "./grading/report";
import { type AutograderOptions, autograderZip, pickSubmission, ungradedResults } from "./grading/autograder";
import { bwrapProblem } from "./grading/sandbox";
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

const RELEASE_USAGE = `Usage: rlcourse release NOTEBOOK|FOLDER... [--out DIR]

Writes the student version of instructor notebooks: each solution region (// BEGIN SOLUTION ...
// END SOLUTION) becomes "// YOUR CODE HERE" and 'throw new Error("Not implemented");' at the
marker's indentation ("YOUR ANSWER HERE" in a markdown cell; a solution cell without markers is
replaced whole), hidden tests (// BEGIN HIDDEN TESTS ... // END HIDDEN TESTS) are removed with
their markers, and all outputs and execution counts are cleared; nbgrader metadata and the
kernelspec are kept. Refuses, naming the notebook, cell, grade_id and line, markers that are not
closed, not opened or nested, solution markers outside nbgrader solution cells and hidden tests
outside graded cells; then nothing is written. Exits 1 when a notebook is refused.

Arguments:
  NOTEBOOK|FOLDER     instructor notebooks, or folders whose *.ipynb to release
Options:
  --out DIR           output folder, written as DIR/NAME.ipynb (default: release/)
  -h, --help          show this help`;

const VALIDATE_USAGE = `Usage: rlcourse validate [NOTEBOOK|FOLDER...] [--out DIR] [--timeout SECONDS] [--verbose]

Checks that instructor notebooks make working homework. Each notebook is released in memory (as
\`rlcourse release\` does) and both versions are executed with Jupyter and the tslab kernel, every
cell even after a failing one: every graded test cell (nbgrader grade: true) must pass in the
instructor version and, when the notebook has any solution region, fail in the student version.
Prints a table per notebook (grade_id, points, instructor and student outcome, the library
functions the test compares the answer with, verdict) and exits 1 on any violation: also a
failing cell of the instructor version, a released solution cell that does not compile, a test
that compares with a library function it does not forbid (\`// FORBID: name\`), or a notebook that
cannot be released.

Arguments:
  NOTEBOOK|FOLDER     instructor notebooks, or folders whose *.ipynb to validate
                      (default: notebooks/*.ipynb of this course, sorted)
Options:
  --out DIR           also write the executed instructor notebooks and their HTML to DIR
                      (as \`rlcourse run --out DIR\` does), so one command runs and validates
  --timeout SECONDS   time limit per cell (default: ${DEFAULT_CELL_TIMEOUT}; 0 for none)
  --verbose           also print Jupyter's and the kernel's logs
  -h, --help          show this help`;

const GRADE_USAGE = `Usage: rlcourse grade --source NOTEBOOK SUBMISSION|FOLDER... [--out DIR] [--jobs N]
                      [--timeout SECONDS] [--notebook-timeout SECONDS] [--memory MB]
                      [--sandbox bwrap|none] [--results FILE] [--verbose]

Grades students' notebooks against the instructor notebook NOTEBOOK (with solutions and hidden
tests). Each submission is rebuilt from NOTEBOOK: its solution cells (nbgrader solution: true) are
the student's, matched by grade_id; every other cell, test cells with their hidden tests included,
comes from NOTEBOOK (deleted or edited tests are restored, cells the student added are not run).
It runs in a fresh tslab kernel of its own, in an OS sandbox (bubblewrap: no network, no files
but a read-only copy of the library, its own processes, as an unprivileged user when you are root),
with time and memory limits; a test cell earns its
points when the kernel reports it ran without error. Writes DIR/STUDENT/results.json
(Gradescope's format), DIR/STUDENT/feedback.html (never showing hidden tests) and
DIR/gradebook.csv. Exits 0 when grading ran, even if submissions fail or are broken; 1 when the
grader could not run (bad NOTEBOOK, no Jupyter, no sandbox, a kernel that does not start).

Arguments:
  SUBMISSION|FOLDER   a student's notebook (id: its file name), or a folder of them (*.ipynb, or
                      one folder per student holding the notebook: id, the folder's name)
Options:
  --source NOTEBOOK   the instructor notebook (required)
  --out DIR           output folder (default: grades/)
  --jobs N            submissions graded at once, each in its own kernel (default: CPU cores)
  --timeout SECONDS   time limit per cell (default: ${DEFAULT_GRADE_CELL_TIMEOUT})
  --notebook-timeout SECONDS  time limit per submission (default: ${DEFAULT_GRADE_NOTEBOOK_TIMEOUT})
  --memory MB         memory limit of each kernel (default: ${DEFAULT_GRADE_MEMORY_MB}; V8's heap gets 3/4)
  --sandbox MODE      bwrap (default): each kernel in a bubblewrap sandbox; none: no sandbox, kernels
                      run as you with your files and network (only for code you trust)
  --results FILE      grade one student (Gradescope): the only notebook of SUBMISSION, or the one
                      named like NOTEBOOK, and write its results.json to FILE; when there is none
                      to grade or grading cannot run, FILE gets 0 points and the reason
  --verbose           also print Jupyter's and the kernels' logs
  -h, --help          show this help`;

const AUTOGRADER_USAGE = `Usage: rlcourse autograder NOTEBOOK [--out DIR] [--timeout SECONDS]
                      [--notebook-timeout SECONDS] [--memory MB] [--sandbox bwrap|none]

Writes DIR/NAME-autograder.zip, a Gradescope autograder for the instructor notebook NOTEBOOK:
setup.sh (Node.js 20 if missing, then \`npm run setup\` of the course), run_autograder
(\`rlcourse grade --results /autograder/results/results.json\` on /autograder/submission with
the options below), NOTEBOOK and course/ (the course's sources, no other notebook). Upload it as
the assignment's autograder ("Zip file upload").

Options:
  --out DIR           output folder (default: autograder/)
  --timeout SECONDS   time limit per cell (default: ${DEFAULT_GRADE_CELL_TIMEOUT})
  --notebook-timeout SECONDS  time limit per submission (default: ${DEFAULT_GRADE_NOTEBOOK_TIMEOUT})
  --memory MB         memory limit of the kernel (default: ${DEFAULT_GRADE_MEMORY_MB}; keep it under the
                      memory of Gradescope's container)
  --sandbox MODE      bwrap (default) or none, as \`rlcourse grade --sandbox\`
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

type CommandOptions = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses a command's arguments (positionals allowed; `-h`/`--help` added). Returns `undefined`
 * after printing `usage` when help was asked for.
 * @throws UsageError on an unknown option or a missing value.
 */
function parseCommandArgs<T extends CommandOptions>(args: string[], options: T, usage: string) {
  let parsed;
  try {
    parsed = parseArgs<{ args: string[]; allowPositionals: true; options: T & { help: { type: "boolean"; short: "h" } } }>({
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

async function runCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
          out: { type: "string", default: "out" },
          timeout: { type: "string", default: String(DEFAULT_CELL_TIMEOUT) },
          verbose: { type: "boolean", default: false },
    },
    RUN_USAGE,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
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

async function releaseCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
          out: { type: "string", default: "release" },
    },
    RELEASE_USAGE,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError("name the instructor notebooks to release");
  const outDir = values.out;
  let released;
  try {
    released = releaseFiles(notebooksFrom(positionals), outDir);
  } catch (e) {
    if (!(e instanceof ReleaseFilesError)) throw e;
    process.stderr.write(`${e.problems.map((p) => `Refused: ${p}`).join("\n")}\nNothing written.\n`);
    return 1;
  }
  for (const r of released) {
    const s = r.summary;
    const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
    process.stdout.write(
      `released ${displayPath(r.input)} -> ${displayPath(r.output)}: ${plural(s.solutions, "solution region")} replaced, ` +
        `${plural(s.hiddenTests, "hidden-test region")} removed, ${plural(s.outputsCleared, "cell")} of outputs cleared, ` +
        `${plural(s.testCells.length, "graded test cell")}\n`,
    );
  }
  return 0;
}

async function validateCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
          out: { type: "string" },
          timeout: { type: "string", default: String(DEFAULT_CELL_TIMEOUT) },
          verbose: { type: "boolean", default: false },
    },
    VALIDATE_USAGE,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout < 0) throw new UsageError(`--timeout must be a number of seconds >= 0, got '${values.timeout}'`);
  const verbose = values.verbose;
  const notebooks = positionals.length > 0 ? notebooksFrom(positionals) : defaultNotebooks();
  if (notebooks.length === 0) {
    process.stderr.write(`No notebooks to validate: ${displayPath(path.join(packageRoot(), "notebooks"))} has no .ipynb files.\n`);
    return 1;
  }
  const search = findJupyterPython();
  if (!search.python) {
    process.stderr.write(noJupyterMessage(search) + "\n");
    return 1;
  }
  const python = search.python;

  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const tty = Boolean(process.stdout.isTTY) && !process.env.CI;
  const reports: ValidationReport[] = [];
  try {
    for (const [i, notebook] of notebooks.entries()) {
      const name = `[${i + 1}/${notebooks.length}] ${displayPath(notebook)}`;
      const progress: Record<Version, string> = { instructor: "starting", student: "starting" };
      const show = (): void => {
        if (!tty) return;
        const line = `${name}: instructor ${progress.instructor}, student ${progress.student}`;
        process.stdout.write(`\r\x1b[2K${line.slice(0, (process.stdout.columns || 100) - 1)}`);
      };
      if (!tty) process.stdout.write(`${name}: running the instructor and student versions\n`);
      show();
      const report = await validateNotebook(notebook, {
        python,
        timeoutSeconds: timeout,
        outDir: values.out === undefined ? undefined : path.resolve(values.out),
        signal: abort.signal,
        onEvent: (version, event) => {
          if (event.event === "cell_start") progress[version] = `cell ${event.n}/${event.of}`;
          else if (event.event === "done") progress[version] = "done";
          else return;
          show();
        },
        onLog: verbose ? (text) => process.stderr.write(text) : undefined,
        logLevel: verbose ? "INFO" : "WARNING",
      });
      if (tty) process.stdout.write("\r\x1b[2K");
      reports.push(report);
      if (report.interrupted) break;
      process.stdout.write(formatValidation(report, displayPath(notebook)) + "\n");
      if (report.fatal) {
        process.stderr.write("Next step: run `npm run setup` (it registers the tslab kernel with Jupyter).\n");
        break;
      }
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  if (abort.signal.aborted || reports.some((r) => r.interrupted)) {
    process.stdout.write("Validation interrupted.\n");
    return 130;
  }
  const tests = reports.flatMap((r) => r.tests);
  const failed = reports.filter((r) => !r.ok).length;
  const notRun = notebooks.length - reports.length;
  process.stdout.write(
    `Validation: ${reports.length - failed} of ${notebooks.length} notebooks ok${notRun ? ` (${notRun} not run)` : ""}; ` +
      `${tests.filter((t) => t.ok).length} of ${tests.length} graded test cells ok.\n`,
  );
  return failed === 0 && notRun === 0 ? 0 : 1;
}

/** A number option >= `min`, or a usage error naming it. */
function numberOption(name: string, value: string, min: number, integer = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? "an integer" : "a number"} >= ${min}, got '${value}'`);
  }
  return n;
}

/** The grading limits of `grade` and `autograder`, checked. */
function gradingLimits(values: { timeout: string; "notebook-timeout": string; memory: string; sandbox: string }): AutograderOptions {
  if (values.sandbox !== "bwrap" && values.sandbox !== "none") throw new UsageError(`--sandbox must be bwrap or none, got '${values.sandbox}'`);
  return {
    timeoutSeconds: numberOption("timeout", values.timeout, 1),
    notebookTimeoutSeconds: numberOption("notebook-timeout", values["notebook-timeout"], 1),
    memoryMb: numberOption("memory", values.memory, 256, true),
    sandbox: values.sandbox,
  };
}

/** The assignment of an instructor notebook, or why it cannot be graded. */
function gradedAssignment(notebook: string): Assignment | string {
  let assignment: Assignment;
  try {
    assignment = loadAssignment(notebook);
  } catch (e) {
    return e instanceof ReleaseError ? `it cannot be released:\n${e.message}` : (e as Error).message.replace(`${notebook}: `, "");
  }
  return assignment.tests.length > 0 ? assignment : "it has no graded test cells (nbgrader grade: true code cells).";
}

async function gradeCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
          source: { type: "string" },
          out: { type: "string", default: "grades" },
          jobs: { type: "string", default: String(os.availableParallelism()) },
          timeout: { type: "string", default: String(DEFAULT_GRADE_CELL_TIMEOUT) },
          "notebook-timeout": { type: "string", default: String(DEFAULT_GRADE_NOTEBOOK_TIMEOUT) },
          memory: { type: "string", default: String(DEFAULT_GRADE_MEMORY_MB) },
          sandbox: { type: "string", default: "bwrap" },
          results: { type: "string" },
          verbose: { type: "boolean", default: false },
    },
    GRADE_USAGE,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (!values.source) throw new UsageError("name the instructor notebook with --source NOTEBOOK");
  if (positionals.length === 0) throw new UsageError("name the submissions to grade (notebooks or folders)");
  const jobs = numberOption("jobs", values.jobs, 1, true);
  const { timeoutSeconds: timeout, notebookTimeoutSeconds: notebookTimeout, memoryMb: memory, sandbox } = gradingLimits(values);
  const outDir = values.out;
  const resultsFile = values.results;
  let maxScore = 0;
  /** Prints why grading cannot run; with --results, the student's results.json says so too. */
  const cannotGrade = (message: string): number => {
    process.stderr.write(`${message}\n`);
    if (resultsFile) writeResults(resultsFile, ungradedResults("The autograder could not run; your instructor has been told.", maxScore));
    return 1;
  };

  const assignment = gradedAssignment(values.source);
  if (typeof assignment === "string") return cannotGrade(`Cannot grade against ${values.source}: ${assignment}`);
  maxScore = assignment.tests.reduce((sum, t) => sum + t.points, 0);
  let submissions: SubmissionInput[];
  try {
    submissions = collectSubmissions(positionals, path.basename(values.source));
  } catch (e) {
    if (!resultsFile) throw new UsageError((e as Error).message);
    submissions = [];
  }
  if (resultsFile) {
    const picked = pickSubmission(submissions, path.basename(values.source));
    if (typeof picked === "string") {
      writeResults(resultsFile, ungradedResults(`Nothing was graded: ${picked}.`, maxScore));
      process.stdout.write(`Nothing to grade: ${picked}. Wrote ${resultsFile} (0 points, with the reason).\n`);
      return 0;
    }
    submissions = [picked];
  }
  const search = findJupyterPython();
  if (!search.python) return cannotGrade(noJupyterMessage(search));

  const sandboxProblem = sandbox === "bwrap" ? bwrapProblem() : undefined;
  if (sandboxProblem) {
    return cannotGrade(`Cannot grade in a sandbox: ${sandboxProblem}.\nGrade without one (kernels then run as your user, with your files and network) only if you accept that: --sandbox none`);
  }

  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.stdout.write(
    `Grading ${submissions.length} submission${submissions.length === 1 ? "" : "s"} against ${displayPath(values.source)} ` +
      `(${assignment.tests.length} test cell${assignment.tests.length === 1 ? "" : "s"}, ${maxScore} points), ${jobs} at a time\n`,
  );
  const started = Date.now();
  let done = 0;
  let results: SubmissionResult[];
  try {
    results = await gradeSubmissions(assignment, submissions, {
      python: search.python,
      jobs,
      cellTimeoutSeconds: timeout,
      notebookTimeoutSeconds: notebookTimeout,
      memoryMb: memory,
      sandbox,
      signal: abort.signal,
      onLog: values.verbose ? (student, text) => process.stderr.write(text.replace(/^(?=.)/gm, `[${student}] `)) : undefined,
      onCell: values.verbose
        ? (student, what, r) => process.stderr.write(`[${student}] ${what}: ${r.status} in ${r.seconds.toFixed(2)} s${r.truncated ? " (output truncated)" : ""}\n`)
        : undefined,
      onEvent: (event) => {
        if (event.event === "sandbox") {
          for (const line of event.enforced) process.stdout.write(`${event.mode === "none" ? "WARNING: " : "Sandbox: "}${line}\n`);
          return;
        }
        if (event.event !== "done") return;
        const r = event.result;
        done += 1;
        if (!abort.signal.aborted) writeSubmissionReport(outDir, assignment, r);
        const failed = r.tests.filter((t) => !t.passed).map((t) => `${t.gradeId} ${t.outcome}`);
        const extra = [...(r.graderError ? [`GRADER ERROR: ${r.graderError.split("\n")[0]}`] : []), ...(r.invalid ? ["invalid submission"] : []), ...failed];
        process.stdout.write(
          `[${done}/${submissions.length}] ${r.student}: ${r.score} / ${r.maxScore} in ${r.seconds.toFixed(1)} s${extra.length ? ` (${extra.join(", ")})` : ""}\n`,
        );
      },
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  if (abort.signal.aborted) {
    process.stdout.write("Grading interrupted; no gradebook written.\n");
    return 130;
  }
  writeGradebook(outDir, assignment, results);
  if (resultsFile) writeResults(resultsFile, gradescopeResults(results[0]!));
  const errors = results.filter((r) => r.graderError);
  const mean = results.reduce((sum, r) => sum + r.score, 0) / Math.max(1, results.length);
  process.stdout.write(
    `Graded ${results.length} submission${results.length === 1 ? "" : "s"} in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
      `mean ${mean.toFixed(2)} / ${maxScore}. Results in ${displayPath(outDir)}/ (gradebook.csv, STUDENT/results.json, STUDENT/feedback.html).\n`,
  );
  for (const r of errors) process.stderr.write(`Grader error on ${r.student}: ${r.graderError}\n`);
  if (errors.length > 0) process.stderr.write("Next step: run `npm run setup`, then grade these submissions again.\n");
  return errors.length > 0 ? 1 : 0;
}

async function autograderCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      out: { type: "string", default: "autograder" },
      timeout: { type: "string", default: String(DEFAULT_GRADE_CELL_TIMEOUT) },
      "notebook-timeout": { type: "string", default: String(DEFAULT_GRADE_NOTEBOOK_TIMEOUT) },
      memory: { type: "string", default: String(DEFAULT_GRADE_MEMORY_MB) },
      sandbox: { type: "string", default: "bwrap" },
    },
    AUTOGRADER_USAGE,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError("name one instructor notebook");
  const notebook = positionals[0]!;
  const limits = gradingLimits(values);
  const assignment = gradedAssignment(notebook);
  if (typeof assignment === "string") {
    process.stderr.write(`Cannot build an autograder for ${notebook}: ${assignment}\n`);
    return 1;
  }
  const zip = autograderZip(notebook, packageRoot(), limits);
  const file = path.join(values.out, `${path.basename(notebook).replace(/\.ipynb$/i, "")}-autograder.zip`);
  fs.mkdirSync(values.out, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, zip);
  fs.renameSync(tmp, file);
  const points = assignment.tests.reduce((sum, t) => sum + t.points, 0);
  process.stdout.write(
    `Wrote ${displayPath(file)} (${(zip.length / 1e6).toFixed(1)} MB): ${assignment.tests.length} test cells, ${points} points; ` +
      `sandbox ${limits.sandbox}, ${limits.timeoutSeconds} s per cell, ${limits.notebookTimeoutSeconds} s per submission, ${limits.memoryMb} MB.\n` +
      "Upload it as the Gradescope assignment's autograder (Zip file upload), then test it with the instructor notebook and its release.\n",
  );
  return 0;
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
  { name: "release", summary: "write the student version of notebooks (no solutions, hidden tests, outputs)", usage: RELEASE_USAGE, run: releaseCommand },
  { name: "validate", summary: "check that tests pass for the instructor and fail in the student version", usage: VALIDATE_USAGE, run: validateCommand },
  { name: "grade", summary: "grade submissions against an instructor notebook; write results.json, feedback, gradebook", usage: GRADE_USAGE, run: gradeCommand },
  { name: "autograder", summary: "write a Gradescope autograder zip for an instructor notebook", usage: AUTOGRADER_USAGE, run: autograderCommand },
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
