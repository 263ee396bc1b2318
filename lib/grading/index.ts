export * as check from "./checks";
export { CheckFailure } from "./checks";
