/**
 * What notebooks' test cells use at run time, apart from the grader (lib/grading, which imports
 * this module, never the reverse):
 * - `check`: the checks a test cell calls (lib/checks/check.ts), each printing one line;
 * - `runHiddenTests`: runs a cell's hidden tests silently under nbgrader (lib/checks/hidden.ts);
 * - the checks' printer and its quiet switch (lib/checks/printer.ts) stay internal: `rlcourse
 *   grade`'s in-kernel guard takes the switch.
 *
 * @example
 * import { check } from "rl-course";
 * check.close("discounted return", G, 2.71, { atol: 1e-6 });
 */
export * as check from "./check";
export { CheckFailure } from "./check";
export { runHiddenTests, HIDDEN_TESTS_FAILED } from "./hidden";
