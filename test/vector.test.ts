import assert from "node:assert/strict";
import { test } from "node:test";
import { BaseEnv, type Info, type StepResult } from "../lib/envs/core";
import { Box, Discrete } from "../lib/envs/spaces";
import { make } from "../lib/envs";
import { SyncVectorEnv } from "../lib/envs/vector";

/** Counts its steps; the episode terminates after `length` steps. Obs = steps taken + 10 × reset count. */
class CounterEnv extends BaseEnv<number, number> {
  readonly observationSpace = new Discrete(1000);
  readonly actionSpace = new Discrete(2);
  resets = 0;
  seeds: (number | undefined)[] = [];
  private t = 0;
  constructor(private readonly length: number) {
    super();
  }
  protected resetEnv(): [number, Info] {
    this.t = 0;
    this.resets++;
    return [10 * this.resets, { reset: this.resets }];
  }
  override reset(args: { seed?: number } = {}): [number, Info] {
    this.seeds.push(args.seed);
    return super.reset(args);
  }
  protected stepEnv(action: number): StepResult<number> {
    this.t++;
    return [10 * this.resets + this.t, action, this.t >= this.length, false, { t: this.t }];
  }
}

test("next-step autoreset: the step after an episode end resets, ignores the action, returns reward 0", () => {
  const envs = [new CounterEnv(2), new CounterEnv(3)];
  const vec = new SyncVectorEnv(envs);
  const [obs0] = vec.reset({ seed: 7 });
  assert.deepEqual(Array.from(obs0), [10, 10]);
  assert.deepEqual(envs.map((e) => e.seeds[0]), [7, 8]);
  vec.step([1, 1]);
  const [obs2, r2, term2] = vec.step([1, 1]);
  assert.deepEqual(Array.from(obs2), [12, 12]);
  assert.deepEqual(term2, [true, false]);
  assert.deepEqual(Array.from(r2), [1, 1]);
  const [obs3, r3, term3, trunc3, infos3] = vec.step([1, 1]);
  assert.deepEqual(Array.from(obs3), [20, 13]); // env 0 was reset, env 1 took its 3rd step
  assert.deepEqual(Array.from(r3), [0, 1]);
  assert.deepEqual(term3, [false, true]);
  assert.deepEqual(trunc3, [false, false]);
  assert.deepEqual(infos3[0], { reset: 2 });
  assert.equal(obs3 === obs2, false, "each step returns a fresh array");
});

test("same-step autoreset: the ending step returns the reset observation and the final one in info", () => {
  const vec = new SyncVectorEnv([new CounterEnv(1), new CounterEnv(2)], "same-step");
  vec.reset();
  const [obs, rewards, term, , infos] = vec.step([1, 0]);
  assert.deepEqual(Array.from(obs), [20, 11]);
  assert.deepEqual(term, [true, false]);
  assert.deepEqual(Array.from(rewards), [1, 0]);
  assert.equal(infos[0].finalObs, 11);
  assert.deepEqual(infos[0].finalInfo, { t: 1 });
});

test("disabled autoreset: only a masked reset restarts a sub-env; stepping an ended one throws", () => {
  const vec = new SyncVectorEnv([new CounterEnv(1), new CounterEnv(5)], "disabled");
  vec.reset();
  vec.step([0, 0]);
  assert.throws(() => vec.step([0, 0]), /after the episode terminated/);
  const [obs] = vec.reset({ options: { resetMask: [true, false] } });
  assert.deepEqual(Array.from(obs), [20, 11]);
  assert.throws(() => vec.reset({ options: { resetMask: [true] } }), /resetMask/);
});

test("actions: one per env, or a flat array for continuous spaces; errors name the mismatch", () => {
  const vec = new SyncVectorEnv([new CounterEnv(3), new CounterEnv(3)]);
  vec.reset();
  assert.throws(() => vec.step([1]), /got 1 actions, expected one per env \(numEnvs = 2\)/);
  assert.throws(() => vec.step([1, 2]), /action must be an integer in \[0, 1\]/);
  assert.throws(() => vec.reset({ seed: [1] }), /seed has 1 entries/);

  class ContinuousEnv extends BaseEnv<Float32Array, Float32Array> {
    readonly observationSpace = new Box(-10, 10, 2);
    readonly actionSpace = new Box(-1, 1, 2);
    protected resetEnv(): [Float32Array, Info] {
      return [new Float32Array(2), {}];
    }
    protected stepEnv(action: Float32Array): StepResult<Float32Array> {
      return [Float32Array.from(action), 0, false, false, {}];
    }
  }
  const cont = new SyncVectorEnv([new ContinuousEnv(), new ContinuousEnv(), new ContinuousEnv()]);
  cont.reset();
  const [flatObs] = cont.step(Float32Array.from([1, 2, 3, 4, 5, 6].map((x) => x / 10)));
  assert.deepEqual(Array.from(flatObs), Array.from(Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])));
  const [nestedObs] = cont.step([Float32Array.from([0, 1]), Float32Array.from([1, 0]), Float32Array.from([0, 0])]);
  assert.deepEqual(Array.from(nestedObs), [0, 1, 1, 0, 0, 0]);
  assert.throws(() => cont.step([0.1, 0.2]), /needs numEnvs×2 = 6 numbers, got 2/);
  assert.throws(() => new SyncVectorEnv([]), /must not be empty/);
  assert.throws(() => new SyncVectorEnv([new ContinuousEnv(), new CounterEnv(1) as never]), /env 1 has spaces/);
});

test("make is typed for registered ids: unwrapped is the env class, no cast needed", () => {
  const env = make("FrozenLake-v1", { isSlippery: false });
  const P = env.unwrapped.P; // a FrozenLakeEnv: P, desc, nS are typed
  assert.equal(P.length, env.unwrapped.nS);
  const [obs] = env.reset({ seed: 0 });
  assert.equal(typeof obs, "number");
  const cartpole = make("CartPole-v1");
  assert.equal(cartpole.unwrapped.state.length, 4);
  assert.throws(() => make("CartPole-v2" as string), /unknown env id 'CartPole-v2'/);
});
