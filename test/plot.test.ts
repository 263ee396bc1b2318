import { test, describe, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  barChart,
  bandStats,
  checkTslabVersion,
  CLIFF_WALKING_ACTIONS,
  display,
  figureBundle,
  formatCell,
  heatmap,
  histogram,
  learningCurve,
  learningCurves,
  lineChart,
  liveChart,
  movingAverage,
  PLOTLY_MIME,
  policyArrows,
  resetPlotlyEmbedding,
  setDisplayWriter,
  tableBundle,
  type DisplayMessage,
  type Figure,
  type PlotlyAnnotation,
} from "../lib/plot";
import { findRunningTslab, tslabVersionAt, tslabWriter } from "../lib/plot/tslab_display";

/** A marker that only the embedded plotly.js library contains. */
const LIBRARY_MARKER = "window.Plotly = Plotly";

function close(actual: readonly (number | null)[], expected: readonly number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length, `length ${actual.length} vs ${expected.length}`);
  actual.forEach((a, i) => assert.ok(a !== null && Math.abs(a - expected[i]) <= tol, `index ${i}: ${a} vs ${expected[i]}`));
}

/** The HTML minus the text of the embedded plotly.js library. */
function ownHtml(html: string): string {
  const lib = fs.readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8");
  return html.split(lib).join("");
}

function arrowsOf(fig: Figure): PlotlyAnnotation[] {
  return (fig.layout.annotations ?? []).filter((a) => a.showarrow === true);
}

/** Unit direction of an arrow annotation (head minus tail), as [dx, dy] with y pointing down. */
function direction(a: PlotlyAnnotation): [number, number] {
  const dx = (a.x as number) - (a.ax as number);
  const dy = (a.y as number) - (a.ay as number);
  const n = Math.hypot(dx, dy);
  return [Math.round(dx / n), Math.round(dy / n)];
}

/** The cell an arrow belongs to: the rounded midpoint of tail and head. */
function cellOf(a: PlotlyAnnotation): [number, number] {
  return [Math.round(((a.x as number) + (a.ax as number)) / 2), Math.round(((a.y as number) + (a.ay as number)) / 2)];
}

describe("moving average and bands", () => {
  test("movingAverage matches a hand computation (trailing, shorter window at the start)", () => {
    // window 3 over [1, 2, 3, 4, 5]: 1, (1+2)/2, (1+2+3)/3, (2+3+4)/3, (3+4+5)/3
    close(movingAverage([1, 2, 3, 4, 5], 3), [1, 1.5, 2, 3, 4]);
    // window 2 over [4, 0, 2, 10]: 4, 2, 1, 6
    close(movingAverage(Float64Array.from([4, 0, 2, 10]), 2), [4, 2, 1, 6]);
    close(movingAverage([3, 1], 1), [3, 1]);
  });

  test("movingAverage skips NaN and stays exact over long inputs", () => {
    const out = movingAverage([1, NaN, 3, NaN, NaN, NaN], 2);
    close(out.slice(0, 4), [1, 1, 3, 3]);
    assert.ok(Number.isNaN(out[4]) && Number.isNaN(out[5]));
    const long = Array.from({ length: 5000 }, (_, i) => (i % 7) * 0.1 + 1e6);
    const ma = movingAverage(long, 50);
    const i = 4321;
    const direct = long.slice(i - 49, i + 1).reduce((s, v) => s + v, 0) / 50;
    assert.ok(Math.abs(ma[i] - direct) < 1e-6);
  });

  test("bandStats: min/max and mean ± population std", () => {
    const runs = [
      [0, 2, 4],
      [2, 6, 4],
      [4, 4, 4],
    ];
    const mm = bandStats(runs, "minmax");
    close(mm.mean, [2, 4, 4]);
    close(mm.lower, [0, 2, 4]);
    close(mm.upper, [4, 6, 4]);
    const sd = bandStats(runs, "std");
    // step 0: values 0, 2, 4 → mean 2, std sqrt(8/3); step 1: 2, 6, 4 → mean 4, std sqrt(8/3); step 2: 0.
    const s = Math.sqrt(8 / 3);
    close(sd.lower, [2 - s, 4 - s, 4]);
    close(sd.upper, [2 + s, 4 + s, 4]);
  });

  test("learningCurve draws lower, upper (filled) and mean traces of the smoothed runs", () => {
    const fig = learningCurve(
      [
        [0, 2, 4, 6],
        [2, 4, 6, 8],
      ],
      { window: 2, band: "minmax", name: "SARSA", yTitle: "return" },
    );
    assert.equal(fig.data.length, 3);
    const [lower, upper, mean] = fig.data;
    // Smoothed runs (window 2): [0, 1, 3, 5] and [2, 3, 5, 7].
    close(lower.y as number[], [0, 1, 3, 5]);
    close(upper.y as number[], [2, 3, 5, 7]);
    close(mean.y as number[], [1, 2, 4, 6]);
    assert.equal(upper.fill, "tonexty");
    assert.match(String(upper.fillcolor), /^rgba\(31,119,180,0\.2\)$/);
    assert.equal(mean.name, "SARSA");
    assert.equal(lower.showlegend, false);
    assert.deepEqual(fig.layout.yaxis?.title, { text: "return" });
  });

  test("learningCurves: one band and mean line per group, own colours", () => {
    const fig = learningCurves(
      [
        { name: "A", runs: [[1, 2], [3, 4]] },
        { name: "B", runs: [[5, 6], [7, 8]], x: [100, 200] },
      ],
      { band: "std" },
    );
    assert.equal(fig.data.length, 6);
    assert.deepEqual(fig.data[5].x, [100, 200]);
    assert.notEqual((fig.data[2].line as { color: string }).color, (fig.data[5].line as { color: string }).color);
    close(fig.data[2].y as number[], [2, 3]);
  });

  test("learning curve errors name the argument", () => {
    assert.throws(() => learningCurve([[1, 2, 3], [1, 2]]), /plot\.learningCurve: runs\[1\] has length 2 but runs\[0\] has length 3/);
    assert.throws(() => learningCurve([[1, NaN]]), /plot\.learningCurve: runs\[0\]\[1\] is NaN/);
    assert.throws(() => learningCurve([]), /plot\.learningCurve: runs is empty/);
    assert.throws(() => learningCurve([[1]], { band: "iqr" as never }), /band must be "minmax", "std" or "none"/);
    assert.throws(() => learningCurves([{ name: "A", runs: [[1, 2]], x: [1] }]), /groups\[0\]\.x has length 1 but groups\[0\]\.runs\[0\] has length 2/);
  });
});

describe("lineChart", () => {
  test("raw curve stays faint under its moving average", () => {
    const fig = lineChart([{ name: "returns", y: [1, 2, 3, 4, 5] }], { window: 3, title: "T", xTitle: "episode" });
    assert.equal(fig.data.length, 2);
    const [raw, avg] = fig.data;
    assert.deepEqual(raw.y, [1, 2, 3, 4, 5]);
    assert.equal(raw.opacity, 0.3);
    assert.equal(raw.showlegend, false);
    close(avg.y as number[], [1, 1.5, 2, 3, 4]);
    assert.equal(avg.name, "returns");
    assert.deepEqual(fig.layout.title, { text: "T" });
    assert.deepEqual(fig.layout.xaxis?.title, { text: "episode" });
    assert.equal(lineChart([1, 2, 3], { window: 2, showRaw: false }).data.length, 1);
  });

  test("accepts a bare array or Float64Array; NaN becomes a JSON null gap", () => {
    const fig = lineChart(Float64Array.from([1, NaN, 3]));
    assert.deepEqual(fig.data[0].y, [1, null, 3]);
    assert.equal(JSON.stringify(fig), JSON.stringify(JSON.parse(JSON.stringify(fig))));
    assert.equal(lineChart([]).data.length, 1); // an empty start for a live chart
  });

  test("input errors name the argument", () => {
    assert.throws(() => lineChart([{ name: "a", y: [1, 2] }, { y: [1, 2], x: [0] }]), /plot\.lineChart: series\[1\]\.x has length 1 but series\[1\]\.y has length 2/);
    assert.throws(() => lineChart([1, Infinity]), /plot\.lineChart: series\[1\] is Infinity/);
    assert.throws(() => lineChart([1, 2], { window: 0 }), /options\.window must be a positive integer/);
    assert.throws(() => lineChart([{ y: [1, "2" as unknown as number] }]), /series\[0\]\.y\[1\] is "2", not a number/);
  });
});

describe("heatmap", () => {
  test("row-major values, row 0 at the top, annotations per cell", () => {
    // 2 rows × 3 cols: state s = row * 3 + col.
    const fig = heatmap([0, 1, 2, 3, 4, 5], { rows: 2, cols: 3, text: ["SFF", "HFG"], showValues: 1, title: "V" });
    const z = fig.data[0].z as number[][];
    assert.deepEqual(z, [
      [0, 1, 2],
      [3, 4, 5],
    ]);
    // Row 0 is drawn at the top: the y axis runs from the last row (bottom) to row 0 (top).
    const range = fig.layout.yaxis?.range as number[];
    assert.ok(range[0] > range[1], `y range ${range} must be reversed`);
    assert.deepEqual(range, [1.5, -0.5]);
    assert.equal(fig.layout.yaxis?.autorange, false);
    const notes = fig.layout.annotations ?? [];
    assert.equal(notes.length, 6);
    const h = notes.find((a) => a.x === 0 && a.y === 1);
    assert.equal(h?.text, "H<br>3.0");
    assert.equal(notes.find((a) => a.x === 2 && a.y === 0)?.text, "F<br>2.0");
  });

  test("dark cells get light text, light cells dark text", () => {
    const fig = heatmap([0, 1], { rows: 1, cols: 2, showValues: true, colorscale: "greys" }); // 0 white, 1 black
    const [a0, a1] = fig.layout.annotations ?? [];
    assert.equal((a0.font as { color: string }).color, "#111111");
    assert.equal((a1.font as { color: string }).color, "#ffffff");
  });

  test("NaN leaves a blank cell; input errors name the argument", () => {
    const fig = heatmap(Float64Array.from([1, NaN, 2, 3]), { rows: 2, cols: 2 });
    assert.deepEqual(fig.data[0].z, [
      [1, null],
      [2, 3],
    ]);
    assert.throws(() => heatmap([1, 2, 3], { rows: 2, cols: 2 }), /plot\.heatmap: values has length 3 but rows × cols = 2 × 2 = 4/);
    assert.throws(() => heatmap([1, 2, 3, 4], { rows: 2, cols: 2, text: ["SF", "F"] }), /plot\.heatmap: options\.text has length 2/);
    assert.throws(() => heatmap([1, 2], { rows: 0, cols: 2 }), /options\.rows must be a positive integer/);
    assert.throws(() => heatmap([1, 2], { rows: 1, cols: 2, colorscale: "jet" as never }), /colorscale "jet" is not one of/);
  });
});

describe("policyArrows", () => {
  const DESC = ["SF", "HG"];

  test("FrozenLake encoding (0=LEFT 1=DOWN 2=RIGHT 3=UP) for a known policy; H and G masked", () => {
    // state 0 → RIGHT (2), state 1 → DOWN (1), states 2 (H) and 3 (G) masked.
    const fig = policyArrows([2, 1, 0, 0], { rows: 2, cols: 2, desc: DESC });
    const arrows = arrowsOf(fig);
    assert.equal(arrows.length, 2);
    const byCell = new Map(arrows.map((a) => [cellOf(a).join(","), direction(a)]));
    assert.deepEqual(byCell.get("0,0"), [1, 0]); // right
    assert.deepEqual(byCell.get("1,0"), [0, 1]); // down: +y is down on the screen (row 0 at the top)
    const letters = (fig.layout.annotations ?? []).filter((a) => !a.showarrow).map((a) => a.text);
    assert.ok(letters.includes("H") && letters.includes("G") && letters.includes("S"));
  });

  test("custom mapping (CliffWalking 0=UP 1=RIGHT 2=DOWN 3=LEFT), no mask", () => {
    const fig = policyArrows([0, 1, 2, 3], { rows: 2, cols: 2, actionDirections: CLIFF_WALKING_ACTIONS });
    const dirs = new Map(arrowsOf(fig).map((a) => [cellOf(a).join(","), direction(a)]));
    assert.deepEqual(dirs.get("0,0"), [0, -1]); // up
    assert.deepEqual(dirs.get("1,0"), [1, 0]); // right
    assert.deepEqual(dirs.get("0,1"), [0, 1]); // down
    assert.deepEqual(dirs.get("1,1"), [-1, 0]); // left
  });

  test("a Q/probability table: argmax (ties → all), proportional lengths, flat table, mask list", () => {
    const table = [
      [0.1, 0.7, 0.1, 0.1], // DOWN
      [0.5, 0, 0.5, 0], // tie LEFT/RIGHT
      [1, 0, 0, 0],
      [0.25, 0.25, 0.25, 0.25],
    ];
    const fig = policyArrows(table, { rows: 2, cols: 2, mask: [3] });
    const arrows = arrowsOf(fig);
    assert.equal(arrows.length, 1 + 2 + 1);
    const prop = arrowsOf(policyArrows(table, { rows: 2, cols: 2, mode: "proportional", mask: [false, true, true, true] }));
    // State 0: four arrows (all p ≥ 0.01) from the centre, length 0.42·p.
    assert.equal(prop.length, 4);
    const lengths = prop.map((a) => Math.hypot((a.x as number) - (a.ax as number), (a.y as number) - (a.ay as number)));
    close(lengths.sort(), [0.042, 0.042, 0.042, 0.294].sort(), 1e-6);
    const flat = policyArrows(Float64Array.from(table.flat()), { rows: 2, cols: 2, mask: [3] });
    assert.deepEqual(arrowsOf(flat), arrows);
  });

  test("values draw a heatmap under the arrows, row 0 at the top", () => {
    const fig = policyArrows([1, 1, 1, 1], { rows: 2, cols: 2, values: [0.1, 0.2, 0.3, 0.4] });
    assert.equal(fig.data[0].type, "heatmap");
    assert.deepEqual(fig.data[0].z, [
      [0.1, 0.2],
      [0.3, 0.4],
    ]);
    assert.deepEqual(fig.layout.yaxis?.range, [1.5, -0.5]);
  });

  test("input errors name the argument", () => {
    assert.throws(() => policyArrows([0, 1, 2], { rows: 2, cols: 2 }), /plot\.policyArrows: policy has length 3; expected nS = rows × cols = 4/);
    assert.throws(() => policyArrows([0, 1, 2, 4], { rows: 2, cols: 2 }), /policy\[3\] = 4 is not an action index in 0…3/);
    assert.throws(() => policyArrows([[1, 0, 0], [1, 0, 0], [1, 0, 0], [1, 0, 0]], { rows: 2, cols: 2 }), /policy\[0\] has 3 entries but options\.actionDirections has 4 actions/);
    assert.throws(() => policyArrows([[0.5, 0.6, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]], { rows: 2, cols: 2, mode: "proportional" }), /policy\[0\] sums to 1\.1/);
    assert.throws(() => policyArrows([0, 0, 0, 0], { rows: 2, cols: 2, values: [1, 2] }), /options\.values has length 2 but rows × cols = 2 × 2 = 4/);
    assert.throws(() => policyArrows([0, 0, 0, 0], { rows: 2, cols: 2, actionDirections: ["west"] as never }), /actionDirections\[0\] must be "left"/);
  });
});

describe("histogram and barChart", () => {
  test("histogram bins and normalisation", () => {
    const fig = histogram([0, 1, 2, 3, 4], { bins: 4, normalize: "probability" });
    const t = fig.data[0];
    assert.equal(t.type, "histogram");
    assert.equal(t.histnorm, "probability");
    const xb = t.xbins as { start: number; end: number; size: number };
    assert.equal(xb.start, 0);
    assert.equal(xb.size, 1);
    assert.ok(xb.end > 4);
    const two = histogram([{ name: "a", values: [1, 2] }, { name: "b", values: [3] }], { binSize: 2 });
    assert.equal(two.layout.barmode, "overlay");
    assert.deepEqual(two.data[0].xbins, { start: 0, end: 5, size: 2 });
    assert.throws(() => histogram([1, NaN]), /plot\.histogram: values\[1\] is NaN/);
  });

  test("bar chart keeps label order as categories; lengths checked", () => {
    const fig = barChart(["left", "down", "right", "up"], [1, 2, 3, 4], { errors: [0.1, 0.1, 0.1, 0.1] });
    assert.deepEqual(fig.data[0].x, ["left", "down", "right", "up"]);
    assert.equal(fig.layout.xaxis?.type, "category");
    assert.deepEqual((fig.data[0].error_y as { array: number[] }).array, [0.1, 0.1, 0.1, 0.1]);
    const grouped = barChart([1, 2], [{ name: "a", values: [1, 2] }, { name: "b", values: [3, 4] }]);
    assert.equal(grouped.layout.barmode, "group");
    assert.deepEqual(grouped.data[1].x, ["1", "2"]);
    assert.throws(() => barChart(["a", "b"], [1]), /plot\.barChart: values has length 1 but labels has length 2/);
    assert.throws(() => barChart(["a"], [{ name: "g", values: [1, 2] }]), /values\[0\]\.values has length 2 but labels has length 1/);
  });
});

describe("display bundles", () => {
  let outputs: { message: DisplayMessage; update: boolean }[] = [];
  let previous: ReturnType<typeof setDisplayWriter>;
  beforeEach(() => {
    outputs = [];
    previous = setDisplayWriter((message, update) => outputs.push({ message, update }));
    resetPlotlyEmbedding();
  });
  afterEach(() => {
    setDisplayWriter(previous);
  });

  test("a figure is ONE output with plotly JSON, HTML and text; plotly.js embedded once per session", () => {
    const fig = lineChart([1, 2, 3], { title: "Returns </script><b>" });
    display(fig);
    display(heatmap([1, 2, 3, 4], { rows: 2, cols: 2 }));
    assert.equal(outputs.length, 2);
    for (const { message, update } of outputs) {
      assert.equal(update, false);
      assert.deepEqual(Object.keys(message.data).sort(), [PLOTLY_MIME, "text/html", "text/plain"].sort());
      assert.deepEqual(message.transient, {});
      const html = message.data["text/html"] as string;
      // (assert.ok rather than assert.doesNotMatch: a failure must not print 4.8 MB of plotly.js)
      assert.ok(!/<script[^>]*\ssrc\s*=/i.test(html), "no external <script src=…>");
      assert.ok(!/<link\b/i.test(html), "no external stylesheets");
      // Our own HTML (everything but the library's text) points to no URL at all.
      assert.ok(!/https?:\/\//i.test(ownHtml(html)), "no URL outside the plotly.js text");
      assert.ok(html.includes(".newPlot("));
    }
    const [first, second] = outputs.map((o) => o.message.data["text/html"] as string);
    assert.ok(first.includes(LIBRARY_MARKER), "first chart carries plotly.js");
    assert.equal(first.split(LIBRARY_MARKER).length - 1, 1, "exactly one copy");
    assert.ok(!second.includes(LIBRARY_MARKER), "second chart does not");
    assert.ok(second.length < 20_000, `second chart is small (${second.length} chars)`);
    // The library runs with AMD/CommonJS globals hidden, so that it sets window.Plotly under require.js.
    assert.match(first, /\(function \(define, module, exports, require\) \{/);
    // The JSON spec equals the figure, and the user's text cannot close the script element.
    const spec = outputs[0].message.data[PLOTLY_MIME] as { data: unknown; layout: unknown; config: Record<string, unknown> };
    assert.deepEqual({ data: spec.data, layout: spec.layout }, JSON.parse(JSON.stringify(fig)));
    assert.equal(spec.config.responsive, true);
    const afterLibrary = first.slice(first.indexOf(LIBRARY_MARKER));
    assert.ok(!afterLibrary.includes("</script><b>"));
    assert.equal(outputs[0].message.data["text/plain"], 'Figure "Returns </script><b>": 1 trace (scatter)');
    // Unique div ids.
    const ids = outputs.map((o) => /<div id="([^"]+)"/.exec(o.message.data["text/html"] as string)?.[1]);
    assert.ok(ids[0] && ids[1] && ids[0] !== ids[1]);
  });

  test("the inline plotly.js contains nothing that could end its <script> element", () => {
    const html = figureBundle(lineChart([1]), { embedPlotly: true })["text/html"] as string;
    const scripts = html.match(/<script\b/gi) ?? [];
    const ends = html.match(/<\/script/gi) ?? [];
    assert.equal(scripts.length, 2); // the library and the draw script
    assert.equal(ends.length, 2);
  });

  test("a live chart: loader output first, then the chart with a display id, updates in place", () => {
    const live = liveChart(lineChart([1, 2]));
    live.update(lineChart([1, 2, 3]));
    live.update(lineChart([1, 2, 3, 4]));
    assert.equal(outputs.length, 4);
    const [loader, initial, u1, u2] = outputs;
    assert.ok((loader.message.data["text/html"] as string).includes(LIBRARY_MARKER));
    assert.equal(loader.message.transient.display_id, undefined);
    for (const o of [initial, u1, u2]) {
      assert.equal(o.message.transient.display_id, live.displayId);
      assert.ok(!(o.message.data["text/html"] as string).includes(LIBRARY_MARKER), "replaceable outputs never carry the library");
    }
    assert.deepEqual([initial.update, u1.update, u2.update], [false, true, true]);
    assert.deepEqual((u2.message.data[PLOTLY_MIME] as Figure).data[0].y, [1, 2, 3, 4]);
    // Later charts do not embed again.
    display(lineChart([5]));
    assert.ok(!(outputs[4].message.data["text/html"] as string).includes(LIBRARY_MARKER));
  });

  test("tables: records and DataFrame-likes become an escaped HTML table with a row limit", () => {
    const records = Array.from({ length: 30 }, (_, i) => ({ episode: i, return: i / 3, note: i === 0 ? "<b>&\"x\"" : "" }));
    display(records, { maxRows: 6 });
    assert.equal(outputs.length, 1);
    const data = outputs[0].message.data;
    assert.deepEqual(Object.keys(data).sort(), ["text/html", "text/plain"]);
    const html = data["text/html"] as string;
    assert.ok(html.includes("&lt;b&gt;&amp;&quot;x&quot;"));
    assert.ok(!html.includes("<b>&"));
    assert.ok(html.includes("… 24 more rows"));
    assert.equal((html.match(/<tr><th>/g) ?? []).length, 6 + 1); // 6 shown + the "…" row
    assert.ok(html.includes("<td>0.3333</td>"));
    assert.ok(html.includes("<th>29</th>"), "last rows are shown");
    assert.match(data["text/plain"] as string, /… 24 more rows[\s\S]*\[30 rows × 3 columns\]$/);

    const df = { columns: ["a", "b"], index: ["x", "y"], values: [[1.23456789, "p<q"], [2e-7, null]], shape: [2, 2] };
    const b = tableBundle(df);
    assert.ok((b["text/html"] as string).includes("<th>x</th><td>1.2346</td><td>p&lt;q</td>"));
    assert.ok((b["text/html"] as string).includes("<td>2.000e-7</td><td></td>"));
    const series = { columns: ["r"], index: [0, 1], values: [3, 4], $isSeries: true };
    assert.ok(tableBundle(series)["text/html"]?.includes("<th>r</th>"));
    assert.equal(formatCell(42), "42");
    assert.equal(formatCell(0.5), "0.5");
    assert.throws(() => display(42 as never), /plot\.display: x must be a Figure/);
  });

  test("a real danfojs DataFrame and Series display as tables", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const dfd = require("danfojs") as { DataFrame: new (d: unknown) => Record<string, unknown> };
    const df = new dfd.DataFrame([{ episode: 1, ret: -13.25 }, { episode: 2, ret: 0.5 }]);
    display(df as never);
    display(df["ret"] as never);
    const [t1, t2] = outputs.map((o) => o.message.data["text/html"] as string);
    assert.ok(t1.includes("<th>episode</th><th>ret</th>"));
    assert.ok(t1.includes("<td>-13.25</td>"));
    assert.ok(t2.includes("<th>ret</th>") && t2.includes("<td>0.5</td>"));
  });
});

describe("tslab internals (pinned)", () => {
  test("the version check accepts 1.0.22 only and explains itself", () => {
    checkTslabVersion("1.0.22");
    assert.throws(() => checkTslabVersion("1.0.23"), /version 1\.0\.23.*lastWriteDisplayData.*1\.0\.22/s);
    assert.throws(() => checkTslabVersion(undefined), /version undefined/);
  });

  test("the installed tslab is the supported version and has the writer slot we use", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.equal(require("tslab/package.json").version, "1.0.22");
    const jupyterPath = require.resolve("tslab/dist/jupyter.js");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require(jupyterPath) as Record<string, unknown>;
    assert.ok("lastWriteDisplayData" in jupyter, "tslab/dist/jupyter.js exports lastWriteDisplayData");
    assert.equal(typeof jupyter.JupyterHandlerImpl, "function");
    assert.equal(tslabVersionAt(jupyterPath), "1.0.22");
    // The public display goes through the same slot with the same message shape.
    const publicSrc = fs.readFileSync(path.join(path.dirname(jupyterPath), "public.js"), "utf8");
    assert.match(publicSrc, /jupyter\.lastWriteDisplayData\(\{\s*data:/);
    assert.match(publicSrc, /transient:\s*\{\s*display_id:/);
    const src = fs.readFileSync(jupyterPath, "utf8");
    assert.match(src, /exports\.lastWriteDisplayData = writeDisplayData;/);
    assert.match(src, /reply\.header\.msg_type = update \? "update_display_data" : "display_data";/);
    assert.match(src, /reply\.content = data;/);
  });

  test("end to end through tslab's JupyterHandlerImpl: our display reaches the cell's writer", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require("tslab/dist/jupyter.js") as {
      JupyterHandlerImpl: new (executor: unknown, isJs: boolean) => {
        handleExecute(req: { code: string }, writeStream: (n: string, t: string) => void, write: (d: unknown, u: boolean) => void): Promise<{ status: string }>;
      };
      lastWriteDisplayData: unknown;
    };
    const saved = setDisplayWriter(null); // use the real kernel path, not the injected writer
    resetPlotlyEmbedding();
    const sent: { data: DisplayMessage; update: boolean }[] = [];
    let liveId = "";
    const executor = {
      execute: async () => {
        assert.equal(findRunningTslab()?.module, jupyter, "finds the running tslab in require.cache");
        display(lineChart([1, 2, 3]));
        const live = liveChart(lineChart([1]));
        live.update(lineChart([1, 2]));
        liveId = live.displayId;
        return true;
      },
      close() {},
    };
    const handler = new jupyter.JupyterHandlerImpl(executor, false);
    // handleExecute redirects process.stdout/stderr to the (fake) iopub stream: restore them after.
    const out = process.stdout.write;
    const err = process.stderr.write;
    let reply: { status: string };
    try {
      reply = await handler.handleExecute({ code: "" }, () => {}, (data, update) => sent.push({ data: data as DisplayMessage, update }));
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
      jupyter.lastWriteDisplayData = null;
      setDisplayWriter(saved);
    }
    assert.equal(reply.status, "ok");
    // The chart carries plotly.js, so the live chart needs no separate loader output.
    const kinds = sent.map((s) => [Object.keys(s.data.data).sort(), s.update, s.data.transient.display_id ?? null]);
    const bundle = [PLOTLY_MIME, "text/html", "text/plain"].sort();
    assert.deepEqual(kinds, [
      [bundle, false, null],
      [bundle, false, liveId],
      [bundle, true, liveId],
    ]);
    assert.ok((sent[0].data.data["text/html"] as string).includes(LIBRARY_MARKER));
    assert.deepEqual(sent[0].data.metadata, {});
    assert.equal(tslabWriter(), null, "no writer once the kernel's slot is cleared");
  });
});

test("lineChart logX/logY give log axes with power-of-ten ticks", () => {
  const fig = lineChart([{ name: "a", x: [1, 10, 100], y: [1, 0.1, 0.01] }], { logX: true, logY: true });
  assert.equal(fig.layout.xaxis?.type, "log");
  assert.equal(fig.layout.yaxis?.type, "log");
  assert.equal(fig.layout.yaxis?.exponentformat, "power");
});

test("policyArrows leaves GridWorld walls and traps without arrows", () => {
  const fig = policyArrows([2, 2, 2, 2], { rows: 2, cols: 2, desc: ["S#", "TG"] });
  const arrows = (fig.layout.annotations ?? []).filter((a) => (a as { showarrow?: boolean }).showarrow);
  assert.equal(arrows.length, 1, "only the start cell gets an arrow");
});
