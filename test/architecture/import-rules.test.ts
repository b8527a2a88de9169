// The layering rules of ARCHITECTURE.md, checked on every run: the core stays pure, nothing below
// the command line reaches up into it, and no two modules of src import each other in a circle.
// Imports are read with the TypeScript compiler's parser, type-only imports included (a type cycle
// is still two modules that cannot be understood apart).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

/** Packages the core may use: plain data and validation, no I/O. */
const CORE_PACKAGES = new Set(['zod']);
/** Files outside src/core the core may import: pure helpers with no I/O, clock or environment. */
const CORE_UTILS = new Set(['src/util/message-of.ts']);

interface ModuleImports {
  /** Repository-relative path, e.g. `src/core/plan.ts`. */
  file: string;
  /** Imports of other files in src, repository-relative. */
  local: string[];
  /** Everything else: packages and node: built-ins, as written. */
  external: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function specifiersOf(path: string): string[] {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) found.push(literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function readImports(): ModuleImports[] {
  return sourceFiles(SRC).map((path) => {
    const local: string[] = [];
    const external: string[] = [];
    for (const specifier of specifiersOf(path)) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(path), specifier).replace(/\.js$/, '.ts');
        local.push(relative(ROOT, target));
      } else {
        external.push(specifier);
      }
    }
    return { file: relative(ROOT, path), local, external };
  });
}

/** Strongly connected groups of more than one file (Tarjan), each a cycle. */
function cycles(modules: readonly ModuleImports[]): string[][] {
  const edges = new Map(modules.map((m) => [m.file, m.local]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const connect = (file: string) => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of edges.get(file) ?? []) {
      if (!edges.has(target)) continue;
      if (!index.has(target)) {
        connect(target);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(file) === index.get(file)) {
      const group: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        group.push(member);
      } while (member !== file);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const file of edges.keys()) if (!index.has(file)) connect(file);
  return found;
}

const inside = (dir: string) => (file: string) => file.startsWith(`src/${dir}/`);

/** Top to bottom, as ARCHITECTURE.md lists them. */
const LAYERS = [
  'cli',
  'reconcile',
  'apply',
  'sources',
  'growthbook',
  'observe',
  'lock',
  'http',
  'config',
  'core',
];
/** Used from every layer; they themselves use nothing above the core. */
const SHARED = ['src/util/', 'src/errors.ts', 'src/version.ts'];

function layerViolations(list: readonly ModuleImports[]): string[] {
  const layerOf = (file: string) => LAYERS.findIndex((layer) => inside(layer)(file));
  const shared = (file: string) => SHARED.some((prefix) => file.startsWith(prefix));
  const allowed = (from: string, to: string) => {
    if (inside('emulator')(to)) return inside('emulator')(from) || inside('reconcile')(from);
    if (shared(from)) return shared(to) || inside('core')(to);
    if (shared(to)) return true;
    const own = layerOf(from);
    return own !== -1 && layerOf(to) >= own;
  };
  return list.flatMap((m) => m.local.filter((f) => !allowed(m.file, f)).map((f) => `${m.file} → ${f}`));
}

const modules = readImports();

describe('import rules', () => {
  test('the reader finds the modules and their imports', () => {
    // Guards the rules below against passing because nothing was read.
    const plan = modules.find((m) => m.file === 'src/reconcile/run-sync.ts');
    expect(modules.length).toBeGreaterThan(50);
    expect(plan?.local).toContain('src/core/plan.ts');
    expect(modules.find((m) => m.file === 'src/core/plan.ts')?.external).toEqual(['zod']);
  });

  test('src/core imports no I/O: only itself, zod and pure helpers', () => {
    const offending = modules
      .filter((m) => inside('core')(m.file))
      .flatMap((m) => [
        ...m.external.filter((p) => !CORE_PACKAGES.has(p)).map((p) => `${m.file} → ${p}`),
        ...m.local.filter((f) => !inside('core')(f) && !CORE_UTILS.has(f)).map((f) => `${m.file} → ${f}`),
      ]);
    expect(offending).toEqual([]);
  });

  test('nothing below the command line imports src/cli', () => {
    const offending = modules
      .filter((m) => !inside('cli')(m.file))
      .flatMap((m) => m.local.filter(inside('cli')).map((f) => `${m.file} → ${f}`));
    expect(offending).toEqual([]);
  });

  test('the emulator imports nothing of the sync it checks', () => {
    const offending = modules
      .filter((m) => inside('emulator')(m.file))
      .flatMap((m) => m.local.filter((f) => !inside('emulator')(f)).map((f) => `${m.file} → ${f}`));
    expect(offending).toEqual([]);
  });

  test('each layer imports only the layers below it, and the shared pieces', () => {
    expect(layerViolations(modules)).toEqual([]);
  });

  test('an upward import would be found', () => {
    const found = layerViolations([
      { file: 'src/core/a.ts', local: ['src/config/schema.ts'], external: [] },
      { file: 'src/sources/b.ts', local: ['src/apply/c.ts', 'src/core/a.ts', 'src/errors.ts'], external: [] },
      { file: 'src/util/d.ts', local: ['src/observe/logger.ts'], external: [] },
      { file: 'src/sources/e.ts', local: ['src/emulator/index.ts'], external: [] },
    ]);
    expect(found).toEqual([
      'src/core/a.ts → src/config/schema.ts',
      'src/sources/b.ts → src/apply/c.ts',
      'src/util/d.ts → src/observe/logger.ts',
      'src/sources/e.ts → src/emulator/index.ts',
    ]);
  });

  test('no import cycles across src', () => {
    expect(cycles(modules)).toEqual([]);
  });

  test('a cycle would be found', () => {
    const found = cycles([
      { file: 'a.ts', local: ['b.ts'], external: [] },
      { file: 'b.ts', local: ['c.ts'], external: [] },
      { file: 'c.ts', local: ['a.ts'], external: [] },
      { file: 'd.ts', local: ['a.ts'], external: [] },
    ]);
    expect(found).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
