/**
 * Gradescope's autograder for one notebook (`rlcourse autograder NOTEBOOK --out DIR`), and the
 * choice of the one notebook to grade in a Gradescope submission (`rlcourse grade --results`).
 *
 * The zip follows Gradescope's documented layout ("Autograder Specifications"): at its top level
 * `setup.sh` (run once as root in `/autograder/source` when the image is built) and
 * `run_autograder` (copied to `/autograder/run_autograder`, run as root for each submission in
 * `/autograder/submission`, writing `/autograder/results/results.json`). Beside them: the
 * instructor notebook and `course/`, the course's sources (package files, `lib/`, `data/`,
 * `scripts/`, `patches/`), which `setup.sh` builds with `npm run setup` (dependencies, build,
 * Jupyter, the tslab kernel, bubblewrap). Nothing else of the repository: no other notebook.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { zipSync, type Zippable } from "fflate";
import type { SubmissionInput } from "./grade";
import type { GradescopeResults } from "./report";
import type { SandboxMode } from "./sandbox";

/** The course's files and folders the autograder builds from (relative to the package root). */
export const COURSE_FILES: readonly string[] = ["package.json", "package-lock.json", "tsconfig.json", "LICENSE", "lib", "data", "scripts", "patches"];

/** The grading limits written into `run_autograder` (see `rlcourse grade --help`). */
export interface AutograderOptions {
  sandbox: SandboxMode;
  /** Seconds per cell. */
  timeoutSeconds: number;
  /** Seconds per submission. */
  notebookTimeoutSeconds: number;
  /** MB per kernel. */
  memoryMb: number;
}

/** A Unix regular file's type bits (S_IFREG), kept in a zip entry's external attributes. */
const REGULAR_FILE = 0o100000;

/** A word quoted for bash (single quotes). */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `setup.sh`: Node.js 20+ when the image lacks it, then the course's own setup. */
export function setupScript(): string {
  return `#!/usr/bin/env bash
# Gradescope runs this once, as root, in /autograder/source, when it builds the autograder image.
# Written by \`rlcourse autograder\`.
set -euo pipefail
cd /autograder/source
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 20 ]; then
  # Gradescope's Ubuntu images ship an older Node.js or none: install Node.js 20 with nodeenv (PyPI).
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-pip
  python3 -m pip install nodeenv
  python3 -m nodeenv --prebuilt --node=20.18.1 /opt/node
  ln -sf /opt/node/bin/node /opt/node/bin/npm /opt/node/bin/npx /usr/local/bin/
fi
cd course
npm run setup
`;
}

/** `run_autograder`: `rlcourse grade` on the submission, its results in Gradescope's file. */
export function runAutograderScript(notebookName: string, options: AutograderOptions): string {
  const args = [
    "--source", `../${notebookName}`,
    "--out", "/autograder/grades",
    "--jobs", "1",
    "--sandbox", options.sandbox,
    "--timeout", String(options.timeoutSeconds),
    "--notebook-timeout", String(options.notebookTimeoutSeconds),
    "--memory", String(options.memoryMb),
    "--results", "/autograder/results/results.json",
    "/autograder/submission",
  ];
  return `#!/usr/bin/env bash
# Gradescope runs this as root for each submission; the student sees /autograder/results/results.json.
# Written by \`rlcourse autograder\`.
cd /autograder/source/course || exit 1
exec node dist/cli.js grade ${args.map(shellQuote).join(" ")}
`;
}

/** Adds `file` (or every file under a folder, dot files included) to `zip` at `name`. */
function addTree(zip: Zippable, file: string, name: string): void {
  const stat = fs.statSync(file);
  if (stat.isDirectory()) {
    for (const entry of fs.readdirSync(file).sort()) addTree(zip, path.join(file, entry), `${name}/${entry}`);
  } else if (stat.isFile()) {
    zip[name] = [fs.readFileSync(file), { os: 3, attrs: (REGULAR_FILE | (stat.mode & 0o777)) << 16 }];
  }
}

/**
 * The autograder zip for `notebook` (an instructor notebook), built from the course at `root`.
 * @returns the zip's bytes
 * @throws Error when a course file is missing (e.g. `root` is not the package root)
 */
export function autograderZip(notebook: string, root: string, options: AutograderOptions): Uint8Array {
  const zip: Zippable = {};
  const executable = { os: 3, attrs: (REGULAR_FILE | 0o755) << 16 };
  zip["setup.sh"] = [Buffer.from(setupScript()), executable];
  zip["run_autograder"] = [Buffer.from(runAutograderScript(path.basename(notebook), options)), executable];
  addTree(zip, notebook, path.basename(notebook));
  for (const name of COURSE_FILES) {
    const file = path.join(root, name);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: the autograder is built from the course's package folder`);
    addTree(zip, file, `course/${name}`);
  }
  return zipSync(zip, { level: 6 });
}

/**
 * The one notebook of a Gradescope submission folder to grade: the only one, or the one named
 * like the instructor notebook.
 * @param submissions what {@link collectSubmissions} found in the submission folder
 * @param sourceName the instructor notebook's file name
 * @returns the submission, or why there is none to grade (for the student)
 */
export function pickSubmission(submissions: readonly SubmissionInput[], sourceName: string): SubmissionInput | string {
  if (submissions.length === 1) return submissions[0]!;
  const named = submissions.filter((s) => path.basename(s.file) === sourceName);
  if (named.length === 1) return named[0]!;
  const names = submissions.map((s) => path.basename(s.file)).join(", ");
  return `upload one notebook (${sourceName}); this submission holds ${submissions.length === 0 ? "none" : `${submissions.length}: ${names}`}`;
}

/**
 * Results with no points and `message` as their output: what Gradescope shows the student when
 * there is nothing to grade or the grader cannot run.
 */
export function ungradedResults(message: string, maxScore: number): GradescopeResults {
  return { score: 0, max_score: maxScore, execution_time: 0, output: message, visibility: "visible", stdout_visibility: "hidden", tests: [] };
}
