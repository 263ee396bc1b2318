/**
 * Protocol-level tests of this package's tslab kernel (node_modules/tslab, patched at install by
 * patches/tslab+1.0.22.patch) started by jupyter_client, as Jupyter, nbclient and nbgrader start
 * it. test/tslab_protocol.py drives the kernel and records every message; the assertions are here:
 * - a failed cell's execute_reply has ename, evalue, traceback and an iopub `error` message
 *   carries the same (compile errors: ename "CompileError"), and nothing is printed on stderr;
 * - status busy/idle bracket each request as it runs: requests sent back to back are run one
 *   after the other, the second's busy after the first's idle;
 * - after an error, the execute_requests already queued are aborted (reply status "aborted"),
 *   every time, and a request sent once the error's reply arrived runs; with stop_on_error false
 *   the queued requests run;
 * - the kernel works over the ipc transport (jupyter_client's `ipc://PATH-PORT` addresses), also
 *   inside a network namespace without any network (when `unshare` can make one).
 *
 * Needs `npm run setup` (a Python with jupyter_client); skipped with the reason without it, except
 * under CI (CI=true), where that is a failure.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { findJupyterPython } from "../lib/jupyter/python";

const root = path.resolve(__dirname, "..");
const driver = path.join(root, "test", "tslab_protocol.py");
const tslab = path.join(root, "node_modules", "tslab", "bin", "tslab");
const KERNEL = "tslab-protocol-test";
const NETNS_KERNEL = "tslab-protocol-test-netns";

const python = findJupyterPython({ remember: false }).python;
const missing = !python
  ? "no Python with jupyter_client: run `npm run setup`"
  : !fs.existsSync(tslab)
    ? `${tslab} is missing: run \`npm ci\``
    : undefined;
if (missing && process.env.CI) {
  test("Jupyter and tslab are set up", () => assert.fail(missing));
}
const skip = missing && !process.env.CI ? missing : false;

/** `unshare` can make a network namespace here (Linux; root or unprivileged user namespaces). */
const canUnshare =
  process.platform === "linux" && spawnSync("unshare", ["--net", "--map-root-user", "true"], { stdio: "ignore" }).status === 0;

// A Jupyter path of our own, with kernelspecs that start this checkout's tslab (and the same
// inside a network namespace), whatever kernels the user registered.
const jupyterPath = fs.mkdtempSync(path.join(os.tmpdir(), "tslab-protocol-kernels-"));
after(() => fs.rmSync(jupyterPath, { recursive: true, force: true }));
function writeKernelSpec(name: string, argv: string[]): void {
  const dir = path.join(jupyterPath, "kernels", name);
  fs.mkdirSync(dir, { recursive: true });
  const spec = { argv, display_name: name, language: "typescript", interrupt_mode: "signal" };
  fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(spec, null, 2));
}
const kernelArgv = [process.execPath, tslab, "kernel", "--config-path", "{connection_file}"];
writeKernelSpec(KERNEL, kernelArgv);
writeKernelSpec(NETNS_KERNEL, ["unshare", "--net", "--map-root-user", ...kernelArgv]);

interface Message {
  /** Index of the request (in the order the driver sent them) the message answers; -1 none. */
  i: number;
  type: string;
  content: Record<string, unknown>;
}
interface Reply {
  type: string;
  content: { status: string; ename?: string; evalue?: string; traceback?: string[]; execution_count?: number };
  metadata: Record<string, unknown>;
}
interface Record_ {
  scenario: string;
  failure?: string;
  connection?: { transport: string; ip: string };
  iopub: Message[];
  replies: Record<string, Reply>;
  rounds?: { failing: number; queued: number[]; after: number }[];
  failing?: number;
  queued?: number[];
}

/** Runs one scenario of the driver and returns its record (fails the test when it did not finish). */
function drive(kernel: string, scenario: string, ...args: string[]): Record_ {
  const r = spawnSync(python!.executable, [driver, kernel, scenario, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 240_000,
    env: { ...process.env, JUPYTER_PATH: jupyterPath, PYTHONIOENCODING: "utf-8" },
  });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `driver exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  const record = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record_;
  assert.equal(record.failure, undefined, `scenario ${scenario}: ${record.failure}\n${JSON.stringify(record, null, 1).slice(0, 4000)}`);
  return record;
}

const reply = (rec: Record_, i: number): Reply => {
  const r = rec.replies[String(i)];
  assert.ok(r, `no reply to request ${i}`);
  return r;
};
const messages = (rec: Record_, i: number): Message[] => rec.iopub.filter((m) => m.i === i);
const states = (rec: Record_, i: number): string[] =>
  messages(rec, i).filter((m) => m.type === "status").map((m) => String(m.content.execution_state));
/** Position in the iopub stream of request i's first message of `type` (status: with that state). */
function at(rec: Record_, i: number, type: string, state?: string): number {
  const k = rec.iopub.findIndex((m) => m.i === i && m.type === type && (state === undefined || m.content.execution_state === state));
  assert.ok(k >= 0, `no ${type} ${state ?? ""} for request ${i}: ${JSON.stringify(messages(rec, i))}`);
  return k;
}
const streamText = (rec: Record_, i: number, name = "stdout"): string =>
  messages(rec, i)
    .filter((m) => m.type === "stream" && m.content.name === name)
    .map((m) => String(m.content.text))
    .join("");

/** Request i's execution was bracketed by exactly one busy and one idle, with its outputs in between. */
function assertBracketed(rec: Record_, i: number): void {
  assert.deepEqual(states(rec, i), ["busy", "idle"], `request ${i}: status messages`);
  const busy = at(rec, i, "status", "busy");
  const idle = at(rec, i, "status", "idle");
  rec.iopub.forEach((m, k) => {
    if (m.i === i && m.type !== "status") assert.ok(busy < k && k < idle, `request ${i}: ${m.type} outside busy/idle`);
  });
}

/** A failed execute_reply and its iopub error message, per the messaging protocol. */
function assertError(rec: Record_, i: number, ename: string, evalue: RegExp | string): Reply["content"] {
  const content = reply(rec, i).content;
  assert.equal(content.status, "error", JSON.stringify(content));
  assert.equal(content.ename, ename);
  if (typeof evalue === "string") assert.equal(content.evalue, evalue);
  else assert.match(content.evalue ?? "", evalue);
  assert.ok(Array.isArray(content.traceback) && content.traceback.length > 0, "traceback: a non-empty list");
  assert.ok(content.traceback.every((line) => typeof line === "string"), "traceback: strings");
  const errors = messages(rec, i).filter((m) => m.type === "error");
  assert.equal(errors.length, 1, `one iopub error message for request ${i}`);
  assert.deepEqual(errors[0]!.content, { ename: content.ename, evalue: content.evalue, traceback: content.traceback });
  assert.equal(streamText(rec, i, "stderr"), "", "the error is not printed on stderr as well");
  assertBracketed(rec, i);
  return content;
}

test("a failed cell: execute_reply with ename/evalue/traceback and an iopub error message", { skip }, () => {
  const rec = drive(KERNEL, "errors");

  const thrown = assertError(rec, 0, "RangeError", "boom from a cell");
  assert.equal(streamText(rec, 0), "before\n");
  assert.ok(at(rec, 0, "stream") < at(rec, 0, "error"), "output printed before the error comes first");
  const text = thrown.traceback!.join("\n");
  assert.match(text, /^RangeError: boom from a cell$/m);
  assert.match(text, /^function f\(\) \{ throw new RangeError\("boom from a cell"\); \}\n\s+\^$/m, "the line that threw (compiled to JavaScript), with a caret");
  assert.match(text, /^\s+at f \(cell\)$/m, "the cell's own stack frames are kept, named by function");
  assert.doesNotMatch(text, /node:vm|tslab[\\/]dist|evalmachine/, "the kernel's stack frames are not shown");

  const compile = assertError(rec, 1, "CompileError", "1:7 - Type 'string' is not assignable to type 'number'.");
  assert.deepEqual(compile.traceback, ["1:7 - Type 'string' is not assignable to type 'number'."]);

  assertError(rec, 2, "Error", "a string");
  assert.deepEqual(reply(rec, 2).content.traceback, ["a string"]);

  assert.equal(reply(rec, 3).content.status, "ok", "a cell sent after the error's reply runs");
  assert.equal(streamText(rec, 3), "after the errors\n");
  // An error may say itself what its traceback is (Symbol.for("tslab.traceback")), e.g. a failed check.
  assert.deepEqual(assertError(rec, 4, "Error", "with its own traceback").traceback, ["just this line"]);
  // An error thrown inside Node (or a library) shows the cell's frames only.
  const inside = assertError(rec, 5, "Error", /ENOENT: no such file or directory/).traceback!.join("\n");
  assert.match(inside, /^\s+at readMissing \(cell\)$/m);
  assert.doesNotMatch(inside, /node:fs|node:internal/, "frames outside the cell are left out");
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((i) => reply(rec, i).content.execution_count),
    [1, 2, 3, 4, 5, 6],
  );
});

test("busy/idle bracket each execution: requests sent back to back run one after the other", { skip }, () => {
  const rec = drive(KERNEL, "order");
  for (const i of [0, 1]) {
    assert.equal(reply(rec, i).content.status, "ok");
    assertBracketed(rec, i);
  }
  assert.equal(streamText(rec, 0), "slow: start\nslow: end\n");
  assert.equal(streamText(rec, 1), "quick\n");
  const firstIdle = at(rec, 0, "status", "idle");
  assert.ok(at(rec, 1, "status", "busy") > firstIdle, "the second request's busy comes after the first one's idle");
  assert.ok(rec.iopub.findIndex((m) => m.i === 0 && m.content.text === "slow: end\n") < firstIdle, "the slow cell's idle comes after its output");
});

test("after an error the queued requests are aborted, every time; a request sent after the error reply runs", { skip }, () => {
  const rec = drive(KERNEL, "abort", "--rounds", "6");
  assert.equal(rec.rounds?.length, 6);
  for (const [r, round] of rec.rounds!.entries()) {
    const failing = reply(rec, round.failing).content;
    assert.equal(failing.status, "error", `round ${r}: ${JSON.stringify(failing)}`);
    assert.ok(failing.ename && failing.traceback, `round ${r}: error fields`);
    for (const q of round.queued) {
      const aborted = reply(rec, q);
      assert.equal(aborted.type, "execute_reply");
      assert.deepEqual(aborted.content, { status: "aborted" }, `round ${r}: request ${q} queued before the error`);
      assert.deepEqual(
        messages(rec, q).map((m) => m.type),
        ["status", "status"],
        `round ${r}: an aborted request does not run`,
      );
      assertBracketed(rec, q);
    }
    assert.equal(reply(rec, round.after).content.status, "ok", `round ${r}: request sent after the error reply`);
    assert.equal(streamText(rec, round.after), `after ${r}\n`);
    assertBracketed(rec, round.after);
  }
});

test("with stop_on_error false, the requests queued behind a failing one run", { skip }, () => {
  const rec = drive(KERNEL, "no_stop");
  assertError(rec, rec.failing!, "Error", "failure without stop_on_error");
  for (const [k, q] of rec.queued!.entries()) {
    assert.equal(reply(rec, q).content.status, "ok");
    assert.equal(streamText(rec, q), `queued ${k}\n`);
    assertBracketed(rec, q);
  }
});

test("the kernel works over the ipc transport (KernelManager(transport='ipc'))", { skip }, () => {
  const rec = drive(KERNEL, "hello", "--transport", "ipc");
  assert.equal(rec.connection?.transport, "ipc");
  assert.equal(reply(rec, 0).content.status, "ok");
  assert.equal(streamText(rec, 0), "hello over 2\n");
});

test("over ipc the kernel runs in a network namespace without network", { skip: skip || (canUnshare ? false : "`unshare --net --map-root-user` is not available here") }, () => {
  const rec = drive(NETNS_KERNEL, "netns", "--transport", "ipc");
  assert.equal(reply(rec, 0).content.status, "ok");
  assert.equal(streamText(rec, 0), "[]\n", "no network interface with an address inside the namespace");
});
