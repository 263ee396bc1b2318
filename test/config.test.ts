import assert from "node:assert/strict";
import { test } from "node:test";
import { A2C_SCHEMA } from "../lib/algos/a2c";
import { derivedField, field, oneOf, orNull, positive, positiveInt, resolveConfig, unitInterval } from "../lib/algos/config";
import { PPO_SCHEMA } from "../lib/algos/ppo";
import { TRPO_SCHEMA } from "../lib/algos/trpo";

const SCHEMA = {
  numSteps: field(5, positiveInt),
  nStep: derivedField((c) => c.numSteps as number, positiveInt),
  gamma: field(0.99, unitInterval),
  maxGradNorm: field<number | null>(0.5, orNull(positive)),
  mode: field<"a" | "b">("a", oneOf("a", "b")),
};

test("resolveConfig: defaults (fixed and derived) filled in, given values kept, undefined counts as left out, callbacks accepted and left out", () => {
  assert.deepEqual(resolveConfig(SCHEMA, {}, "t"), { numSteps: 5, nStep: 5, gamma: 0.99, maxGradNorm: 0.5, mode: "a" });
  assert.deepEqual(resolveConfig(SCHEMA, { numSteps: 8, gamma: undefined, maxGradNorm: null, mode: "b" }, "t"), { numSteps: 8, nStep: 8, gamma: 0.99, maxGradNorm: null, mode: "b" });
  assert.equal(resolveConfig(SCHEMA, { numSteps: 8, nStep: 3 }, "t").nStep, 3);
  assert.equal("onProgress" in resolveConfig(SCHEMA, { onProgress: () => {} } as object, "t"), false);
});

test("resolveConfig: unknown fields and bad values (NaN included) are errors naming the field, what was expected and what was given", () => {
  assert.throws(() => resolveConfig(SCHEMA, { numStep: 3 }, "trainX"), { name: "TypeError", message: /trainX: unknown config field 'numStep' \(known: numSteps, nStep, gamma, maxGradNorm, mode, onProgress\)/ });
  assert.throws(() => resolveConfig(SCHEMA, { gamma: NaN }, "trainX"), { name: "RangeError", message: "trainX: gamma must be in [0, 1], got NaN" });
  assert.throws(() => resolveConfig(SCHEMA, { numSteps: 2.5 }, "trainX"), /numSteps must be a positive integer, got 2.5/);
  assert.throws(() => resolveConfig(SCHEMA, { numSteps: 0 }, "trainX"), /numSteps must be a positive integer/); // the derived nStep is never reached
  assert.throws(() => resolveConfig(SCHEMA, { maxGradNorm: -1 }, "trainX"), /maxGradNorm must be a finite number > 0 or null, got -1/);
  assert.throws(() => resolveConfig(SCHEMA, { mode: "c" } as object, "trainX"), /mode must be "a" or "b", got "c"/);
  assert.throws(() => resolveConfig(SCHEMA, null as unknown as object, "trainX"), /the config must be an object/);
});

test("the same name means the same thing: the shared fields of A2C, TRPO and PPO have the same checks", () => {
  for (const name of ["env", "envOptions", "numEnvs", "totalSteps", "numSteps", "gamma", "gaeLambda", "hiddenSizes", "activation", "initLogStd", "seed", "targetReturn", "returnWindow"] as const) {
    for (const schema of [A2C_SCHEMA, TRPO_SCHEMA]) assert.equal(schema[name].check, PPO_SCHEMA[name].check, name);
  }
  assert.equal(A2C_SCHEMA.vfCoef.check, PPO_SCHEMA.vfCoef.check);
  assert.equal(A2C_SCHEMA.vfCoef.default, PPO_SCHEMA.vfCoef.default);
});
