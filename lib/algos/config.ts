/**
 * Declarative training configs: each algorithm writes its config once, as a schema of fields (name,
 * default, check, and the field's TSDoc comment, which editors show on the config type), and this
 * module derives from it the config type ({@link ConfigOf}), the resolved config with every default
 * filled in ({@link Resolved}) and the validation ({@link resolveConfig}). The same name means the
 * same thing in every algorithm (Gymnasium/CleanRL vocabulary: `env`, `totalSteps`, `numEnvs`,
 * `numSteps`, `gamma`, `gaeLambda`, `vfCoef`, `entCoef`, `maxGradNorm`, `seed`, …).
 *
 * @example
 * const SCHEMA = {
 *   /** Discount γ ∈ [0, 1]. Default 0.99. *\/
 *   gamma: field(0.99, unitInterval),
 * };
 * type MyConfig = ConfigOf<typeof SCHEMA>;                  // { gamma?: number }
 * const c = resolveConfig(SCHEMA, { gamma: 0.9 }, "trainMine"); // { gamma: 0.9 }
 */
import type { MakeOptions } from "../envs";
import type { Schedule } from "../schedules";
import type { EnvSource } from "./env_source";

/** Returns what a value should have been (e.g. "a positive integer"), or undefined when it is fine. */
export type Check<T> = (value: T) => string | undefined;

/** One config field: its default (or a default computed from the fields before it) and its check. */
export interface Field<T> {
  /** The value used when the field is left out (or given as `undefined`). */
  readonly default: T;
  /** Computes the default from the fields resolved before this one (overrides `default`). */
  readonly derive?: (resolved: Record<string, unknown>) => T;
  /** Validates a given or default value. */
  readonly check: Check<T>;
}

/** A config schema: field name → {@link Field}, in the order fields are resolved. */
export type Schema = Record<string, Field<any>>;

/** The config a train function takes: every field optional, each with the doc of its schema entry. */
export type ConfigOf<S extends Schema> = { -readonly [K in keyof S]?: S[K] extends Field<infer T> ? T : never };

/** The resolved config a train function returns: every field present. */
export type Resolved<S extends Schema> = { -readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };

/** `T`, not used for inference (TypeScript 5.4's `NoInfer`): a field's type comes from its check, not from its default's literal. */
type NoInfer<T> = [T][T extends unknown ? 0 : never];

/** A field with a fixed default. */
export function field<T>(defaultValue: NoInfer<T>, check: Check<T>): Field<T> {
  return { default: defaultValue as T, check };
}

/** A field whose default is computed from the fields before it (e.g. A2C's `nStep` defaults to `numSteps`). */
export function derivedField<T>(derive: (resolved: Record<string, unknown>) => T, check: Check<T>): Field<T> {
  return { default: undefined as T, derive, check };
}

/** Keys a train function accepts besides its schema's: callbacks, which are not part of the resolved config. */
const CALLBACKS = ["onProgress"];

/**
 * Resolves a config against its schema: unknown keys refused, defaults filled in (in schema order),
 * every value checked.
 * @param schema the algorithm's schema.
 * @param config what the caller gave (`undefined` values count as left out).
 * @param where the train function's name, for messages.
 * @returns the resolved config (without callbacks such as `onProgress`).
 * @throws TypeError on an unknown key (a typo would otherwise silently use a default); RangeError
 *   naming the field, what was expected and what was given, on a bad value.
 */
export function resolveConfig<S extends Schema>(schema: S, config: object, where: string): Resolved<S> {
  if (config === null || typeof config !== "object") throw new TypeError(`${where}: the config must be an object, got ${show(config)}`);
  const known = Object.keys(schema);
  for (const key of Object.keys(config)) {
    if (!known.includes(key) && !CALLBACKS.includes(key)) throw new TypeError(`${where}: unknown config field '${key}' (known: ${[...known, ...CALLBACKS].join(", ")})`);
  }
  const given = config as Record<string, unknown>;
  const resolved: Record<string, unknown> = {};
  for (const key of known) {
    const f = schema[key];
    const value = given[key] !== undefined ? given[key] : f.derive !== undefined ? f.derive(resolved) : f.default;
    const expected = f.check(value);
    if (expected !== undefined) throw new RangeError(`${where}: ${key} must be ${expected}, got ${show(value)}`);
    resolved[key] = value;
  }
  return resolved as Resolved<S>;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/** A safe integer ≥ 1. */
export const positiveInt: Check<number> = (v) => (Number.isSafeInteger(v) && v >= 1 ? undefined : "a positive integer");
/** A number in [0, 1] (γ, λ). */
export const unitInterval: Check<number> = (v) => (typeof v === "number" && v >= 0 && v <= 1 ? undefined : "in [0, 1]");
/** A finite number > 0. */
export const positive: Check<number> = (v) => (typeof v === "number" && v > 0 && Number.isFinite(v) ? undefined : "a finite number > 0");
/** A finite number ≥ 0. */
export const nonNegative: Check<number> = (v) => (typeof v === "number" && v >= 0 && Number.isFinite(v) ? undefined : "a finite number >= 0");
/** Any finite number. */
export const finite: Check<number> = (v) => (Number.isFinite(v) ? undefined : "a finite number");
/** A number in the open interval (0, 1). */
export const openUnitInterval: Check<number> = (v) => (typeof v === "number" && v > 0 && v < 1 ? undefined : "in (0, 1)");
/** A number in (0, 1] (a step size, Polyak's τ). */
export const positiveFraction: Check<number> = (v) => (typeof v === "number" && v > 0 && v <= 1 ? undefined : "in (0, 1]");
/** A safe integer ≥ 0 (a seed, a step count that may be zero). */
export const nonNegativeInt: Check<number> = (v) => (Number.isSafeInteger(v) && v >= 0 ? undefined : "a non-negative integer");
/** true or false. */
export const bool: Check<boolean> = (v) => (typeof v === "boolean" ? undefined : "true or false");

/** One of the listed strings. */
export function oneOf<T extends string>(...values: readonly T[]): Check<T> {
  const expected = values.map((v) => JSON.stringify(v)).join(" or ");
  return (v) => (values.includes(v) ? undefined : expected);
}

/** `check`, or null (for "off"). */
export function orNull<T>(check: Check<T>): Check<T | null> {
  return (v) => (v === null ? undefined : check(v) === undefined ? undefined : `${check(v)} or null`);
}

/** `check`, or left out (undefined). */
export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (v) => (v === undefined ? undefined : check(v) === undefined ? undefined : `${check(v)} or left out`);
}

/** A finite number ≥ 0, or a schedule (a function of the update index). */
export const numberOrSchedule: Check<number | Schedule> = (v) =>
  typeof v === "function" || (typeof v === "number" && v >= 0 && Number.isFinite(v)) ? undefined : "a finite number >= 0 or a schedule (a function of the update index)";
/** Hidden layer widths: an array of positive integers. */
export const layerSizes: Check<number[]> = (v) =>
  Array.isArray(v) && v.every((n) => Number.isSafeInteger(n) && n >= 1) ? undefined : "an array of positive integers";
/** A registered env id or a factory. */
export const envSource: Check<EnvSource> = (v) => (typeof v === "string" || typeof v === "function" ? undefined : "an env id or a function that makes an env");
/** Options for `make`: an object, or left out. */
export const envOptions: Check<MakeOptions | undefined> = (v) => (v === undefined || (typeof v === "object" && v !== null) ? undefined : "an object or left out");
