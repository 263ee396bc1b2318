/**
 * The cells `rlcourse grade` injects around a submission's own, and the analysis of the
 * notebook's names they need. The kernel half (what these cells call) is lib/grading/guard.ts.
 *
 * - **Setup cell**, right after the notebook's import cell (before the first solution cell in
 *   any case): installs the guard under a random global name, so it captures the built-ins, the
 *   checks and rl-course before any student code runs.
 * - **Keep code**, appended to each locked cell that declares (`const`, `function`, `class`) a
 *   name a later test reads: hands the values to the guard right after the cell ran, with a type
 *   alias of each, so the test can use these values whatever the student rebinds later. A test
 *   cell whose visible part declares helpers a later test reads gets them run at top level right
 *   before it, with keep code, as if they were a locked cell of their own.
 * - **Wrapped test cell**: a block that awaits one strict-mode async function (so that a function of the
 *   student's it calls cannot read the cell's source through `Function.caller`), that fetches
 *   the guard, calls `begin` (which fails the test
 *   with "check helpers were modified" when anything captured changed, then stubs the functions
 *   the test forbids), shadows every name the test reads from an import or a locked cell with
 *   the captured value (`const check = ...`, `const walk = ...`, and built-ins such as `Math`
 *   whatever a solution cell declared under that name), runs the visible tests, prints
 *   the marker line, runs the hidden tests inside a try whose catch throws an error that says
 *   nothing about them, and puts the forbidden functions back. Names a test cell declares are
 *   local to it (its code runs inside a function), and its hidden tests run after all its visible
 *   ones; a test cell may not contain `import` declarations.
 * - **Canary cells**, one right before and one right after each test, with the same shape as a
 *   wrapped test and a check that must fail: when one comes back `ok`, the kernel has been
 *   tampered with.
 */
import { randomBytes } from "node:crypto";
import ts from "typescript";
import type { Assignment, TestSpec } from "./assemble";
import { GLOBALS } from "./guard";
import { cellSource, isSolutionCell, isTestCell } from "./notebook";

/** Built-ins a test reads through the guard's captured values (not the values and literals `undefined`, `NaN`, `Infinity`, `globalThis`). */
const SHADOWED_GLOBALS = new Set(GLOBALS.filter((name) => !["globalThis", "undefined", "NaN", "Infinity"].includes(name)));

/** The module every notebook imports the course library from. */
export const LIBRARY = "rl-course";

/** The random names of one submission's run. */
export interface TrustNames {
  /** The guard's global name. */
  guard: string;
  /** The line printed between a test's visible and hidden parts. */
  marker: string;
  /** The secret the grader's cells open the guard with (student code never sees these cells' source). */
  token: string;
}

/** Fresh random names (a new pair for every submission). */
export function newTrustNames(): TrustNames {
  return {
    guard: `__rlcourse_guard_${randomBytes(12).toString("hex")}`,
    marker: `⟦rlcourse hidden tests ${randomBytes(12).toString("hex")}⟧`,
    token: randomBytes(16).toString("hex"),
  };
}

/** How a name a test reads was bound by the cells before it. */
type Binding =
  | { kind: "global" }
  | { kind: "import"; exportName: string }
  | { kind: "namespace" }
  | { kind: "locked"; cell: number; keepable: boolean }
  | { kind: "solution" };

/** One `const NAME = <captured value>` line of a wrapped test. */
export interface Shadow {
  name: string;
  binding: Binding;
}

/** What the injected cells need to know about one test. */
export interface TestAnalysis {
  test: TestSpec;
  /** Names the test reads that are shadowed by captured values. */
  shadows: Shadow[];
  /** Names the test reads that the solution cells declare (the student's answer), for canaries. */
  solutionNames: string[];
}

/** The analysis of an assignment's names (see the module comment). */
export interface AssignmentAnalysis {
  /** Index of the source cell the setup cell follows (-1: before every cell). */
  setupAfter: number;
  /** For each locked cell or test cell (by index), the names to keep right after it runs. */
  keep: Map<number, string[]>;
  /**
   * For each test cell whose visible part declares helpers that later tests read (by index), those
   * declarations (and the ones of the cell they use): run at top level right before the test, as a
   * locked cell would be, and kept.
   */
  helpers: Map<number, string>;
  tests: TestAnalysis[];
}

function parse(text: string): ts.SourceFile {
  return ts.createSourceFile("cell.ts", text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/** A name a statement list declares at its top level, whether it can be kept (const, function, class), and its statement. */
interface Declaration {
  name: string;
  keepable: boolean;
  statement: ts.Statement;
}

/** The names a statement list declares at its top level (see {@link Declaration}). */
function topLevelDeclarations(file: ts.SourceFile): Declaration[] {
  const out: Declaration[] = [];
  for (const statement of file.statements) {
    const bindingNames = (name: ts.BindingName, keepable: boolean): void => {
      if (ts.isIdentifier(name)) out.push({ name: name.text, keepable, statement });
      else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingNames(element.name, keepable);
    };
    if (ts.isVariableStatement(statement)) {
      if (statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) continue;
      const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const d of statement.declarationList.declarations) bindingNames(d.name, isConst);
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      out.push({ name: statement.name.text, keepable: ts.isClassDeclaration(statement) || statement.body !== undefined, statement });
    } else if (ts.isEnumDeclaration(statement)) {
      out.push({ name: statement.name.text, keepable: false, statement });
    }
  }
  return out;
}

/**
 * The source of the declarations of `names` in `text` and of the other top-level declarations
 * of `text` they read, in their order in `text`.
 */
function declarationsOf(text: string, names: string[]): string {
  const file = parse(text);
  const declarations = topLevelDeclarations(file);
  const wanted = new Set(names);
  const statements = new Set<ts.Statement>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const d of declarations) {
      if (!wanted.has(d.name) || statements.has(d.statement)) continue;
      statements.add(d.statement);
      grew = true;
      for (const name of valueReferences(d.statement.getText(file))) if (declarations.some((o) => o.name === name)) wanted.add(name);
    }
  }
  return file.statements.filter((st) => statements.has(st)).map((st) => st.getText(file)).join("\n");
}

/** The value bindings `import ... from "rl-course"` declarations create (type-only ones excluded). */
function libraryImports(file: ts.SourceFile): { name: string; binding: Binding }[] {
  const out: { name: string; binding: Binding }[] = [];
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (statement.moduleSpecifier.text !== LIBRARY) continue;
    const clause = statement.importClause;
    if (!clause || clause.isTypeOnly) continue;
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) out.push({ name: bindings.name.text, binding: { kind: "namespace" } });
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) {
        if (element.isTypeOnly) continue;
        out.push({ name: element.name.text, binding: { kind: "import", exportName: (element.propertyName ?? element.name).text } });
      }
    }
  }
  return out;
}

/** Nodes whose `name` is a declared name or a property key (never a value read). */
const NAMED_DECLARATIONS: ((node: ts.Node) => boolean)[] = [
  ts.isPropertyAssignment, ts.isMethodDeclaration, ts.isPropertyDeclaration, ts.isGetAccessorDeclaration,
  ts.isSetAccessorDeclaration, ts.isEnumMember, ts.isPropertySignature, ts.isMethodSignature,
  ts.isVariableDeclaration, ts.isParameter, ts.isFunctionDeclaration, ts.isFunctionExpression, ts.isClassDeclaration,
  ts.isClassExpression, ts.isInterfaceDeclaration, ts.isTypeAliasDeclaration, ts.isEnumDeclaration,
  ts.isTypeParameterDeclaration,
];

/** Whether the identifier is a declaration's own name, a property name or a label, not a value read. */
function isNotAReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (!parent) return true;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return true;
  if (ts.isQualifiedName(parent) && parent.right === node) return true;
  if ((parent as { name?: ts.Node }).name === node && NAMED_DECLARATIONS.some((isKind) => isKind(parent))) return true;
  if (ts.isBindingElement(parent) && (parent.name === node || parent.propertyName === node)) return true;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return true;
  if (ts.isImportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent) || ts.isExportSpecifier(parent)) return true;
  return false;
}

/** The identifiers `text` reads as values (outside type positions), in first-use order. */
export function valueReferences(text: string): string[] {
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
    if (ts.isIdentifier(node)) {
      if (!isNotAReference(node)) found.add(node.text);
      return;
    }
    if (ts.isShorthandPropertyAssignment(node)) {
      found.add(node.name.text);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(parse(text));
  return [...found];
}

/** The checks that compare an actual with an expected value (`check.close(what, actual, expected)`). */
const COMPARING_CHECKS = new Set(["close", "equal"]);

/** How a test names the library: named imports (local name → export name) and namespace imports. */
interface LibraryNames {
  imports: Map<string, string>;
  namespaces: Set<string>;
}

/**
 * The library exports `node` reads (`fn(...)` of a named import, `rl.fn` / `rl["fn"]` of a
 * namespace), following local `const`s to their initializers (`initializers`).
 */
function libraryReferences(node: ts.Node, names: LibraryNames, initializers: Map<string, ts.Node[]>, found: Set<string>, seen = new Set<ts.Node>()): void {
  if (seen.has(node)) return;
  seen.add(node);
  if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && names.namespaces.has(node.expression.text)) found.add(node.name.text);
  else if (ts.isElementAccessExpression(node) && ts.isIdentifier(node.expression) && names.namespaces.has(node.expression.text) && ts.isStringLiteral(node.argumentExpression)) {
    found.add(node.argumentExpression.text);
  } else if (ts.isIdentifier(node)) {
    const exported = names.imports.get(node.text);
    if (exported !== undefined) found.add(exported);
    for (const init of initializers.get(node.text) ?? []) libraryReferences(init, names, initializers, found, seen);
  }
  ts.forEachChild(node, (child) => libraryReferences(child, names, initializers, found, seen));
}

/**
 * The library functions a test compares the student's answer with: those its `check.close` /
 * `check.equal` calls compute the expected value with (directly, or through `const`s and
 * functions the test declares)
 * that the actual value's side does not also use (shared inputs such as `make(...)`), leaving out
 * `exclude` (e.g. what the instructor's own answer calls) and classes and constants (capitalised
 * exports). Static: a comparison through a helper function is not seen.
 */
export function comparedFunctions(analysis: TestAnalysis, exclude: ReadonlySet<string> = new Set()): string[] {
  const file = parse(`${analysis.test.visible}\n${analysis.test.hidden}`);
  const names: LibraryNames = { imports: new Map(), namespaces: new Set() };
  for (const { name, binding } of analysis.shadows) {
    if (binding.kind === "import") names.imports.set(name, binding.exportName);
    if (binding.kind === "namespace") names.namespaces.add(name);
  }
  const initializers = new Map<string, ts.Node[]>();
  const comparisons: [ts.Node, ts.Node][] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      initializers.set(node.name.text, [...(initializers.get(node.name.text) ?? []), node.initializer]);
    }
    if (ts.isFunctionDeclaration(node) && node.name && node.body) {
      initializers.set(node.name.text, [...(initializers.get(node.name.text) ?? []), node.body]);
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression)) {
      const target = node.expression.expression.text;
      const isCheck = names.imports.get(target) === "check" || target === "check";
      if (isCheck && COMPARING_CHECKS.has(node.expression.name.text) && node.arguments.length >= 3) comparisons.push([node.arguments[1]!, node.arguments[2]!]);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  const found = new Set<string>();
  for (const [actual, expected] of comparisons) {
    const onActual = new Set<string>();
    const onExpected = new Set<string>();
    libraryReferences(actual, names, initializers, onActual);
    libraryReferences(expected, names, initializers, onExpected);
    for (const name of onExpected) if (!onActual.has(name)) found.add(name);
  }
  return [...found].filter((name) => name !== "check" && /^[a-z]/.test(name) && !exclude.has(name)).sort();
}

/**
 * The library exports the solution cells of `assignment` that declare any of `answers` use (by
 * the notebook's import names): what the instructor's answer to an exercise itself calls.
 */
export function solutionLibraryReferences(assignment: Assignment, answers: readonly string[]): Set<string> {
  const names: LibraryNames = { imports: new Map(), namespaces: new Set() };
  const found = new Set<string>();
  for (const cell of assignment.source.cells) {
    if (cell.cell_type !== "code") continue;
    const file = parse(cellSource(cell));
    for (const { name, binding } of libraryImports(file)) {
      if (binding.kind === "import") names.imports.set(name, binding.exportName);
      if (binding.kind === "namespace") names.namespaces.add(name);
    }
    if (isSolutionCell(cell) && declaredNames(cellSource(cell)).some((name) => answers.includes(name))) libraryReferences(file, names, new Map(), found);
  }
  return found;
}

/** The names `text` declares at its top level. */
export function declaredNames(text: string): string[] {
  return topLevelDeclarations(parse(text)).map((d) => d.name);
}

/**
 * Works out, for every test, which names it reads from imports, locked cells and solution
 * cells; which locked cells must keep which names; and where the setup cell goes.
 */
export function analyzeAssignment(assignment: Assignment): AssignmentAnalysis {
  const cells = assignment.source.cells;
  const firstSolution = cells.findIndex((c) => isSolutionCell(c) && c.cell_type === "code");
  const limit = firstSolution < 0 ? cells.length : firstSolution;
  let setupAfter = -1;
  for (let i = 0; i < limit; i++) {
    const cell = cells[i]!;
    if (cell.cell_type !== "code") continue;
    if (libraryImports(parse(cellSource(cell))).length > 0) {
      setupAfter = i;
      break;
    }
  }
  if (setupAfter < 0 && firstSolution > 0) {
    // No import before the first solution: the setup goes right before it.
    for (let i = firstSolution - 1; i >= 0; i--) if (cells[i]!.cell_type === "code") {
      setupAfter = i;
      break;
    }
  }

  const keep = new Map<number, string[]>();
  const tests: TestAnalysis[] = [];
  const bindings = new Map<string, Binding>();
  const byIndex = new Map(assignment.tests.map((t) => [t.index, t]));
  cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const test = byIndex.get(index);
    if (test) {
      const local = new Set(declaredNames(test.visible));
      const shadows: Shadow[] = [];
      const solutionNames: string[] = [];
      for (const name of valueReferences(`${test.visible}\n${test.hidden}`)) {
        if (local.has(name)) continue;
        const bound = bindings.get(name);
        // A built-in the test reads is the one captured before student code ran, whatever a
        // solution cell declares under its name (`const Math = ...`).
        const binding: Binding | undefined = SHADOWED_GLOBALS.has(name) && (!bound || bound.kind === "solution") ? { kind: "global" } : bound;
        if (!binding) continue;
        if (binding.kind === "solution") solutionNames.push(name);
        else if (binding.kind === "locked" && !binding.keepable) continue;
        else {
          shadows.push({ name, binding });
          if (binding.kind === "locked") {
            const names = keep.get(binding.cell) ?? [];
            if (!names.includes(name)) names.push(name);
            keep.set(binding.cell, names);
          }
        }
      }
      tests.push({ test, shadows, solutionNames });
      // Helpers the test's visible part declares are the instructor's code, like a locked cell's.
      for (const { name, keepable } of topLevelDeclarations(parse(test.visible))) bindings.set(name, { kind: "locked", cell: index, keepable });
      return;
    }
    if (isTestCell(cell)) return;
    const file = parse(cellSource(cell));
    for (const { name, binding } of libraryImports(file)) bindings.set(name, binding);
    const solution = isSolutionCell(cell);
    for (const { name, keepable } of topLevelDeclarations(file)) {
      bindings.set(name, solution ? { kind: "solution" } : { kind: "locked", cell: index, keepable });
    }
  });
  const helpers = new Map<number, string>();
  for (const { test } of tests) {
    const kept = keep.get(test.index);
    if (kept) helpers.set(test.index, declarationsOf(test.visible, kept));
  }
  return { setupAfter, keep, helpers, tests };
}

/** The expression that opens the guard (see GuardGate in lib/grading/guard.ts). */
function opened(names: TrustNames): string {
  return `${names.guard}.open(${JSON.stringify(names.token)})`;
}

/** The alias of the type of a kept name. */
function keptType(cell: number, name: string): string {
  return `RlcourseKept${cell}_${name}`;
}

/** Statements that keep `names` of cell `cell` and declare their type aliases. */
function keepStatements(names: TrustNames, cell: number, kept: string[]): string[] {
  return [
    "// @ts-ignore",
    // Explicit `name: name` properties: tslab does not resolve a shorthand property `{ name }` to a
    // name declared by an earlier cell (ReferenceError), which is where the setup cell's keep runs.
    `${opened(names)}.keep(${cell}, { ${kept.map((name) => `${name}: ${name}`).join(", ")} });`,
    ...kept.map((name) => `type ${keptType(cell, name)} = typeof ${name};`),
  ];
}

/**
 * The setup cell: installs the guard (and keeps the names of cells before it).
 * @param keepBefore the cells before the setup cell whose names tests read
 */
export function setupCell(names: TrustNames, keepBefore: [number, string[]][]): string {
  return [
    "// rlcourse grade: setup (injected by the grader)",
    "// @ts-ignore",
    `require("${LIBRARY}/dist/grading/guard").installGuard(${JSON.stringify(names.guard)}, { marker: ${JSON.stringify(names.marker)}, token: ${JSON.stringify(names.token)} });`,
    ...keepBefore.flatMap(([cell, kept]) => keepStatements(names, cell, kept)),
    "void 0;",
  ].join("\n");
}

/** A locked cell's source with the keep code appended. */
export function withKeep(names: TrustNames, source: string, cell: number, kept: string[]): string {
  return [source, ";", ...keepStatements(names, cell, kept)].join("\n");
}

/** A wrapped test cell, and where its parts are (1-based lines, inclusive) for mapping diagnostics. */
export interface WrappedCell {
  source: string;
  visible: [number, number];
  hidden: [number, number];
}

function shadowLine(shadow: Shadow): string {
  const { name, binding } = shadow;
  switch (binding.kind) {
    case "global":
      return `const ${name} = __rlcourse_g.global(${JSON.stringify(name)}) as typeof globalThis.${name};`;
    case "import":
      return `const ${name} = __rlcourse_g.imported(${JSON.stringify(binding.exportName)}) as typeof import("${LIBRARY}").${binding.exportName};`;
    case "namespace":
      return `const ${name} = __rlcourse_g.library() as typeof import("${LIBRARY}");`;
    case "locked":
      return `const ${name} = __rlcourse_g.kept(${binding.cell}, ${JSON.stringify(name)}) as ${keptType(binding.cell, name)};`;
    case "solution":
      return "";
  }
}

function wrap(names: TrustNames, gradeId: string, forbid: string[], preamble: string[], visible: string, hidden: string): WrappedCell {
  const head = [
    `// rlcourse grade: test ${JSON.stringify(gradeId)}`,
    // A strict function: a student's function the test calls reads `f.caller` as null, not as
    // this cell's code (its hidden tests included). Awaited at the top level of a block, which
    // tslab runs as top-level await (the name is local to the block).
    "{",
    "const __rlcourse_test = async function () {",
    '"use strict";',
    "// @ts-ignore",
    `const __rlcourse_g: any = ${opened(names)};`,
    `__rlcourse_g.begin(${JSON.stringify(forbid)});`,
    "try {",
    ...preamble,
  ];
  const visibleLines = visible.split("\n");
  const middle = [";__rlcourse_g.hidden();", "try {"];
  const hiddenLines = hidden === "" ? [] : hidden.split("\n");
  const tail = ["} catch (__rlcourse_e) { __rlcourse_g.hiddenFailed(__rlcourse_e); }", "} finally { __rlcourse_g.end(); }", "};", "await __rlcourse_test.call(undefined);", "}"];
  const visibleStart = head.length + 1;
  const hiddenStart = visibleStart + visibleLines.length + middle.length;
  return {
    source: [...head, ...visibleLines, ...middle, ...hiddenLines, ...tail].join("\n"),
    visible: [visibleStart, visibleStart + visibleLines.length - 1],
    hidden: [hiddenStart, hiddenStart + hiddenLines.length - 1],
  };
}

/** The wrapped form of a test cell (see the module comment). */
export function wrapTest(names: TrustNames, analysis: TestAnalysis): WrappedCell {
  const { test, shadows } = analysis;
  return wrap(names, test.gradeId, test.forbid, shadows.map(shadowLine), test.visible, test.hidden);
}

/** A canary for a test: a wrapped cell like the test's whose check must fail. */
export function canaryCell(names: TrustNames, analysis: TestAnalysis): string {
  const a = (randomBytes(2).readUInt16BE() % 900) + 100;
  const b = a + 1 + (randomBytes(1)[0]! % 50);
  const uses = analysis.solutionNames.slice(0, 2).map((n) => `typeof ${n} === "undefined" || `).join("");
  const label = `${analysis.test.gradeId} ${randomBytes(4).toString("hex")}`;
  const body = `check.close(${JSON.stringify(label)}, ${uses}true ? ${a / 100} : 0, ${b / 100});`;
  const preamble = [`const check = __rlcourse_g.check as typeof import("${LIBRARY}").check;`];
  return wrap(names, analysis.test.gradeId, [], preamble, body, "").source;
}
