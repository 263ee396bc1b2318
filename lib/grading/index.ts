export * as check from "./checks";
export { CheckFailure } from "./checks";
export { runHiddenTests, HIDDEN_TESTS_FAILED } from "./hiddentests";
