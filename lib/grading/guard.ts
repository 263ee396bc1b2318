/**
 * The in-kernel half of `rlcourse grade`'s trust model: loaded by the setup cell the grader
 * injects before any student code runs, it captures what the tests rely on, and every wrapped
 * test cell asks it, before running, whether any of it was changed since.
 *
 * {@link installGuard} captures:
 * - the *built-ins*: the global bindings `Math`, `JSON`, `Object`, `Array`, `Number`, `String`,
 *   `Reflect`, `Error`, the typed arrays, `Map`, `Set`, `Promise`, `RegExp`, ... and every own
 *   property (value or getter/setter) of these objects, of their prototypes, of
 *   `Object.prototype`, `Function.prototype`, the iterator prototypes and `%TypedArray%`, with
 *   each object's prototype link; a key added to any of them (say `Object.prototype.atol`) counts
 *   as a change too;
 * - Node's `vm` and `module` internals the kernel runs cells with, and `process.stdout`/`stderr`/`exit`;
 * - this library: for every module of the package loaded by then, its exports' function-valued
 *   properties, and the methods of exported classes (e.g. `Rng.prototype.uniform`);
 * - the values a test reads from earlier cells: rl-course's exports by name ({@link Guard.imported})
 *   and what locked cells declared ({@link Guard.keep});
 * and freezes the checks module (`check.close = ...` then has no effect).
 *
 * The guard object is frozen and installed as a non-writable, non-configurable global with a
 * random name (so it cannot be replaced, nor shadowed by a later `let`), and everything it
 * captured lives in closures. Its own code uses only functions captured at module load.
 *
 * The library's own modules may change primitive exports (state) but must not reassign exported
 * functions or objects after loading: that would read as tampering.
 *
 * Limits: this is a tripwire inside the student's own process, not a sandbox. Code that runs in
 * the kernel can still rewrite later cells before they run (e.g. through `vm` or tslab
 * internals reached via `require.cache`); the grader's canary cells catch such tampering when it
 * changes outcomes wholesale, not a targeted rewrite. Objects are compared by identity: the
 * internals of a captured object (an environment's fields) are not.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const path = require("node:path") as typeof import("node:path");

/** The package's root folder with a trailing separator: this module is in <root>/dist/grading (or lib/grading). */
const PACKAGE_DIR = path.resolve(__dirname, "..", "..") + path.sep;
/** The package's own dependencies, not captured. */
const NODE_MODULES = `${PACKAGE_DIR}node_modules${path.sep}`;

// Captured at module load; the guard's code calls nothing else.
const R = {
  apply: Reflect.apply,
  ownKeys: Reflect.ownKeys,
  getOwnPropertyDescriptor: Reflect.getOwnPropertyDescriptor,
  getPrototypeOf: Reflect.getPrototypeOf,
  defineProperty: Reflect.defineProperty,
  freeze: Object.freeze,
  hasOwn: Object.hasOwn,
  is: Object.is,
  String: String,
  Error: Error,
  arrayPush: Array.prototype.push,
  stringSlice: String.prototype.slice,
  symbolToString: Symbol.prototype.toString,
};

/** One property as captured: how it was defined. */
interface Prop {
  key: PropertyKey;
  value: unknown;
  get: unknown;
  set: unknown;
  flags: string;
}

/** One object as captured. */
interface Owner {
  label: string;
  target: object;
  proto: object | null;
  props: Prop[];
  /** Whether added or deleted keys count (built-ins), or only changed functions (modules). */
  strict: boolean;
}

function push<T>(list: T[], item: T): void {
  R.apply(R.arrayPush, list, [item]);
}

function keyName(key: PropertyKey): string {
  return typeof key === "symbol" ? (R.apply(R.symbolToString, key, []) as string) : R.String(key);
}

function capture(target: object, key: PropertyKey): Prop | undefined {
  const d = R.getOwnPropertyDescriptor(target, key);
  if (d === undefined) return undefined;
  const own = (name: string): unknown => (R.hasOwn(d, name) ? (d as Record<string, unknown>)[name] : undefined);
  const flags = `${own("writable") ? "w" : ""}${own("enumerable") ? "e" : ""}${own("configurable") ? "c" : ""}${R.hasOwn(d, "value") ? "d" : "a"}`;
  return { key, value: own("value"), get: own("get"), set: own("set"), flags };
}

/** Functions, objects and accessors: what a module's exports may not change (primitives may: state). */
function isReference(prop: Prop): boolean {
  return typeof prop.value === "function" || (typeof prop.value === "object" && prop.value !== null) || prop.flags.endsWith("a");
}

function sameProp(a: Prop, b: Prop | undefined): boolean {
  return b !== undefined && R.is(a.value, b.value) && a.get === b.get && a.set === b.set && a.flags === b.flags;
}

/** Captures `target`'s own properties (only `keys` when given). */
function owner(label: string, target: object, strict: boolean, keys?: PropertyKey[]): Owner {
  const props: Prop[] = [];
  const list = keys ?? R.ownKeys(target);
  for (let i = 0; i < list.length; i++) {
    const prop = capture(target, list[i]!);
    if (prop && (strict || isReference(prop))) push(props, prop);
  }
  return { label, target, proto: R.getPrototypeOf(target), props, strict: strict && keys === undefined };
}

/** What changed in `o` since it was captured, as `label.key (what)` items. */
function changes(o: Owner, out: string[]): void {
  if (o.strict && R.getPrototypeOf(o.target) !== o.proto) push(out, `${o.label} (prototype replaced)`);
  const known: Record<string, true> = { __proto__: null } as unknown as Record<string, true>;
  for (let i = 0; i < o.props.length; i++) {
    const before = o.props[i]!;
    const now = capture(o.target, before.key);
    const name = `${o.label}.${keyName(before.key)}`;
    if (now === undefined) push(out, `${name} (deleted)`);
    else if (!sameProp(before, now)) push(out, `${name} (replaced)`);
    if (typeof before.key !== "symbol") known[before.key as string] = true;
  }
  if (!o.strict) return;
  const keys = R.ownKeys(o.target);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    let seen = false;
    if (typeof key === "symbol") {
      for (let j = 0; j < o.props.length && !seen; j++) seen = o.props[j]!.key === key;
    } else {
      seen = R.hasOwn(known, key);
    }
    if (!seen) push(out, `${o.label}.${keyName(key)} (added)`);
  }
}

/** The global built-ins captured: each global binding, the object, and its prototype. */
const GLOBALS = [
  "Object", "Function", "Array", "Number", "Boolean", "String", "Symbol", "BigInt", "Math", "JSON", "Reflect",
  "Proxy", "Promise", "RegExp", "Date", "Map", "Set", "WeakMap", "WeakSet", "ArrayBuffer", "DataView",
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
  "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "Error", "TypeError", "RangeError",
  "ReferenceError", "SyntaxError", "EvalError", "URIError", "AggregateError", "isFinite", "isNaN",
  "parseFloat", "parseInt", "globalThis", "NaN", "Infinity", "undefined", "structuredClone",
];

/** Keys of `process` a test's outcome or output depends on. */
const PROCESS_KEYS = ["stdout", "stderr", "exit", "reallyExit", "abort", "kill", "binding", "_linkedBinding", "dlopen", "emit"];

/** Captures the built-ins (see the module comment). */
function captureBuiltins(): Owner[] {
  const g = globalThis as unknown as Record<string, unknown>;
  const owners: Owner[] = [owner("globalThis", globalThis, false, GLOBALS)];
  const seen: object[] = [];
  const add = (label: string, target: unknown): void => {
    if ((typeof target !== "object" && typeof target !== "function") || target === null) return;
    for (let i = 0; i < seen.length; i++) if (seen[i] === target) return;
    push(seen, target as object);
    push(owners, owner(label, target as object, true));
  };
  for (let i = 0; i < GLOBALS.length; i++) {
    const name = GLOBALS[i]!;
    if (name === "globalThis") continue;
    const value = g[name];
    add(name, value);
    if (typeof value === "function" && R.hasOwn(value, "prototype")) add(`${name}.prototype`, (value as { prototype: unknown }).prototype);
  }
  const typedArray = R.getPrototypeOf(Uint8Array) as object;
  add("%TypedArray%", typedArray);
  add("%TypedArray%.prototype", (typedArray as { prototype: object }).prototype);
  const arrayIterator = R.getPrototypeOf([][Symbol.iterator]()) as object;
  add("%ArrayIteratorPrototype%", arrayIterator);
  add("%IteratorPrototype%", R.getPrototypeOf(arrayIterator));
  add("%StringIteratorPrototype%", R.getPrototypeOf(""[Symbol.iterator]()));
  add("%MapIteratorPrototype%", R.getPrototypeOf(new Map()[Symbol.iterator]()));
  add("%SetIteratorPrototype%", R.getPrototypeOf(new Set()[Symbol.iterator]()));
  add("%GeneratorFunction.prototype%", R.getPrototypeOf(function* () {}));
  add("%AsyncFunction.prototype%", R.getPrototypeOf(async function () {}));
  push(owners, owner("process", process, false, PROCESS_KEYS));
  // The kernel compiles and runs each cell with vm.runInThisContext and CommonJS's Module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vm = require("node:vm") as object;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require("node:module") as unknown as { prototype: object };
  push(owners, owner("vm", vm, false));
  push(owners, owner("Module", Module, false));
  push(owners, owner("Module.prototype", Module.prototype, false));
  return owners;
}

/** rl-course's modules loaded by now (under the package's dist/ or lib/ folder), and their exported classes. */
/** Whether `file` is one of this package's own modules (not a dependency's). */
function isOwnModule(file: string): boolean {
  return (
    R.apply(R.stringSlice, file, [0, PACKAGE_DIR.length]) === PACKAGE_DIR &&
    R.apply(R.stringSlice, file, [0, NODE_MODULES.length]) !== NODE_MODULES
  );
}

function captureLibrary(): Owner[] {
  const owners: Owner[] = [];
  const cache = require.cache;
  const files = R.ownKeys(cache) as string[];
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    if (!isOwnModule(file)) continue;
    const exports = cache[file]?.exports as unknown;
    if ((typeof exports !== "object" && typeof exports !== "function") || exports === null) continue;
    const short = R.apply(R.stringSlice, file, [PACKAGE_DIR.length]) as string;
    push(owners, owner(short, exports as object, false));
    const keys = R.ownKeys(exports as object);
    for (let k = 0; k < keys.length; k++) {
      const prop = capture(exports as object, keys[k]!);
      // Exports are data properties (tsc) or getters (re-exports, esbuild): read them as modules do.
      const value = prop && typeof prop.get === "function" ? R.apply(prop.get as () => unknown, exports, []) : prop?.value;
      if (typeof value === "function" && R.hasOwn(value, "prototype")) {
        const proto = (value as { prototype: unknown }).prototype;
        if (typeof proto === "object" && proto !== null) push(owners, owner(`${short}:${keyName(keys[k]!)}.prototype`, proto, false));
      }
    }
  }
  return owners;
}

/** Where an export of the library is stored as a data property (so that it can be forbidden). */
interface Holder {
  exports: Record<PropertyKey, unknown>;
  key: PropertyKey;
}

/** Thrown by a wrapped test when something it relies on was changed. */
export class GuardError extends Error {
  override name = "GuardError";

  /** @param message what was found (an explicit constructor: a default one would use the array iterator) */
  constructor(message: string) {
    super(message);
  }
}

/** What the setup cell gives {@link installGuard}. */
export interface GuardOptions {
  /** The line that separates a test's visible output from its hidden tests' (see {@link Guard.hidden}). */
  marker: string;
}

/** The object a wrapped test cell finds under the guard's global name. */
export interface Guard {
  /** The checks module, frozen. */
  readonly check: unknown;
  /** The value rl-course exported as `name` when the guard was installed. */
  imported(name: string): unknown;
  /** rl-course's exports as they were when the guard was installed (for `import * as rl`). */
  library(): unknown;
  /** Remembers what a locked cell (index `cell`) declared, right after it ran. */
  keep(cell: number, values: object): void;
  /** What {@link keep} remembered for `name` of cell `cell`. */
  kept(cell: number, name: string): unknown;
  /**
   * Starts a test: throws {@link GuardError} ("check helpers were modified: ...") when anything
   * captured changed, then replaces the `forbidden` exports of rl-course by functions that throw.
   */
  begin(forbidden: string[]): void;
  /** Prints the marker line between a test's visible and hidden parts. */
  hidden(): void;
  /** Replaces an error of the hidden tests by one that says nothing about them. */
  hiddenFailed(error: unknown): never;
  /** Ends a test: puts the forbidden exports back. */
  end(): void;
}

/**
 * Installs the guard as the global `name` (non-writable, non-configurable) and returns it.
 * Called by the setup cell, after the notebook's import cell and before any student code.
 * @throws GuardError when `name` is already taken
 */
export function installGuard(name: string, options: GuardOptions): Guard {
  if (R.hasOwn(globalThis, name)) throw new GuardError(`the grader's guard ${name} is already installed`);
  const builtins = captureBuiltins();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const checks = require("./checks") as object;
  R.freeze(checks);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require("../index") as Record<string, unknown>;
  const exported: Record<string, unknown> = { __proto__: null } as unknown as Record<string, unknown>;
  const exportKeys = R.ownKeys(lib);
  for (let i = 0; i < exportKeys.length; i++) {
    const key = exportKeys[i]!;
    if (typeof key === "string") exported[key] = lib[key];
  }
  R.freeze(exported);
  const library = captureLibrary();
  const holders: Record<string, Holder[]> = { __proto__: null } as unknown as Record<string, Holder[]>;
  const files = R.ownKeys(require.cache) as string[];
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    if (!isOwnModule(file)) continue;
    const exports = require.cache[file]?.exports as Record<PropertyKey, unknown> | undefined;
    if (typeof exports !== "object" || exports === null) continue;
    const keys = R.ownKeys(exports);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      if (typeof key !== "string" || !R.hasOwn(exported, key)) continue;
      const prop = capture(exports, key);
      if (prop && prop.flags.endsWith("d") && prop.flags.startsWith("w") && prop.value === exported[key] && typeof prop.value === "function") {
        holders[key] = holders[key] ?? [];
        push(holders[key]!, { exports, key });
      }
    }
  }
  const keptValues: Record<string, unknown> = { __proto__: null } as unknown as Record<string, unknown>;
  let stubbed: { holder: Holder; original: unknown }[] = [];
  let writer: unknown;
  let stream: unknown;

  const verify = (): void => {
    const found: string[] = [];
    for (let i = 0; i < builtins.length; i++) changes(builtins[i]!, found);
    for (let i = 0; i < library.length; i++) changes(library[i]!, found);
    if (found.length > 0) {
      let list = "";
      for (let i = 0; i < found.length && i < 6; i++) list += (i > 0 ? ", " : "") + found[i];
      if (found.length > 6) list += `, and ${found.length - 6} more`;
      throw new GuardError(`check helpers were modified: ${list}; the test cannot be trusted and fails`);
    }
  };

  const restore = (): void => {
    for (let i = 0; i < stubbed.length; i++) stubbed[i]!.holder.exports[stubbed[i]!.holder.key] = stubbed[i]!.original;
    stubbed = [];
  };

  const guard: Guard = {
    check: checks,
    imported(exportName: string): unknown {
      if (!R.hasOwn(exported, exportName)) throw new GuardError(`rl-course has no export ${exportName}`);
      return exported[exportName];
    },
    library(): unknown {
      return exported;
    },
    keep(cell: number, values: object): void {
      const keys = R.ownKeys(values);
      for (let i = 0; i < keys.length; i++) {
        const prop = capture(values, keys[i]!);
        if (prop && typeof keys[i] === "string") keptValues[`${cell}:${keys[i] as string}`] = prop.value;
      }
    },
    kept(cell: number, keptName: string): unknown {
      const key = `${cell}:${keptName}`;
      if (!R.hasOwn(keptValues, key)) throw new GuardError(`${keptName} (from cell ${cell + 1}) was not recorded: that cell did not finish`);
      return keptValues[key];
    },
    begin(forbidden: string[]): void {
      restore();
      verify();
      // The writer tslab installed for this cell's output, before any student code of the cell runs.
      stream = process.stdout;
      writer = (stream as { write: unknown }).write;
      for (let i = 0; i < forbidden.length; i++) {
        const fn = forbidden[i]!;
        const list = R.hasOwn(holders, fn) ? holders[fn]! : [];
        if (list.length === 0) throw new GuardError(`the test forbids ${fn}, which is not a function exported by rl-course (grader configuration)`);
        const stub = (): never => {
          throw new GuardError(`${fn} may not be used in this exercise: the test forbids it (write your own code)`);
        };
        for (let k = 0; k < list.length; k++) {
          push(stubbed, { holder: list[k]!, original: list[k]!.exports[list[k]!.key] });
          list[k]!.exports[list[k]!.key] = stub;
        }
      }
    },
    hidden(): void {
      if (typeof writer === "function") R.apply(writer, stream, [`\n${options.marker}\n`]);
    },
    hiddenFailed(): never {
      throw new GuardError("hidden tests failed");
    },
    end(): void {
      restore();
    },
  };
  R.freeze(guard);
  if (!R.defineProperty(globalThis, name, { value: guard, writable: false, enumerable: false, configurable: false })) {
    throw new GuardError(`could not install the grader's guard as ${name}`);
  }
  return guard;
}
