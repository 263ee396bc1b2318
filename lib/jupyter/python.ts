/**
 * Finds the Python interpreter that has Jupyter's executor (nbclient), nbconvert and
 * jupyter_client, and remembers the choice.
 *
 * The `python3` on PATH is not always the one with Jupyter: on Debian, `apt-get install
 * python3-nbclient` installs into `/usr/bin/python3`, while a pyenv shim may come first on PATH.
 * So several candidates are probed, in this order:
 * 1. `$RLCOURSE_PYTHON` (when set, it is the only candidate);
 * 2. the interpreter remembered by the last successful search (`npm run setup` makes one);
 * 3. `python3`, `/usr/bin/python3`, `python` (on Windows: `python`, `py`, `python3`).
 *
 * The choice is remembered in `node_modules/.cache/rl-course/python.json` under the package root.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Environment variable that names the Python to use (and disables the search). */
export const PYTHON_ENV = "RLCOURSE_PYTHON";

/** A Python interpreter with Jupyter's executor, and what it has installed. */
export interface JupyterPython {
  /** Absolute path of the interpreter (`sys.executable`), usable without a shell. */
  executable: string;
  /** Python version, e.g. `3.11.2`. */
  version: string;
  /** Installed versions of the Jupyter packages; `null` when one is missing. */
  packages: {
    nbclient: string | null;
    nbconvert: string | null;
    jupyter_client: string | null;
    /** JupyterLab (`rlcourse lab` prefers it). */
    jupyterlab: string | null;
    /** The classic notebook (`rlcourse lab` falls back to it). */
    notebook: string | null;
  };
}

/** Why one candidate was not chosen. */
export interface Rejection {
  /** The command that was tried. */
  command: string;
  /** Short reason, e.g. `not found` or `no module nbclient`. */
  reason: string;
}

/** Result of {@link findJupyterPython}. */
export interface PythonSearch {
  /** The interpreter chosen, or `null` when no candidate has Jupyter's executor. */
  python: JupyterPython | null;
  /** Candidates tried and rejected before the choice (all of them when none fit). */
  rejected: Rejection[];
}

const PROBE = `
import importlib, importlib.util, json, sys
try:
    from importlib import metadata
except ImportError:
    metadata = None
def version(name, dist):
    try:
        module = importlib.import_module(name)
    except Exception:
        return None
    try:
        return metadata.version(dist)
    except Exception:
        return str(getattr(module, "__version__", "unknown"))
def present(name, dist):
    if importlib.util.find_spec(name) is None:
        return None
    try:
        return metadata.version(dist)
    except Exception:
        return "unknown"
print(json.dumps({
    "executable": sys.executable,
    "version": "%d.%d.%d" % sys.version_info[:3],
    "packages": {
        "nbclient": version("nbclient", "nbclient"),
        "nbconvert": version("nbconvert", "nbconvert"),
        "jupyter_client": version("jupyter_client", "jupyter-client"),
        "jupyterlab": present("jupyterlab", "jupyterlab"),
        "notebook": present("notebook", "notebook"),
    },
}))
`;

/**
 * The root folder of this package (the folder with its package.json), found from this module's
 * location: `dist/jupyter/` when built, `lib/jupyter/` when run from source.
 */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, "utf8")).name === "rl-course") return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(__dirname, "..", "..");
    dir = parent;
  }
}

/** Path of the file that remembers the chosen Python for the package at `root`. */
export function rememberedPythonFile(root: string = packageRoot()): string {
  return path.join(root, "node_modules", ".cache", "rl-course", "python.json");
}

/** The remembered interpreter path, or `null` when none is remembered. */
export function rememberedPython(root: string = packageRoot()): string | null {
  try {
    const saved = JSON.parse(fs.readFileSync(rememberedPythonFile(root), "utf8")) as { python?: unknown };
    return typeof saved.python === "string" && saved.python !== "" ? saved.python : null;
  } catch {
    return null;
  }
}

/** Remembers `executable` as the Python for the package at `root` (best effort). */
export function rememberPython(executable: string, root: string = packageRoot()): void {
  const file = rememberedPythonFile(root);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ python: executable }, null, 2) + "\n");
  } catch {
    // a read-only install still works; it just searches again next time
  }
}

/** The default candidates for this platform, in the order they are tried. */
export function defaultPythonCandidates(): string[] {
  return process.platform === "win32" ? ["python", "py", "python3"] : ["python3", "/usr/bin/python3", "python"];
}

/**
 * Runs `command` as Python and reports its Jupyter packages.
 * @returns the interpreter, or a {@link Rejection} saying why it cannot be used.
 */
export function probePython(command: string): JupyterPython | Rejection {
  const result = spawnSync(command, ["-c", PROBE], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, PYTHONIOENCODING: "utf-8" },
    windowsHide: true,
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    return { command, reason: code === "ENOENT" ? "not found" : result.error.message };
  }
  if (result.status !== 0) {
    const last = result.stderr.trim().split(/\r?\n/).pop() ?? "";
    return { command, reason: `exited with status ${result.status}${last ? `: ${last}` : ""}` };
  }
  try {
    const lines = result.stdout.trim().split(/\r?\n/);
    return JSON.parse(lines[lines.length - 1] ?? "") as JupyterPython;
  } catch {
    return { command, reason: "did not answer like a Python 3 interpreter" };
  }
}

/** The names of the packages `rlcourse run` needs that `python` lacks (empty when complete). */
export function missingPackages(python: JupyterPython): string[] {
  const { nbclient, nbconvert, jupyter_client } = python.packages;
  return Object.entries({ nbclient, nbconvert, jupyter_client })
    .filter(([, v]) => v === null)
    .map(([k]) => k);
}

/**
 * Finds the Python with nbclient, nbconvert and jupyter_client (see the module comment for the
 * order of candidates) and remembers it.
 * @param options.candidates overrides the default candidate list (tests, setup).
 * @param options.remember set false to leave the remembered choice alone.
 */
export function findJupyterPython(
  options: { root?: string; candidates?: string[]; remember?: boolean } = {},
): PythonSearch {
  const root = options.root ?? packageRoot();
  const fromEnv = process.env[PYTHON_ENV];
  let candidates: string[];
  if (options.candidates) candidates = options.candidates;
  else if (fromEnv) candidates = [fromEnv];
  else {
    const remembered = rememberedPython(root);
    candidates = [...(remembered ? [remembered] : []), ...defaultPythonCandidates()];
  }
  const rejected: Rejection[] = [];
  const seen = new Set<string>();
  for (const command of candidates) {
    if (seen.has(command)) continue;
    seen.add(command);
    const probe = probePython(command);
    if ("reason" in probe) {
      rejected.push(probe);
      continue;
    }
    const missing = missingPackages(probe);
    if (missing.length > 0) {
      const where = probe.executable === command ? "" : ` (${probe.executable})`;
      rejected.push({ command, reason: `no module ${missing.join(", ")}${where}` });
      seen.add(probe.executable);
      continue;
    }
    if (options.remember !== false && !fromEnv && rememberedPython(root) !== probe.executable) {
      rememberPython(probe.executable, root);
    }
    return { python: probe, rejected };
  }
  return { python: null, rejected };
}

/** A one-paragraph explanation for when no Python with Jupyter was found, with the next step. */
export function noJupyterMessage(search: PythonSearch): string {
  const tried = search.rejected.map((r) => `  ${r.command}: ${r.reason}`).join("\n");
  return (
    "Jupyter's notebook executor (Python packages nbclient, nbconvert, jupyter_client) was not found.\n" +
    (tried ? `Tried:\n${tried}\n` : "") +
    "Next step: run `npm run setup` (it installs Jupyter and the tslab kernel), or install JupyterLab " +
    `yourself (\`python3 -m pip install jupyterlab nbclient nbconvert\`); set ${PYTHON_ENV}=/path/to/python ` +
    "if Jupyter lives in a Python that is not on PATH."
  );
}
