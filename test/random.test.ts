import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../lib/random";

test("the same seed gives the same stream; different seeds differ", () => {
  const a = new Rng(123);
  const b = new Rng(123);
  const c = new Rng(124);
  const xa = Array.from({ length: 50 }, () => a.random());
  assert.deepEqual(xa, Array.from({ length: 50 }, () => b.random()));
  assert.notDeepEqual(xa, Array.from({ length: 50 }, () => c.random()));
});

test("xoshiro128** matches the reference implementation's outputs from state {1, 2, 3, 4}", () => {
  // Reference values of Blackman & Vigna's xoshiro128starstar.c (also the rand_xoshiro test vector).
  const rng = Rng.fromState([1, 2, 3, 4]);
  const expected = [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804];
  assert.deepEqual(Array.from({ length: 10 }, () => rng.nextUint32()), expected);
});

test("getState/fromState checkpoint a stream; seeds above 2^32 use their high bits", () => {
  const rng = new Rng(99);
  rng.random();
  const copy = Rng.fromState(rng.getState());
  assert.deepEqual(Array.from({ length: 5 }, () => rng.nextUint32()), Array.from({ length: 5 }, () => copy.nextUint32()));
  assert.notEqual(new Rng(2 ** 40).nextUint32(), new Rng(0).nextUint32());
  assert.throws(() => Rng.fromState([0, 0, 0, 0]), /not all zero/);
  assert.throws(() => Rng.fromState([1, 2, 3]), /four/);
});

test("random() is uniform on [0,1): mean, variance and deciles", () => {
  const rng = new Rng(7);
  const n = 200_000;
  const counts = new Array(10).fill(0);
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.random();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    sumSq += u * u;
    counts[Math.floor(u * 10)]++;
  }
  const mean = sum / n;
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(sumSq / n - mean * mean - 1 / 12) < 0.002);
  // Chi-square with 9 degrees of freedom: 27.88 is the 0.999 quantile.
  const chi2 = counts.reduce((acc, c) => acc + (c - n / 10) ** 2 / (n / 10), 0);
  assert.ok(chi2 < 27.88, `chi2 ${chi2}`);
});

test("normal() has the requested mean and standard deviation", () => {
  const rng = new Rng(11);
  const n = 100_000;
  const xs = Array.from({ length: n }, () => rng.normal(2, 3));
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  assert.ok(Math.abs(mean - 2) < 0.05, `mean ${mean}`);
  assert.ok(Math.abs(std - 3) < 0.05, `std ${std}`);
  assert.throws(() => rng.normal(0, -1), /std/);
});

test("integers(low, high) covers [low, high) uniformly and rejects bad bounds", () => {
  const rng = new Rng(3);
  const counts = new Map<number, number>();
  for (let i = 0; i < 60_000; i++) {
    const k = rng.integers(-2, 4);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [-2, -1, 0, 1, 2, 3]);
  for (const c of counts.values()) assert.ok(Math.abs(c - 10_000) < 500, `count ${c}`);
  assert.equal(typeof rng.integers(5), "number");
  assert.throws(() => rng.integers(3, 3), /low < high/);
  assert.throws(() => rng.integers(0.5, 3), /integers/);
});

test("choice with probabilities samples in proportion; uniform choice of items", () => {
  const rng = new Rng(5);
  const p = [0.1, 0.0, 0.6, 0.3];
  const counts = [0, 0, 0, 0];
  const n = 50_000;
  for (let i = 0; i < n; i++) counts[rng.choice(4, p)]++;
  assert.equal(counts[1], 0);
  p.forEach((pi, i) => assert.ok(Math.abs(counts[i] / n - pi) < 0.01));
  assert.ok(["a", "b"].includes(rng.choice(["a", "b"])));
  assert.throws(() => rng.choice(3, [0.5, 0.5]), /length/);
  assert.throws(() => rng.choice(2, [0.5, 0.6]), /sums to/);
  assert.throws(() => rng.choice([]), /at least one/);
});

test("shuffle and permutation are permutations", () => {
  const rng = new Rng(9);
  const perm = Array.from(rng.permutation(100));
  assert.deepEqual([...perm].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual(perm, Array.from({ length: 100 }, (_, i) => i));
  const arr = ["a", "b", "c", "d"];
  rng.shuffle(arr);
  assert.deepEqual([...arr].sort(), ["a", "b", "c", "d"]);
});

test("split gives independent, reproducible streams", () => {
  const [a, b] = new Rng(1).split(2);
  const [a2] = new Rng(1).split(2);
  const xa = Array.from({ length: 1000 }, () => a.random());
  const xb = Array.from({ length: 1000 }, () => b.random());
  assert.deepEqual(xa, Array.from({ length: 1000 }, () => a2.random()));
  let cov = 0;
  for (let i = 0; i < 1000; i++) cov += (xa[i] - 0.5) * (xb[i] - 0.5);
  assert.ok(Math.abs(cov / 1000) < 0.01, `correlation-like term ${cov / 1000}`);
});

test("bad seeds are refused with the argument named", () => {
  assert.throws(() => new Rng(-1), /seed must be a non-negative safe integer/);
  assert.throws(() => new Rng(1.5), /seed/);
  assert.throws(() => new Rng(Number.NaN), /seed/);
});

test("categorical draws from a slice of a table, relative to its offset", () => {
  const rng = new Rng(13);
  const table = [0.5, 0.5, /* row 1: */ 0.2, 0, 0.8];
  const counts = [0, 0, 0];
  const n = 20_000;
  for (let i = 0; i < n; i++) counts[rng.categorical(table, 2, 3)]++;
  assert.equal(counts[1], 0);
  assert.ok(Math.abs(counts[0] / n - 0.2) < 0.01 && Math.abs(counts[2] / n - 0.8) < 0.01, `counts ${counts}`);
  assert.equal(new Rng(1).categorical([0, 1]), 1);
});
