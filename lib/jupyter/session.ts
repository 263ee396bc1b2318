/**
 * One kernel driven cell by cell: the TypeScript half of lib/jupyter/serve.py (whose docstring
 * describes the commands and events), used by `rlcourse grade`.
 *
 * Cells are sent to the driver over a pipe and from there to the kernel, so their sources never
 * touch the disk. The caller decides what to run next from each cell's outcome (its kernel's
 * execute reply), restarts the kernel after a timeout or a crash, and closes the session, which
 * shuts the kernel down and, should the driver not do it in time, kills the driver and the
 * kernel's process group by their ids.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { JupyterPython } from "./python";
import { driverPath } from "./run";

/** How a cell ended: the kernel's reply (`ok`, `error`), or `aborted`, `timeout`, `dead` (see serve.py). */
export type SessionCellStatus = "ok" | "error" | "aborted" | "timeout" | "dead";

/** One piece of a cell's output, in order: a stream, or the text form of a display. */
export interface SessionOutput {
  name: "stdout" | "stderr" | "display";
  text: string;
}

/** The outcome of {@link KernelSession.run}. */
export interface SessionCellResult {
  status: SessionCellStatus;
  /** The status in the kernel's execute_reply (`ok`, `error`, `abort`), empty when there was none. */
  reply: string;
  outputs: SessionOutput[];
  /** Whether output beyond the per-cell limit was dropped. */
  truncated: boolean;
  /** Whether the kernel was killed for exceeding the memory limit. */
  memory: boolean;
  seconds: number;
}

/** The outcome of starting (or restarting) the kernel. */
export type SessionStart =
  | { ok: true; pid: number | null; seconds: number }
  | { ok: false; kind: string; message: string; detail?: string };

/** Options of {@link KernelSession}. */
export interface SessionOptions {
  /** Python with nbclient (see findJupyterPython). */
  python: JupyterPython;
  /** Name of the kernelspec to start. */
  kernel: string;
  /** The kernel's working folder. */
  cwd: string;
  /** The driver's environment (and so the kernel's); default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Bytes of text output kept per cell (default 1 MiB). */
  maxOutputBytes?: number;
  /** Kill the kernel when its resident memory exceeds this many MiB while a cell runs (0: no limit). */
  rssLimitMb?: number;
  /** Use Jupyter's `ipc` transport with this socket path prefix (Unix sockets) instead of TCP. */
  ipc?: string;
  /** Seconds the kernel may take to start (default 60). */
  startupTimeoutSeconds?: number;
  /** Called with the driver's stderr (Jupyter's and the kernel's logs). */
  onLog?: (text: string) => void;
}

/** Most of the driver's stderr kept in {@link KernelSession.log}. */
const MAX_LOG = 64 * 1024;
/** Seconds the driver gets beyond a cell's own timeout before it is presumed hung and killed. */
const DRIVER_GRACE = 30;

type Event = Record<string, unknown> & { event: string };

/** A kernel run cell by cell through `serve.py`. Not reentrant: one call at a time. */
export class KernelSession {
  private child: ChildProcess | undefined;
  private buffered = "";
  private events: Event[] = [];
  private waiter: ((event: Event | undefined) => void) | undefined;
  private exited = true;
  private kernelPid: number | null = null;
  /** The last part of the driver's stderr. */
  log = "";

  /** @param options see {@link SessionOptions} */
  constructor(private readonly options: SessionOptions) {}

  private spawnDriver(): void {
    const o = this.options;
    const args = [
      "-u",
      driverPath("serve.py"),
      "--kernel",
      o.kernel,
      "--cwd",
      o.cwd,
      "--max-output",
      String(o.maxOutputBytes ?? 1 << 20),
      "--rss-limit-mb",
      String(o.rssLimitMb ?? 0),
      "--startup-timeout",
      String(Math.ceil(o.startupTimeoutSeconds ?? 60)),
      ...(o.ipc ? ["--ipc", o.ipc] : []),
    ];
    const child = spawn(o.python.executable, args, {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...(o.env ?? process.env), PYTHONUNBUFFERED: "1", PYTHONIOENCODING: "utf-8" },
      windowsHide: true,
    });
    this.child = child;
    this.exited = false;
    this.buffered = "";
    this.events = [];
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      this.buffered += chunk;
      let newline: number;
      while ((newline = this.buffered.indexOf("\n")) >= 0) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        if (!line.trim()) continue;
        let event: Event;
        try {
          event = JSON.parse(line) as Event;
        } catch {
          this.appendLog(line + "\n");
          continue;
        }
        this.deliver(event);
      }
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      this.appendLog(chunk);
      o.onLog?.(chunk);
    });
    child.stdin!.on("error", () => {
      // the driver is gone; its exit is handled below
    });
    const done = (): void => {
      if (this.exited) return;
      this.exited = true;
      this.killKernel();
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter?.(undefined);
    };
    child.on("error", (error) => {
      this.appendLog(`${error.message}\n`);
      done();
    });
    child.on("close", done);
  }

  private appendLog(text: string): void {
    this.log += text;
    if (this.log.length > MAX_LOG) this.log = this.log.slice(-MAX_LOG);
  }

  private deliver(event: Event): void {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter(event);
    } else {
      this.events.push(event);
    }
  }

  /** The next event, or `undefined` when the driver exited (or `seconds` passed: then it is killed). */
  private next(seconds: number | null): Promise<Event | undefined> {
    const queued = this.events.shift();
    if (queued) return Promise.resolve(queued);
    if (this.exited) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.waiter = (event) => {
        if (timer) clearTimeout(timer);
        resolve(event);
      };
      if (seconds !== null) {
        timer = setTimeout(() => {
          this.appendLog(`rlcourse: the notebook driver did not answer within ${seconds} s; killed\n`);
          this.kill();
        }, seconds * 1000);
      }
    });
  }

  private send(command: Record<string, unknown>): boolean {
    if (this.exited || !this.child?.stdin?.writable) return false;
    this.child.stdin.write(JSON.stringify(command) + "\n");
    return true;
  }

  private async awaitStart(): Promise<SessionStart> {
    const limit = (this.options.startupTimeoutSeconds ?? 60) + DRIVER_GRACE;
    for (;;) {
      const event = await this.next(limit);
      if (!event) return { ok: false, kind: "driver", message: `the notebook driver (${this.options.python.executable}) exited` };
      if (event.event === "kernel_ready") {
        this.kernelPid = typeof event.pid === "number" ? event.pid : null;
        return { ok: true, pid: this.kernelPid, seconds: Number(event.seconds ?? 0) };
      }
      if (event.event === "failure") {
        const detail = typeof event.detail === "string" ? { detail: event.detail } : {};
        return { ok: false, kind: String(event.kind), message: String(event.message), ...detail };
      }
    }
  }

  /** Starts the driver and its kernel. */
  async start(): Promise<SessionStart> {
    if (this.exited) this.spawnDriver();
    if (!this.send({ op: "start" })) return { ok: false, kind: "driver", message: "the notebook driver did not start" };
    return this.awaitStart();
  }

  /** Kills the kernel and starts a new one (a new driver too, when the old one is gone). */
  async restart(): Promise<SessionStart> {
    if (this.exited) return this.start();
    this.send({ op: "restart" });
    return this.awaitStart();
  }

  /**
   * Runs one cell.
   * @param timeoutSeconds the cell's time limit (at least 1 s is given)
   */
  async run(source: string, timeoutSeconds: number): Promise<SessionCellResult> {
    const timeout = Math.max(1, Math.ceil(timeoutSeconds));
    const dead = (seconds = 0): SessionCellResult => ({ status: "dead", reply: "", outputs: [], truncated: false, memory: false, seconds });
    const started = Date.now();
    if (!this.send({ op: "run", id: 1, source, timeout })) return dead();
    for (;;) {
      const event = await this.next(timeout + DRIVER_GRACE);
      if (!event) return dead((Date.now() - started) / 1000);
      if (event.event !== "cell_end") continue;
      return {
        status: event.status as SessionCellStatus,
        reply: String(event.reply ?? ""),
        outputs: (event.outputs as SessionOutput[] | undefined) ?? [],
        truncated: event.truncated === true,
        memory: event.memory === true,
        seconds: Number(event.seconds ?? 0),
      };
    }
  }

  /** Shuts the kernel and the driver down (killing them after a few seconds). */
  async close(): Promise<void> {
    if (this.exited) {
      this.killKernel();
      return;
    }
    this.send({ op: "shutdown" });
    this.child?.stdin?.end();
    const exited = new Promise<void>((resolve) => this.child?.once("close", () => resolve()));
    const timer = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
    await Promise.race([exited, timer]);
    this.kill();
  }

  /** Kills the driver and the kernel's process group at once (by their ids). */
  kill(): void {
    if (!this.exited && this.child?.pid !== undefined) {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    this.killKernel();
  }

  private killKernel(): void {
    const pid = this.kernelPid;
    this.kernelPid = null;
    if (pid === null || pid <= 0 || process.platform === "win32") return;
    try {
      process.kill(-pid, "SIGKILL"); // the kernel leads its own process group (jupyter_client starts a new session)
    } catch {
      // already gone
    }
  }
}
