/**
 * Environment throughput: CartPole-v1 steps per second with uniformly random actions, for a single
 * env (through `make`, with its TimeLimit and checks) and for an 8-env SyncVectorEnv.
 */
import { make, makeVec, Rng } from "../lib";

/** Median of a non-empty list. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function singleEnvStepsPerSecond(steps: number): number {
  const env = make("CartPole-v1");
  const rng = new Rng(0);
  env.reset({ seed: 0 });
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const [, , terminated, truncated] = env.step(rng.integers(0, 2));
    if (terminated || truncated) env.reset();
  }
  return steps / ((performance.now() - t0) / 1000);
}

function vectorEnvStepsPerSecond(numEnvs: number, vectorSteps: number): number {
  const envs = makeVec("CartPole-v1", numEnvs);
  const rng = new Rng(0);
  const actions = new Int32Array(numEnvs);
  envs.reset({ seed: 0 });
  const t0 = performance.now();
  for (let i = 0; i < vectorSteps; i++) {
    for (let j = 0; j < numEnvs; j++) actions[j] = rng.integers(0, 2);
    envs.step(actions);
  }
  return (numEnvs * vectorSteps) / ((performance.now() - t0) / 1000);
}

/** Runs the environment benchmarks and returns Markdown table rows. */
export function benchEnvs(): string[] {
  singleEnvStepsPerSecond(50_000); // warm-up (JIT)
  const single = median([0, 1, 2].map(() => singleEnvStepsPerSecond(500_000)));
  vectorEnvStepsPerSecond(8, 5_000);
  const vector = median([0, 1, 2].map(() => vectorEnvStepsPerSecond(8, 60_000)));
  return [
    `| CartPole-v1, 1 env (make, random actions) | ${Math.round(single).toLocaleString("en-US")} env steps/s |`,
    `| CartPole-v1, SyncVectorEnv × 8 (random actions) | ${Math.round(vector).toLocaleString("en-US")} env steps/s |`,
  ];
}
