/**
 * Hidden tests under nbgrader: the course's nbgrader configuration (nbgrader/nbgrader_config.py)
 * wraps the region between `// BEGIN HIDDEN TESTS` and `// END HIDDEN TESTS` of every graded cell
 * in a call to {@link runHiddenTests} before `nbgrader autograde` runs it, so the hidden checks
 * print nothing and a failure says only that hidden tests failed: no label, expected value or
 * actual value of a hidden check reaches the autograded notebook or its feedback. (`rlcourse grade`
 * does the same with its own guard, lib/grading/guard.ts, and also sandboxes the kernel.)
 */

import { CheckFailure } from "./check";
import * as printer from "./printer";

let silence: ((silent: boolean) => void) | undefined;

/** The message of the error {@link runHiddenTests} throws when a hidden check fails. */
export const HIDDEN_TESTS_FAILED = "hidden tests failed (their checks are not shown)";

/**
 * Runs a graded cell's hidden tests with every output of the kernel's process silenced (the
 * checks' lines, `console`, `process.stdout` and `process.stderr`), and restores the outputs after.
 *
 * @param tests the hidden tests (sync or async); they pass when they return without throwing
 * @returns when the hidden tests passed
 * @throws CheckFailure with {@link HIDDEN_TESTS_FAILED} when they threw, whatever they threw;
 *   Error when the checks' quiet switch was taken by other code (nothing can then be hidden, so
 *   the tests are not run)
 * Source: nbgrader's hidden tests (`ClearHiddenTests`), whose outputs nbgrader itself would show.
 */
export async function runHiddenTests(tests: () => unknown): Promise<void> {
  if (typeof tests !== "function") throw new TypeError(`runHiddenTests: tests must be a function, got ${typeof tests}`);
  silence ??= printer.takeQuietSwitch();
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => Object.getOwnPropertyDescriptor(stream, "write"));
  const mute = (): boolean => true;
  silence(true);
  for (const stream of streams) Object.defineProperty(stream, "write", { value: mute, writable: true, configurable: true });
  let failed = false;
  try {
    await tests();
  } catch {
    failed = true;
  } finally {
    streams.forEach((stream, i) => {
      const write = writes[i];
      if (write === undefined) delete (stream as { write?: unknown }).write;
      else Object.defineProperty(stream, "write", write);
    });
    silence(false);
  }
  if (failed) throw new CheckFailure(HIDDEN_TESTS_FAILED);
}
