/**
 * The cells `rlcourse grade` injects around a submission's own, and the analysis of the
 * notebook's names they need. The kernel half (what these cells call) is lib/grading/guard.ts.
 *
 * - **Setup cell**, right after the notebook's import cell (before the first solution cell in
 *   any case): installs the guard under a random global name, so it captures the built-ins, the
 *   checks and rl-course before any student code runs.
 * - **Keep code**, appended to each locked cell that declares (`const`, `function`, `class`) a
 *   name a later test reads: hands the values to the guard right after the cell ran, with a type
 *   alias of each, so the test can use these values whatever the student rebinds later.
 * - **Wrapped test cell**: one block that fetches the guard, calls `begin` (which fails the test
 *   with "check helpers were modified" when anything captured changed, then stubs the functions
 *   the test forbids), shadows every name the test reads from an import or a locked cell with
 *   the captured value (`const check = ...`, `const walk = ...`), runs the visible tests, prints
 *   the marker line, runs the hidden tests inside a try whose catch throws an error that says
 *   nothing about them, and puts the forbidden functions back. Names a test cell declares are
 *   local to it (its code runs inside a block), and its hidden tests run after all its visible
 *   ones; a test cell may not contain `import` declarations.
 * - **Canary cells**, one right before and one right after each test, with the same shape as a
 *   wrapped test and a check that must fail: when one comes back `ok`, the kernel has been
 *   tampered with.
 */
import { randomBytes } from "node:crypto";
import ts from "typescript";
import type { Assignment, TestSpec } from "./assemble";
import { cellSource, isSolutionCell, isTestCell } from "./notebook";

/** The module every notebook imports the course library from. */
export const LIBRARY = "rl-course";

/** The random names of one submission's run. */
export interface TrustNames {
  /** The guard's global name. */
  guard: string;
  /** The line printed between a test's visible and hidden parts. */
  marker: string;
}

/** Fresh random names (a new pair for every submission). */
export function newTrustNames(): TrustNames {
  return {
    guard: `__rlcourse_guard_${randomBytes(12).toString("hex")}`,
    marker: `⟦rlcourse hidden tests ${randomBytes(12).toString("hex")}⟧`,
  };
}

/** How a name a test reads was bound by the cells before it. */
type Binding =
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
  /** For each locked cell (by index), the names to keep right after it runs. */
  keep: Map<number, string[]>;
  tests: TestAnalysis[];
}

function parse(text: string): ts.SourceFile {
  return ts.createSourceFile("cell.ts", text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/** The names a statement list declares at its top level, and whether each can be kept (const, function, class). */
function topLevelDeclarations(file: ts.SourceFile): { name: string; keepable: boolean }[] {
  const out: { name: string; keepable: boolean }[] = [];
  const bindingNames = (name: ts.BindingName, keepable: boolean): void => {
    if (ts.isIdentifier(name)) out.push({ name: name.text, keepable });
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingNames(element.name, keepable);
  };
  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement)) {
      if (statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) continue;
      const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const d of statement.declarationList.declarations) bindingNames(d.name, isConst);
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      out.push({ name: statement.name.text, keepable: ts.isClassDeclaration(statement) || statement.body !== undefined });
    } else if (ts.isEnumDeclaration(statement)) {
      out.push({ name: statement.name.text, keepable: false });
    }
  }
  return out;
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

/** Whether the identifier is a declaration's own name, a property name or a label, not a value read. */
function isNotAReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (!parent) return true;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return true;
  if (ts.isQualifiedName(parent) && parent.right === node) return true;
  if (
    (ts.isPropertyAssignment(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isGetAccessorDeclaration(parent) ||
      ts.isSetAccessorDeclaration(parent) ||
      ts.isEnumMember(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isMethodSignature(parent)) &&
    parent.name === node
  ) {
    return true;
  }
  if (
    (ts.isVariableDeclaration(parent) ||
      ts.isParameter(parent) ||
      ts.isFunctionDeclaration(parent) ||
      ts.isFunctionExpression(parent) ||
      ts.isClassDeclaration(parent) ||
      ts.isClassExpression(parent) ||
      ts.isInterfaceDeclaration(parent) ||
      ts.isTypeAliasDeclaration(parent) ||
      ts.isEnumDeclaration(parent) ||
      ts.isTypeParameterDeclaration(parent)) &&
    parent.name === node
  ) {
    return true;
  }
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
        const binding = bindings.get(name);
        if (!binding || local.has(name)) continue;
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
  return { setupAfter, keep, tests };
}

/** The alias of the type of a kept name. */
function keptType(cell: number, name: string): string {
  return `RlcourseKept${cell}_${name}`;
}

/** Statements that keep `names` of cell `cell` and declare their type aliases. */
function keepStatements(names: TrustNames, cell: number, kept: string[]): string[] {
  return [
    "// @ts-ignore",
    `${names.guard}.keep(${cell}, { ${kept.join(", ")} });`,
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
    `require("${LIBRARY}/dist/grading/guard").installGuard(${JSON.stringify(names.guard)}, { marker: ${JSON.stringify(names.marker)} });`,
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
    "{",
    `// rlcourse grade: test ${JSON.stringify(gradeId)}`,
    "// @ts-ignore",
    `const __rlcourse_g: any = ${names.guard};`,
    `__rlcourse_g.begin(${JSON.stringify(forbid)});`,
    "try {",
    ...preamble,
  ];
  const visibleLines = visible.split("\n");
  const middle = [";__rlcourse_g.hidden();", "try {"];
  const hiddenLines = hidden === "" ? [] : hidden.split("\n");
  const tail = ["} catch (__rlcourse_e) { __rlcourse_g.hiddenFailed(__rlcourse_e); }", "} finally { __rlcourse_g.end(); }", "}"];
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
