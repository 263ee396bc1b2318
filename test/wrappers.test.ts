import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { BaseEnv, type Info, type StepResult } from "../lib/envs/core";
import { Box, Discrete } from "../lib/envs/spaces";
import {
  ClipAction,
  NormalizeObservation,
  NormalizeReward,
  RecordEpisodeStatistics,
  TimeLimit,
  TransformObservation,
  TransformReward,
} from "../lib/envs/wrappers";

/** Replays a fixed stream of observations, rewards and terminations; records the actions it gets. */
class StreamEnv extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace: Box;
  readonly actionSpace = new Box(-1, 1, 2);
  readonly actions: Float32Array[] = [];
  private t = 0;
  constructor(
    private readonly obs: number[][],
    private readonly rewards: number[],
    private readonly terminated: boolean[],
  ) {
    super();
    this.observationSpace = new Box(-Infinity, Infinity, obs[0].length);
  }
  protected resetEnv(): [Float32Array, Info] {
    return [Float32Array.from(this.obs[this.t]), {}];
  }
  protected stepEnv(action: Float32Array): StepResult<Float32Array> {
    this.actions.push(action);
    const t = this.t++;
    return [Float32Array.from(this.obs[this.t % this.obs.length]), this.rewards[t], this.terminated[t], false, {}];
  }
}

const reference = JSON.parse(
  readFileSync(join(__dirname, "fixtures", "reference", "normalize_reference.json"), "utf8"),
) as {
  obs: number[][];
  rewards: number[];
  terminated: boolean[];
  gamma: number;
  normalized_obs: number[][];
  obs_mean: number[];
  obs_var: number[];
  normalized_rewards: number[];
  return_var: number;
};

test("NormalizeObservation matches Gymnasium's float32 running statistics on a fixed stream", () => {
  // The stream's first observation comes from reset, the others from steps.
  const env = new NormalizeObservation(new StreamEnv(reference.obs, reference.rewards, reference.terminated.map(() => false)));
  const outputs: Float32Array[] = [env.reset()[0]];
  for (let t = 1; t < reference.obs.length; t++) outputs.push(env.step(new Float32Array(2))[0]);
  let maxError = 0;
  outputs.forEach((o, t) => o.forEach((v, j) => (maxError = Math.max(maxError, Math.abs(v - reference.normalized_obs[t][j])))));
  assert.ok(maxError <= 1e-6, `max |error| ${maxError}`);
  reference.obs_mean.forEach((m, j) => assert.ok(Math.abs(env.obsRms.mean[j] - m) <= 1e-6 * Math.max(1, Math.abs(m))));
  reference.obs_var.forEach((v, j) => assert.ok(Math.abs(env.obsRms.var[j] - v) <= 1e-6 * Math.max(1, v)));
  assert.equal(String(env.observationSpace), String(new Box(-Infinity, Infinity, 4)));
});

test("NormalizeObservation with frozen statistics leaves them unchanged", () => {
  const env = new NormalizeObservation(new StreamEnv(reference.obs, reference.rewards, reference.terminated));
  env.reset();
  env.updateRunningMean = false;
  const before = Array.from(env.obsRms.mean);
  env.step(new Float32Array(2));
  assert.deepEqual(Array.from(env.obsRms.mean), before);
});

test("NormalizeReward matches Gymnasium's discounted-return statistics on a fixed stream", () => {
  const env = new NormalizeReward(new StreamEnv(reference.obs, reference.rewards, reference.terminated), reference.gamma);
  env.reset();
  let maxError = 0;
  for (let t = 0; t < reference.rewards.length; t++) {
    const [, reward, terminated] = env.step(new Float32Array(2));
    maxError = Math.max(maxError, Math.abs(reward - reference.normalized_rewards[t]));
    if (terminated) env.reset();
  }
  assert.ok(maxError <= 1e-12, `max |error| ${maxError}`);
  assert.ok(Math.abs(env.returnRms.var[0] - reference.return_var) <= 1e-9 * reference.return_var);
  assert.throws(() => new NormalizeReward(new StreamEnv(reference.obs, reference.rewards, reference.terminated), 1.5), /gamma/);
});

test("TimeLimit truncates at the limit and refuses a step after truncation", () => {
  const n = 10;
  const env = new TimeLimit(new StreamEnv(reference.obs, reference.rewards, new Array(200).fill(false)), n);
  env.reset();
  for (let t = 1; t < n; t++) assert.equal(env.step(new Float32Array(2))[3], false);
  const last = env.step(new Float32Array(2));
  assert.equal(last[3], true);
  assert.equal(env.elapsedSteps, n);
  assert.throws(() => env.step(new Float32Array(2)), /truncated at 10 steps; call reset\(\) first/);
  env.reset();
  assert.equal(env.step(new Float32Array(2))[3], false);
  assert.throws(() => new TimeLimit(env, 0), /maxEpisodeSteps must be a positive integer/);
});

test("BaseEnv refuses step before reset and after termination", () => {
  const env = new StreamEnv(reference.obs, [1, 1, 1], [false, true, false]);
  assert.throws(() => env.step(new Float32Array(2)), /before reset\(\)/);
  env.reset();
  env.step(new Float32Array(2));
  assert.equal(env.step(new Float32Array(2))[2], true);
  assert.throws(() => env.step(new Float32Array(2)), /after the episode terminated/);
});

test("RecordEpisodeStatistics reports return, length and time when an episode ends", () => {
  const rewards = [1, 2, 3, 4, 5, 6];
  const env = new RecordEpisodeStatistics(new StreamEnv(reference.obs, rewards, [false, false, true, false, false, true]), 1);
  env.reset();
  let info: Info = {};
  for (let t = 0; t < 3; t++) info = env.step(new Float32Array(2))[4];
  const episode = info.episode as { r: number; l: number; t: number };
  assert.equal(episode.r, 6);
  assert.equal(episode.l, 3);
  assert.ok(episode.t >= 0);
  env.reset();
  env.step(new Float32Array(2));
  assert.equal("episode" in env.step(new Float32Array(2))[4], false);
  assert.equal((env.step(new Float32Array(2))[4].episode as { r: number }).r, 15);
  assert.deepEqual(env.returnQueue, [15]); // bufferLength 1 keeps the last episode only
  assert.deepEqual(env.lengthQueue, [3]);
});

test("ClipAction clips to the inner bounds; TransformObservation/TransformReward apply their functions", () => {
  const inner = new StreamEnv(reference.obs, reference.rewards, reference.terminated);
  const env = new TransformReward(
    new TransformObservation(new ClipAction(inner), (o: Float32Array) => o.map((x) => Math.min(Math.max(x, -1), 1)), new Box(-1, 1, 4)),
    (r) => 10 * r,
  );
  const [obs] = env.reset();
  assert.ok(obs.every((x) => x >= -1 && x <= 1));
  const [, reward] = env.step(Float32Array.from([5, -0.5]));
  assert.deepEqual(Array.from(inner.actions[0]), [1, -0.5]);
  assert.equal(reward, 10 * reference.rewards[0]);
  assert.equal(String(env.observationSpace), String(new Box(-1, 1, 4)));
  assert.throws(() => env.step(Float32Array.from([Number.NaN, 0])), /action\[0\] must be a finite number/);
});

test("spaces: Discrete and Box contains/validate/sample", () => {
  const d = new Discrete(3, 1, 0);
  assert.ok(d.contains(1) && d.contains(3) && !d.contains(0) && !d.contains(1.5) && !d.contains("1"));
  assert.throws(() => d.validate(4, "action"), /action must be an integer in \[1, 3\] \(Discrete\(3, start=1\)\), got 4/);
  assert.throws(() => d.validate("1", "action"), /got string "1"/);
  for (let i = 0; i < 100; i++) assert.ok(d.contains(d.sample()));
  const b = new Box([-1, 0], [1, Infinity], undefined, 0);
  for (let i = 0; i < 100; i++) assert.ok(b.contains(b.sample()));
  assert.ok(!b.contains([2, 0]) && !b.contains([0]) && b.contains([0, 5]));
  assert.throws(() => b.validate([0], "action"), /action must have length 2/);
  assert.throws(() => b.validate(0.5, "action"), /action must be an array of 2 numbers/);
  assert.throws(() => new Box([1], [0]), /invalid/);
  assert.throws(() => new Discrete(0), /n must be a positive integer/);
  const seeded = [new Discrete(10, 0, 5), new Discrete(10, 0, 5)].map((s) => Array.from({ length: 10 }, () => s.sample()));
  assert.deepEqual(seeded[0], seeded[1]);
});
