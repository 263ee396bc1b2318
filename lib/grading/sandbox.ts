/**
 * The OS sandbox every grading kernel runs in (`rlcourse grade --sandbox bwrap`, the default).
 *
 * Built on bubblewrap (`bwrap`, Debian's `bubblewrap` package; `npm run setup` installs it). For
 * each kernel:
 * - **namespaces**: its own PID, IPC, UTS, mount and network namespaces (no network: not even the
 *   grader's loopback; the kernel talks to its driver over Unix sockets in its own runtime folder,
 *   Jupyter's `ipc` transport), and a new session (no terminal to inject keystrokes into);
 * - **files**: a new root holding only `/usr` (and `/lib*`, `/bin` as the host has them) and the
 *   Node.js install, read-only; the grading run's copy of the built library (made once per run,
 *   checked against its hash before each kernel starts) at `/home/student/node_modules/rl-course`,
 *   read-only; its dependencies at `/node_modules`, read-only; a private `/home/student` (the
 *   kernel's working folder), `/tmp` and `/dev/shm`, each a size-limited tmpfs; the kernel's own
 *   runtime folder (connection file, sockets). Not the `--source` notebook, not `--out`, not the
 *   repository, not the grader's `/proc`, not other kernels.
 * - **user**: when the grader runs as root, the kernel runs as the unprivileged uid/gid 65534
 *   (`nobody`), no capabilities, `no_new_privs`; otherwise as the grader's user inside a user
 *   namespace.
 * - **limits**: where the grader can create control groups (root, cgroup v1 or v2), one per kernel
 *   with a memory limit that counts everything the sandbox holds (processes, tmpfs, shared
 *   memory) and a limit on tasks ({@link MAX_TASKS}); elsewhere only the V8 heap limit and the
 *   driver's watch of the kernel process's resident memory ({@link Sandbox.enforced} says which).
 * - **end**: `--die-with-parent` and the PID namespace end every process of the sandbox with the
 *   kernel; the control group is killed and removed as well.
 *
 * With `--sandbox none` the kernel runs as before: the grader's user, its file system and network
 * (see the README's trust model).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { KernelSpec } from "../jupyter/kernelspec";
import { packageRoot } from "../jupyter/python";

/** How grading kernels are isolated. */
export type SandboxMode = "bwrap" | "none";

/** The name of the kernelspec each sandboxed kernel gets (in its own JUPYTER_PATH). */
export const SANDBOX_KERNEL = "rlcourse-sandbox";
/** The uid and gid kernels run as when the grader runs as root (`nobody`). */
export const SANDBOX_UID = 65534;
/**
 * Most tasks (processes and threads) a sandbox may hold where control groups are available: the
 * kernel with its launcher peaks at 16 in the course's notebooks (measured on notebooks 05 and 10:
 * Node's main thread, V8's and libuv's workers, ZeroMQ's), which leaves a submission 20 more, so a
 * fork bomb is bounded at 20 processes.
 */
export const MAX_TASKS = 36;
/** Size of each of the sandbox's writable tmpfs folders (/home/student, /tmp, /dev/shm), in MiB. */
export const TMPFS_MB = 256;

/** tslab's arguments in a kernelspec (Jupyter fills in the connection file). */
const TSLAB_ARGS = ["kernel", "--config-path", "{connection_file}"];

/** The kernel's working folder inside the sandbox. */
const HOME = "/home/student";

/** The first executable called `name` on PATH, or undefined. */
function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** The node_modules folder that holds tslab (the library's dependencies are next to it). */
function dependencyFolder(): string {
  return path.dirname(path.dirname(require.resolve("tslab/package.json", { paths: [packageRoot()] })));
}

/** sha256 of a folder's files (relative paths and contents, in sorted order). */
export function hashTree(dir: string): string {
  const hash = createHash("sha256");
  const walk = (rel: string): void => {
    const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(rel, e.name);
      if (e.isDirectory()) walk(p);
      else {
        hash.update(`${p}\0${e.isSymbolicLink() ? "link:" + fs.readlinkSync(path.join(dir, p)) : ""}\0`);
        if (e.isFile()) hash.update(fs.readFileSync(path.join(dir, p)));
        hash.update("\0");
      }
    }
  };
  walk("");
  return hash.digest("hex");
}

/** Control groups this process may create: v2 (one folder) or v1 (memory and pids hierarchies). */
type CgroupSupport = { version: 2; root: string } | { version: 1; memory: string; pids: string } | undefined;

function cgroupSupport(): CgroupSupport {
  if (process.platform !== "linux" || !isRoot()) return undefined;
  const probe = (dir: string, file: string): boolean => {
    const test = path.join(dir, `rlcourse-probe-${process.pid}`);
    try {
      fs.mkdirSync(test);
      const ok = fs.existsSync(path.join(test, file));
      fs.rmdirSync(test);
      return ok;
    } catch {
      return false;
    }
  };
  if (fs.existsSync("/sys/fs/cgroup/cgroup.controllers")) {
    let controllers = "";
    try {
      controllers = fs.readFileSync("/sys/fs/cgroup/cgroup.subtree_control", "utf8");
    } catch {
      // unreadable: no v2 delegation
    }
    if (/\bmemory\b/.test(controllers) && /\bpids\b/.test(controllers) && probe("/sys/fs/cgroup", "memory.max")) return { version: 2, root: "/sys/fs/cgroup" };
  }
  if (probe("/sys/fs/cgroup/memory", "memory.limit_in_bytes") && probe("/sys/fs/cgroup/pids", "pids.max")) {
    return { version: 1, memory: "/sys/fs/cgroup/memory", pids: "/sys/fs/cgroup/pids" };
  }
  return undefined;
}

/** One kernel's sandbox: its kernelspec, environment, folders and limits. */
export interface SandboxedKernel {
  /** The kernelspec that starts the kernel inside the sandbox. */
  spec: KernelSpec;
  /** The folder the kernel's driver uses as the kernel's working folder (outside the sandbox). */
  cwd: string;
  /** Environment variables for the driver (Jupyter's runtime folder, ...) and so the kernel. */
  env: NodeJS.ProcessEnv;
  /** Jupyter's `ipc` transport prefix (Unix sockets), or undefined for TCP on the loopback. */
  ipc?: string;
  /**
   * Checks, right before a kernel starts, that the library the kernel will load is the run's copy
   * as it was made.
   * @throws Error naming what changed
   */
  verify(): void;
  /** How many times the memory limit's OOM killer fired in this sandbox so far. */
  oomKills(): number;
  /** Kills every process of the sandbox and removes its folders and control group. */
  dispose(): void;
}

/** The sandbox of one grading run. */
export interface Sandbox {
  mode: SandboxMode;
  /** What is enforced, one line per limit, for the grader's log. */
  enforced: string[];
  /** A sandbox for one tslab kernel (`memoryMb`: its memory limit), in a new folder under `dir`. */
  kernel(dir: string, memoryMb: number): SandboxedKernel;
  /** Removes the run's copy of the library. */
  dispose(): void;
}

/** Why bwrap cannot be used here (undefined: it can). */
export function bwrapProblem(): string | undefined {
  if (process.platform !== "linux") return `bubblewrap needs Linux (this is ${process.platform})`;
  const bwrap = which("bwrap");
  if (!bwrap) return "bubblewrap (bwrap) is not installed: `sudo apt-get install bubblewrap` (npm run setup installs it as root)";
  const args = ["--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "true"];
  const r = spawnSync(bwrap, args, { encoding: "utf8", timeout: 20_000 });
  if (r.status !== 0) return `bubblewrap cannot create namespaces here (${(r.stderr || r.error?.message || `exit ${r.status}`).trim()})`;
  return undefined;
}

/** bwrap arguments that create `dir` and its parents, readable by all (bwrap makes them 0700 otherwise). */
function dirs(dir: string): string[] {
  const out: string[] = [];
  let sofar = "";
  for (const part of dir.split("/").filter(Boolean)) {
    sofar += `/${part}`;
    out.push("--perms", "0755", "--dir", sofar);
  }
  return out;
}

/** Host folders bound read-only into every sandbox: the system's and Node.js's. */
function systemBinds(): string[] {
  const args = ["--ro-bind", "/usr", "/usr"];
  for (const dir of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(dir);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push("--symlink", fs.readlinkSync(dir), dir);
    else args.push("--ro-bind", dir, dir);
  }
  args.push(...dirs("/etc/ssl"));
  for (const file of ["/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/ld.so.cache", "/etc/ssl/openssl.cnf"]) args.push("--ro-bind-try", file, file);
  const nodePrefix = path.dirname(path.dirname(fs.realpathSync(process.execPath)));
  if (nodePrefix !== "/usr" && nodePrefix !== "/") args.push("--ro-bind", nodePrefix, nodePrefix);
  return args;
}

/**
 * Creates the run's sandbox: with `bwrap`, a read-only copy of the built library under `runDir`.
 * @throws Error when mode is `bwrap` and bubblewrap cannot run here (the message says why and
 *   what to do)
 */
export function createSandbox(mode: SandboxMode, runDir: string): Sandbox {
  if (mode === "none") return noSandbox();
  const problem = bwrapProblem();
  if (problem) throw new Error(`${problem}. Grade without it only if you accept the risks: --sandbox none`);
  const bwrap = which("bwrap")!;
  const root = isRoot();
  const cgroups = cgroupSupport();
  // The run's copy of the library: dist/ (with the grader's in-kernel guard), data/, package.json.
  const library = path.join(runDir, "library", "rl-course");
  fs.mkdirSync(library, { recursive: true });
  for (const part of ["dist", "data", "package.json"]) {
    const from = path.join(packageRoot(), part);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(library, part), { recursive: true, dereference: true });
  }
  fs.chmodSync(path.join(runDir, "library"), 0o755);
  fs.chmodSync(runDir, 0o755);
  const libraryHash = hashTree(library);
  const dependencies = dependencyFolder();
  const binds = systemBinds();
  const enforced = [
    `bubblewrap sandbox: own PID, IPC, mount and network namespaces; ${root ? `uid ${SANDBOX_UID}, no capabilities` : "the grader's uid in a user namespace"}`,
    `read-only library copy (sha256 ${libraryHash.slice(0, 12)}…), private /home/student, /tmp and /dev/shm of ${TMPFS_MB} MB each`,
    cgroups
      ? `control group v${cgroups.version} per kernel: memory limit over everything in the sandbox, at most ${MAX_TASKS} tasks`
      : "no control groups here (needs root and cgroup v1 or v2 with memory and pids): memory is limited by V8's heap limit and the kernel process's resident memory only, tasks are not limited",
  ];

  return {
    mode,
    enforced,
    dispose(): void {
      fs.rmSync(path.join(runDir, "library"), { recursive: true, force: true });
    },
    kernel(dir: string, memoryMb: number): SandboxedKernel {
      const cwd = fs.mkdtempSync(path.join(dir, "k-"));
      fs.chmodSync(cwd, 0o755);
      const runtime = path.join(cwd, "runtime");
      fs.mkdirSync(runtime, { mode: 0o700 });
      if (root) fs.chownSync(runtime, SANDBOX_UID, SANDBOX_UID);
      const specDir = path.join(cwd, "jupyter", "kernels", SANDBOX_KERNEL);
      fs.mkdirSync(specDir, { recursive: true });
      const group = cgroups ? createGroup(cgroups, path.basename(cwd), memoryMb) : undefined;
      const heap = Math.max(256, Math.floor(memoryMb * 0.75));
      const inner = [
        process.execPath,
        `--max-old-space-size=${heap}`,
        path.join("/node_modules", "tslab", "bin", "tslab"),
        ...TSLAB_ARGS,
      ];
      const drop = root ? ["/usr/bin/setpriv", `--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_UID}`, "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"] : [];
      const size = String(TMPFS_MB * 1024 * 1024);
      const sandboxArgs = [
        bwrap,
        ...(root ? [] : ["--unshare-user"]),
        "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net", "--unshare-cgroup-try",
        "--die-with-parent", "--new-session", "--clearenv",
        ...binds,
        "--proc", "/proc", "--dev", "/dev",
        "--perms", "1777", "--size", size, "--tmpfs", "/tmp",
        "--perms", "1777", "--size", size, "--tmpfs", "/dev/shm",
        ...dirs("/home"),
        "--perms", "1777", "--size", size, "--tmpfs", HOME,
        "--ro-bind", dependencies, "/node_modules",
        ...dirs(`${HOME}/node_modules`),
        "--ro-bind", library, `${HOME}/node_modules/rl-course`,
        ...dirs(path.dirname(runtime)),
        "--bind", runtime, runtime,
        "--chdir", HOME,
        "--setenv", "HOME", HOME,
        "--setenv", "TMPDIR", "/tmp",
        "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
        "--setenv", "LANG", process.env.LANG ?? "C.UTF-8",
        ...(process.env.TZ ? ["--setenv", "TZ", process.env.TZ] : []),
        "--",
        ...drop,
        ...inner,
      ];
      // A launcher that, before bwrap starts, joins the kernel's control group (so that everything
      // the kernel starts is counted) and, as root, gives the connection file (written 0600 by
      // Jupyter) to the kernel's user.
      const launch = [
        ...(root ? [`chown ${SANDBOX_UID}:${SANDBOX_UID} "$1" || exit 96`] : []),
        ...(group ? ['for g in $RLCOURSE_CGROUPS; do echo $$ > "$g/cgroup.procs" || exit 97; done'] : []),
        "shift",
        'exec "$@"',
      ].join("; ");
      const argv = ["/bin/sh", "-c", launch, "rlcourse-sandbox", "{connection_file}", ...sandboxArgs];
      const spec: KernelSpec = { argv, display_name: "TypeScript (rlcourse grade, sandboxed)", language: "typescript" } as KernelSpec;
      fs.writeFileSync(path.join(specDir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
      return {
        spec,
        cwd,
        env: {
          JUPYTER_PATH: path.join(cwd, "jupyter"),
          JUPYTER_RUNTIME_DIR: runtime,
          // jupyter_client writes the connection file with tempfile: into the folder the kernel sees.
          TMPDIR: runtime,
          TEMP: runtime,
          TMP: runtime,
          ...(group ? { RLCOURSE_CGROUPS: group.dirs.join(" ") } : {}),
        },
        ipc: path.join(runtime, "kernel"),
        verify(): void {
          const now = hashTree(library);
          if (now !== libraryHash) throw new Error(`the grading run's copy of the library changed (sha256 ${now.slice(0, 12)}…, expected ${libraryHash.slice(0, 12)}…)`);
        },
        oomKills: () => (group ? group.oomKills() : 0),
        dispose(): void {
          group?.dispose();
          fs.rmSync(cwd, { recursive: true, force: true });
        },
      };
    },
  };
}

/** A kernel's control group(s). */
interface Group {
  dirs: string[];
  oomKills(): number;
  dispose(): void;
}

function createGroup(support: NonNullable<CgroupSupport>, name: string, memoryMb: number): Group {
  const bytes = String(memoryMb * 1024 * 1024);
  const group = `rlcourse-${process.pid}-${name}`;
  const dirs = support.version === 2 ? [path.join(support.root, group)] : [path.join(support.memory, group), path.join(support.pids, group)];
  for (const dir of dirs) fs.mkdirSync(dir);
  const write = (file: string, value: string): void => fs.writeFileSync(file, value);
  if (support.version === 2) {
    write(path.join(dirs[0]!, "memory.max"), bytes);
    try {
      write(path.join(dirs[0]!, "memory.swap.max"), "0");
    } catch {
      // no swap accounting
    }
    write(path.join(dirs[0]!, "pids.max"), String(MAX_TASKS));
  } else {
    write(path.join(dirs[0]!, "memory.limit_in_bytes"), bytes);
    try {
      write(path.join(dirs[0]!, "memory.memsw.limit_in_bytes"), bytes);
    } catch {
      // no swap accounting
    }
    write(path.join(dirs[1]!, "pids.max"), String(MAX_TASKS));
  }
  /** OOM kills in the group: `oom_kill N` of memory.events (v2) or memory.oom_control (v1); on v1 kernels without that line, 1 once the limit was hit (memory.failcnt). */
  const oomKills = (): number => {
    const read = (file: string): string => fs.readFileSync(path.join(dirs[0]!, file), "utf8");
    try {
      const kills = Number(/^oom_kill (\d+)$/m.exec(read(support.version === 2 ? "memory.events" : "memory.oom_control"))?.[1] ?? 0);
      if (kills > 0 || support.version === 2) return kills;
      return Number(read("memory.failcnt")) > 0 ? 1 : 0;
    } catch {
      return 0;
    }
  };
  const killAll = (): void => {
    if (support.version === 2) {
      try {
        write(path.join(dirs[0]!, "cgroup.kill"), "1");
        return;
      } catch {
        // older kernels: kill one by one below
      }
    }
    for (const dir of dirs) {
      let pids: number[] = [];
      try {
        pids = fs.readFileSync(path.join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
      } catch {
        continue;
      }
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
  };
  return {
    dirs,
    oomKills,
    dispose(): void {
      for (let attempt = 0; attempt < 50; attempt++) {
        killAll();
        let left = 0;
        for (const dir of dirs) {
          try {
            fs.rmdirSync(dir);
          } catch {
            left += 1;
          }
        }
        if (left === 0) return;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // 0.1 s for the kills to land
      }
    },
  };
}

/** No sandbox: the kernel runs as the grader's user with the library linked into its folder. */
function noSandbox(): Sandbox {
  return {
    mode: "none",
    enforced: [
      "NO SANDBOX (--sandbox none): kernels run as your user, can read every file you can (the --source notebook and the course repository included), reach the network, signal your processes and leave processes running; memory is limited by V8's heap limit and the kernel process's resident memory only",
    ],
    dispose(): void {},
    kernel(dir: string, memoryMb: number): SandboxedKernel {
      const cwd = fs.mkdtempSync(path.join(dir, "k-"));
      const modules = path.join(cwd, "node_modules");
      fs.mkdirSync(modules);
      fs.symlinkSync(packageRoot(), path.join(modules, "rl-course"), "junction");
      const tmp = path.join(cwd, "tmp");
      fs.mkdirSync(tmp);
      const runtime = path.join(cwd, "runtime");
      fs.mkdirSync(runtime);
      const specDir = path.join(cwd, "jupyter", "kernels", SANDBOX_KERNEL);
      fs.mkdirSync(specDir, { recursive: true });
      const heap = Math.max(256, Math.floor(memoryMb * 0.75));
      const tslab = path.join(dependencyFolder(), "tslab", "bin", "tslab");
      const spec = { argv: [process.execPath, `--max-old-space-size=${heap}`, tslab, ...TSLAB_ARGS], display_name: "TypeScript (rlcourse grade)", language: "typescript" } as KernelSpec;
      fs.writeFileSync(path.join(specDir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
      return {
        spec,
        cwd,
        env: { JUPYTER_PATH: path.join(cwd, "jupyter"), JUPYTER_RUNTIME_DIR: runtime, TMPDIR: tmp, TEMP: tmp, TMP: tmp },
        verify(): void {},
        oomKills: () => 0,
        dispose(): void {
          fs.rmSync(cwd, { recursive: true, force: true });
        },
      };
    },
  };
}
