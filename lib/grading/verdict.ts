/**
 * What a cell's run means for the report: a wrapped test's verdict and its visible output, or a
 * solution cell's failure, from the kernel's reply and the cell's outputs (lib/grading/runner.ts
 * runs the cells).
 *
 * The verdict is the reply's status alone. The outputs only make the report: a test's output is
 * cut at the marker line its wrapper prints between the visible and the hidden tests, and what
 * follows (the hidden tests' output) is dropped; TypeScript errors on hidden lines are counted,
 * not shown; stack frames and Node's source-line headers are removed.
 */
import type { TestOutcome, TestResult } from "./runner";
import type { TestAnalysis, TrustNames, WrappedCell } from "./trust";
import type { SessionCellResult } from "../jupyter/session";

/** Characters of a test's output kept in the report. */
const MAX_REPORT_OUTPUT = 4000;

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const DIAGNOSTIC = /^(\S+ )?(\d+):(\d+) - (.*)$/;

/** Output text without ANSI codes, stack frames and Node's "file:line / source / ^" error headers. */
export function cleanOutput(text: string): string {
  const lines = text.replace(ANSI, "").replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s+at /.test(line)) continue;
    if (/^(evalmachine\.<anonymous>|\S+\.[cm]?js):\d+$/.test(line) && /^\s*\^+\s*$/.test(lines[i + 2] ?? "")) {
      i += 2;
      continue;
    }
    // A failed check prints its ✘ line, then the kernel shows the thrown CheckFailure: keep the ✘ line.
    if (/^CheckFailure: /.test(line) && out.some((l) => l.startsWith("✘"))) continue;
    out.push(line);
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trim();
}

/** `text` cut to `max` characters at a line end, saying how much was left out. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf("\n", max);
  const kept = text.slice(0, cut > max / 2 ? cut : max);
  return `${kept}\n… (${text.length - kept.length} more characters not shown)`;
}

/** A cell's outputs as one text, split at the hidden-test marker. */
function splitAtMarker(result: SessionCellResult, marker: string): { visible: string; sawMarker: boolean } {
  let visible = "";
  for (const out of result.outputs) {
    const at = out.name === "stdout" ? out.text.indexOf(marker) : -1;
    if (at >= 0) return { visible: visible + out.text.slice(0, at), sawMarker: true };
    visible += out.text;
  }
  return { visible, sawMarker: false };
}

/** TypeScript diagnostics of a wrapped test, with line numbers of the test cell; hidden ones redacted. */
function mapDiagnostics(text: string, wrapped: WrappedCell): string {
  const out: string[] = [];
  let hidden = 0;
  for (const line of cleanOutput(text).split("\n")) {
    const m = DIAGNOSTIC.exec(line);
    if (!m || m[1]) {
      if (!m) out.push(line);
      continue;
    }
    const n = Number(m[2]);
    if (n >= wrapped.visible[0] && n <= wrapped.visible[1]) out.push(`line ${n - wrapped.visible[0] + 1}:${m[3]} - ${m[4]}`);
    else if (n >= wrapped.hidden[0] && n <= wrapped.hidden[1]) hidden += 1;
    else {
      const kept = /RlcourseKept(\d+)_(\w+)/.exec(m[4]!);
      out.push(kept ? `"${kept[2]}" is missing: cell ${Number(kept[1]) + 1}, which defines it, did not run to the end` : `(grader's wrapper) ${m[4]}`);
    }
  }
  if (hidden > 0) out.push(`${hidden} TypeScript error${hidden === 1 ? "" : "s"} in the hidden tests (details not shown; does your code have the signature the exercise asks for?)`);
  return out.join("\n");
}

/** The first line worth showing of a failure's text. */
function firstMessage(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const best = (lines.find((l) => /^(✘|\w*Error\b|CheckFailure\b|GuardError\b)/.test(l)) ?? lines[lines.length - 1] ?? "").replace(/^(CheckFailure|GuardError): /, "");
  return best.length > 300 ? `${best.slice(0, 297)}...` : best;
}

/** Reads a wrapped test's result (see the module comment on scoring). */
export function judgeTest(analysis: TestAnalysis, wrapped: WrappedCell, result: SessionCellResult, names: TrustNames, timeout: number, memoryMb: number): TestResult {
  const { test } = analysis;
  const hasHidden = test.hidden.trim() !== "";
  const { visible, sawMarker } = splitAtMarker(result, names.marker);
  const base = { gradeId: test.gradeId, points: test.points, seconds: result.seconds };
  let output = cleanOutput(visible);
  if (result.truncated && !sawMarker) output += "\n… (output truncated)";
  const fail = (outcome: TestOutcome, message: string, hidden: TestResult["hidden"]): TestResult => ({
    ...base,
    score: 0,
    passed: false,
    outcome,
    message,
    output: shorten(output, MAX_REPORT_OUTPUT),
    hidden: hasHidden ? hidden : "none",
  });
  switch (result.status) {
    case "ok":
      return { ...base, score: test.points, passed: true, outcome: "passed", message: "", output: shorten(output, MAX_REPORT_OUTPUT), hidden: hasHidden ? "passed" : "none" };
    case "timeout":
      return fail("timeout", `the test did not finish within ${timeout} s (an infinite loop?)`, sawMarker ? "failed" : "not run");
    case "dead":
      return result.memory
        ? fail("memory", `the kernel ran out of memory (limit ${memoryMb} MB) during the test`, sawMarker ? "failed" : "not run")
        : fail("dead", "the kernel died during the test (process.exit()? a crash?)", sawMarker ? "failed" : "not run");
    case "aborted":
      return fail("aborted", "the kernel refused to run the test (aborted)", "not run");
    case "error": {
      const stderr = cleanOutput(result.outputs.filter((o) => o.name === "stderr").map((o) => o.text).join(""));
      const compileError = stderr.split("\n").some((line) => DIAGNOSTIC.exec(line)?.[1] === undefined && DIAGNOSTIC.test(line));
      if (!sawMarker && compileError) {
        output = mapDiagnostics(visible, wrapped);
        return fail("type-error", "TypeScript error: the test did not compile with your code", "not run");
      }
      if (sawMarker) return fail("failed", "hidden tests failed", "failed");
      return fail("failed", firstMessage(output) || "the test failed", "not run");
    }
  }
}

/** Short text for a solution cell that failed. */
export function describeSolutionFailure(result: SessionCellResult, timeout: number): string {
  if (result.status === "timeout") return `did not finish within ${timeout} s`;
  if (result.status === "dead") return result.memory ? "ran out of memory" : "killed the kernel (process.exit()? a crash?)";
  const stderr = cleanOutput(result.outputs.filter((o) => o.name === "stderr").map((o) => o.text).join(""));
  return shorten(stderr || "failed", 1200);
}
