/**
 * The library's layering (README "Architecture"): each layer imports only itself and the layers
 * before it; no algorithm file imports another; the public entry point does not reach the grader.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";

const LIB = path.join(__dirname, "..", "lib");

/** Layers in order; a module is in the first layer whose prefix its path (relative to lib/) starts with. */
const LAYERS: string[][] = [
  ["random.ts", "schedules.ts", "backend.ts"],
  ["envs/"],
  ["mdp/"],
  ["tabular/"],
  ["returns.ts"],
  ["nn/"],
  ["buffers/"],
  ["logging/"],
  ["algos/"],
  ["plot/"],
  ["checks/"],
  ["index.ts"],
  ["grading/", "jupyter/", "cli.ts", "cli/"],
];
const ALGORITHMS = ["algos/dqn.ts", "algos/reinforce.ts", "algos/a2c.ts", "algos/trpo.ts", "algos/ppo.ts"];

function layerOf(file: string): number {
  const i = LAYERS.findIndex((prefixes) => prefixes.some((p) => file === p || (p.endsWith("/") && file.startsWith(p))));
  assert.ok(i >= 0, `${file} is in no layer of the architecture`);
  return i;
}

/** Every .ts file under lib/, relative to lib/. */
function libFiles(dir = LIB): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return libFiles(full);
    return d.name.endsWith(".ts") ? [path.relative(LIB, full).split(path.sep).join("/")] : [];
  });
}

/** The lib/ files a file imports (relative imports, `import` and `export … from`, types included). */
function importsOf(file: string): string[] {
  const source = fs.readFileSync(path.join(LIB, file), "utf8");
  const out: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]*)"/g)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]));
    const candidates = [`${target}.ts`, `${target}/index.ts`];
    const found = candidates.find((c) => fs.existsSync(path.join(LIB, c)));
    assert.ok(found, `${file} imports ${m[1]}, which is not a lib/ module`);
    out.push(found);
  }
  return out;
}

const FILES = libFiles();

test("each layer imports only itself and the layers before it", () => {
  const violations: string[] = [];
  let edges = 0;
  for (const file of FILES) {
    for (const target of importsOf(file)) {
      edges++;
      if (layerOf(target) > layerOf(file)) violations.push(`${file} → ${target}`);
    }
  }
  assert.deepEqual(violations, []);
  assert.ok(edges > 200, `only ${edges} imports found: the import pattern no longer matches the sources`);
});

test("no algorithm file imports another", () => {
  const violations = ALGORITHMS.flatMap((file) => importsOf(file).filter((t) => ALGORITHMS.includes(t) && t !== file).map((t) => `${file} → ${t}`));
  assert.deepEqual(violations, []);
});

test("the public entry point does not reach the grader, the Jupyter runner or the CLI", () => {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    importsOf(file).forEach(visit);
  };
  visit("index.ts");
  assert.deepEqual([...seen].filter((f) => layerOf(f) === LAYERS.length - 1), []);
  assert.ok(seen.has("algos/ppo.ts") && seen.has("envs/index.ts"), "the walk follows the entry point's imports");
});
