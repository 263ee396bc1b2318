/**
 * The one place where rl-course touches tslab internals.
 *
 * tslab's public API (`require("tslab").display`) sends one MIME type per output. A chart needs one
 * output carrying a whole bundle (`application/vnd.plotly.v1+json` + `text/html` + `text/plain`), so we
 * call the function that tslab's public `display` itself ends in: `lastWriteDisplayData` exported by
 * `tslab/dist/jupyter.js`.
 *
 * How it works in tslab 1.0.22 (read from `node_modules/tslab/dist`):
 * - `jupyter.js` declares `exports.lastWriteDisplayData = null`, a process-wide module singleton.
 * - At the start of every `execute_request`, `JupyterHandlerImpl.handleExecute` (`handleExecuteImpl`
 *   before patches/tslab+1.0.22.patch) stores the request's writer there:
 *   `exports.lastWriteDisplayData = writeDisplayData`.
 * - `ZmqServer.handleExecute` defines that writer as `(data, update) => …` sending `data` as the content of
 *   an iopub `display_data` message, or `update_display_data` when `update` is true. `data` is the
 *   message content `{ data: MimeBundle, metadata, transient: { display_id } }`.
 * - `public.js` (`display.raw`) calls `jupyter.lastWriteDisplayData({ data: { [type]: b }, metadata: {},
 *   transient: { display_id } }, update)`. We pass the same shape, with the whole bundle in `data`.
 *
 * Which module instance: it is a module singleton, so we must reach the very `jupyter.js` the kernel
 * runs. Notebook code's `require("tslab")` is hooked by tslab's executor to return the kernel's own
 * module, but our library's `require` is plain Node resolution (from `dist/plot/`), which could find
 * another copy (e.g. a globally installed kernel that did not delegate to the project's tslab). So
 * instead of resolving a path we look in Node's module cache (`require.cache`, shared by all CommonJS
 * modules of the process) for a loaded `…/tslab/dist/jupyter.js` whose writer is set: that can only be
 * the instance that is executing cells. Its version is read from its own `package.json`.
 */

import * as fs from "fs";
import * as path from "path";

/** The tslab versions whose internals were read and tested (see test/plot.test.ts). */
export const SUPPORTED_TSLAB_VERSIONS: readonly string[] = ["1.0.22"];

/** Content of a Jupyter `display_data` / `update_display_data` message. */
export interface DisplayMessage {
  /** The MIME bundle: MIME type → data (a string, or a JSON object for `…+json` types). */
  data: Record<string, unknown>;
  /** Per-type metadata (empty for us). */
  metadata: Record<string, unknown>;
  /** Not stored in the notebook; `display_id` lets a later `update_display_data` replace this output. */
  transient: { display_id?: string };
}

/**
 * Emits one output. `update = false` sends `display_data`; `update = true` sends
 * `update_display_data`, which replaces every output that carries the same `transient.display_id`.
 */
export type DisplayWriter = (message: DisplayMessage, update: boolean) => void;

/** The shape of `tslab/dist/jupyter.js` exports that we rely on. */
interface TslabJupyterModule {
  lastWriteDisplayData: DisplayWriter | null;
}

/**
 * Throws unless `version` is a tslab version whose display internals we support.
 *
 * @example
 * checkTslabVersion(require("tslab/package.json").version); // ok for 1.0.22
 */
export function checkTslabVersion(version: unknown, where = "tslab"): void {
  if (typeof version === "string" && SUPPORTED_TSLAB_VERSIONS.includes(version)) return;
  throw new Error(
    `rl-course plot: the running ${where} has version ${String(version)}, but rl-course displays charts through ` +
      `tslab's internal display writer (dist/jupyter.js: lastWriteDisplayData), read and tested for tslab ` +
      `${SUPPORTED_TSLAB_VERSIONS.join(", ")} only. Install a supported tslab (npm install tslab@${SUPPORTED_TSLAB_VERSIONS[0]}) ` +
      `or check lib/plot/tslab_display.ts against the new tslab and add its version to SUPPORTED_TSLAB_VERSIONS.`,
  );
}

const JUPYTER_JS = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

/** A loaded tslab `jupyter.js` module found in the module cache. */
export interface TslabInstance {
  /** Absolute path of the `jupyter.js` file. */
  file: string;
  /** The module's exports (read `lastWriteDisplayData` from it at call time: it changes per cell). */
  module: TslabJupyterModule;
}

/**
 * Finds the tslab instance that is executing notebook cells: a loaded `tslab/dist/jupyter.js` whose
 * `lastWriteDisplayData` is set. Returns `null` when there is none (plain Node, tests, scripts).
 *
 * @param cache a module cache (default: Node's `require.cache`), injectable for tests.
 */
export function findRunningTslab(cache: NodeJS.Dict<NodeModule> = require.cache): TslabInstance | null {
  let found: TslabInstance | null = null;
  for (const [file, mod] of Object.entries(cache)) {
    if (!mod || !JUPYTER_JS.test(file)) continue;
    const exp = mod.exports as Partial<TslabJupyterModule> | undefined;
    if (!exp || typeof exp !== "object" || !("lastWriteDisplayData" in exp)) continue;
    if (typeof exp.lastWriteDisplayData === "function") {
      // Two running kernels in one process cannot happen; prefer the first one set.
      if (found === null) found = { file, module: exp as TslabJupyterModule };
    }
  }
  return found;
}

/** Reads the version from the `package.json` next to a tslab `dist/jupyter.js`. */
export function tslabVersionAt(jupyterJs: string): string | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(jupyterJs), "..", "package.json"), "utf8")) as {
      name?: string;
      version?: string;
    };
    return pkg.name === "tslab" ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

const checked = new Set<string>();

/**
 * A writer that sends through the running tslab kernel, or `null` when not inside a tslab kernel.
 * The returned writer looks up `lastWriteDisplayData` each time it is called, because tslab replaces
 * it for every executed cell.
 *
 * @throws Error when a tslab kernel is running but its version is not in {@link SUPPORTED_TSLAB_VERSIONS}.
 */
export function tslabWriter(cache: NodeJS.Dict<NodeModule> = require.cache): DisplayWriter | null {
  const running = findRunningTslab(cache);
  if (running === null) return null;
  if (!checked.has(running.file)) {
    checkTslabVersion(tslabVersionAt(running.file), `tslab kernel (${path.dirname(path.dirname(running.file))})`);
    checked.add(running.file);
  }
  const mod = running.module;
  return (message, update) => {
    const write = mod.lastWriteDisplayData;
    if (typeof write !== "function") throw new Error("rl-course plot: the tslab kernel has no display writer (not executing a cell?)");
    write(message, update);
  };
}
