/**
 * What `rlcourse grade` writes under its output folder:
 * - `STUDENT/results.json` in Gradescope's autograder format (`score`, `max_score`,
 *   `execution_time`, `output`, `tests[]` with `name` (the grade_id), `score`, `max_score`,
 *   `status` (`passed` / `failed`), `output`, `visibility`), which Gradescope shows the student;
 * - `STUDENT/feedback.html`: a standalone page with the score, the notes, each test's visible
 *   output and verdict ("hidden tests: passed / failed", never their source) and the answers;
 * - `gradebook.csv`: one row per submission, one column per test, the total, and for the
 *   instructor a status and notes (restarts, tampering, invalid submissions, grader errors).
 *
 * Nothing here ever held hidden tests' source: the results only carry what the visible parts
 * printed and each test's verdict.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Assignment } from "./assemble";
import type { SubmissionResult, TestResult } from "./grade";

/** One test in Gradescope's results.json. */
export interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: "passed" | "failed";
  output: string;
  visibility: "visible" | "hidden" | "after_due_date" | "after_published";
}

/** Gradescope's results.json. */
export interface GradescopeResults {
  score: number;
  max_score: number;
  execution_time: number;
  output: string;
  visibility: "visible" | "hidden" | "after_due_date" | "after_published";
  stdout_visibility: "visible" | "hidden";
  tests: GradescopeTest[];
}

/** The text shown for one test: what the visible tests printed, why it failed, the hidden verdict. */
export function testOutput(test: TestResult): string {
  const parts: string[] = [];
  if (test.output) parts.push(test.output);
  const hiddenOnly = test.hidden === "failed" && test.message === "hidden tests failed"; // said on the last line
  if (!test.passed && test.message && !hiddenOnly && !test.output.includes(test.message)) {
    parts.push(test.message.startsWith("✘") ? test.message : `✘ ${test.message}`);
  }
  if (test.hidden !== "none") parts.push(`hidden tests: ${test.hidden}`);
  return parts.join("\n");
}

/** The top-level message of a submission's results: notes, or the grader's own failure. */
function summary(result: SubmissionResult): string {
  const lines = [...result.notes];
  if (result.graderError) lines.unshift("The grader could not grade this submission (a problem on the grader's side, not yours); your instructor has been told.");
  for (const e of result.solutionErrors) lines.push(`Your solution cell "${e.gradeId}" failed: ${e.message.split("\n")[0]}`);
  return lines.join("\n");
}

/** A submission's results in Gradescope's format. */
export function gradescopeResults(result: SubmissionResult): GradescopeResults {
  return {
    score: result.score,
    max_score: result.maxScore,
    execution_time: Math.round(result.seconds * 10) / 10,
    output: summary(result),
    visibility: "visible",
    stdout_visibility: "hidden",
    tests: result.tests.map((t) => ({
      name: t.gradeId,
      score: t.score,
      max_score: t.points,
      status: t.passed ? "passed" : "failed",
      output: testOutput(t),
      visibility: "visible",
    })),
  };
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The gradebook: a header, then one row per submission (in the given order). */
export function gradebookCsv(assignment: Assignment, results: SubmissionResult[]): string {
  const ids = assignment.tests.map((t) => t.gradeId);
  const rows = [["student", ...ids, "total", "max_score", "status", "notes"]];
  for (const r of results) {
    const byId = new Map(r.tests.map((t) => [t.gradeId, t.score]));
    const status = r.graderError ? "grader error" : r.invalid ? "invalid submission" : "graded";
    const notes = [...(r.graderError ? [r.graderError.split("\n")[0]!] : []), ...r.flags];
    rows.push([r.student, ...ids.map((id) => String(byId.get(id) ?? 0)), String(r.score), String(r.maxScore), status, notes.join("; ")]);
  }
  return rows.map((row) => row.map(csvField).join(",")).join("\n") + "\n";
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.score { font-size: 1.3rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
.passed { color: #1a7f37; } .failed { color: #cf222e; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; font-size: .85rem; }
.note { background: #fff8c5; padding: .4rem .6rem; margin: .3rem 0; }
`;

/** The feedback page of one submission (standalone HTML, everything escaped). */
export function feedbackHtml(assignment: Assignment, result: SubmissionResult): string {
  const title = `${path.basename(assignment.file)}: feedback for ${result.student}`;
  const notes = summary(result)
    .split("\n")
    .filter(Boolean)
    .map((n) => `<div class="note">${escapeHtml(n)}</div>`)
    .join("\n");
  const rows = result.tests
    .map((t) => {
      const cls = t.passed ? "passed" : "failed";
      return `<tr><td><a href="#${escapeHtml(t.gradeId)}">${escapeHtml(t.gradeId)}</a></td><td>${t.score} / ${t.points}</td><td class="${cls}">${t.passed ? "passed" : "failed"}</td><td>${escapeHtml(t.passed ? "" : t.message)}</td><td>${escapeHtml(t.hidden === "none" ? "—" : t.hidden)}</td></tr>`;
    })
    .join("\n");
  const details = result.tests
    .map((t) => {
      const cls = t.passed ? "passed" : "failed";
      const visible = assignment.tests.find((s) => s.gradeId === t.gradeId)?.visible ?? "";
      return [
        `<h3 id="${escapeHtml(t.gradeId)}">${escapeHtml(t.gradeId)}: <span class="${cls}">${t.passed ? "passed" : "failed"}</span> (${t.score} / ${t.points})</h3>`,
        `<details><summary>the test (visible part)</summary><pre><code>${escapeHtml(visible)}</code></pre></details>`,
        `<pre>${escapeHtml(testOutput(t) || "(no output)")}</pre>`,
      ].join("\n");
    })
    .join("\n");
  const answers = result.answers
    .map((a) => `<h3>${escapeHtml(a.gradeId)}${a.stub ? " (not answered: the released stub was graded)" : ""}</h3>\n<pre><code>${escapeHtml(a.source)}</code></pre>`)
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="score">Score: ${result.score} / ${result.maxScore}</p>
${notes}
<h2>Tests</h2>
<table>
<tr><th>test</th><th>points</th><th>result</th><th>why</th><th>hidden tests</th></tr>
${rows}
</table>
${details}
<h2>Your answers</h2>
${answers}
<p><small>Graded by rlcourse grade in ${result.seconds.toFixed(1)} s. Hidden tests are run but not shown; only whether they passed.</small></p>
</body>
</html>
`;
}

function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, "utf8");
  fs.renameSync(tmp, file);
}

/** Writes Gradescope's `results` to `file` atomically (its folder created when missing). */
export function writeResults(file: string, results: GradescopeResults): void {
  writeAtomic(file, JSON.stringify(results, null, 2) + "\n");
}

/** Writes `OUT/STUDENT/results.json` and `OUT/STUDENT/feedback.html` for one submission. */
export function writeSubmissionReport(outDir: string, assignment: Assignment, result: SubmissionResult): void {
  const dir = path.join(outDir, result.student);
  writeResults(path.join(dir, "results.json"), gradescopeResults(result));
  writeAtomic(path.join(dir, "feedback.html"), feedbackHtml(assignment, result));
}

/** Writes `OUT/gradebook.csv`. */
export function writeGradebook(outDir: string, assignment: Assignment, results: SubmissionResult[]): void {
  writeAtomic(path.join(outDir, "gradebook.csv"), gradebookCsv(assignment, results));
}
