/**
 * Every course notebook executes top to bottom through the real Jupyter executor and tslab kernel,
 * works as homework (`rlcourse validate`, which runs the instructor and the student version), and
 * its exported HTML carries its charts. One `validate --out` run does all of it, so each notebook
 * executes twice in CI (instructor and student, side by side), not three times.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

const root = join(__dirname, "..");
const out = mkdtempSync(join(tmpdir(), "rlcourse-notebooks-"));
after(() => rmSync(out, { recursive: true, force: true }));

const notebooks = readdirSync(join(root, "notebooks")).filter((f) => /^\d\d_.*\.ipynb$/.test(f)).sort();

test("rlcourse validate --out: every notebook executes top to bottom; every graded test passes in the instructor version and fails in the student version", { timeout: 90 * 60_000 }, () => {
  assert.ok(notebooks.length > 0, "no notebooks found");
  const result = spawnSync(process.execPath, [join(root, "dist", "cli.js"), "validate", join(root, "notebooks"), "--out", out], {
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
  });
  assert.equal(result.status, 0, `rlcourse validate failed:\n${result.stdout}\n${result.stderr}`);
  for (const nb of notebooks) {
    assert.match(result.stdout, new RegExp(`ok\\s+\\S*${nb.replace(".", "\\.")}`), `${nb} validated`);
    const name = nb.replace(/\.ipynb$/, "");
    assert.ok(existsSync(join(out, `${name}.ipynb`)), `${name}.ipynb written`);
    assert.ok(existsSync(join(out, `${name}.html`)), `${name}.html written`);
  }
});

test("notebook 00: outputs, graded test cell and the chart's data in the HTML", () => {
  const executed = JSON.parse(readFileSync(join(out, "00_getting_started.ipynb"), "utf8"));
  const outputs = executed.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []) as {
    output_type: string;
    name?: string;
    text?: string | string[];
    data?: Record<string, unknown>;
  }[];
  const text = (o: (typeof outputs)[number]) => (Array.isArray(o.text) ? o.text.join("") : (o.text ?? ""));
  assert.equal(outputs.filter((o) => o.output_type === "error" || o.name === "stderr").length, 0, "no errors");
  const charts = outputs.filter((o) => o.data && "application/vnd.plotly.v1+json" in o.data);
  assert.ok(charts.length >= 2, `${charts.length} charts`);
  const lineChart = charts[0].data!["application/vnd.plotly.v1+json"] as { data: { y: number[] }[] };
  assert.equal(lineChart.data[0].y.length, 100, "the learning curve has one point per episode");
  assert.match(outputs.map(text).join(""), /✔ three rewards, γ = 0.5/);
  assert.doesNotMatch(outputs.map(text).join(""), /✘/);

  const html = readFileSync(join(out, "00_getting_started.html"), "utf8");
  const firstReturns = lineChart.data[0].y.slice(0, 5).join(",");
  assert.ok(html.includes(firstReturns), "the HTML holds the chart's data");
  assert.ok(html.includes("CartPole-v1: return per episode of a random agent"), "the HTML holds the chart's layout");
  assert.doesNotMatch(html, /<script[^>]+src="https?:\/\/[^"]*plotly/i, "plotly.js is not loaded from a CDN");
});
