#!/usr/bin/env node
/**
 * `rlcourse`: the course's command line.
 *
 * Commands live in {@link COMMANDS}, one entry each (name, one-line summary, usage text and an
 * async `run(args)` returning the exit status), written in lib/cli/ by group: jupyter.ts (`run`,
 * `lab`), homework.ts (`release`, `validate`), grade.ts (`grade`, `autograder`); what they share
 * (option parsing, {@link UsageError}) is lib/cli/command.ts. To add one (`bench`), write its
 * logic in its own module under lib/, its command in lib/cli/, and append it here.
 *
 * Exit status: 0 success, 1 failure (the command says why), 2 usage error (unknown command or
 * option, bad value), 130 interrupted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Command, UsageError } from "./cli/command";
import { AUTOGRADER, GRADE } from "./cli/grade";
import { RELEASE, VALIDATE, WORKSPACE } from "./cli/homework";
import { LAB, RUN } from "./cli/jupyter";
import { packageRoot } from "./jupyter/python";

export { type Command, UsageError } from "./cli/command";

/** The subcommands, in the order `rlcourse --help` lists them. */
export const COMMANDS: Command[] = [RUN, RELEASE, VALIDATE, GRADE, AUTOGRADER, WORKSPACE, LAB];

/** The top-level help text listing every command. */
export function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: rlcourse <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun \`rlcourse <command> --help\` for a command's options.`;
}

function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/**
 * Dispatches `argv` (the arguments after `rlcourse`) to its command.
 * @returns the exit status.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write((topic ? topic.usage : mainUsage()) + "\n");
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`rlcourse ${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`rlcourse: unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.name).join(", ")}. See \`rlcourse --help\`.\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`rlcourse ${name}: ${e.message}\nSee \`rlcourse ${name} --help\`.\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`rlcourse: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
