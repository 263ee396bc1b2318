import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";

/** Runs a snippet in a fresh process (the backend is chosen once per process). */
function run(backend: string | undefined, body: string) {
  const script = `
    const { initBackend, backendInfo, tf } = require(${JSON.stringify(join(__dirname, "..", "lib", "backend.ts"))});
    (async () => {
      try {
        const info = await initBackend();
        const x = tf.tensor1d([1, 2, 3]);
        console.log(JSON.stringify({ info, same: backendInfo() === info, sum: x.sum().dataSync()[0], tfBackend: tf.getBackend() }));
        ${body}
      } catch (err) { console.log(JSON.stringify({ error: err.message })); }
    })();`;
  const env = { ...process.env };
  delete env.RLCOURSE_BACKEND;
  if (backend !== undefined) env.RLCOURSE_BACKEND = backend;
  const result = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { env, encoding: "utf8", timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  return { out: JSON.parse(result.stdout.trim().split("\n")[0]), stdout: result.stdout, stderr: result.stderr };
}

/** Whether the optional native backend loads here (installed is not enough: its binary may be missing). */
function nativeAvailable(): boolean {
  return spawnSync(process.execPath, ["-e", 'require("@tensorflow/tfjs-node")'], { stdio: "ignore", timeout: 60_000 }).status === 0;
}

test("default: tensorflow when tfjs-node loads, else wasm; backendInfo reports it", () => {
  const { out } = run(undefined, "");
  assert.equal(out.info.name, nativeAvailable() ? "tensorflow" : "wasm");
  assert.equal(out.tfBackend, out.info.name);
  assert.equal(out.info.forced, false);
  assert.equal(out.same, true);
  assert.equal(out.sum, 6);
  if (!nativeAvailable()) assert.equal(out.info.skipped[0].name, "tensorflow");
});

test("RLCOURSE_BACKEND=cpu forces the cpu backend, with no tfjs banner on any stream", () => {
  const { out, stdout, stderr } = run("cpu", "tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dataSync();");
  assert.equal(out.info.name, "cpu");
  assert.equal(out.info.forced, true);
  assert.doesNotMatch(stdout + stderr, /TensorFlow\.js in Node\.js|tfjs-node/);
});

test("RLCOURSE_BACKEND=wasm forces wasm", () => {
  assert.equal(run("wasm", "").out.info.name, "wasm");
});

test("the WASM backend leaves process error handling as it was: a stray rejection does not kill the process", () => {
  // Emscripten's glue rethrows unhandled rejections; with its listeners removed, a handler the
  // process had (as a notebook kernel has) still decides.
  const { stdout } = run(
    "wasm",
    `process.on("unhandledRejection", () => console.log("handled"));
     Promise.reject(new Error("stray"));
     setTimeout(() => console.log("alive", process.listeners("unhandledRejection").length, process.listeners("uncaughtException").length), 50);`,
  );
  assert.match(stdout, /^handled$/m);
  assert.match(stdout, /^alive 1 0$/m);
});

test("an unknown or unloadable forced backend fails clearly", () => {
  assert.match(run("gpu", "").out.error, /RLCOURSE_BACKEND must be one of tensorflow, wasm, cpu, got 'gpu'/);
  if (!nativeAvailable()) {
    assert.match(run("tensorflow", "").out.error, /RLCOURSE_BACKEND=tensorflow: the backend could not be loaded \(is the optional @tensorflow\/tfjs-node installed\?\)/);
  }
});
