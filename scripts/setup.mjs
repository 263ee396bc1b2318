#!/usr/bin/env node
// `npm run setup`: everything the course needs on a machine with Node.js 20+ and Python 3.
// Idempotent: each step checks first and says "already present" when there is nothing to do.
//
//   1. npm dependencies   `npm ci` when node_modules is missing or differs from package-lock.json
//                         (its postinstall applies patches/ with patch-package; otherwise
//                         patch-package is run, so a changed patch reaches node_modules)
//   2. build              `npm run build` (tsc -> dist/, plus the notebook driver)
//   3. rl-course link     node_modules/rl-course -> the project root (a junction on Windows), so
//                         notebooks resolve `import ... from "rl-course"` (tslab uses Node10
//                         module resolution from the notebook's folder)
//   4. Jupyter            a Python with nbclient + nbconvert + jupyter_client; when none is found:
//                         `python3 -m pip install jupyterlab nbclient nbconvert` (fails fast when
//                         no package index is reachable), else Debian's packages with apt-get (as
//                         root, or with passwordless sudo), else stop with the next step
//   5. tslab kernel       kernelspec `tslab` in the user's Jupyter data folder, started with
//                         absolute paths (this Node.js + this project's tslab), checked with
//                         `jupyter kernelspec list`
//   6. grading sandbox    bubblewrap (`bwrap`) for `rlcourse grade`'s kernel sandbox, on Linux:
//                         Debian's `bubblewrap` with apt-get (as root, or with passwordless sudo)
//                         when missing; not fatal (students do not need it)
//
// Environment: RLCOURSE_PYTHON=/path/to/python uses that Python for Jupyter;
// RLCOURSE_JUPYTER_INSTALL=auto|pip|apt|none restricts how step 4 may install Jupyter.
// Exit status 0 when everything is in place, 1 with the next step otherwise.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const isWindows = process.platform === "win32";
const started = Date.now();

class SetupError extends Error {
  constructor(message, nextStep) {
    super(message);
    this.nextStep = nextStep;
  }
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function say(text) {
  process.stdout.write(text + "\n");
}

/** Runs a command with inherited output; returns its status (null when killed or not started). */
function run(command, args, options = {}) {
  say(`  $ ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    shell: isWindows && !path.isAbsolute(command),
    ...options,
  });
  if (result.error) {
    const reason = result.error.code === "ETIMEDOUT" ? "timed out" : result.error.message;
    say(`  (${command} ${reason})`);
    return null;
  }
  return result.status;
}

/** True when `command` runs (e.g. `apt-get --version`). */
function works(command, args) {
  const result = spawnSync(command, args, { stdio: "ignore", timeout: 30_000, shell: false });
  return !result.error && result.status === 0;
}

async function step(number, title, body) {
  const t0 = Date.now();
  const outcome = await body();
  say(`[${number}/6] ${title}: ${outcome} (${seconds(t0)})`);
}

// 1. npm dependencies ------------------------------------------------------------------------------

/** Why node_modules does not match package-lock.json, or null when it does. */
function staleReason() {
  const hidden = path.join(root, "node_modules", ".package-lock.json");
  if (!fs.existsSync(path.join(root, "node_modules"))) return "node_modules is missing";
  if (!fs.existsSync(hidden)) return "node_modules was not installed by npm 7+";
  const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8"));
  const installed = JSON.parse(fs.readFileSync(hidden, "utf8")).packages ?? {};
  for (const [where, entry] of Object.entries(lock.packages ?? {})) {
    if (where === "" || entry.link) continue;
    const have = installed[where];
    if (!have) {
      if (entry.optional) continue; // optional packages may be skipped for this platform
      return `${where.replace(/^node_modules\//, "")} is not installed`;
    }
    if (entry.version && have.version !== entry.version) {
      return `${where.replace(/^node_modules\//, "")} is ${have.version}, package-lock.json wants ${entry.version}`;
    }
    if (!fs.existsSync(path.join(root, where))) return `${where} is missing`;
  }
  return null;
}

async function npmDependencies() {
  const reason = staleReason();
  if (!reason) {
    // npm ci applies patches/ (postinstall); an up-to-date node_modules may predate a patch.
    const status = run("npx", ["--no-install", "patch-package"], { timeout: 5 * 60_000 });
    if (status !== 0) throw new SetupError("`patch-package` could not apply patches/", "run `npm ci`, then `npm run setup` again");
    return "already present (node_modules matches package-lock.json; patches/ applied)";
  }
  say(`  npm dependencies: installing (${reason})`);
  const status = run("npm", ["ci", "--no-audit", "--no-fund"], { timeout: 30 * 60_000 });
  if (status !== 0) throw new SetupError("`npm ci` failed", "fix the error above, then run `npm run setup` again");
  return "installed (npm ci)";
}

// 2. build -----------------------------------------------------------------------------------------

async function build() {
  say("  building dist/");
  const status = run("npm", ["run", "--silent", "build"], { timeout: 15 * 60_000 });
  if (status !== 0) {
    throw new SetupError("the TypeScript build failed", "fix the compiler errors above, then run `npm run setup` again");
  }
  return "built dist/";
}

// 3. rl-course link --------------------------------------------------------------------------------

async function link() {
  const linkPath = path.join(root, "node_modules", "rl-course");
  const real = fs.realpathSync(root);
  let stat = null;
  try {
    stat = fs.lstatSync(linkPath);
  } catch {
    // missing
  }
  if (stat) {
    let target = null;
    try {
      target = fs.realpathSync(linkPath);
    } catch {
      // dangling
    }
    if (target === real) return "already present (node_modules/rl-course -> project root)";
    say(`  replacing node_modules/rl-course (pointed at ${target ?? "nothing"})`);
    fs.rmSync(linkPath, { recursive: !stat.isSymbolicLink(), force: true });
  }
  if (isWindows) fs.symlinkSync(real, linkPath, "junction");
  else fs.symlinkSync("..", linkPath, "dir");
  if (fs.realpathSync(linkPath) !== real) throw new SetupError("node_modules/rl-course does not point at the project", "remove it and run `npm run setup` again");
  return `installed (node_modules/rl-course -> ${isWindows ? real : ".."})`;
}

// 4. Jupyter ---------------------------------------------------------------------------------------

async function loadDist(name, folder = "jupyter") {
  const mod = await import(pathToFileURL(path.join(root, "dist", folder, `${name}.js`)).href);
  return mod.default ?? mod;
}

function describe(python) {
  const p = python.packages;
  const front = p.jupyterlab ? `JupyterLab ${p.jupyterlab}` : p.notebook ? `classic notebook ${p.notebook} (no JupyterLab)` : "no JupyterLab or notebook front end";
  return `${python.executable} (Python ${python.version}): nbclient ${p.nbclient}, nbconvert ${p.nbconvert}, ${front}`;
}

function isRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function installWithPip() {
  const python = isWindows ? "python" : "python3";
  if (!works(python, ["-m", "pip", "--version"])) {
    say(`  pip: not available for ${python}`);
    return false;
  }
  say(`  trying pip (${python}); gives up quickly when no package index answers`);
  const status = run(
    python,
    ["-m", "pip", "install", "--retries", "0", "--timeout", "15", "--progress-bar", "off", "jupyterlab", "nbclient", "nbconvert"],
    { timeout: 20 * 60_000 },
  );
  return status === 0;
}

/** Installs Debian packages with apt-get (as root, or with passwordless sudo); true when it worked. */
function aptInstall(packages) {
  if (isWindows || !works("apt-get", ["--version"])) {
    say("  apt-get: not available");
    return false;
  }
  let sudo = [];
  if (!isRoot()) {
    if (!works("sudo", ["-n", "true"])) {
      say("  apt-get: needs root (and sudo asks for a password)");
      return false;
    }
    sudo = ["sudo", "-n"];
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const cmd = (args) => (sudo.length ? run(sudo[0], [...sudo.slice(1), ...args], { env, timeout: 30 * 60_000 }) : run(args[0], args.slice(1), { env, timeout: 30 * 60_000 }));
  say("  trying Debian's packages with apt-get");
  if (cmd(["apt-get", "update", "-q"]) !== 0) return false;
  return cmd(["apt-get", "install", "-y", "-q", "--no-install-recommends", ...packages]) === 0;
}

function installWithApt() {
  return aptInstall(["jupyter-notebook", "python3-nbclient", "jupyter-nbconvert", "python3-jupyter-client"]);
}

async function jupyter() {
  const { findJupyterPython, PYTHON_ENV } = await loadDist("python");
  let search = findJupyterPython();
  if (search.python) return `already present, ${describe(search.python)}`;
  const tried = search.rejected.map((r) => `\n  ${r.command}: ${r.reason}`).join("");
  if (process.env[PYTHON_ENV]) {
    throw new SetupError(
      `${PYTHON_ENV}=${process.env[PYTHON_ENV]} has no Jupyter (nbclient, nbconvert, jupyter_client):${tried}`,
      `install them into that Python (\`${process.env[PYTHON_ENV]} -m pip install jupyterlab nbclient nbconvert\`), or unset ${PYTHON_ENV}`,
    );
  }
  say("  Jupyter: not found; installing");
  for (const r of search.rejected) say(`  ${r.command}: ${r.reason}`);
  const allowed = process.env.RLCOURSE_JUPYTER_INSTALL ?? "auto";
  const methods = [
    ["pip", installWithPip],
    ["apt", installWithApt],
  ].filter(([name]) => allowed === "auto" || allowed === name);
  for (const [name, install] of methods) {
    if (!install()) continue;
    search = findJupyterPython();
    if (search.python) return `installed with ${name}, ${describe(search.python)}`;
    say(`  ${name} finished, but no Python with nbclient + nbconvert + jupyter_client was found afterwards`);
  }
  throw new SetupError(
    `Jupyter is not installed and could not be installed automatically (tried: ${methods.map(([n]) => n).join(", ") || "nothing"}).${tried}`,
    "install JupyterLab: `python3 -m pip install jupyterlab nbclient nbconvert` " +
      "(on Debian/Ubuntu: `sudo apt-get install jupyter-notebook python3-nbclient jupyter-nbconvert`), " +
      `then run \`npm run setup\` again. If Jupyter is in a Python not on PATH, set ${PYTHON_ENV}=/path/to/python.`,
  );
}

// 5. tslab kernel ----------------------------------------------------------------------------------

async function kernel() {
  const { findJupyterPython } = await loadDist("python");
  const { KERNEL_NAME, tslabKernelSpec, listKernelSpecs, installKernelSpec, sameKernel } = await loadDist("kernelspec");
  const python = findJupyterPython().python;
  if (!python) throw new SetupError("no Python with Jupyter", "run `npm run setup` again");
  const tslab = path.join(root, "node_modules", "tslab", "bin", "tslab");
  if (!fs.existsSync(tslab)) throw new SetupError(`${tslab} is missing`, "run `npm ci`, then `npm run setup` again");
  const wanted = tslabKernelSpec(fs.realpathSync(root), process.execPath);
  const before = listKernelSpecs(python.executable)[KERNEL_NAME];
  if (before && sameKernel(before.spec, wanted)) return `already present (${before.resource_dir})`;
  if (before) say(`  tslab kernel: updating (it started ${before.spec.argv?.slice(0, 2).join(" ")})`);
  else say("  tslab kernel: installing");
  installKernelSpec(python.executable, wanted, KERNEL_NAME);
  const after = listKernelSpecs(python.executable)[KERNEL_NAME];
  if (!after || !sameKernel(after.spec, wanted)) {
    throw new SetupError(
      `\`jupyter kernelspec list\` does not show the '${KERNEL_NAME}' kernel just installed` +
        (after ? ` (it finds another one in ${after.resource_dir}, which comes first)` : ""),
      after ? `remove ${after.resource_dir}, then run \`npm run setup\` again` : "check the Jupyter data folder (`jupyter --paths`)",
    );
  }
  say(`  jupyter kernelspec list: ${KERNEL_NAME} ${after.resource_dir}`);
  say(`  argv: ${after.spec.argv.join(" ")}`);
  return `${before ? "updated" : "installed"} (${after.resource_dir})`;
}

// 6. grading sandbox -------------------------------------------------------------------------------

async function sandbox() {
  const { bwrapProblem } = await loadDist("sandbox", "grading");
  let problem = bwrapProblem();
  if (!problem) return "bubblewrap present, namespaces work";
  if (process.platform === "linux" && !works("bwrap", ["--version"])) {
    say("  bubblewrap (bwrap): not found; installing");
    if (aptInstall(["bubblewrap"])) problem = bwrapProblem();
    if (!problem) return "bubblewrap installed with apt-get, namespaces work";
  }
  // Not fatal: students never need it; instructors grading here need it or `--sandbox none`.
  say(`  ${problem}`);
  return "NOT AVAILABLE: `rlcourse grade` refuses to run here unless given --sandbox none (install bubblewrap: `sudo apt-get install bubblewrap`)";
}

// main ---------------------------------------------------------------------------------------------

async function main() {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    const text = fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").filter((l) => l.startsWith("//"));
    say(text.map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
    return 0;
  }
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 20) {
    say(`rl-course setup needs Node.js 20 or newer; this is ${process.version}. Install Node.js 20+ and run \`npm run setup\` again.`);
    return 1;
  }
  say(`rl-course setup in ${root}`);
  try {
    await step(1, "npm dependencies", npmDependencies);
    await step(2, "build", build);
    await step(3, "rl-course link", link);
    await step(4, "Jupyter", jupyter);
    await step(5, "tslab kernel", kernel);
    await step(6, "grading sandbox", sandbox);
  } catch (error) {
    if (error instanceof SetupError) {
      process.stderr.write(`\nSetup failed: ${error.message}\nNext step: ${error.nextStep}\n`);
    } else {
      process.stderr.write(`\nSetup failed: ${error?.stack ?? error}\nNext step: fix the error above and run \`npm run setup\` again.\n`);
    }
    return 1;
  }
  say(`Setup done in ${seconds(started)}. Next: \`npm start\` opens Jupyter on notebooks/; \`npm run course\` runs every notebook into out/.`);
  return 0;
}

process.exitCode = await main();
