/**
 * Classic-control envs against Gymnasium 1.4.0: transition-by-transition replay of the reference
 * episodes in test/fixtures/gymnasium, registry constants, input validation and reset distributions.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import {
  AcrobotEnv,
  CartPoleEnv,
  ContinuousMountainCarEnv,
  MountainCarEnv,
  PendulumEnv,
  classicControlEntries,
} from "../lib/envs/classic";
import { wrap } from "../lib/envs/classic/acrobot";
import { angleNormalize } from "../lib/envs/classic/pendulum";
import type { Env } from "../lib/envs/core";
import { TimeLimit } from "../lib/envs/wrappers";

interface FixtureStep {
  action: number | number[];
  obs: number[];
  state: number[];
  reward: number;
  terminated: boolean;
  truncated: boolean;
}
interface FixtureEpisode {
  reset_seed: number;
  state: number[];
  obs: number[];
  steps: FixtureStep[];
}
interface Fixture {
  env_id: string;
  gymnasium_version: string;
  max_episode_steps: number;
  reward_threshold: number | null;
  episodes: FixtureEpisode[];
}

/** What the replay needs from an unwrapped classic-control env. */
interface ClassicEnv extends Env<Float32Array, unknown> {
  state: Float64Array;
  getObs(): Float32Array;
}

const FIXTURES = join(__dirname, "fixtures", "gymnasium");
const ENV_IDS = ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"];

function loadFixture(id: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURES, `${id}.json`), "utf8")) as Fixture;
}

function entryFor(id: string) {
  const entry = classicControlEntries.find((e) => e.id === id);
  assert.ok(entry, `no registry entry for ${id}`);
  return entry;
}

function maxAbsDiff(actual: ArrayLike<number>, expected: readonly number[], what: string): number {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

test("registry entries carry Gymnasium's ids, time limits and reward thresholds", () => {
  assert.deepEqual(
    classicControlEntries.map((e) => e.id),
    ENV_IDS,
  );
  for (const id of ENV_IDS) {
    const fx = loadFixture(id);
    const entry = entryFor(id);
    assert.equal(fx.gymnasium_version, "1.4.0");
    assert.equal(entry.maxEpisodeSteps, fx.max_episode_steps, `${id} maxEpisodeSteps`);
    assert.equal(entry.rewardThreshold, fx.reward_threshold ?? undefined, `${id} rewardThreshold`);
  }
  assert.deepEqual(entryFor("CartPole-v1").optionNames, ["suttonBartoReward"]);
  assert.deepEqual(entryFor("Acrobot-v1").optionNames, []);
  assert.deepEqual(entryFor("MountainCar-v0").optionNames, ["goalVelocity"]);
  assert.deepEqual(entryFor("MountainCarContinuous-v0").optionNames, ["goalVelocity"]);
  assert.deepEqual(entryFor("Pendulum-v1").optionNames, ["g"]);
});

for (const id of ENV_IDS) {
  test(`${id}: every reference transition of Gymnasium 1.4.0 is reproduced`, (t) => {
    const fx = loadFixture(id);
    const entry = entryFor(id);
    const env = new TimeLimit(entry.create({}) as Env<Float32Array, unknown>, fx.max_episode_steps);
    const raw = env.unwrapped as ClassicEnv;
    let steps = 0;
    let clippedActions = 0;
    const worst = { state: 0, reward: 0, obs: 0, resetObs: 0 };
    for (const [e, ep] of fx.episodes.entries()) {
      env.reset({ seed: ep.reset_seed });
      raw.state = Float64Array.from(ep.state);
      worst.resetObs = Math.max(worst.resetObs, maxAbsDiff(raw.getObs(), ep.obs, `${id} episode ${e} reset obs`));
      let prev = ep.state;
      for (const [i, rec] of ep.steps.entries()) {
        const where = `${id} episode ${e} step ${i}`;
        // Never free-run: the dynamics are chaotic, so start every transition from Gymnasium's state.
        raw.state = Float64Array.from(prev);
        if (Array.isArray(rec.action)) {
          const high = (raw.actionSpace as unknown as { high: Float32Array }).high[0];
          if (Math.abs(rec.action[0]) > high) clippedActions++;
        }
        const [obs, reward, terminated, truncated] = env.step(rec.action);
        const dState = maxAbsDiff(raw.state, rec.state, `${where} state`);
        const dObs = maxAbsDiff(obs, rec.obs, `${where} obs`);
        const dReward = Math.abs(reward - rec.reward);
        assert.ok(dState <= 1e-9, `${where}: state ${Array.from(raw.state)} vs ${rec.state} (max diff ${dState})`);
        assert.ok(dReward <= 1e-9, `${where}: reward ${reward} vs ${rec.reward}`);
        assert.ok(dObs <= 1e-6, `${where}: obs ${Array.from(obs)} vs ${rec.obs} (max diff ${dObs})`);
        assert.ok(obs instanceof Float32Array, `${where}: obs must be a Float32Array`);
        assert.equal(terminated, rec.terminated, `${where}: terminated`);
        assert.equal(truncated, rec.truncated, `${where}: truncated`);
        worst.state = Math.max(worst.state, dState);
        worst.obs = Math.max(worst.obs, dObs);
        worst.reward = Math.max(worst.reward, dReward);
        prev = rec.state;
        steps++;
      }
      const last = ep.steps[ep.steps.length - 1];
      assert.ok(last.terminated || last.truncated, `${id} episode ${e} ends by termination or truncation`);
    }
    t.diagnostic(
      `${id}: ${fx.episodes.length} episodes, ${steps} steps` +
        (clippedActions ? ` (${clippedActions} out-of-range actions)` : "") +
        `; max abs error state ${worst.state.toExponential(2)}, reward ${worst.reward.toExponential(2)}, ` +
        `obs ${worst.obs.toExponential(2)}, reset obs ${worst.resetObs.toExponential(2)}`,
    );
  });
}

test("continuous fixtures exercise out-of-range actions", () => {
  for (const id of ["MountainCarContinuous-v0", "Pendulum-v1"]) {
    const fx = loadFixture(id);
    const high = id === "Pendulum-v1" ? 2 : 1;
    const out = fx.episodes.flatMap((ep) => ep.steps).filter((s) => Math.abs((s.action as number[])[0]) > high);
    assert.ok(out.length > 10, `${id}: ${out.length} out-of-range actions`);
  }
});

test("Pendulum clips the torque before the dynamics and the cost", () => {
  const a = new PendulumEnv();
  const b = new PendulumEnv();
  a.reset({ seed: 1 });
  b.reset({ seed: 1 });
  const ra = a.step([5]);
  const rb = b.step([2]);
  assert.deepEqual(Array.from(a.state), Array.from(b.state));
  assert.equal(ra[1], rb[1]);
  assert.equal(a.lastU, 2);
});

test("MountainCarContinuous clips the force but charges the unclipped action", () => {
  const a = new ContinuousMountainCarEnv();
  const b = new ContinuousMountainCarEnv();
  a.reset({ seed: 1 });
  b.reset({ seed: 1 });
  const ra = a.step([-3]);
  const rb = b.step([-1]);
  assert.deepEqual(Array.from(a.state), Array.from(b.state));
  assert.ok(Math.abs(ra[1] - -0.9) < 1e-15, `reward ${ra[1]}`);
  assert.ok(Math.abs(rb[1] - -0.1) < 1e-15, `reward ${rb[1]}`);
  // After a step the state holds float32 values, as Gymnasium's float32 array does.
  for (const v of a.state) assert.equal(Math.fround(v), v);
});

test("continuous actions keep double precision: number[], Float64Array and Float32Array", () => {
  const u = 0.123456789012345;
  const run = (action: number[] | Float64Array | Float32Array) => {
    const env = new PendulumEnv();
    env.reset({ seed: 3 });
    env.state = Float64Array.from([1, 0.5]);
    env.step(action);
    return Array.from(env.state);
  };
  assert.deepEqual(run([u]), run(Float64Array.of(u)));
  assert.deepEqual(run(Float32Array.of(u)), run([Math.fround(u)]));
  assert.notDeepEqual(run([u]), run([Math.fround(u)]));
});

test("CartPole rejects invalid discrete actions with a message naming action and its range", () => {
  const env = new CartPoleEnv();
  env.reset({ seed: 0 });
  for (const bad of [2, -1, 0.5, "1", null, undefined, [1], NaN]) {
    assert.throws(
      () => env.step(bad as unknown as number),
      (err: Error) => /action/.test(err.message) && /\[0, 1\]/.test(err.message),
      `action ${String(bad)}`,
    );
  }
  // A rejected action does not end the episode or change the state.
  const before = Array.from(env.state);
  assert.throws(() => env.step(2));
  assert.deepEqual(Array.from(env.state), before);
  env.step(1);
});

test("Acrobot and MountainCar reject action 3", () => {
  for (const env of [new AcrobotEnv(), new MountainCarEnv()]) {
    env.reset({ seed: 0 });
    assert.throws(() => env.step(3), /action must be an integer in \[0, 2\]/);
  }
});

test("Pendulum and MountainCarContinuous reject NaN, infinite and wrong-length actions", () => {
  for (const env of [new PendulumEnv(), new ContinuousMountainCarEnv()]) {
    env.reset({ seed: 0 });
    assert.throws(() => env.step([NaN]), /action\[0\] must be a finite number/);
    assert.throws(() => env.step([Infinity]), /action\[0\] must be a finite number/);
    assert.throws(() => env.step(Float32Array.of(NaN)), /action\[0\] must be a finite number/);
    assert.throws(() => env.step([0.1, 0.2]), /action must have length 1/);
    assert.throws(() => env.step([]), /action must have length 1/);
    assert.throws(() => env.step(0.5 as unknown as number[]), /action must be an array/);
    assert.throws(() => env.step(["0.5"] as unknown as number[]), /action must be an array/);
    env.step([0.5]); // still usable
  }
});

test("step before reset throws", () => {
  for (const env of [new CartPoleEnv(), new AcrobotEnv(), new MountainCarEnv()]) {
    assert.throws(() => env.step(0), /before reset\(\)/);
  }
  assert.throws(() => new PendulumEnv().step([0]), /before reset\(\)/);
  assert.throws(() => new ContinuousMountainCarEnv().step([0]), /before reset\(\)/);
});

test("step after termination without reset throws; reset starts a new episode", () => {
  const env = new CartPoleEnv();
  env.reset({ seed: 0 });
  env.state = Float64Array.from([2.39, 1, 0, 0]);
  const [, reward, terminated] = env.step(1);
  assert.equal(terminated, true);
  assert.equal(reward, 1);
  assert.throws(() => env.step(0), /after the episode terminated/);
  env.reset();
  env.step(0);

  const car = new MountainCarEnv();
  car.reset({ seed: 0 });
  car.state = Float64Array.from([0.49, 0.05]);
  assert.equal(car.step(2)[2], true);
  assert.throws(() => car.step(1), /after the episode terminated/);
});

test("TimeLimit truncates at the registered limit", () => {
  const env = new TimeLimit(new PendulumEnv(), 200);
  env.reset({ seed: 0 });
  for (let i = 1; i < 200; i++) assert.equal(env.step(Float32Array.of(0))[3], false);
  assert.equal(env.step(Float32Array.of(0))[3], true);
  assert.throws(() => env.step(Float32Array.of(0)), /truncated/);
});

test("bad reset options throw clear errors", () => {
  const discrete: [CartPoleEnv | AcrobotEnv | MountainCarEnv, string][] = [
    [new CartPoleEnv(), "CartPoleEnv.reset"],
    [new AcrobotEnv(), "AcrobotEnv.reset"],
    [new MountainCarEnv(), "MountainCarEnv.reset"],
  ];
  for (const [env, where] of discrete) {
    assert.throws(() => env.reset({ options: { low: "x" } }), new RegExp(`${where}: option low must be a finite number`));
    assert.throws(() => env.reset({ options: { high: NaN } }), /option high must be a finite number/);
    assert.throws(() => env.reset({ options: { low: 1, high: 0 } }), /low \(1\) must not be greater than option high \(0\)/);
    assert.throws(() => env.reset({ options: { lo: 0 } }), /unknown option 'lo'/);
  }
  const cmc = new ContinuousMountainCarEnv();
  assert.throws(() => cmc.reset({ options: { low: "x" } }), /option low must be a finite number/);
  const pendulum = new PendulumEnv();
  assert.throws(() => pendulum.reset({ options: { x_init: "x" } }), /PendulumEnv.reset: option x_init must be a finite number/);
  assert.throws(() => pendulum.reset({ options: { low: 0 } }), /unknown option 'low' \(accepted: x_init, y_init\)/);
  assert.throws(() => new CartPoleEnv().reset({ seed: -1 }), /seed/);
});

test("reset options change the starting interval", () => {
  const cart = new CartPoleEnv();
  cart.reset({ seed: 5, options: { low: 0.2, high: 0.3 } });
  for (const v of cart.state) assert.ok(v >= 0.2 && v < 0.3, `${v}`);
  cart.reset({ seed: 5, options: { low: 0.25, high: 0.25 } });
  assert.deepEqual(Array.from(cart.state), [0.25, 0.25, 0.25, 0.25]);

  const car = new MountainCarEnv();
  const [obs] = car.reset({ seed: 5, options: { low: -0.1, high: 0 } });
  assert.ok(car.state[0] >= -0.1 && car.state[0] < 0 && car.state[1] === 0);
  assert.deepEqual(Array.from(obs), [Math.fround(car.state[0]), 0]);

  const pendulum = new PendulumEnv();
  pendulum.reset({ seed: 5, options: { x_init: 0.1, y_init: 0 } });
  assert.ok(Math.abs(pendulum.state[0]) <= 0.1);
  assert.equal(pendulum.state[1], 0);
});

test("starting states lie in Gymnasium's ranges, repeat with the seed and differ across seeds", () => {
  const cases: [() => ClassicEnv, number[], number[]][] = [
    [() => new CartPoleEnv(), [-0.05, -0.05, -0.05, -0.05], [0.05, 0.05, 0.05, 0.05]],
    [() => new AcrobotEnv(), [-0.1, -0.1, -0.1, -0.1], [0.1, 0.1, 0.1, 0.1]],
    [() => new MountainCarEnv(), [-0.6, 0], [-0.4, 0]],
    [() => new ContinuousMountainCarEnv(), [-0.6, 0], [-0.4, 0]],
    [() => new PendulumEnv(), [-Math.PI, -1], [Math.PI, 1]],
  ];
  for (const [make, low, high] of cases) {
    const env = make();
    const name = env.constructor.name;
    const seen = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const [obs] = env.reset({ seed });
      const s = Array.from(env.state);
      assert.equal(s.length, low.length);
      s.forEach((v, i) => assert.ok(v >= low[i] && v <= high[i], `${name} seed ${seed}: state[${i}] = ${v}`));
      assert.deepEqual(Array.from(obs), Array.from(env.getObs()), `${name}: reset obs is derived from the state`);
      assert.ok(env.observationSpace.contains(obs), `${name}: reset obs in the observation space`);
      seen.add(s.join(","));
      const again = make();
      again.reset({ seed });
      assert.deepEqual(Array.from(again.state), s, `${name}: same seed, same state`);
    }
    assert.equal(seen.size, 50, `${name}: 50 seeds give 50 different states`);
    // Without a seed, reset continues the stream: the next episode starts elsewhere.
    env.reset({ seed: 7 });
    const first = Array.from(env.state);
    env.reset();
    assert.notDeepEqual(Array.from(env.state), first);
  }
  // Acrobot rounds its starting state to float32, as Gymnasium does.
  const acrobot = new AcrobotEnv();
  acrobot.reset({ seed: 11 });
  for (const v of acrobot.state) assert.equal(Math.fround(v), v);
});

test("starting states are spread over the whole interval", () => {
  const env = new CartPoleEnv();
  env.reset({ seed: 123 });
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  const n = 2000;
  for (let i = 0; i < n; i++) {
    env.reset();
    for (const v of env.state) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
  }
  assert.ok(min < -0.049 && max > 0.049, `range [${min}, ${max}]`);
  assert.ok(Math.abs(sum / (4 * n)) < 0.002, `mean ${sum / (4 * n)}`);
});

test("constructor options: suttonBartoReward, goalVelocity, g, and unknown names", () => {
  const sb = new CartPoleEnv({ suttonBartoReward: true });
  sb.reset({ seed: 0 });
  assert.equal(sb.step(0)[1], 0);
  sb.state = Float64Array.from([0, 0, 0.2, 2]);
  const [, r, term] = sb.step(1);
  assert.equal(term, true);
  assert.equal(r, -1);
  assert.throws(() => new CartPoleEnv({ suttonBartoReward: "yes" as unknown as boolean }), /suttonBartoReward must be a boolean/);
  assert.throws(() => entryFor("CartPole-v1").create({ sutton_barto_reward: true }), /unknown option 'sutton_barto_reward'/);

  const car = new MountainCarEnv({ goalVelocity: 0.06 });
  car.reset({ seed: 0 });
  car.state = Float64Array.from([0.49, 0.05]);
  assert.equal(car.step(2)[2], false, "too slow at the flag");
  assert.throws(() => new MountainCarEnv({ goalVelocity: NaN }), /goalVelocity must be a finite number/);
  assert.equal(new ContinuousMountainCarEnv({ goalVelocity: 0.1 }).goalVelocity, 0.1);

  const moon = new PendulumEnv({ g: 1.62 });
  const earth = new PendulumEnv();
  for (const p of [moon, earth]) {
    p.reset({ seed: 0 });
    p.state = Float64Array.from([1, 0]);
    p.step([0]);
  }
  assert.ok(Math.abs(moon.state[1]) < Math.abs(earth.state[1]));
  assert.throws(() => new PendulumEnv({ g: "9.8" as unknown as number }), /option g must be a finite number/);
  assert.throws(() => entryFor("Acrobot-v1").create({ bookOrNips: "nips" }), /unknown option 'bookOrNips' \(accepted: none\)/);
});

test("Acrobot: NIPS dynamics differ from the book's; helpers wrap and normalise angles", () => {
  const book = new AcrobotEnv();
  const nips = new AcrobotEnv();
  nips.bookOrNips = "nips";
  for (const env of [book, nips]) {
    env.reset({ seed: 0 });
    env.state = Float64Array.from([0.5, 0.3, 1, 2]);
    env.step(2);
  }
  assert.notDeepEqual(Array.from(book.state), Array.from(nips.state));
  assert.ok(Math.abs(wrap(3 * Math.PI / 2, -Math.PI, Math.PI) - -Math.PI / 2) < 1e-15);
  assert.equal(wrap(1, -Math.PI, Math.PI), 1);
  assert.ok(Math.abs(wrap(1e12, -Math.PI, Math.PI)) <= Math.PI);
  assert.equal(angleNormalize(0), 0);
  assert.ok(Math.abs(angleNormalize(2 * Math.PI + 0.5) - 0.5) < 1e-15);
  assert.ok(Math.abs(angleNormalize(-0.5) - -0.5) < 1e-15);
  assert.equal(angleNormalize(Math.PI), -Math.PI);
});

test("metadata and spaces follow Gymnasium", () => {
  assert.equal(new CartPoleEnv().metadata.renderFps, 50);
  assert.equal(new AcrobotEnv().metadata.renderFps, 15);
  assert.equal(new MountainCarEnv().metadata.renderFps, 30);
  assert.equal(new ContinuousMountainCarEnv().metadata.renderFps, 30);
  assert.equal(new PendulumEnv().metadata.renderFps, 30);
  const cart = new CartPoleEnv();
  assert.deepEqual(Array.from(cart.observationSpace.high), [4.8, Infinity, ((12 * 2 * Math.PI) / 360) * 2, Infinity].map(Math.fround));
  assert.equal(cart.actionSpace.n, 2);
  assert.deepEqual(Array.from(new AcrobotEnv().observationSpace.high), [1, 1, 1, 1, 4 * Math.PI, 9 * Math.PI].map(Math.fround));
  assert.deepEqual(Array.from(new MountainCarEnv().observationSpace.low), [-1.2, -0.07].map(Math.fround));
  assert.deepEqual(Array.from(new PendulumEnv().actionSpace.high), [2]);
  assert.deepEqual(Array.from(new ContinuousMountainCarEnv().actionSpace.low), [-1]);
});
