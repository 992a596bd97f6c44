import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** srcRoot is the TypeScript source tree the architecture tests read (tests run from the package root). */
export const srcRoot = join(process.cwd(), 'src');

/** SourceFile is one file of src/ and what it imports. */
export interface SourceFile {
  /** path relative to src/, with forward slashes ("cli/main.ts"). */
  path: string;
  /** local are the src/ files it imports, relative to src/ like path. */
  local: string[];
  /** packages are the other specifiers: node builtins ("node:fs") and packages. */
  packages: string[];
}

function tsFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/**
 * sourceFiles lists src/**\/*.ts with their imports, as TypeScript's own
 * scanner sees them (comments and strings cannot fool it): static imports,
 * `import type`, `export ... from` and dynamic `import()` all count. Type-only
 * imports make no cycle at run time, but they do tie layers together, and a
 * lazy import() is still a dependency, so every kind is counted.
 */
export function sourceFiles(root = srcRoot): SourceFile[] {
  return tsFiles(root).map((file) => {
    const local: string[] = [];
    const packages: string[] = [];
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (fileName.startsWith('.')) local.push(toPath(root, resolve(dirname(file), fileName).replace(/\.js$/, '.ts')));
      else packages.push(fileName);
    }
    return { path: toPath(root, file), local, packages };
  });
}

function toPath(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}

/** folderOf is a file's top folder under src/ ("cli/main.ts" → "cli"; files at the top of src/ → "."). */
export function folderOf(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? '.' : path.slice(0, slash);
}

/**
 * findCycles returns the strongly connected components of a graph that hold
 * a cycle (Tarjan's algorithm), each as its nodes, for the error message.
 */
export function findCycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.reverse());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}
