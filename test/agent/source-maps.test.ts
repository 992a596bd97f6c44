// A TypeScript app compiled with source maps is reported at its .ts files, functions and lines.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ts from 'typescript';
import { type ChildApp, fetchProfile, fixturesDir, flatByFunction, leafLines, startChildApp } from './child-app.js';

const source = readFileSync(join(fixturesDir, 'ts-app', 'hot-path.ts.txt'), 'utf8');
const lines = source.split('\n');
const lineOf = (marker: string) => lines.findIndex((l) => l.includes(marker)) + 1;

/** compileApp writes src/hot-path.ts and compiles it with the installed TypeScript to dist/ with source maps. */
function compileApp(dir: string): string {
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'hot-path.ts'), source);
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  const program = ts.createProgram([join(dir, 'src', 'hot-path.ts')], {
    outDir: join(dir, 'dist'),
    rootDir: join(dir, 'src'),
    sourceMap: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    types: [],
    skipLibCheck: true,
  });
  const result = program.emit();
  assert.equal(result.emitSkipped, false);
  const js = join(dir, 'dist', 'hot-path.js');
  assert.match(readFileSync(js, 'utf8'), /sourceMappingURL=hot-path\.js\.map/);
  return js;
}

for (const nodeArgs of [[], ['--enable-source-maps']]) {
  describe(`TypeScript app ${nodeArgs.length ? 'with' : 'without'} --enable-source-maps`, () => {
    let dir: string;
    let app: ChildApp;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tsprof-ts-app-'));
      const js = compileApp(dir);
      app = await startChildApp(js, { cwd: dir, nodeArgs, env: { TSPROF_HEAP_INTERVAL: '32768' } });
    });
    after(async () => {
      await app?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('CPU: the hot function at its .ts file and the .ts line of the hot loop', async () => {
      const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/profile?seconds=2`);
      const top = flatByFunction(profile, 'cpu').rows[0]!;
      assert.equal(top.name, 'multiplyMatrices');
      assert.equal(top.file, 'src/hot-path.ts');
      const byLine = [...leafLines(profile, 'cpu', 'multiplyMatrices')].sort((a, b) => b[1] - a[1]);
      assert.equal(byLine[0]![0], lineOf('// HOT-LINE'), `hottest .ts line (lines: ${JSON.stringify(byLine)})`);
      const fn = profile.function.find((f) => profile.stringTable.strings[Number(f.name)] === 'multiplyMatrices')!;
      assert.equal(Number(fn.startLine), lineOf('export function multiplyMatrices'));
    });

    test('heap: the allocating arrow function at its .ts file and start line', async () => {
      const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/heap`);
      const top = flatByFunction(profile, 'inuse_space').rows[0]!;
      assert.equal(top.name, 'rememberCells');
      assert.equal(top.file, 'src/hot-path.ts');
      const fn = profile.function.find((f) => profile.stringTable.strings[Number(f.name)] === 'rememberCells')!;
      assert.equal(Number(fn.startLine), lineOf('export const rememberCells'));
    });

    test('heap: an anonymous function is named findably, after its .ts file and line', async () => {
      const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/heap`);
      const anonymous = flatByFunction(profile, 'inuse_space').rows.find((r) => r.name.startsWith('(anonymous) hot-path.ts:'));
      assert.ok(anonymous, 'an anonymous allocating function');
      assert.equal(anonymous.name, `(anonymous) hot-path.ts:${lineOf('// ANON-LINE')}`);
      assert.equal(anonymous.file, 'src/hot-path.ts');
      assert.ok(anonymous.flat > 4e6, `${anonymous.flat} bytes`);
    });
  });
}
