/**
 * A student workspace: a folder anywhere on the machine with the course's notebooks (the student
 * versions, as `rlcourse release` writes them, or the instructor versions) from which
 * `import ... from "rl-course"` resolves. The tslab kernel compiles with TypeScript's Node10 module
 * resolution and runs with Node's: both look for `node_modules/rl-course` in the notebook's folder
 * and its ancestors, so the workspace gets `node_modules/rl-course`, a link to this package (a
 * junction on Windows), as `npm run setup` makes one in the checkout.
 *
 * A workspace is safe to make again: notebooks already there (a student's work) are kept, never
 * overwritten; only missing ones are written, each atomically.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { packageRoot } from "../jupyter/python";
import { defaultNotebooks } from "../jupyter/run";
import { type Notebook, readNotebook, writeNotebook } from "./notebook";
import { releaseNotebook } from "./release";

/** What {@link makeWorkspace} did. */
export interface WorkspaceResult {
  /** The workspace folder (absolute). */
  dir: string;
  /** Notebooks written, in course order. */
  written: string[];
  /** Notebooks that were already there and were kept as they are. */
  kept: string[];
  /** What became of `node_modules/rl-course`: "linked", "relinked" (it pointed elsewhere), "present" (already this package) or "kept" (a folder that is not a link: left alone). */
  link: "linked" | "relinked" | "present" | "kept";
}

/**
 * Makes (or completes) a workspace in `dir`.
 * @param dir the folder; created when missing. It must not be the course's own notebooks/ folder.
 * @param options `instructor`: copy the instructor versions (solutions and hidden tests included)
 *   instead of releasing the student versions.
 * @throws Error when `dir` is the course's notebooks/ folder or exists and is not a folder; the
 *   release errors of a notebook that cannot be released (before anything is written).
 */
export function makeWorkspace(dir: string, options: { instructor?: boolean } = {}): WorkspaceResult {
  const root = packageRoot();
  const target = path.resolve(dir);
  if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) throw new Error(`${dir} exists and is not a folder`);
  if (fs.existsSync(target) && fs.realpathSync(target) === fs.realpathSync(path.join(root, "notebooks"))) {
    throw new Error(`${dir} is the course's own notebooks/ folder; choose another folder for the workspace`);
  }
  // Prepare every missing notebook first, so that a notebook that cannot be released writes nothing.
  const pending: { file: string; notebook: Notebook }[] = [];
  const kept: string[] = [];
  for (const source of defaultNotebooks(root)) {
    const file = path.join(target, path.basename(source));
    if (fs.existsSync(file)) {
      kept.push(file);
      continue;
    }
    const notebook = readNotebook(source);
    pending.push({ file, notebook: options.instructor ? notebook : releaseNotebook(notebook, source).notebook });
  }
  fs.mkdirSync(target, { recursive: true });
  for (const { file, notebook } of pending) writeNotebook(file, notebook);
  return { dir: target, written: pending.map((p) => p.file), kept, link: linkLibrary(target, root) };
}

/** Makes `dir/node_modules/rl-course` point at the package `root`. */
function linkLibrary(dir: string, root: string): WorkspaceResult["link"] {
  const modules = path.join(dir, "node_modules");
  const link = path.join(modules, "rl-course");
  let stat: fs.Stats | null = null;
  try {
    stat = fs.lstatSync(link);
  } catch {
    // missing: make it below
  }
  let result: WorkspaceResult["link"] = "linked";
  if (stat !== null) {
    if (!stat.isSymbolicLink()) return "kept";
    let current: string | null = null;
    try {
      current = fs.realpathSync(link);
    } catch {
      // a dangling link
    }
    if (current === fs.realpathSync(root)) return "present";
    fs.unlinkSync(link);
    result = "relinked";
  }
  fs.mkdirSync(modules, { recursive: true });
  fs.symlinkSync(root, link, process.platform === "win32" ? "junction" : "dir");
  return result;
}
