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
 * and freezes the checks module (`check.close = ...` then has no effect). It also replaces every
 * function the library exports by a wrapper that can forbid it during a test (see
 * {@link installGuard}), and takes the checks' quiet switch (lib/checks/printer.ts) so that a
 * test's hidden part prints nothing.
 *
 * The guard is frozen and reachable only through a frozen gate installed as a non-writable,
 * non-configurable global with a random name (so it cannot be replaced, nor shadowed by a later
 * `let`); the gate opens with a token that only the grader's cells carry. Everything the guard
 * captured lives in closures; its own code uses only functions captured at module load.
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
  construct: Reflect.construct,
  deleteProperty: Reflect.deleteProperty,
  captureStackTrace: Error.captureStackTrace,
  functionToString: Function.prototype.toString,
  WeakMap: WeakMap,
  weakMapGet: WeakMap.prototype.get,
  weakMapSet: WeakMap.prototype.set,
};

/** `CallSite.prototype.getFileName`, captured at load from a stack trace of this module's own. */
const getFileName: (this: unknown) => string | null | undefined = (() => {
  const holder: { stack?: unknown } = {};
  const saved = R.getOwnPropertyDescriptor(Error, "prepareStackTrace");
  R.defineProperty(Error, "prepareStackTrace", { value: (_e: unknown, sites: unknown[]) => sites, writable: true, configurable: true });
  try {
    R.captureStackTrace(holder);
    const sites = holder.stack as { getFileName: () => string | null }[];
    return R.getPrototypeOf(sites[0]!) !== null ? (R.getPrototypeOf(sites[0]!) as { getFileName: () => string | null }).getFileName : sites[0]!.getFileName;
  } finally {
    if (saved) R.defineProperty(Error, "prepareStackTrace", saved);
    else R.deleteProperty(Error, "prepareStackTrace");
  }
})();

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
export const GLOBALS = [
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
  /** The secret the grader's cells open the guard with (see {@link GuardGate}). */
  token: string;
}

/**
 * What the guard's global holds: the {@link Guard} for the grader's cells, which know the token
 * (student code does not: it never sees the grader's cells' source), and nothing for anyone else.
 */
export interface GuardGate {
  /** @throws GuardError when `token` is not the one the guard was installed with */
  open(token: string): Guard;
}

/** The object a wrapped test cell finds under the guard's global name. */
export interface Guard {
  /** The checks module, frozen. */
  readonly check: unknown;
  /** The value rl-course exported as `name` when the guard was installed (a function: never forbidden). */
  imported(name: string): unknown;
  /** rl-course's exports as they were when the guard was installed (for `import * as rl`; functions never forbidden). */
  library(): unknown;
  /** The built-in global `name` (`Math`, `Object`, ...) as it was when the guard was installed. */
  global(name: string): unknown;
  /** Remembers what a locked cell (index `cell`) declared, right after it ran. */
  keep(cell: number, values: object): void;
  /** What {@link keep} remembered for `name` of cell `cell`. */
  kept(cell: number, name: string): unknown;
  /**
   * Starts a test: throws {@link GuardError} ("check helpers were modified: ...") when anything
   * captured changed, then forbids the functions rl-course exports as `forbidden` (see
   * {@link installGuard}) until {@link end}.
   */
  begin(forbidden: string[]): void;
  /** Prints the marker line between a test's visible and hidden parts, and silences the checks until {@link end}. */
  hidden(): void;
  /** Replaces an error of the hidden tests by one that says nothing about them. */
  hiddenFailed(error: unknown): never;
  /** Ends a test: nothing is forbidden any more. */
  end(): void;
}

/** The library's compiled (dist/) and source (lib/, under tsx) folders. */
const LIBRARY_DIRS = [`${PACKAGE_DIR}dist${path.sep}`, `${PACKAGE_DIR}lib${path.sep}`];

/** Whether a stack frame's file is the library's own code (not a cell, not a dependency, not a built-in). */
function isLibraryFile(file: unknown): boolean {
  if (typeof file !== "string") return false;
  for (let i = 0; i < LIBRARY_DIRS.length; i++) {
    const dir = LIBRARY_DIRS[i]!;
    if (R.apply(R.stringSlice, file, [0, dir.length]) === dir) return true;
  }
  return false;
}

/**
 * The file of the nearest JavaScript frame that called `fn` (built-in frames such as `Array.map`
 * skipped), or `undefined` when it cannot be told (then the caller is not trusted).
 */
function callerFile(fn: unknown): string | undefined {
  const holder: { stack?: unknown } = {};
  const savedHook = R.getOwnPropertyDescriptor(Error, "prepareStackTrace");
  const savedLimit = R.getOwnPropertyDescriptor(Error, "stackTraceLimit");
  const hook = (_e: unknown, sites: unknown): unknown => sites;
  if (!R.defineProperty(Error, "prepareStackTrace", { value: hook, writable: true, configurable: true })) return undefined;
  let sites: unknown;
  try {
    R.defineProperty(Error, "stackTraceLimit", { value: 8, writable: true, enumerable: true, configurable: true });
    R.captureStackTrace(holder, fn as () => void);
    sites = holder.stack;
  } finally {
    if (savedHook) R.defineProperty(Error, "prepareStackTrace", savedHook);
    else R.deleteProperty(Error, "prepareStackTrace");
    if (savedLimit) R.defineProperty(Error, "stackTraceLimit", savedLimit);
  }
  if (typeof sites !== "object" || sites === null) return undefined;
  const list = sites as unknown[];
  for (let i = 0; i < list.length; i++) {
    let file: unknown;
    try {
      file = R.apply(getFileName, list[i], []);
    } catch {
      return undefined;
    }
    if (typeof file === "string" && file !== "") return file;
  }
  return undefined;
}

/**
 * Installs the guard as the global `name` (non-writable, non-configurable; it holds a
 * {@link GuardGate}) and returns the guard. Called by the setup cell, after the notebook's import
 * cell and before any student code.
 *
 * **Forbidden functions.** Every function the library's modules export (classes aside) is
 * replaced, in its module's exports, by a wrapper, so every reference student code can take from
 * then on — `rl.fn`, a named import, an alias, `require(...)` of any module, a re-export, a lookup
 * by computed key — is the wrapper. While a test forbids a function, its wrapper throws when called
 * from code that is not the library's (a cell's: the student's answer), or from library code that
 * student code entered (a student's call of another library function that uses it). The test's
 * own references are the originals ({@link Guard.imported}), and the library's code they run calls
 * the wrappers from library files: allowed.
 * @throws GuardError when `name` is already taken
 */
export function installGuard(name: string, options: GuardOptions): Guard {
  if (R.hasOwn(globalThis, name)) throw new GuardError(`the grader's guard ${name} is already installed`);
  const builtins = captureBuiltins();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const checks = require("../checks/check") as object;
  R.freeze(checks);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const printer = require("../checks/printer") as typeof import("../checks/printer");
  R.freeze(printer);
  const silence = printer.takeQuietSwitch();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require("../index") as Record<string, unknown>;
  // The exports as the test sees them: the originals (read before the wrappers go in).
  const exported: Record<string, unknown> = { __proto__: null } as unknown as Record<string, unknown>;
  const exportKeys = R.ownKeys(lib);
  for (let i = 0; i < exportKeys.length; i++) {
    const key = exportKeys[i]!;
    if (typeof key === "string") exported[key] = lib[key];
  }
  R.freeze(exported);

  let forbidden: { original: unknown; name: string }[] = [];
  let studentDepth = 0; // > 0 while library code runs that a cell (student code) called
  const wrappers = new R.WeakMap<object, unknown>();
  const wrap = (original: (...args: unknown[]) => unknown): unknown => {
    const known = R.apply(R.weakMapGet, wrappers, [original]);
    if (known !== undefined) return known;
    const wrapper = function (this: unknown, ...args: unknown[]): unknown {
      const call = (): unknown => (new.target !== undefined ? R.construct(original, args, new.target) : R.apply(original, this, args));
      if (forbidden.length === 0) return call();
      const fromLibrary = isLibraryFile(callerFile(wrapper));
      for (let i = 0; i < forbidden.length; i++) {
        if (forbidden[i]!.original === original && (!fromLibrary || studentDepth > 0)) {
          throw new GuardError(`${forbidden[i]!.name} may not be used in this exercise: the test forbids it (write your own code)`);
        }
      }
      if (fromLibrary) return call();
      studentDepth += 1;
      try {
        return call();
      } finally {
        studentDepth -= 1;
      }
    };
    R.defineProperty(wrapper, "name", { value: original.name, configurable: true });
    R.defineProperty(wrapper, "length", { value: original.length, configurable: true });
    R.apply(R.weakMapSet, wrappers, [original, wrapper]);
    return wrapper;
  };
  const files = R.ownKeys(require.cache) as string[];
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    if (!isOwnModule(file) || file === __filename) continue;
    const moduleExports = require.cache[file]?.exports as Record<PropertyKey, unknown> | undefined;
    if (typeof moduleExports !== "object" || moduleExports === null) continue;
    const keys = R.ownKeys(moduleExports);
    for (let k = 0; k < keys.length; k++) {
      const prop = capture(moduleExports, keys[k]!);
      if (!prop || !prop.flags.endsWith("d") || !prop.flags.startsWith("w") || typeof prop.value !== "function") continue;
      const source = R.apply(R.functionToString, prop.value, []) as string;
      if (R.apply(R.stringSlice, source, [0, 6]) === "class ") continue; // classes keep their identity
      moduleExports[keys[k]!] = wrap(prop.value as (...args: unknown[]) => unknown);
    }
  }
  const library = captureLibrary();
  const keptValues: Record<string, unknown> = { __proto__: null } as unknown as Record<string, unknown>;
  const globals: Record<string, unknown> = { __proto__: null } as unknown as Record<string, unknown>;
  for (let i = 0; i < GLOBALS.length; i++) globals[GLOBALS[i]!] = (globalThis as unknown as Record<string, unknown>)[GLOBALS[i]!];
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

  const guard: Guard = {
    check: checks,
    imported(exportName: string): unknown {
      if (!R.hasOwn(exported, exportName)) throw new GuardError(`rl-course has no export ${exportName}`);
      return exported[exportName];
    },
    library(): unknown {
      return exported;
    },
    global(globalName: string): unknown {
      if (!R.hasOwn(globals, globalName)) throw new GuardError(`${globalName} is not a built-in the guard captured`);
      return globals[globalName];
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
    begin(forbid: string[]): void {
      forbidden = [];
      studentDepth = 0;
      silence(false);
      verify();
      // The writer tslab installed for this cell's output, before any student code of the cell runs:
      // a plain data property (an accessor would hand the student every line the test prints).
      stream = process.stdout;
      let write: PropertyDescriptor | undefined;
      for (let o: object | null = stream as object; o !== null && write === undefined; o = R.getPrototypeOf(o)) write = R.getOwnPropertyDescriptor(o, "write");
      if (write === undefined || !R.hasOwn(write, "value") || typeof write.value !== "function") {
        throw new GuardError("check helpers were modified: process.stdout.write (not the kernel's writer); the test cannot be trusted and fails");
      }
      writer = write.value;
      const list: { original: unknown; name: string }[] = [];
      for (let i = 0; i < forbid.length; i++) {
        const fn = forbid[i]!;
        const original = R.hasOwn(exported, fn) ? exported[fn] : undefined;
        if (typeof original !== "function" || R.apply(R.weakMapGet, wrappers, [original]) === undefined) {
          throw new GuardError(`the test forbids ${fn}, which is not a function exported by rl-course (grader configuration)`);
        }
        push(list, { original, name: fn });
      }
      forbidden = list;
    },
    hidden(): void {
      if (typeof writer === "function") R.apply(writer, stream, [`\n${options.marker}\n`]);
      silence(true); // the hidden checks print nothing
    },
    hiddenFailed(): never {
      throw new GuardError("hidden tests failed");
    },
    end(): void {
      forbidden = [];
      studentDepth = 0;
      silence(false);
    },
  };
  R.freeze(guard);
  const token = options.token;
  const gate: GuardGate = {
    open(given: string): Guard {
      if (given !== token) throw new GuardError("the grader's guard opens only for the grader's cells");
      return guard;
    },
  };
  R.freeze(gate);
  if (!R.defineProperty(globalThis, name, { value: gate, writable: false, enumerable: false, configurable: false })) {
    throw new GuardError(`could not install the grader's guard as ${name}`);
  }
  return guard;
}
