/**
 * Benchmark of `rlcourse grade`: submissions graded per minute for notebook 04 (TD learning, 4
 * test cells worth 9 points, with hidden tests), each in its own tslab kernel, `jobs` at a time,
 * in the bubblewrap sandbox (the default) and without one (`--sandbox none`), to show its cost.
 *
 * The submissions are the released notebook with the instructor's answers, each copy with a
 * comment of its own (identical submissions would be run once). Every one must score 9 / 9.
 *
 * `benchGrading()` returns Markdown table rows (`| benchmark | result |`) for bench/run.ts;
 * `npx tsx bench/grading.ts` prints them (build first: the kernels load dist/).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { instructorAnswer, solved } from "../test/fixtures/grading/submissions";
import { loadAssignment } from "../lib/grading/assemble";
import { gradeSubmissions } from "../lib/grading/grade";
import { serializeNotebook } from "../lib/grading/notebook";
import { findJupyterPython, noJupyterMessage } from "../lib/jupyter/python";

/** Options of {@link benchGrading}. */
export interface GradingBenchOptions {
  /** Copies of the solved notebook to grade (default 6). */
  copies?: number;
  /** Submissions graded at once (default 2). */
  jobs?: number;
}

/** Grades `copies` solved copies of notebook 04 and returns the Markdown rows of the result. */
export async function benchGrading(options: GradingBenchOptions = {}): Promise<string[]> {
  const copies = options.copies ?? 6;
  const jobs = options.jobs ?? 2;
  const source = path.join(__dirname, "..", "notebooks", "04_td_learning.ipynb");
  const search = findJupyterPython();
  if (!search.python) return [`| grading notebook 04 | not run: ${noJupyterMessage(search).split("\n")[0]} |`];
  const assignment = loadAssignment(source);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlcourse-bench-grading-"));
  try {
    const submissions = Array.from({ length: copies }, (_, i) => {
      const answers = Object.fromEntries(assignment.solutionIds.map((id) => [id, `// submission ${i + 1}\n${instructorAnswer(source, id)}`]));
      const file = path.join(dir, `student${i + 1}.ipynb`);
      fs.writeFileSync(file, serializeNotebook(solved(source, answers)));
      return { student: `student${i + 1}`, file };
    });
    const rows: string[] = [];
    for (const sandbox of ["bwrap", "none"] as const) {
      const started = Date.now();
      let results;
      try {
        results = await gradeSubmissions(assignment, submissions, { python: search.python, jobs, sandbox });
      } catch (e) {
        rows.push(`| grading notebook 04, --sandbox ${sandbox} | not run: ${(e as Error).message.split("\n")[0]} |`);
        continue;
      }
      const seconds = (Date.now() - started) / 1000;
      const max = assignment.tests.reduce((sum, t) => sum + t.points, 0);
      const full = results.filter((r) => r.score === max && !r.graderError).length;
      const each = results.reduce((sum, r) => sum + r.seconds, 0) / results.length;
      const verdict = full === copies ? `all ${max}/${max}` : `only ${full} of ${copies} scored ${max}/${max}`;
      rows.push(
        `| grading notebook 04 (${assignment.tests.length} test cells, ${max} points, hidden tests), ${copies} submissions, --jobs ${jobs}, --sandbox ${sandbox} | ` +
          `${((copies / seconds) * 60).toFixed(1)} submissions/min (${seconds.toFixed(1)} s in all, ${each.toFixed(1)} s per submission in its kernel; ${verdict}) |`,
      );
    }
    return rows;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchGrading().then(
    (rows) => process.stdout.write(rows.join("\n") + "\n"),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
