/**
 * The `tslab` Jupyter kernelspec: what it should contain, whether it is installed, installing it.
 *
 * tslab's own `tslab install` writes `argv: ["tslab", "kernel", "--config-path",
 * "{connection_file}"]` (its `--binary` option replaces only the first word), which starts only
 * where a `tslab` command is on PATH. Ours runs this project's tslab with the absolute path of the
 * Node.js that ran setup, so the kernel starts from any folder and without a global install:
 * `[node, <root>/node_modules/tslab/bin/tslab, "kernel", "--config-path", "{connection_file}"]`.
 * It is installed per user (`jupyter kernelspec install --user`), through jupyter_client in the
 * Python found by {@link findJupyterPython}.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { packageRoot } from "./python";

/** The kernel name the notebooks' metadata and `rlcourse run` use. */
export const KERNEL_NAME = "tslab";

/** The contents of a kernel.json (the fields this project writes). */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode?: string;
  metadata?: Record<string, unknown>;
}

/** One installed kernelspec as `jupyter kernelspec list --json` reports it. */
export interface InstalledKernelSpec {
  /** Folder holding kernel.json. */
  resource_dir: string;
  spec: KernelSpec;
}

/**
 * The kernelspec that starts this project's tslab.
 * @param root the package root whose node_modules holds tslab.
 * @param node the Node.js executable to run it with (default: the one running now).
 */
export function tslabKernelSpec(root: string = packageRoot(), node: string = process.execPath): KernelSpec {
  return {
    argv: [node, path.join(root, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript",
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { "rl-course": { root } },
  };
}

function runPython(python: string, args: string[]): { stdout: string; stderr: string } {
  const result = spawnSync(python, args, {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, PYTHONIOENCODING: "utf-8" },
    windowsHide: true,
  });
  if (result.error) throw new Error(`could not run ${python}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${python} ${args.slice(0, 3).join(" ")} failed (status ${result.status}): ${result.stderr.trim()}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/**
 * The installed kernelspecs, as `jupyter kernelspec list --json` reports them (run as
 * `python -m jupyter_client.kernelspecapp list --json`, which needs no `jupyter` on PATH).
 */
export function listKernelSpecs(python: string): Record<string, InstalledKernelSpec> {
  const { stdout } = runPython(python, ["-m", "jupyter_client.kernelspecapp", "list", "--json"]);
  const parsed = JSON.parse(stdout) as { kernelspecs?: Record<string, InstalledKernelSpec> };
  return parsed.kernelspecs ?? {};
}

/** True when `installed` starts the same program with the same arguments as `wanted`. */
export function sameKernel(installed: KernelSpec | undefined, wanted: KernelSpec): boolean {
  return (
    installed !== undefined &&
    Array.isArray(installed.argv) &&
    installed.argv.length === wanted.argv.length &&
    installed.argv.every((arg, i) => arg === wanted.argv[i]) &&
    installed.language === wanted.language
  );
}

/**
 * Installs `spec` as kernel `name` in the user's Jupyter data folder (replacing one of that name)
 * through jupyter_client's KernelSpecManager, like `jupyter kernelspec install --user`.
 * @returns the folder it was installed to.
 */
export function installKernelSpec(python: string, spec: KernelSpec, name: string = KERNEL_NAME): string {
  const source = fs.mkdtempSync(path.join(os.tmpdir(), "rlcourse-kernelspec-"));
  try {
    fs.writeFileSync(path.join(source, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
    const script =
      "import sys\n" +
      "from jupyter_client.kernelspec import KernelSpecManager\n" +
      "print(KernelSpecManager().install_kernel_spec(sys.argv[1], sys.argv[2], user=True))\n";
    const { stdout } = runPython(python, ["-c", script, source, name]);
    return stdout.trim().split(/\r?\n/).pop() ?? "";
  } finally {
    fs.rmSync(source, { recursive: true, force: true });
  }
}

/**
 * A temporary Jupyter path folder holding only `spec` as kernel `tslab`. `rlcourse run` and
 * `rlcourse validate` put it first on `JUPYTER_PATH`, so their kernel is this checkout's tslab
 * whatever `tslab` kernel the user registered (another checkout's, or one whose folder is gone);
 * JupyterLab still uses the registered one.
 * @returns the folder (for JUPYTER_PATH) and a function that removes it.
 */
export function privateKernelPath(spec: KernelSpec = tslabKernelSpec()): { dir: string; dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlcourse-jupyter-"));
  const specDir = path.join(dir, "kernels", KERNEL_NAME);
  fs.mkdirSync(specDir, { recursive: true });
  fs.writeFileSync(path.join(specDir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  return { dir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
