/**
 * Environments: spaces, the Env API, wrappers, vector envs, and the registry with every env of
 * the course registered (Gymnasium ids and course envs).
 */
import { classicControlEntries } from "./classic";
import { register } from "./registry";
import { toyTextEntries } from "./toytext";

for (const entry of [...classicControlEntries, ...toyTextEntries]) register(entry);

export * from "./core";
export * from "./spaces";
export * from "./registry";
export * from "./wrappers";
export * from "./vector";
export * from "./classic";
export * from "./toytext";
