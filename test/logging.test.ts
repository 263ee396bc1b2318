/**
 * Training logs in and out: CSV round trips (quoting, nulls, booleans), atomic writes that never
 * leave a broken file, the moving-average resampling of reference curves, and the saved reference
 * curve sets in data/reference/.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parseCsv, readCsv, readCsvFrame, toCsv, writeCsv } from "../lib/logging/csv";
import type { LogValue } from "../lib/logging/dataframe";
import { referenceCurveNames, referenceCurves, referenceFrame, returnsAtSteps } from "../lib/logging/reference";

const dir = mkdtempSync(join(tmpdir(), "rlcourse-logging-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("toCsv / parseCsv round-trip numbers, strings with commas and quotes, booleans and nulls", () => {
  const records: Record<string, LogValue>[] = [
    { episode: 0, return: 21.5, note: 'a, "quoted" note', solved: false },
    { episode: 1, return: -1e-7, note: null, solved: true, extra: 3 },
  ];
  const text = toCsv(records);
  assert.equal(text.split("\n")[0], "episode,return,note,solved,extra");
  assert.deepEqual(parseCsv(text), [
    { episode: 0, return: 21.5, note: 'a, "quoted" note', solved: false, extra: null },
    { episode: 1, return: -1e-7, note: null, solved: true, extra: 3 },
  ]);
  assert.throws(() => toCsv([]), /toCsv: records must be a non-empty array/);
  assert.throws(() => toCsv([{ a: [1, 2] as unknown as number }]), /records\[0\]\.a is a object/);
  assert.throws(() => parseCsv("a,b\n1,2\n3,4,5\n"), /parseCsv: .*data row 2/);
});

test("writeCsv is atomic: a failed write leaves the previous file intact and no temporary file", () => {
  const path = join(dir, "log.csv");
  writeCsv(path, [{ step: 1, value: 2 }]);
  assert.deepEqual(readCsv(path), [{ step: 1, value: 2 }]);
  assert.throws(() => writeCsv(path, [{ step: 1, value: {} as unknown as number }]));
  assert.deepEqual(readCsv(path), [{ step: 1, value: 2 }]);
  assert.deepEqual(readdirSync(dir), ["log.csv"]);
  assert.throws(() => writeCsv(join(dir, "missing", "x.csv"), [{ a: 1 }]), /ENOENT/);
  assert.deepEqual(readdirSync(dir), ["log.csv"]);
  assert.throws(() => readCsv(join(dir, "nope.csv")), /readCsv: cannot read .*nope\.csv/);
  const frame = readCsvFrame(path);
  assert.deepEqual(frame.columns, ["step", "value"]);
});

test("returnsAtSteps: the mean of the last `window` episodes ended by each step, held after the last", () => {
  const episodes = [10, 20, 30, 40, 50].map((globalStep, i) => ({ globalStep, return: i + 1 }));
  assert.deepEqual(returnsAtSteps(episodes, [10, 19, 20, 35, 50, 99], 2), [1, 1, 1.5, 2.5, 4.5, 4.5]);
  assert.deepEqual(returnsAtSteps(episodes, [50], 20), [3]);
  assert.throws(() => returnsAtSteps(episodes, [5], 2), /steps\[0\] = 5 precedes the first episode's end \(10\)/);
  assert.throws(() => returnsAtSteps([], [5]), /episodes is empty/);
  assert.throws(() => returnsAtSteps(episodes, [10], 0), /window must be a positive integer/);
});

test("every saved reference curve set reads back as curves on a shared step grid and as a DataFrame", () => {
  const names = referenceCurveNames();
  for (const name of names) {
    const text = readFileSync(join(__dirname, "..", "data", "reference", `${name}.csv`), "utf8");
    assert.equal(text.split("\n")[0], "seed,episode,globalStep,return,length", name);
    const ref = referenceCurves(name, { points: 50 });
    assert.equal(ref.steps.length, 50);
    assert.ok(ref.seeds.length >= 3, `${name}: ${ref.seeds.length} seeds`);
    for (const run of ref.runs) assert.ok(run.length === 50 && run.every(Number.isFinite), name);
    assert.deepEqual(referenceFrame(name).columns, ["seed", "episode", "globalStep", "return", "length"]);
  }
  assert.throws(() => referenceCurves("no_such_curves"), /no reference curves named 'no_such_curves'/);
  assert.ok(existsSync(join(__dirname, "..", "data", "reference")));
});
