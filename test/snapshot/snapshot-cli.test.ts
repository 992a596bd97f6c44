import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/cli-capture.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/v8/', import.meta.url));
const leaky = fixtures + 'leaky.heapsnapshot.gz';
const fixed = fixtures + 'fixed.heapsnapshot.gz';
const bin = fileURLToPath(new URL('../../../bin/tsprof.js', import.meta.url));

async function run(args: string[], stdin: Buffer = Buffer.alloc(0)): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIO({ stdin });
  const code = await main(['snapshot', ...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
}

test('snapshot summary: text table and -json', async () => {
  const text = await run(['summary', '-n', '6', leaky]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Objects: 43423, total size 13\.32MB/m);
  assert.match(text.stdout, /^\s+1\s+96B\s+0\.00%\s+10\.03MB\s+75\.31%\s+CgroupResolver$/m);
  const json = await run(['summary', '--json', leaky]);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.totalSize, 13_964_042);
  assert.equal(parsed.constructors.length, 20);
  assert.deepEqual(parsed.constructors.find((r: { className: string }) => r.className === 'CgroupResolver'),
    { className: 'CgroupResolver', count: 1, shallowSize: 96, retainedSize: 10_516_600 });
  // The same from stdin (gzip sniffed there too).
  const piped = await run(['summary', '-json', '-'], readFileSync(leaky));
  assert.equal(piped.code, 0, piped.stderr);
  assert.deepEqual(JSON.parse(piped.stdout).constructors, parsed.constructors);
});

test('snapshot leaks: names the cache Map and the remedy on leaky, nothing on fixed', async () => {
  const text = await run(['leaks', leaky]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /10\.02MB in 30 strings kept by 30 slices/);
  assert.match(text.stdout, /global\.resolver → CgroupResolver\.cache → Map → \(sliced string\) → parent/);
  assert.match(text.stdout, /held by Map @41445 \(retains 10\.02MB, 99\.97% of it these strings\)/);
  assert.match(text.stdout, /fix: copy the slice/);
  const json = JSON.parse((await run(['leaks', '-json', leaky])).stdout);
  assert.equal(json.slicedStrings[0].holder.id, 41445);
  assert.ok(json.collections.some((c: { path: string }) => c.path === 'global.resolver → CgroupResolver.cache → Map'));
  const none = await run(['leaks', fixed]);
  assert.match(none.stdout, /Sliced strings: none keeps a whole string alive from the heap\./);
  assert.match(none.stdout, /Transient, held only by the running stack[^\n]*\n  342\.68kB in 1 string kept by 2000 slices/);
  assert.doesNotMatch(none.stdout, /fix:/);
});

test('snapshot retainers: by id and by constructor name', async () => {
  const byId = await run(['retainers', leaky, '@41445']);
  assert.equal(byId.code, 0, byId.stderr);
  assert.match(byId.stdout, /Map @41445: self 32B, retained 10\.02MB, distance 3/);
  assert.match(byId.stdout, /path: global\.resolver → CgroupResolver\.cache → Map/);
  assert.match(byId.stdout, /^  held as: `CgroupResolver\.cache`$/m, 'named as the code names it, as the watch names holders');
  assert.match(byId.stdout, /dominators: CgroupResolver @6161 ← global @6047 ← \(root\) @1/);
  const byName = JSON.parse((await run(['retainers', '-json', '-n', '3', leaky, 'Map'])).stdout);
  assert.equal(byName.nodes.length, 3);
  assert.equal(byName.nodes[0].id, 41445, 'the largest Map first');
  assert.ok(byName.nodes[0].retainedSize >= byName.nodes[1].retainedSize);
  const missing = await run(['retainers', leaky, 'NoSuchClass']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no object of constructor "NoSuchClass"/);
});

test('snapshot dominators: one level of the dominator tree, from the roots down to the leaking cache', async () => {
  const top = await run(['dominators', '-n', '5', leaky]);
  assert.equal(top.code, 0, top.stderr);
  assert.match(top.stdout, /^\(root\) @1: retained 13\.32MB \(100\.00% of the heap\)$/m);
  // The roots' synthetic subroots are opened in place: the first row is the global object, not "(GC roots)".
  assert.match(top.stdout, /^\s+12\.33MB\s+92\.58%\s+40B\s+\d+\s+global @6047$/m);
  assert.doesNotMatch(top.stdout, /\(GC roots\)/);
  const global = await run(['dominators', leaky, '@6047']);
  assert.match(global.stdout, /^  dominators: \(root\) @1 → global @6047$/m);
  assert.match(global.stdout, /^\s+10\.03MB\s+75\.31%\s+96B\s+\d+\s+CgroupResolver @6161  \.resolver$/m, 'the first child is the resolver, held as global.resolver');
  const json = JSON.parse((await run(['dominators', '-json', leaky, '@6161'])).stdout);
  assert.deepEqual(json.dominators.map((d: { id: number }) => d.id), [1, 6047]);
  assert.equal(json.node.retainedSize, 10_516_600, 'the summary\'s retained size of CgroupResolver');
  assert.deepEqual({ id: json.children[0].id, label: json.children[0].label, edge: json.children[0].edge }, { id: 41445, label: 'Map', edge: 'cache' });
  // Each level's children are what it alone keeps alive: their retained sizes fit inside its own.
  const sum = json.children.reduce((a: number, c: { retainedSize: number }) => a + c.retainedSize, 0);
  assert.ok(sum <= json.node.retainedSize - json.node.selfSize + 1, `${sum} within ${json.node.retainedSize}`);
  for (let i = 1; i < json.children.length; i++) assert.ok(json.children[i - 1].retainedSize >= json.children[i].retainedSize, 'largest first');
  const leaf = JSON.parse((await run(['dominators', '-json', leaky, 'CgroupResolver'])).stdout);
  assert.equal(leaf.node.id, 6161, 'a constructor name opens its largest instance');
  const missing = await run(['dominators', leaky, '@999999999']);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'tsprof: snapshot dominators: no object with id 999999999 in the snapshot\n');
  const extra = await run(['dominators', leaky, '@1', '@2']);
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /want 1 file and at most a target, got 3 arguments/);
});

test('bad snapshot input: one clear line, exit 1, from the real binary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprof-snapshot-'));
  try {
    const raw = gunzipSync(readFileSync(leaky));
    const cases: [string, Buffer, RegExp][] = [
      ['truncated.heapsnapshot', raw.subarray(0, raw.length >> 1), /truncated heap snapshot: it ends inside "edges" at byte \d+/],
      ['truncated.heapsnapshot.gz', readFileSync(leaky).subarray(0, 1000), /truncated heap snapshot: the gzip data ends early/],
      ['notjson.heapsnapshot', Buffer.from('<html>not a snapshot</html>'), /not JSON \(expected "\{"\), found '<' at byte 0/],
      ['meta.heapsnapshot', Buffer.from(raw.toString('latin1').replace('"self_size"', '"shallow_size"'), 'latin1'), /unknown meta: node_fields lack "self_size"/],
    ];
    for (const [name, bytes, expected] of cases) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [bin, 'snapshot', 'summary', file], { timeout: 20_000 }, (err, stdout, stderr) => {
          resolve({ code: err ? (err as { code?: number }).code ?? -1 : 0, stdout, stderr });
        });
      });
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `${name}: one line, got ${JSON.stringify(r.stderr)}`);
      assert.ok(lines[0]!.startsWith(`tsprof: ${file}: `), lines[0]);
      assert.match(lines[0]!, expected);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2', async () => {
  assert.equal((await run([])).code, 2);
  assert.equal((await run(['frobnicate', leaky])).code, 2);
  assert.equal((await run(['diff', leaky])).code, 2);
  const help = await run(['-help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /usage: tsprof snapshot <summary\|retainers\|dominators\|leaks\|diff>/);
});
