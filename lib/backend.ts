/**
 * Chooses the TensorFlow.js backend on first use of tensors.
 *
 * Order: `tensorflow` (native libtensorflow through the optional `@tensorflow/tfjs-node`, when it
 * installed and loads) > `wasm` (`@tensorflow/tfjs-backend-wasm`, always installed) > `cpu` (plain
 * JavaScript). `RLCOURSE_BACKEND=cpu|wasm|tensorflow` forces one and fails if it cannot load.
 * tfjs's console banner ("looks like you are running TensorFlow.js in Node.js") and native
 * TensorFlow's start-up logs are silenced, so nothing of the kind reaches a notebook's output.
 */
import * as tf from "@tensorflow/tfjs";

/** Names of the backends this library can run on. */
export type BackendName = "tensorflow" | "wasm" | "cpu";

const ORDER: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

/** The active backend and how it was chosen. */
export interface BackendInfo {
  /** The active tfjs backend. */
  name: BackendName;
  /** True when `RLCOURSE_BACKEND` chose it. */
  forced: boolean;
  /** Backends tried before this one, each with why it was not used. */
  skipped: { name: BackendName; reason: string }[];
}

let chosen: Promise<BackendInfo> | undefined;
let active: BackendInfo | undefined;

/** Registers a backend's kernels with tfjs by loading its package; throws when it cannot load. */
function load(name: BackendName): void {
  if (name === "tensorflow") {
    process.env.TF_CPP_MIN_LOG_LEVEL ??= "2"; // keep libtensorflow's start-up logs out of outputs
    require("@tensorflow/tfjs-node");
  } else if (name === "wasm") {
    require("@tensorflow/tfjs-backend-wasm");
  }
}

/** The process-wide error events a backend's start-up may add listeners to. */
const ERROR_EVENTS = ["uncaughtException", "unhandledRejection"] as const;

/**
 * Loads and starts backend `name`. The WASM backend's Emscripten glue adds process listeners that
 * rethrow every uncaught exception and unhandled rejection, which would make any stray promise
 * rejection in a notebook kill its kernel: listeners added during start-up are removed again, so
 * Node.js's (or the kernel's) own handling stays as it was.
 */
async function activate(name: BackendName): Promise<void> {
  const listeners = (event: (typeof ERROR_EVENTS)[number]): ((...args: any[]) => void)[] => process.listeners(event as "uncaughtException"); // eslint-disable-line @typescript-eslint/no-explicit-any
  const before = ERROR_EVENTS.map(listeners);
  try {
    load(name);
    if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
    await tf.ready();
  } finally {
    ERROR_EVENTS.forEach((event, i) => {
      for (const listener of listeners(event)) if (!before[i]!.includes(listener)) process.removeListener(event, listener);
    });
  }
}

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0];
}

/**
 * Selects and initialises the backend once; later calls return the same result.
 * Call (and await) it before the first tensor operation: every `train()` in this library does.
 *
 * @param env the environment to read `RLCOURSE_BACKEND` from (default `process.env`).
 * @returns which backend is active and why the others were skipped.
 * @throws Error when `RLCOURSE_BACKEND` names an unknown backend or one that cannot load.
 */
export function initBackend(env: NodeJS.ProcessEnv = process.env): Promise<BackendInfo> {
  chosen ??= choose(env.RLCOURSE_BACKEND).then(
    (info) => (active = info),
    (err) => {
      chosen = undefined; // let a corrected environment try again
      throw err;
    },
  );
  return chosen;
}

async function choose(forcedName: string | undefined): Promise<BackendInfo> {
  tf.enableProdMode(); // silences tfjs's warnings, including the cpu backend's tfjs-node banner
  if (forcedName !== undefined && forcedName !== "") {
    if (!(ORDER as readonly string[]).includes(forcedName)) {
      throw new Error(`RLCOURSE_BACKEND must be one of ${ORDER.join(", ")}, got '${forcedName}'`);
    }
    const name = forcedName as BackendName;
    try {
      await activate(name);
    } catch (err) {
      const hint = name === "tensorflow" ? " (is the optional @tensorflow/tfjs-node installed?)" : "";
      throw new Error(`RLCOURSE_BACKEND=${name}: the backend could not be loaded${hint}: ${message(err)}`);
    }
    return { name, forced: true, skipped: [] };
  }
  const skipped: BackendInfo["skipped"] = [];
  for (const name of ORDER) {
    try {
      await activate(name);
      return { name, forced: false, skipped };
    } catch (err) {
      skipped.push({ name, reason: message(err) });
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join("; ")}`);
}

/**
 * The active backend, or `undefined` before {@link initBackend} has finished.
 */
export function backendInfo(): BackendInfo | undefined {
  return active;
}

export { tf };
