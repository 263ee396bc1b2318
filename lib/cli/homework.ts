/**
 * The commands that make homework of instructor notebooks: `rlcourse release` (write the student
 * versions), `rlcourse validate` (check that each test passes for the instructor and fails for
 * the student) and `rlcourse workspace` (a student's folder anywhere, with the library reachable).
 */
import * as path from "node:path";
import { ReleaseFilesError, releaseFiles } from "../grading/release";
import { formatValidation, validateNotebook, type ValidationReport, type Version } from "../grading/validate";
import { makeWorkspace } from "../grading/workspace";
import { displayPath } from "../jupyter/report";
import { DEFAULT_CELL_TIMEOUT } from "../jupyter/run";
import { type Command, UsageError, jupyterPython, listenForInterrupt, notebookArgs, notebooksFrom, parseCommandArgs } from "./command";

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

const WORKSPACE_USAGE = `Usage: rlcourse workspace DIR [--instructor]

Makes DIR (anywhere on this machine) a place to do the course: writes the student version of every
course notebook (as \`rlcourse release\` does) and links DIR/node_modules/rl-course to this
package, so that the notebooks' \`import ... from "rl-course"\` resolves there. Run it again at any
time: notebooks already in DIR (your work) are kept as they are, only missing ones are written.
Then open it with \`rlcourse lab DIR\`.

Arguments:
  DIR                 the workspace folder (created when missing)
Options:
  --instructor        copy the instructor versions (solutions and hidden tests) instead
  -h, --help          show this help`;

async function workspaceCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, { instructor: { type: "boolean", default: false } }, WORKSPACE_USAGE);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError("name one workspace folder");
  let result;
  try {
    result = makeWorkspace(positionals[0], { instructor: values.instructor });
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    process.stderr.write(`rlcourse workspace: ${e.message}\n`);
    return 1;
  }
  const where = displayPath(result.dir);
  const link = {
    linked: "linked node_modules/rl-course to the library",
    relinked: "node_modules/rl-course pointed elsewhere: linked it to this library",
    present: "node_modules/rl-course already links to the library",
    kept: "node_modules/rl-course is a folder, not a link: kept it (the notebooks use that copy)",
  }[result.link];
  process.stdout.write(
    `workspace ${where}: ${result.written.length} notebook${result.written.length === 1 ? "" : "s"} written` +
      (result.kept.length > 0 ? `, ${result.kept.length} already there kept as they are` : "") +
      `; ${link}.\nNext: rlcourse lab ${where}\n`,
  );
  return 0;
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
  const parsed = notebookArgs(args, VALIDATE_USAGE, "validate");
  if (typeof parsed === "number") return parsed;
  const { out, timeout, verbose, notebooks } = parsed;
  const python = jupyterPython();
  if (!python) return 1;

  const interrupt = listenForInterrupt();
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
        outDir: out === undefined ? undefined : path.resolve(out),
        signal: interrupt.signal,
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
    interrupt.stop();
  }
  if (interrupt.signal.aborted || reports.some((r) => r.interrupted)) {
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

/** `rlcourse release`. */
export const RELEASE: Command = { name: "release", summary: "write the student version of notebooks (no solutions, hidden tests, outputs)", usage: RELEASE_USAGE, run: releaseCommand };

/** `rlcourse validate`. */
export const VALIDATE: Command = { name: "validate", summary: "check that tests pass for the instructor and fail in the student version", usage: VALIDATE_USAGE, run: validateCommand };

/** `rlcourse workspace`. */
export const WORKSPACE: Command = { name: "workspace", summary: "make a folder anywhere into a course workspace (student notebooks, library linked)", usage: WORKSPACE_USAGE, run: workspaceCommand };
