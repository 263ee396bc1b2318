/**
 * Starts JupyterLab (or the classic notebook where JupyterLab is not installed, as with
 * Debian's packages) on the course's notebooks: the engine of `rlcourse lab` and `npm start`.
 */
import { spawn } from "node:child_process";
import type { JupyterPython } from "./python";

/** Which Jupyter front end {@link labCommand} starts. */
export type JupyterApp = "jupyterlab" | "notebook";

/**
 * The front end to use with `python`: JupyterLab when installed, else the classic notebook,
 * else `null`.
 */
export function jupyterApp(python: JupyterPython): JupyterApp | null {
  if (python.packages.jupyterlab) return "jupyterlab";
  if (python.packages.notebook) return "notebook";
  return null;
}

/**
 * The arguments that start `app` with `python` (`python -m jupyterlab` or `python -m notebook`),
 * with `--allow-root` added when running as root (Jupyter refuses to start as root otherwise).
 */
export function labCommand(app: JupyterApp, extraArgs: string[] = []): string[] {
  const args = ["-m", app];
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && !extraArgs.includes("--allow-root")) args.push("--allow-root");
  return [...args, ...extraArgs];
}

/**
 * Runs the Jupyter server in `cwd` (the notebooks folder) until it exits; Ctrl-C reaches
 * Jupyter, which asks for confirmation and shuts down.
 * @returns Jupyter's exit status.
 */
export function startLab(python: JupyterPython, app: JupyterApp, cwd: string, extraArgs: string[] = []): Promise<number> {
  const child = spawn(python.executable, labCommand(app, extraArgs), { cwd, stdio: "inherit" });
  const ignore = (): void => {
    // Jupyter gets the same signal from the terminal and handles it itself.
  };
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on("SIGINT", ignore);
  process.on("SIGTERM", forward);
  process.on("SIGHUP", forward);
  const cleanup = (): void => {
    process.off("SIGINT", ignore);
    process.off("SIGTERM", forward);
    process.off("SIGHUP", forward);
  };
  return new Promise((resolve) => {
    child.on("error", (error) => {
      cleanup();
      process.stderr.write(`Could not start ${python.executable}: ${error.message}\n`);
      resolve(1);
    });
    child.on("close", (code, signal) => {
      cleanup();
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
