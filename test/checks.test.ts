import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { check, CheckFailure } from "../lib/checks";

function captured(fn: () => void): { lines: string[]; error?: Error } {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    fn();
    return { lines };
  } catch (error) {
    return { lines, error: error as Error };
  } finally {
    console.log = original;
  }
}

test("close passes within tolerance and prints one line", () => {
  const { lines, error } = captured(() => check.close("return", 1.0000001, 1, { atol: 1e-6 }));
  assert.equal(error, undefined);
  assert.deepEqual(lines, ["✔ return: 1.0000001 ≈ 1"]);
});

test("close fails with expected vs actual, the worst index and the hint", () => {
  const { lines, error } = captured(() => check.close("V", [0, 0.5, 0.9], [0, 0.5, 1], { hint: "use γ" }));
  assert.ok(error instanceof CheckFailure);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^✘ V: expected \[0, 0.5, 1\], got \[0, 0.5, 0.9\] \(first largest gap at index 2: 0.9 vs 1\) — hint: use γ$/);
  assert.ok(captured(() => check.close("nan", Number.NaN, 1)).error, "NaN never passes");
  assert.ok(captured(() => check.close("length", [1, 2], [1, 2, 3])).error);
  assert.ok(captured(() => check.close("type", "1", 1)).error);
  assert.equal(captured(() => check.close("typed", Float32Array.from([0.5, 0.25]), [[0.5], [0.25]])).error, undefined);
});

test("equal, shape, throws and ok", () => {
  assert.equal(captured(() => check.equal("policy", Int32Array.from([1, 2]), [1, 2])).error, undefined);
  assert.ok(captured(() => check.equal("policy", [1, 2], [2, 1])).error);
  assert.equal(captured(() => check.shape("Q", [[1, 2, 3], [4, 5, 6]], [2, 3])).error, undefined);
  assert.equal(captured(() => check.shape("tensor", { shape: [4, 2] }, [4, 2])).error, undefined);
  assert.match(captured(() => check.shape("Q", [[1, 2]], [2, 2])).error!.message, /expected shape \[2, 2\], got \[1, 2\]/);
  assert.equal(captured(() => check.throws("bad action", () => { throw new Error("action must be 0 or 1"); }, /action/)).error, undefined);
  assert.match(captured(() => check.throws("no throw", () => 1)).error!.message, /nothing was thrown/);
  assert.ok(captured(() => check.throws("wrong message", () => { throw new Error("x"); }, /action/)).error);
  assert.match(captured(() => check.ok("positive", false, "got -1")).error!.message, /✘ positive: got -1/);
});

/** The lib/ modules `file` imports or requires (relative specifiers only), as .ts paths. */
function libraryImports(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom|\bimport|\brequire\()\s*["'](\.{1,2}\/[^"']*)["']/g)) {
    const base = path.resolve(path.dirname(file), m[1]!);
    const found = [`${base}.ts`, path.join(base, "index.ts")].find((candidate) => fs.existsSync(candidate));
    if (found) out.push(found);
  }
  return out;
}

test("the public entry point (lib/index.ts) reaches the checks but not the grader nor the CLI", () => {
  const lib = path.resolve(__dirname, "..", "lib");
  const reached = new Set<string>();
  const todo = [path.join(lib, "index.ts")];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (reached.has(file)) continue;
    reached.add(file);
    todo.push(...libraryImports(file));
  }
  const relative = [...reached].map((file) => path.relative(lib, file).split(path.sep).join("/"));
  assert.ok(relative.includes("checks/index.ts") && relative.includes("checks/hidden.ts"));
  assert.deepEqual(relative.filter((file) => file.startsWith("grading/") || file.startsWith("cli")), []);
});
