/**
 * Where the checks print their lines (lib/checks/check.ts), and the grader's switch that
 * silences them while a test's hidden part runs, so that no label or expected value of a hidden
 * check is ever printed, whatever the notebook did to `process.stdout` or `console`.
 *
 * The switch is handed out once: `rlcourse grade`'s guard takes it in its setup cell, before any
 * student code runs (lib/grading/guard.ts); a later request throws.
 */

let quiet = false;
let taken = false;

/** Prints one check line (on stdout, as console.log), unless the grader silenced the checks. */
export function print(line: string): void {
  if (!quiet) console.log(line);
}

/**
 * Hands out the switch that silences {@link print} (true: silent).
 * @throws Error when it was handed out before
 */
export function takeQuietSwitch(): (silent: boolean) => void {
  if (taken) throw new Error("the checks' quiet switch was already taken");
  taken = true;
  return (silent: boolean): void => {
    quiet = silent === true;
  };
}
