import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { folderOf, sourceFiles, srcRoot } from './source-imports.js';

const doc = readFileSync(join(process.cwd(), 'docs', 'architecture.md'), 'utf8');

/** The model: profiles, call graphs, heap snapshot analysis and the units, which read nothing and talk to no one. */
const modelFolders = ['profile', 'graph', 'snapshot', 'units'];
/**
 * Inside the model folders, the files allowed to reach I/O: a heap snapshot's
 * reader (a source, kept beside its parser) and the folder's public index,
 * which re-exports it. No other file may reach them.
 */
const modelReaders = new Set(['snapshot/read-snapshot.ts', 'snapshot/index.ts']);
/** Node modules that do I/O or reach outside the process. zlib (pure computation) is not among them. */
const ioModules = new Set([
  'fs', 'fs/promises', 'http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns', 'dns/promises', 'child_process', 'cluster',
  'worker_threads', 'inspector', 'inspector/promises', 'readline', 'readline/promises', 'tty', 'os', 'process', 'repl',
]);
const isIoModule = (specifier: string) => ioModules.has(specifier.replace(/^node:/, ''));

test('every src/ path docs/architecture.md names exists, and it names every folder of src/', () => {
  const named = new Set([...doc.matchAll(/`(src\/[\w./-]*)`/g)].map((m) => m[1]!.replace(/\/$/, '')));
  assert.ok(named.size >= 10, [...named].join(' '));
  assert.deepEqual([...named].filter((path) => !existsSync(join(process.cwd(), path))), [], 'named in the doc but missing');
  const folders = readdirSync(srcRoot, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `src/${e.name}`);
  assert.deepEqual(folders.filter((f) => !named.has(f)), [], 'folders the doc does not place');
});

test('the model (src/profile, src/graph, src/snapshot, src/units) imports no fs, http, net, child_process, inspector..., not even indirectly', () => {
  const files = new Map(sourceFiles().map((f) => [f.path, f]));
  for (const folder of modelFolders) assert.ok([...files.keys()].some((p) => folderOf(p) === folder), `src/${folder} has files`);
  const problems: string[] = [];
  for (const file of files.values()) {
    if (!modelFolders.includes(folderOf(file.path)) || modelReaders.has(file.path)) continue;
    // Walk everything the file loads, so I/O cannot come in through a helper elsewhere.
    const seen = new Set([file.path]);
    const pending = [file.path];
    while (pending.length > 0) {
      const current = files.get(pending.pop()!);
      if (!current) continue;
      for (const specifier of current.packages.filter(isIoModule)) problems.push(`${file.path} reaches ${specifier}${current.path === file.path ? '' : ` through ${current.path}`}`);
      for (const next of current.local) if (!seen.has(next)) seen.add(next), pending.push(next);
    }
  }
  assert.deepEqual(problems, []);
});

test('the I/O check would catch an fs import, and lets zlib through', () => {
  assert.ok(isIoModule('node:fs') && isIoModule('fs/promises') && isIoModule('node:child_process') && isIoModule('inspector'));
  assert.ok(!isIoModule('node:zlib') && !isIoModule('node:path'));
});

test('the demo is an application above the CLI: only the entry point names it, and nothing imports the entry point', () => {
  const files = sourceFiles();
  const intoDemo = files.filter((f) => folderOf(f.path) !== 'demo' && f.local.some((t) => folderOf(t) === 'demo')).map((f) => f.path);
  assert.deepEqual(intoDemo, ['cli/main.ts']);
  assert.deepEqual(files.filter((f) => f.local.includes('cli/main.ts')).map((f) => f.path), []);
});
