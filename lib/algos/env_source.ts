/** How a train function receives its environment: a registered id or a factory. */
import type { Env } from "../envs/core";
import { make, type MakeOptions } from "../envs"; // the index, which registers every env

/** A registered env id (made with `make`, so with the registry's time limit) or a factory. */
export type EnvSource = string | (() => Env<any, any>);

/**
 * A new env from an {@link EnvSource}: `make(id, options)` (with the registry's time limit) or `factory()`.
 * @throws errors of `make` (unknown id, bad options).
 */
export function createEnv(source: EnvSource, options: MakeOptions = {}): Env<any, any> {
  return typeof source === "string" ? make(source, options) : source();
}
