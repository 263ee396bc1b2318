/**
 * The grading commands: `rlcourse grade` (grade submissions against an instructor notebook) and
 * `rlcourse autograder` (write a Gradescope autograder that runs `rlcourse grade`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Assignment, loadAssignment } from "../grading/assemble";
import { type AutograderOptions, autograderZip, pickSubmission, ungradedResults } from "../grading/autograder";
import {
  DEFAULT_GRADE_CELL_TIMEOUT,
  DEFAULT_GRADE_MEMORY_MB,
  DEFAULT_GRADE_NOTEBOOK_TIMEOUT,
  type SubmissionInput,
  type SubmissionResult,
  collectSubmissions,
  gradeSubmissions,
} from "../grading/grade";
import { ReleaseError } from "../grading/release";
import { gradescopeResults, writeGradebook, writeResults, writeSubmissionReport } from "../grading/report";
import { bwrapProblem } from "../grading/sandbox";
import { findJupyterPython, noJupyterMessage, packageRoot } from "../jupyter/python";
import { displayPath } from "../jupyter/report";
import { type Command, UsageError, listenForInterrupt, numberOption, parseCommandArgs } from "./command";

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

  const interrupt = listenForInterrupt();
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
      signal: interrupt.signal,
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
        if (!interrupt.signal.aborted) writeSubmissionReport(outDir, assignment, r);
        const failed = r.tests.filter((t) => !t.passed).map((t) => `${t.gradeId} ${t.outcome}`);
        const extra = [...(r.graderError ? [`GRADER ERROR: ${r.graderError.split("\n")[0]}`] : []), ...(r.invalid ? ["invalid submission"] : []), ...failed];
        process.stdout.write(
          `[${done}/${submissions.length}] ${r.student}: ${r.score} / ${r.maxScore} in ${r.seconds.toFixed(1)} s${extra.length ? ` (${extra.join(", ")})` : ""}\n`,
        );
      },
    });
  } finally {
    interrupt.stop();
  }
  if (interrupt.signal.aborted) {
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

/** `rlcourse grade`. */
export const GRADE: Command = { name: "grade", summary: "grade submissions against an instructor notebook; write results.json, feedback, gradebook", usage: GRADE_USAGE, run: gradeCommand };

/** `rlcourse autograder`. */
export const AUTOGRADER: Command = { name: "autograder", summary: "write a Gradescope autograder zip for an instructor notebook", usage: AUTOGRADER_USAGE, run: autograderCommand };
