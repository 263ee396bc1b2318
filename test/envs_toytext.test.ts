/**
 * Toy-text environments: transition tables against Gymnasium 1.4.0's own (test/fixtures/gymnasium),
 * sampling, option validation, and the course's GridWorld and CombinationLock.
 *
 * Run: node --import tsx --test test/envs_toytext.test.ts
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { Rng } from "../lib/random";
import type { Env } from "../lib/envs/core";
import {
  CliffWalkingEnv,
  CombinationLockEnv,
  DiscreteEnv,
  FrozenLakeEnv,
  GRIDWORLD_PRESETS,
  GridWorldEnv,
  TaxiEnv,
  generateRandomMap,
  isValidMap,
  toyTextEntries,
  type TransitionTable,
} from "../lib/envs/toytext";

const FIXTURES = join(__dirname, "fixtures", "gymnasium");

interface Fixture {
  env_id: string;
  kwargs: Record<string, unknown>;
  gymnasium_version: string;
  n_states: number;
  n_actions: number;
  initial_state_distrib: number[];
  max_episode_steps: number | null;
  reward_threshold: number | null;
  P: Record<string, Record<string, [number, number, number, boolean][]>>;
}

function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as Fixture;
}

function camelCase(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function entry(id: string) {
  const found = toyTextEntries.find((e) => e.id === id);
  assert.ok(found, `no registry entry ${id}`);
  return found;
}

/** Iterative policy evaluation on a table: v(s) = Σ_a π(a|s) Σ p (r + γ v(s') [not terminated]). */
function evaluatePolicy(P: TransitionTable, policy: (s: number, a: number) => number, gamma: number, tol = 1e-12): Float64Array {
  const v = new Float64Array(P.length);
  for (let sweep = 0; sweep < 100_000; sweep++) {
    let delta = 0;
    for (let s = 0; s < P.length; s++) {
      let total = 0;
      P[s].forEach((outcomes, a) => {
        const pa = policy(s, a);
        if (pa === 0) return;
        for (const [p, next, r, done] of outcomes) total += pa * p * (r + (done ? 0 : gamma * v[next]));
      });
      delta = Math.max(delta, Math.abs(total - v[s]));
      v[s] = total;
    }
    if (delta < tol) return v;
  }
  throw new Error("policy evaluation did not converge");
}

function valueIteration(P: TransitionTable, gamma: number, tol = 1e-12): Float64Array {
  const v = new Float64Array(P.length);
  for (let sweep = 0; sweep < 100_000; sweep++) {
    let delta = 0;
    for (let s = 0; s < P.length; s++) {
      let best = -Infinity;
      for (const outcomes of P[s]) {
        let q = 0;
        for (const [p, next, r, done] of outcomes) q += p * (r + (done ? 0 : gamma * v[next]));
        best = Math.max(best, q);
      }
      delta = Math.max(delta, Math.abs(best - v[s]));
      v[s] = best;
    }
    if (delta < tol) return v;
  }
  throw new Error("value iteration did not converge");
}

function assertRowsSumToOne(env: DiscreteEnv): void {
  for (let s = 0; s < env.nS; s++) {
    for (let a = 0; a < env.nA; a++) {
      const total = env.P[s][a].reduce((sum, t) => sum + t[0], 0);
      assert.ok(Math.abs(total - 1) < 1e-12, `P[${s}][${a}] sums to ${total}`);
    }
  }
}

// -------------------------------------------------------------------------------------------------
describe("transition tables equal Gymnasium 1.4.0's env.P", () => {
  const files = [
    "FrozenLake-v1_map_name-4x4_is_slippery-False.json",
    "FrozenLake-v1_map_name-4x4_is_slippery-True.json",
    "FrozenLake-v1_map_name-8x8_is_slippery-True.json",
    "CliffWalking-v1.json",
    "Taxi-v4.json",
  ];
  for (const file of files) {
    test(file, () => {
      const fx = loadFixture(file);
      assert.equal(fx.gymnasium_version, "1.4.0");
      const options = Object.fromEntries(Object.entries(fx.kwargs).map(([k, v]) => [camelCase(k), v]));
      const e = entry(fx.env_id);
      const env = e.create(options) as DiscreteEnv;

      assert.equal(env.nS, fx.n_states);
      assert.equal(env.nA, fx.n_actions);
      assert.equal((env.observationSpace as { n: number }).n, fx.n_states);
      assert.equal((env.actionSpace as { n: number }).n, fx.n_actions);
      assert.equal(e.maxEpisodeSteps ?? null, fx.max_episode_steps);
      assert.equal(e.rewardThreshold ?? null, fx.reward_threshold);

      assert.equal(env.initialStateDistrib.length, fx.n_states);
      fx.initial_state_distrib.forEach((p, s) => assert.ok(Math.abs(env.initialStateDistrib[s] - p) <= 1e-15, `isd[${s}]`));

      assert.equal(env.P.length, fx.n_states);
      for (let s = 0; s < fx.n_states; s++) {
        assert.equal(env.P[s].length, fx.n_actions, `P[${s}] actions`);
        for (let a = 0; a < fx.n_actions; a++) {
          const expected = fx.P[String(s)][String(a)];
          const got = env.P[s][a];
          assert.equal(got.length, expected.length, `P[${s}][${a}] has ${got.length} entries, Gymnasium ${expected.length}`);
          expected.forEach(([p, next, r, done], i) => {
            const [gp, gnext, gr, gdone] = got[i];
            const where = `P[${s}][${a}][${i}]: got ${JSON.stringify(got[i])}, Gymnasium ${JSON.stringify(expected[i])}`;
            assert.ok(Math.abs(gp - p) <= 1e-12, where);
            assert.equal(gnext, next, where);
            assert.equal(gr, r, where);
            assert.equal(gdone, done, where);
          });
        }
      }
    });
  }
});

// -------------------------------------------------------------------------------------------------
describe("sampling", () => {
  function empirical(env: DiscreteEnv, s: number, a: number, n: number): Map<number, number> {
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      env.state = s;
      const [next] = env.step(a);
      counts.set(next, (counts.get(next) ?? 0) + 1);
    }
    return counts;
  }

  for (const successRate of [1 / 3, 0.6]) {
    test(`slippery FrozenLake: transition frequencies match P (successRate ${successRate.toFixed(3)})`, () => {
      const env = new FrozenLakeEnv({ mapName: "4x4", isSlippery: true, successRate });
      env.reset({ seed: 123 });
      // State 9 = (2, 1); action down: slips to 8 (left), moves to 13 (down), or slips to 10 (right); none terminal.
      const n = 30_000;
      const counts = empirical(env, 9, 1, n);
      const expected = new Map<number, number>();
      for (const [p, next] of env.P[9][1]) expected.set(next, (expected.get(next) ?? 0) + p);
      assert.deepEqual([...counts.keys()].sort(), [...expected.keys()].sort());
      for (const [next, p] of expected) {
        const freq = (counts.get(next) ?? 0) / n;
        const tol = 5 * Math.sqrt((p * (1 - p)) / n);
        assert.ok(Math.abs(freq - p) < tol, `next state ${next}: frequency ${freq}, P says ${p} (tolerance ${tol})`);
      }
      assert.ok(Math.abs(expected.get(13)! - successRate) < 1e-12);
    });
  }

  test("step info carries the probability of the sampled entry", () => {
    const env = new FrozenLakeEnv({ successRate: 0.6 });
    env.reset({ seed: 5 });
    for (let i = 0; i < 200; i++) {
      env.state = 9;
      const [next, , , , info] = env.step(1);
      assert.equal(info.prob, next === 13 ? 0.6 : env.P[9][1][0][0]);
    }
    const [, info] = env.reset();
    assert.deepEqual(info, { prob: 1 });
  });

  test("reset draws from the initial state distribution (Taxi: all 300 start states, nothing else)", () => {
    const env = new TaxiEnv();
    env.reset({ seed: 7 });
    const seen = new Set<number>();
    for (let i = 0; i < 30_000; i++) {
      const [s, info] = env.reset();
      assert.ok(env.initialStateDistrib[s] > 0, `reset to ${s}, which has start probability 0`);
      seen.add(s);
      if (i === 0) assert.ok(info.actionMask instanceof Int8Array);
    }
    assert.equal(seen.size, 300);
  });

  test("reset from a multi-start FrozenLake map is uniform over its S tiles", () => {
    const env = new FrozenLakeEnv({ desc: ["SFS", "FHF", "SFG"] });
    env.reset({ seed: 11 });
    const counts = new Map<number, number>();
    const n = 9000;
    for (let i = 0; i < n; i++) {
      const [s] = env.reset();
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [0, 2, 6]);
    for (const c of counts.values()) assert.ok(Math.abs(c / n - 1 / 3) < 5 * Math.sqrt((1 / 3) * (2 / 3) / n));
  });

  test("same seed, same trajectory; another seed, another one", () => {
    const run = (seed: number): string => {
      const env = new FrozenLakeEnv({ mapName: "8x8" });
      const policy = new Rng(99);
      const out: number[] = [];
      let [obs] = env.reset({ seed });
      out.push(obs);
      for (let episode = 0; episode < 20; episode++) {
        for (let t = 0; t < 200; t++) {
          const [next, reward, terminated] = env.step(policy.integers(0, 4));
          out.push(next, reward);
          if (terminated) break;
        }
        [obs] = env.reset();
        out.push(obs);
      }
      return out.join(",");
    };
    assert.equal(run(42), run(42));
    assert.notEqual(run(42), run(43));
  });

  test("lastAction and state alias", () => {
    const env = new CliffWalkingEnv();
    env.reset({ seed: 0 });
    assert.equal(env.lastAction, null);
    assert.equal((env.unwrapped as unknown as { state: number }).state, 36);
    env.step(0);
    assert.equal(env.lastAction, 0);
    assert.equal(env.state, 24);
    env.state = 35;
    assert.equal(env.s, 35);
    const [next, reward, terminated] = env.step(2);
    assert.deepEqual([next, reward, terminated], [47, -1, true]);
    assert.throws(() => (env.state = 48), /state must be an integer in \[0, 47\]/);
  });
});

// -------------------------------------------------------------------------------------------------
describe("bad input", () => {
  test("actions out of range or not integers throw naming action", () => {
    const env = new FrozenLakeEnv();
    env.reset({ seed: 0 });
    for (const bad of [4, -1, 1.5, Number.NaN, "1", null]) {
      assert.throws(() => env.step(bad as number), (err: Error) => err instanceof RangeError && /action/.test(err.message));
    }
    const taxi = new TaxiEnv();
    taxi.reset({ seed: 0 });
    assert.throws(() => taxi.step(6), /action must be an integer in \[0, 5\]/);
  });

  test("step before reset and after termination throw", () => {
    const env = new FrozenLakeEnv({ isSlippery: false });
    assert.throws(() => env.step(0), /before reset/);
    env.reset({ seed: 0 });
    env.state = 14;
    const [s, r, terminated] = env.step(2);
    assert.deepEqual([s, r, terminated], [15, 1, true]);
    assert.throws(() => env.step(0), /terminated/);
    env.reset();
    assert.doesNotThrow(() => env.step(0));
  });

  test("FrozenLake option errors name the option and the accepted values", () => {
    assert.throws(() => new FrozenLakeEnv({ mapName: "5x5" as "4x4" }), /unknown mapName "5x5" \(accepted: "4x4", "8x8"/);
    assert.throws(() => new FrozenLakeEnv({ desc: ["SFF", "FG"] }), /desc has rows of different lengths \(row 0 has 3 characters, row 1 has 2\)/);
    assert.throws(() => new FrozenLakeEnv({ desc: ["FFF", "FFG"] }), /desc has no start tile 'S'/);
    assert.throws(() => new FrozenLakeEnv({ desc: ["SFF", "FFF"] }), /desc has no goal tile 'G'/);
    assert.throws(() => new FrozenLakeEnv({ desc: ["SXF", "FFG"] }), /'X' at row 0, column 1 \(accepted characters: S F H G\)/);
    assert.throws(() => new FrozenLakeEnv({ desc: [] }), /desc must be a non-empty array of strings/);
    assert.throws(() => new FrozenLakeEnv({ desc: "SFFG" as unknown as string[] }), /desc must be a non-empty array/);
    assert.throws(() => new FrozenLakeEnv({ isSlippery: "yes" as unknown as boolean }), /isSlippery must be true or false/);
    assert.throws(() => new FrozenLakeEnv({ successRate: 1.5 }), /successRate must be a probability in \[0, 1\]/);
    assert.throws(
      () => new FrozenLakeEnv({ rewardSchedule: [1, 0] as unknown as [number, number, number] }),
      /rewardSchedule must be three finite numbers \[goal, hole, frozen\]/,
    );
    assert.throws(
      () => new FrozenLakeEnv({ is_slippery: false } as never),
      /unknown option 'is_slippery' \(accepted: desc, mapName, isSlippery, successRate, rewardSchedule\)/,
    );
    assert.throws(() => entry("FrozenLake-v1").create({ map: "4x4" }), /unknown option 'map'/);
  });

  test("other envs reject unknown options and bad values", () => {
    assert.throws(() => new CliffWalkingEnv({ slippery: true } as never), /CliffWalking: unknown option 'slippery' \(accepted: isSlippery\)/);
    assert.throws(() => new TaxiEnv({ is_rainy: true } as never), /unknown option 'is_rainy' \(accepted: isRainy, ficklePassenger, rainyProbability, fickleProbability\)/);
    assert.throws(() => new TaxiEnv({ rainyProbability: -0.1 }), /rainyProbability must be a probability/);
    assert.throws(() => new GridWorldEnv({ gamma: 0.9 } as never), /GridWorld: unknown option 'gamma' \(accepted: preset, layout, rows, cols/);
    assert.throws(() => new CombinationLockEnv({ H: 3 } as never), /unknown option 'H'/);
  });

  test("reset rejects options (toy-text envs take none)", () => {
    const env = new TaxiEnv();
    assert.throws(() => env.reset({ seed: 0, options: { low: 0 } }), /unknown option 'low' \(accepted: none\)/);
  });
});

// -------------------------------------------------------------------------------------------------
describe("FrozenLake", () => {
  test("successRate and rewardSchedule shape P", () => {
    const env = new FrozenLakeEnv({ successRate: 0.8, rewardSchedule: [10, -5, -0.1] });
    // State 14 = (3, 2), action right: down stays at 14 with 0.1, right to the goal 15 with 0.8, up to 10 with 0.1.
    assert.deepEqual(
      env.P[14][2].map(([p, s, r, d]) => [Number(p.toFixed(12)), s, r, d]),
      [
        [0.1, 14, -0.1, false],
        [0.8, 15, 10, true],
        [0.1, 10, -0.1, false],
      ],
    );
    // State 4 = (1, 0), action right: into the hole 5 with the intended move.
    assert.deepEqual(env.P[4][2][1].slice(1), [5, -5, true]);
    assert.deepEqual(env.P[5][0], [[1, 5, 0, true]]);
    assertRowsSumToOne(env);
  });

  test("helpers: toState, toRowCol, tileAt, render", () => {
    const env = new FrozenLakeEnv({ mapName: "8x8" });
    assert.equal(env.toState(7, 7), 63);
    assert.deepEqual(env.toRowCol(19), [2, 3]);
    assert.equal(env.tileAt(19), "H");
    assert.throws(() => env.toState(8, 0), /outside the 8x8 grid/);
    env.reset({ seed: 0 });
    assert.ok(env.render().startsWith("\n@FFFFFFF\n"));
  });

  test("generateRandomMap: reproducible, S and G placed, always a path", () => {
    const a = generateRandomMap(6, 0.7, 3);
    assert.deepEqual(a, generateRandomMap(6, 0.7, 3));
    for (let seed = 0; seed < 50; seed++) {
      const map = generateRandomMap(5, 0.6, seed);
      assert.equal(map.length, 5);
      assert.ok(map.every((row) => row.length === 5 && /^[SFHG]+$/.test(row)));
      assert.equal(map[0][0], "S");
      assert.equal(map[4][4], "G");
      assert.ok(isValidMap(map));
    }
    assert.equal(isValidMap(["SH", "HG"]), false);
    assert.equal(isValidMap(["SF", "HG"]), true);
    assert.throws(() => generateRandomMap(1), /size must be an integer >= 2/);
    assert.throws(() => generateRandomMap(4, 0), /p \(probability of a frozen tile\) must be in \(0, 1\]/);
    const random = new FrozenLakeEnv({ mapName: null });
    assert.equal(random.nS, 64);
    assert.ok(isValidMap(random.desc));
  });
});

// -------------------------------------------------------------------------------------------------
describe("CliffWalking", () => {
  test("slippery variant: three outcomes of probability 1/3, ordered (a-1, a, a+1)", () => {
    const env = new CliffWalkingEnv({ isSlippery: true });
    assertRowsSumToOne(env);
    // From the start (36), action right: up (24), right into the cliff (back to 36, -100), down (stays 36).
    assert.deepEqual(env.P[36][1], [
      [1 / 3, 24, -1, false],
      [1 / 3, 36, -100, false],
      [1 / 3, 36, -1, false],
    ]);
    assert.equal(entry("CliffWalkingSlippery-v1").create({}) instanceof CliffWalkingEnv, true);
    assert.equal((entry("CliffWalkingSlippery-v1").create({}) as CliffWalkingEnv).isSlippery, true);
  });

  test("the safe path scores -13 and the optimal value of the start is -13", () => {
    const env = new CliffWalkingEnv();
    env.reset({ seed: 0 });
    let total = 0;
    const path = [0, ...Array(11).fill(1), 2];
    let terminated = false;
    for (const a of path) {
      const [, r, done] = env.step(a);
      total += r;
      terminated = done;
    }
    assert.equal(total, -13);
    assert.equal(terminated, true);
    const v = valueIteration(env.P, 1);
    assert.ok(Math.abs(v[36] + 13) < 1e-9);
    assert.ok(env.isCliff(40) && !env.isCliff(36) && !env.isCliff(47));
  });
});

// -------------------------------------------------------------------------------------------------
describe("Taxi", () => {
  test("encode/decode round trip and ranges", () => {
    const env = new TaxiEnv();
    for (let s = 0; s < 500; s++) assert.equal(env.encode(...env.decode(s)), s);
    assert.equal(env.encode(4, 4, 4, 3), 499);
    assert.throws(() => env.encode(5, 0, 0, 0), /taxiRow, taxiCol in 0..4/);
    assert.throws(() => env.decode(500), /state must be an integer in \[0, 499\]/);
  });

  for (const isRainy of [false, true]) {
    test(`action mask agrees with P (isRainy ${isRainy})`, () => {
      const env = new TaxiEnv({ isRainy });
      for (let s = 0; s < 500; s++) {
        const mask = env.actionMask(s);
        for (let a = 0; a < 6; a++) {
          if (mask[a]) assert.notEqual(env.P[s][a][0][1], s, `state ${s} action ${a}`);
          else for (const t of env.P[s][a]) assert.equal(t[1], s, `state ${s} action ${a}`);
        }
      }
    });

    test(`no transition crosses an interior wall (isRainy ${isRainy})`, () => {
      const env = new TaxiEnv({ isRainy });
      // The walls of TAXI_MAP: between columns 1|2 on rows 0-1, and 0|1 and 2|3 on rows 3-4.
      const walls = new Set(
        [
          [0, 1, 2],
          [1, 1, 2],
          [3, 0, 1],
          [3, 2, 3],
          [4, 0, 1],
          [4, 2, 3],
        ].flatMap(([r, a, b]) => [`${r},${a}>${r},${b}`, `${r},${b}>${r},${a}`]),
      );
      let crossings = 0;
      for (let s = 0; s < 500; s++) {
        const [r0, c0] = env.decode(s);
        for (const outcomes of env.P[s]) {
          for (const [, next] of outcomes) {
            const [r1, c1] = env.decode(next);
            assert.ok(!walls.has(`${r0},${c0}>${r1},${c1}`), `state ${s} crosses a wall`);
            if (r0 === r1 && Math.abs(c0 - c1) === 1) crossings += 1;
          }
        }
      }
      assert.ok(crossings > 0, "no east-west move at all");
    });
  }

  test("start, initial and reachable state counts: 500, 300, 404", () => {
    const env = new TaxiEnv();
    const initial = [...env.initialStateDistrib.keys()].filter((s) => env.initialStateDistrib[s] > 0);
    assert.equal(initial.length, 300);
    const reachable = new Set(initial);
    let frontier = [...initial];
    while (frontier.length) {
      const next: number[] = [];
      for (const s of frontier) {
        for (const outcomes of env.P[s]) {
          for (const [, t, , done] of outcomes) {
            if (!reachable.has(t)) {
              reachable.add(t);
              if (!done) next.push(t);
            }
          }
        }
      }
      frontier = next;
    }
    assert.equal(reachable.size, 404);
  });

  test("rainy probabilities: moves [p, (1-p)/2, (1-p)/2], pickup and drop-off [1]", () => {
    for (const [options, probs] of [
      [{ isRainy: true }, [0.8, 0.1, 0.1]],
      [{ isRainy: true, rainyProbability: 0.5 }, [0.5, 0.25, 0.25]],
      [{ isRainy: true, rainyProbability: 1 }, [1, 0, 0]],
    ] as const) {
      const env = new TaxiEnv(options);
      assertRowsSumToOne(env);
      for (let s = 0; s < 500; s++) {
        for (let a = 0; a < 6; a++) {
          const got = env.P[s][a].map((t) => t[0]);
          const expected = a < 4 ? probs : [1];
          assert.equal(got.length, expected.length);
          got.forEach((p, i) => assert.ok(Math.abs(p - expected[i]) < 1e-12));
        }
      }
    }
  });

  test("rainy targets: ahead, left, right as in Gymnasium's tests", () => {
    const env = new TaxiEnv({ isRainy: true });
    const cells = (row: number, col: number, action: number) =>
      env.P[env.encode(row, col, 0, 1)][action].map(([, next]) => env.decode(next).slice(0, 2).join(","));
    const cases: [number, number, number, string[]][] = [
      [1, 3, 0, ["2,3", "1,4", "1,2"]],
      [1, 3, 1, ["0,3", "1,2", "1,4"]],
      [1, 3, 2, ["1,4", "0,3", "2,3"]],
      [1, 3, 3, ["1,2", "2,3", "0,3"]],
      [1, 4, 3, ["1,3", "2,4", "0,4"]],
      [2, 1, 2, ["2,2", "1,1", "3,1"]],
      [4, 3, 0, ["4,3", "4,3", "4,3"]],
      [0, 3, 1, ["0,3", "0,3", "0,3"]],
      [0, 1, 2, ["0,1", "0,1", "0,1"]],
      [0, 2, 3, ["0,2", "0,2", "0,2"]],
      [0, 2, 0, ["1,2", "0,3", "0,2"]],
    ];
    for (const [row, col, action, expected] of cases) assert.deepEqual(cells(row, col, action), expected, `(${row}, ${col}) action ${action}`);
    for (const [, , reward, done] of env.P[env.encode(1, 3, 0, 1)][0]) assert.deepEqual([reward, done], [-1, false]);
  });

  test("fickle passenger: probability 1 always changes the destination, 0 never", () => {
    for (const [fickleProbability, changes] of [
      [1, true],
      [0, false],
    ] as const) {
      for (let seed = 0; seed < 20; seed++) {
        const env = new TaxiEnv({ ficklePassenger: true, fickleProbability });
        env.reset({ seed });
        const [, , passIdx, dest] = env.decode(env.s);
        const [r, c] = env.locs[passIdx];
        env.state = env.encode(r, c, passIdx, dest);
        env.step(4); // pick up at the source
        const [s1] = env.step(r === 0 ? 0 : 1);
        assert.equal(env.decode(s1)[3] !== dest, changes);
        assert.equal(env.decode(s1)[2], 4);
      }
    }
  });

  test("delivering the passenger: +20 and terminated; info has prob and actionMask", () => {
    const env = new TaxiEnv();
    env.reset({ seed: 0 });
    env.state = env.encode(4, 3, 4, 3); // at Blue with the passenger, destination Blue
    const [s, reward, terminated, truncated, info] = env.step(5);
    assert.deepEqual([env.decode(s), reward, terminated, truncated], [[4, 3, 3, 3], 20, true, false]);
    assert.equal(info.prob, 1);
    assert.deepEqual(Array.from(info.actionMask as Int8Array), [0, 1, 1, 0, 1, 0]);
  });
});

// -------------------------------------------------------------------------------------------------
describe("GridWorld", () => {
  test("default is Sutton & Barto Example 4.1: random-policy values with gamma = 1", () => {
    const env = new GridWorldEnv();
    assert.equal(env.nS, 16);
    assert.deepEqual(env.desc, ["G...", "....", "....", "...G"]);
    assertRowsSumToOne(env);
    const v = evaluatePolicy(env.P, () => 0.25, 1);
    const book = [0, -14, -20, -22, -14, -18, -20, -20, -20, -20, -18, -14, -22, -20, -14, 0];
    book.forEach((x, s) => assert.ok(Math.abs(v[s] - x) < 1e-6, `v(${s}) = ${v[s]}, book ${x}`));
    // Start uniform over the 14 non-terminal cells.
    assert.ok(Math.abs(env.initialStateDistrib[1] - 1 / 14) < 1e-15);
    assert.equal(env.initialStateDistrib[0], 0);
  });

  test("Example 3.5 preset: random-policy and optimal values of the book (gamma = 0.9)", () => {
    const env = new GridWorldEnv({ preset: "example3.5" });
    assertRowsSumToOne(env);
    const vRandom = evaluatePolicy(env.P, () => 0.25, 0.9);
    const bookRandom = [3.3, 8.8, 4.4, 5.3, 1.5, 1.5, 3.0, 2.3, 1.9, 0.5, 0.1, 0.7, 0.7, 0.4, -0.4, -1.0, -0.4, -0.4, -0.6, -1.2, -1.9, -1.3, -1.2, -1.4, -2.0];
    bookRandom.forEach((x, s) => assert.ok(Math.abs(vRandom[s] - x) <= 0.05 + 1e-9, `v_pi(${s}) = ${vRandom[s]}, book ${x}`));
    const vStar = valueIteration(env.P, 0.9);
    const bookStar = [22.0, 24.4, 22.0, 19.4, 17.5, 19.8, 22.0, 19.8, 17.8, 16.0, 17.8, 19.8, 17.8, 16.0, 14.4, 16.0, 17.8, 16.0, 14.4, 13.0, 14.4, 16.0, 14.4, 13.0, 11.7];
    bookStar.forEach((x, s) => assert.ok(Math.abs(vStar[s] - x) <= 0.05 + 1e-9, `v*(${s}) = ${vStar[s]}, book ${x}`));
  });

  test("a wall blocks movement; bumping costs bumpReward; goals and traps end the episode", () => {
    const env = new GridWorldEnv({ layout: ["S#G", "..T"], stepReward: -1, goalReward: 5, trapReward: -20, bumpReward: -2 });
    assert.equal(env.rows, 2);
    assert.equal(env.cols, 3);
    assert.ok(env.isWall(1) && env.isTerminal(2) && env.isTerminal(5) && !env.isTerminal(0));
    assert.deepEqual(env.P[0][2], [[1, 0, -3, false]]); // right into the wall: stays, step + bump
    assert.deepEqual(env.P[0][3], [[1, 0, -3, false]]); // up off the grid
    assert.deepEqual(env.P[0][1], [[1, 3, -1, false]]);
    assert.deepEqual(env.P[4][2], [[1, 5, -21, true]]); // into the trap
    assert.deepEqual(env.P[1][0], [[1, 1, 0, true]]); // wall cells are absorbing placeholders
    env.reset({ seed: 0 });
    assert.equal(env.s, 0);
    const [s, r] = env.step(2);
    assert.deepEqual([s, r], [0, -3]);
    env.step(1);
    env.step(2);
    const [s2, r2, done] = env.step(2);
    assert.deepEqual([s2, r2, done], [5, -21, true]);
  });

  test("slip: (a-1, a, a+1) with slip/2, 1-slip, slip/2", () => {
    const env = new GridWorldEnv({ rows: 3, cols: 3, slip: 0.2 });
    assertRowsSumToOne(env);
    // Centre (1, 1) = 4, action right: down to 7, right to 5, up to 1.
    assert.deepEqual(
      env.P[4][2].map(([p, s]) => [Number(p.toFixed(12)), s]),
      [
        [0.1, 7],
        [0.8, 5],
        [0.1, 1],
      ],
    );
  });

  test("presets, teleports and helpers for heatmaps and arrows", () => {
    for (const name of Object.keys(GRIDWORLD_PRESETS) as (keyof typeof GRIDWORLD_PRESETS)[]) {
      const env = new GridWorldEnv({ preset: name });
      assertRowsSumToOne(env);
    }
    const env = new GridWorldEnv({ preset: "example3.5", stepReward: -0.5 });
    assert.equal(env.rewards.step, -0.5);
    assert.deepEqual(env.P[1][0], [[1, 21, 10, false]]);
    const small = new GridWorldEnv({ layout: ["S.#", "..G"] });
    assert.deepEqual(small.toGrid([0, 1, 2, 3, 4, 5]), [
      [0, 1, null],
      [3, 4, 5],
    ]);
    assert.deepEqual(small.policyArrows([2, 1, 0, 2, 2, 0]), ["→↓#", "→→G"]);
    assert.equal(small.toState(1, 2), 5);
    assert.deepEqual(small.toRowCol(4), [1, 1]);
    assert.equal(small.nrow, 2);
    assert.equal(small.ncol, 3);
  });

  test("option errors", () => {
    assert.throws(() => new GridWorldEnv({ preset: "maze" as "cliff" }), /unknown preset "maze" \(accepted: "example4.1", "example3.5"/);
    assert.throws(() => new GridWorldEnv({ layout: ["S.", "..G"] }), /layout has rows of different lengths/);
    assert.throws(() => new GridWorldEnv({ layout: ["S.X"] }), /'X' at row 0, column 2 \(accepted characters: \. S G T #\)/);
    assert.throws(() => new GridWorldEnv({ layout: ["#G"] }), /no cell to start from/);
    assert.throws(() => new GridWorldEnv({ layout: ["S.G"], rows: 1 }), /either option layout or options rows\/cols/);
    assert.throws(() => new GridWorldEnv({ rows: 0 }), /option rows must be an integer in \[1, 1000\]/);
    assert.throws(() => new GridWorldEnv({ slip: 2 }), /option slip must be a probability/);
    assert.throws(() => new GridWorldEnv({ stepReward: Number.NaN }), /option stepReward must be a finite number/);
    assert.throws(
      () => new GridWorldEnv({ layout: ["S#G"], teleports: [{ from: [0, 0], to: [0, 1], reward: 1 }] }),
      /teleports\[0\]\.to = \[0, 1\] is a wall/,
    );
    assert.throws(
      () => new GridWorldEnv({ teleports: [{ from: [9, 0], to: [0, 1], reward: 1 }] }),
      /teleports\[0\]\.from = \[9, 0\] is outside the 4x4 grid/,
    );
  });
});

// -------------------------------------------------------------------------------------------------
describe("CombinationLock", () => {
  /** Probability that the uniform policy reaches the goal within `steps` steps, propagated through P. */
  function successProbability(env: CombinationLockEnv, steps: number): number {
    let dist = new Float64Array(env.nS);
    dist[0] = 1;
    let reached = 0;
    for (let t = 0; t < steps; t++) {
      const next = new Float64Array(env.nS);
      for (let s = 0; s < env.nS; s++) {
        if (dist[s] === 0 || s === env.goalState || s === env.deadState) continue;
        for (let a = 0; a < env.nA; a++) {
          for (const [p, s2] of env.P[s][a]) {
            const mass = (dist[s] * p) / env.nA;
            if (s2 === env.goalState) reached += mass;
            else next[s2] += mass;
          }
        }
      }
      dist = next;
    }
    return reached;
  }

  test("P rows sum to 1 and the uniform policy opens the lock with probability (1/A)^H", () => {
    for (const [horizon, nActions] of [
      [10, 2],
      [4, 3],
      [1, 5],
    ]) {
      const env = new CombinationLockEnv({ horizon, nActions });
      assertRowsSumToOne(env);
      assert.equal(env.nS, horizon + 2);
      const expected = Math.pow(1 / nActions, horizon);
      assert.ok(Math.abs(successProbability(env, horizon) - expected) <= 1e-15 * expected + 1e-300);
      // Episodes of the dead variant last at most H steps: more steps add nothing.
      assert.ok(Math.abs(successProbability(env, horizon + 5) - expected) <= 1e-15 * expected);
      assert.equal(env.randomPolicySuccessProbability(), expected);
      // Value of the start under the uniform policy (gamma = 1) is the same probability.
      const v = evaluatePolicy(env.P, () => 1 / nActions, 1);
      assert.ok(Math.abs(v[0] - expected) <= 1e-12);
    }
    assert.equal(new CombinationLockEnv().randomPolicySuccessProbability(), 1 / 1024);
  });

  test("reset variant: expected steps of the uniform policy to open the lock is A(A^H - 1)/(A - 1)", () => {
    const horizon = 4;
    const nActions = 3;
    const env = new CombinationLockEnv({ horizon, nActions, wrongAction: "reset" });
    assert.equal(env.deadState, null);
    assert.equal(env.nS, horizon + 1);
    assertRowsSumToOne(env);
    // Expected steps to the goal = policy evaluation with reward 1 per step and gamma = 1.
    const stepsTable = env.P.map((row) => row.map((outcomes) => outcomes.map(([p, s, , done]) => [p, s, 1, done]))) as TransitionTable;
    for (let a = 0; a < nActions; a++) stepsTable[env.goalState][a] = [[1, env.goalState, 0, true]];
    const steps = evaluatePolicy(stepsTable, () => 1 / nActions, 1, 1e-10);
    const expected = (nActions * (Math.pow(nActions, horizon) - 1)) / (nActions - 1);
    assert.ok(Math.abs(steps[0] - expected) < 1e-6, `expected ${expected} steps, got ${steps[0]}`);
    assert.ok(Math.abs(successProbability(env, horizon) - Math.pow(1 / nActions, horizon)) < 1e-15);
  });

  test("the combination opens the lock; a wrong action ends (dead) or restarts (reset)", () => {
    const combination = [1, 0, 2];
    const env = new CombinationLockEnv({ combination, nActions: 3 });
    assert.equal(env.horizon, 3);
    env.reset({ seed: 0 });
    assert.deepEqual(env.step(1).slice(0, 3), [1, 0, false]);
    assert.deepEqual(env.step(0).slice(0, 3), [2, 0, false]);
    assert.deepEqual(env.step(2).slice(0, 3), [3, 1, true]);
    env.reset();
    env.step(1);
    assert.deepEqual(env.step(2).slice(0, 3), [4, 0, true]);
    assert.throws(() => env.step(0), /terminated/);

    const reset = new CombinationLockEnv({ combination, nActions: 3, wrongAction: "reset" });
    reset.reset({ seed: 0 });
    reset.step(1);
    reset.step(0);
    assert.deepEqual(reset.step(1).slice(0, 3), [0, 0, false]);
  });

  test("lockSeed draws a reproducible combination; options are validated", () => {
    const a = new CombinationLockEnv({ horizon: 12, nActions: 4, lockSeed: 7 });
    const b = new CombinationLockEnv({ horizon: 12, nActions: 4, lockSeed: 7 });
    assert.deepEqual(a.combination, b.combination);
    assert.ok(a.combination.every((x) => Number.isInteger(x) && x >= 0 && x < 4));
    const c = new CombinationLockEnv({ horizon: 12, nActions: 4, lockSeed: 8 });
    assert.notDeepEqual(a.combination, c.combination);

    assert.throws(() => new CombinationLockEnv({ horizon: 0 }), /option horizon must be an integer in \[1, 1000000\]/);
    assert.throws(() => new CombinationLockEnv({ nActions: 1 }), /option nActions must be an integer in \[2, 1000000\]/);
    assert.throws(() => new CombinationLockEnv({ combination: [0, 2], nActions: 2 }), /combination\[1\] = 2 is not an action in \[0, 1\]/);
    assert.throws(() => new CombinationLockEnv({ combination: [0, 1], horizon: 3 }), /combination has 2 actions but horizon is 3/);
    assert.throws(() => new CombinationLockEnv({ combination: [0], lockSeed: 1 }), /combination or option lockSeed, not both/);
    assert.throws(() => new CombinationLockEnv({ wrongAction: "restart" as "reset" }), /wrongAction must be "dead" or "reset"/);
  });
});

// -------------------------------------------------------------------------------------------------
describe("registry entries", () => {
  test("ids, defaults and Gymnasium's time limits and thresholds", () => {
    const ids = toyTextEntries.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ["FrozenLake-v1", "CliffWalking-v1", "Taxi-v4", "GridWorld-v0", "CombinationLock-v0"]) assert.ok(ids.includes(id), id);
    const limits = Object.fromEntries(toyTextEntries.map((e) => [e.id, [e.maxEpisodeSteps ?? null, e.rewardThreshold ?? null]]));
    assert.deepEqual(limits["FrozenLake-v1"], [100, 0.7]);
    assert.deepEqual(limits["FrozenLake8x8-v1"], [200, 0.85]);
    assert.deepEqual(limits["CliffWalking-v1"], [null, null]);
    assert.deepEqual(limits["Taxi-v4"], [200, 8]);
    for (const e of toyTextEntries) {
      const env: Env = e.create({});
      assert.ok(env instanceof DiscreteEnv, e.id);
      const [obs] = env.reset({ seed: 1 });
      assert.ok(env.observationSpace.contains(obs), e.id);
    }
    assert.equal((entry("FrozenLake8x8-v1").create({}) as FrozenLakeEnv).nS, 64);
    for (const e of toyTextEntries) {
      const env = e.create({}) as DiscreteEnv;
      env.reset({ seed: 2 });
      assert.match(env.render(), /[@x]/, `${e.id} render shows the agent`);
    }
    const taxi = new TaxiEnv();
    taxi.reset({ seed: 0 });
    taxi.state = taxi.encode(2, 2, 0, 3);
    assert.match(taxi.render(), /\| : :@: : \|\n[^]*passenger: Red, destination: Blue/);
    assert.equal((entry("FrozenLake-v1").create({ desc: ["SG"] }) as FrozenLakeEnv).nS, 2);
  });
});
