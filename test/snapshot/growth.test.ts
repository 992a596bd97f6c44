import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHeapSnapshot } from '../../src/snapshot/read-snapshot.js';
import { snapshotGrowth } from '../../src/snapshot/growth.js';
import { largestCollections } from '../../src/snapshot/leak-signatures.js';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/cli-capture.js';
import { writeLeakingSnapshots } from '../support/leaking-snapshots.js';

test('growth across real snapshots of a leaking process: what one round allocated and kept', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprof-growth-'));
  try {
    await writeLeakingSnapshots(dir);
    const [s0, s1, s2] = await Promise.all([0, 1, 2].map((i) => readHeapSnapshot(join(dir, `s${i}.heapsnapshot`))));

    // Three snapshots: allocated between the first two, still alive in the last = exactly round 1's sessions.
    const three = snapshotGrowth([s0!, s1!, s2!]);
    assert.equal(three.snapshots, 3);
    const sessions = three.groups.find((g) => g.className === 'Session');
    assert.ok(sessions, JSON.stringify(three.groups.slice(0, 5)));
    assert.equal(sessions.count, 500);
    assert.equal(sessions.path, 'global.registry → Map → Session');
    assert.ok(sessions.retainedSize >= sessions.shallowSize);
    assert.equal(sessions.exampleIds.length, 3);
    for (const id of sessions.exampleIds) {
      assert.ok(s1!.hasId(id) && s2!.hasId(id) && !s0!.hasId(id), `id ${id} born between s0 and s1, alive in s2`);
    }
    // The sessions' own strings and arrays are found too, on the path through them.
    const histories = three.groups.find((g) => g.className === 'Array' && g.path === 'global.registry → Map → Session.history → Array');
    assert.equal(histories?.count, 500);
    // The garbage never shows up: it is not in any snapshot.
    assert.ok(!three.groups.some((g) => g.path.includes('scratch')));

    // Two snapshots: everything new in the second = rounds 1 and 2.
    const two = snapshotGrowth([s0!, s2!]);
    assert.equal(two.groups.find((g) => g.className === 'Session')?.count, 1000);
    assert.ok(two.newObjects > three.newObjects);
    // Sorted by bytes, largest first.
    for (let i = 1; i < two.groups.length; i++) assert.ok(two.groups[i - 1]!.shallowSize >= two.groups[i]!.shallowSize);

    assert.throws(() => snapshotGrowth([s0!]), /needs 2 or 3 snapshots/);

    // Entry counts of real V8 tables: small-integer keys are not edges, string keys are.
    const collections = largestCollections(s2!, { limit: 50 });
    const registry = collections.find((c) => c.path === 'global.registry → Map');
    assert.equal(registry?.entries, 1500);
    const names = collections.find((c) => c.path === 'global.names → Set');
    assert.equal(names?.entries, 300);
    // Slots holding undefined or null are not entries: a ring filled to 30 of 150, an array of nulls.
    const ring = largestCollections(s2!, { limit: 200, includeNodeInternals: true }).find((c) => c.path === 'global.recent → Array');
    assert.equal(ring?.entries, 30, JSON.stringify(ring));
    assert.ok(!largestCollections(s2!, { limit: 200 }).some((c) => c.path === 'global.cleared → Array'), 'an array of nulls is an empty collection');

    // The CLI: tsprof snapshot diff BASELINE TARGET FINAL, as text and JSON.
    const cli = async (...args: string[]) => {
      const io = captureIO({ cwd: dir });
      const code = await main(['snapshot', 'diff', ...args], io);
      return { code, out: io.out() };
    };
    const text = await cli('s0.heapsnapshot', 's1.heapsnapshot', 's2.heapsnapshot');
    assert.equal(text.code, 0);
    assert.match(text.out, /^New objects allocated between s0\.heapsnapshot and s1\.heapsnapshot, still alive in s2\.heapsnapshot: \d+ objects/);
    assert.match(text.out, /^\s+500\s+\S+\s+\S+\s+Session\s+global\.registry → Map → Session$/m);
    // The holder analysis the watch uses: where what grew accumulates, with its entries then and now.
    assert.match(text.out, /^Where what grew from s0\.heapsnapshot to s2\.heapsnapshot accumulates/m);
    assert.match(text.out, /^  held by `global\.registry` \(a Map, 500 → 1500 entries of Session ~\d+B; \+[\d.]+kB since the first snapshot\)$/m);
    assert.match(text.out, /^  held by `global\.names` \(a Set, 100 → 300 entries of \(string\)/m);
    assert.match(text.out, /^    fix: evict or bound the cache/m);
    const json = JSON.parse((await cli('-json', 's0.heapsnapshot', 's2.heapsnapshot')).out);
    assert.equal(json.snapshots, 2);
    assert.equal(json.groups.find((g: { className: string }) => g.className === 'Session').count, 1000);
    const registryHolder = json.accumulations.find((h: { holder: string }) => h.holder === '`global.registry`');
    assert.deepEqual(
      [registryHolder?.accumulation.what, registryHolder?.accumulation.entriesThen, registryHolder?.accumulation.entriesNow, registryHolder?.accumulation.entryClass],
      ['Map', 500, 1500, 'Session'],
    );

    // tsprof snapshot leaks: the same analysis with two snapshots; with one, no accumulation, and Node's own collections left out.
    const leaks = async (...args: string[]) => {
      const io = captureIO({ cwd: dir });
      assert.equal(await main(['snapshot', 'leaks', ...args], io), 0);
      return io.out();
    };
    const leaksJson = JSON.parse(await leaks('-json', 's0.heapsnapshot', 's2.heapsnapshot'));
    assert.deepEqual(leaksJson.accumulations.map((h: { holder: string }) => h.holder), json.accumulations.map((h: { holder: string }) => h.holder));
    const alone = JSON.parse(await leaks('-json', '-n', '5', 's2.heapsnapshot'));
    assert.equal(alone.accumulations, undefined);
    assert.deepEqual(alone.collections.slice(0, 2).map((c: { path: string }) => c.path), ['global.registry → Map', 'global.names → Set']);
    assert.ok(!alone.collections.some((c: { path: string; entries: number }) => c.path.includes('BuiltinModule') || c.entries === 0), JSON.stringify(alone.collections));
    const internal = JSON.parse(await leaks('-json', '-internal', '-n', '5', 's2.heapsnapshot'));
    assert.ok(internal.collections.some((c: { path: string }) => c.path.includes('BuiltinModule')), JSON.stringify(internal.collections));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cache in an object on the global is named by its whole expression, global.benchState.reportCache', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprof-nested-'));
  try {
    const program = `
      const v8 = require('node:v8');
      class RenderedReport { constructor(i) { this.sections = [{ title: 't' + i, rows: ['a' + i] }]; } }
      globalThis.benchState = { reportCache: new Map(), other: 1 };
      v8.writeHeapSnapshot(process.argv[1] + '/a.heapsnapshot');
      for (let i = 0; i < 3000; i++) benchState.reportCache.set('k' + i, new RenderedReport(i));
      v8.writeHeapSnapshot(process.argv[1] + '/b.heapsnapshot');
    `;
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, ['-e', program, dir]);
    const [a, b] = [await readHeapSnapshot(join(dir, 'a.heapsnapshot')), await readHeapSnapshot(join(dir, 'b.heapsnapshot'))];
    const { findAccumulations } = await import('../../src/leak/holders.js');
    const holders = findAccumulations(a, b);
    assert.equal(holders[0]?.holder, '`global.benchState.reportCache`', JSON.stringify(holders.map((h) => h.holder)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
