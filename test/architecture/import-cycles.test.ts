import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCycles, folderOf, sourceFiles } from './source-imports.js';

/** The program's entry points: they sit above every layer and may name any of them (main dispatches verbs and the demo app; index is the public API). */
const entryPoints = new Set(['cli/main.ts', 'index.ts']);

test('no import cycle between the files of src/ (type-only and lazy imports count)', () => {
  const files = sourceFiles();
  assert.ok(files.length > 100, `read ${files.length} files`);
  const cycles = findCycles(new Map(files.map((f) => [f.path, f.local])));
  assert.deepEqual(cycles.map((c) => `cycle among ${c.join(', ')}`), []);
});

test('no cycle between the folders of src/, apart from the entry points above them all', () => {
  const graph = new Map<string, Set<string>>();
  const why = new Map<string, string>();
  for (const file of sourceFiles()) {
    if (entryPoints.has(file.path)) continue;
    const from = folderOf(file.path);
    if (!graph.has(from)) graph.set(from, new Set());
    for (const target of file.local) {
      const to = folderOf(target);
      if (to === from) continue;
      graph.get(from)!.add(to);
      why.set(`${from}→${to}`, `${file.path} imports ${target}`);
    }
  }
  const cycles = findCycles(new Map([...graph].map(([k, v]) => [k, [...v]])));
  const explained = cycles.map((c) => c.map((folder, i) => why.get(`${folder}→${c[(i + 1) % c.length]}`) ?? `${folder}→?`).join('; '));
  assert.deepEqual(explained, []);
});

test('the check finds a cycle made of a type-only import and a lazy import()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprof-cycle-'));
  try {
    writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.js';\n// import { c } from './c.js' (a comment is not an import)\nexport type A = B;\n");
    writeFileSync(join(dir, 'b.ts'), "export type B = number;\nexport const load = () => import('./a.js');\nconst text = \"import './c.js'\";\n");
    writeFileSync(join(dir, 'c.ts'), "export * from './b.js';\n");
    const files = sourceFiles(dir);
    assert.deepEqual(Object.fromEntries(files.map((f) => [f.path, f.local])), { 'a.ts': ['b.ts'], 'b.ts': ['a.ts'], 'c.ts': ['b.ts'] });
    assert.deepEqual(findCycles(new Map(files.map((f) => [f.path, f.local]))), [['a.ts', 'b.ts']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
