// Where new objects accumulate, and who holds them as the user wrote it: real snapshots of real
// leaking ES modules (one per kind of holder), written by this Node before and after the leak grows.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { accumulationPoints } from '../../src/snapshot/accumulation.js';
import { nameHolder, type HolderName } from '../../src/snapshot/holder-name.js';
import type { AccumulationPoint } from '../../src/snapshot/accumulation.js';
import { readHeapSnapshot } from '../../src/snapshot/read-snapshot.js';

/** Each leak's module: `grow(round)` adds one round of leaked entries, each ~2 kB of strings and objects. */
const leaks: Record<string, string> = {
  'exported-map': `
    export const sessionIndex = new Map();
    export function grow(round) {
      for (let i = 0; i < 400; i++) sessionIndex.set('req-' + round + '-' + i, { user: 'u' + i, scopes: Array.from({ length: 20 }, (_, k) => 'scope-' + k + '-' + i) });
    }`,
  'module-object': `
    const renderedPages = {};
    export function grow(round) {
      for (let i = 0; i < 400; i++) renderedPages['/product/' + round + '/' + i + '?q=' + i] = '<html>' + 'x'.repeat(1500) + round + i + '</html>';
    }`,
  'class-field': `
    class ConnectionPool {
      idle = [];
      open(i) { const conn = { id: i, buffers: Array.from({ length: 20 }, (_, k) => ({ k, tag: 'buf-' + k + '-' + i })) }; this.idle.push(conn); return conn; }
    }
    export const ordersPool = new ConnectionPool();
    export function grow(round) { for (let i = 0; i < 400; i++) ordersPool.open(round * 1000 + i); }`,
  'listeners': `
    import { EventEmitter } from 'node:events';
    export const orderBus = new EventEmitter();
    orderBus.setMaxListeners(0);
    export function grow(round) {
      for (let i = 0; i < 400; i++) {
        const cart = { lines: Array.from({ length: 20 }, (_, k) => ({ sku: 'sku-' + k + '-' + i, round })) };
        orderBus.on('order', () => cart.lines.length);
      }
    }`,
  'timers': `
    export function grow(round) {
      for (let i = 0; i < 400; i++) {
        const credentials = { partner: 'p' + round + '-' + i, keys: Array.from({ length: 20 }, (_, k) => 'key-' + k + '-' + i) };
        setInterval(function refreshToken() { return credentials.keys.length; }, 3_600_000);
      }
    }`,
  'pending-promise': `
    export const configReady = new Promise(() => {});
    export function grow(round) {
      for (let i = 0; i < 400; i++) {
        const quote = { items: Array.from({ length: 20 }, (_, k) => ({ k, name: 'item-' + k + '-' + i + '-' + round })) };
        configReady.then(() => quote.items.length);
      }
    }`,
  'closure-variable': `
    function withCache() {
      const lookupCache = new Map();
      return function lookup(key) {
        let hit = lookupCache.get(key);
        if (!hit) lookupCache.set(key, (hit = { key, rows: Array.from({ length: 20 }, (_, k) => 'row-' + k + '-' + key) }));
        return hit;
      };
    }
    const lookup = withCache();
    export function grow(round) { for (let i = 0; i < 400; i++) lookup('k' + round + '-' + i); }`,
};

const driver = `
  import { writeHeapSnapshot } from 'node:v8';
  const [dir, name] = process.argv.slice(2);
  const leak = await import('./' + name + '.mjs');
  // Noise beside the leak: a cache that is full before the first snapshot, and garbage.
  const steady = new Map();
  for (let i = 0; i < 2000; i++) steady.set(i, { i, text: 'steady-' + i });
  leak.grow(0);
  writeHeapSnapshot(dir + '/' + name + '-start.heapsnapshot');
  for (let round = 1; round <= 10; round++) {
    leak.grow(round);
    let garbage = Array.from({ length: 5000 }, (_, i) => ({ i }));
    garbage = null;
  }
  writeHeapSnapshot(dir + '/' + name + '-end.heapsnapshot');
  process.exit(0);
`;

describe('accumulation points and their holders, on real snapshots', { timeout: 180_000 }, () => {
  let dir: string;
  // Per leak its points and the top one's holder; the snapshots themselves are let go one by one.
  const found = new Map<string, { points: AccumulationPoint[]; holder: HolderName | undefined }>();
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsprof-accumulation-'));
    writeFileSync(join(dir, 'driver.mjs'), driver);
    for (const [name, source] of Object.entries(leaks)) writeFileSync(join(dir, `${name}.mjs`), source);
    for (const name of Object.keys(leaks)) {
      await new Promise<void>((resolve, reject) =>
        execFile(process.execPath, [join(dir, 'driver.mjs'), dir, name], { timeout: 60_000 }, (err, _out, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve())),
      );
      const start = await readHeapSnapshot(join(dir, `${name}-start.heapsnapshot`));
      const end = await readHeapSnapshot(join(dir, `${name}-end.heapsnapshot`));
      const points = accumulationPoints(start, end);
      found.set(name, { points, holder: points[0] ? nameHolder(end, points[0].node) : undefined });
      rmSync(join(dir, `${name}-start.heapsnapshot`));
      rmSync(join(dir, `${name}-end.heapsnapshot`));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The top accumulation point of a leak, named. */
  const top = (name: string) => {
    const { points, holder } = found.get(name)!;
    assert.ok(points.length > 0 && holder, `${name}: no accumulation point`);
    return { point: points[0]!, holder };
  };

  test('an exported Map: module variable sessionIndex, with its entries then and now', () => {
    const { point, holder } = top('exported-map');
    assert.equal(point.kind, 'Map');
    assert.equal(holder.kind, 'module variable');
    assert.match(holder.text, /^module variable `sessionIndex` in .*exported-map\.mjs$/);
    assert.ok(point.entriesThen !== undefined && point.entriesThen >= 380 && point.entriesThen <= 420, `then ${point.entriesThen}`);
    assert.ok(point.entriesNow >= 4300 && point.entriesNow <= 4500, `now ${point.entriesNow}`);
    assert.equal(point.entryClass, 'Object');
    assert.ok(point.newBytes > 2e6, `new ${point.newBytes}`);
  });

  test('a module-level object used as a map: module variable renderedPages', () => {
    const { point, holder } = top('module-object');
    assert.match(point.kind, /^Object/);
    assert.match(holder.text, /module variable `renderedPages`/);
    assert.ok(point.entriesNow >= 4000, `now ${point.entriesNow}`);
  });

  test('a class field: ConnectionPool.idle, in the module variable ordersPool', () => {
    const { point, holder } = top('class-field');
    assert.equal(point.kind, 'Array');
    assert.equal(holder.kind, 'field');
    assert.match(holder.text, /^`ConnectionPool\.idle` \(module variable `ordersPool` in .*class-field\.mjs\)$/);
  });

  test("listeners: orderBus 'order' listeners", () => {
    const { holder } = top('listeners');
    assert.equal(holder.kind, 'listeners');
    assert.match(holder.text, /^`orderBus` 'order' listeners/);
  });

  test('timers: the setInterval callback refreshToken, never cleared', () => {
    const { holder } = top('timers');
    assert.equal(holder.kind, 'timer');
    assert.match(holder.text, /callback `refreshToken` in .*timers\.mjs: 4[0-9]{3} timers still scheduled/);
  });

  test('a promise that never settles: module variable configReady, its reactions the entries', () => {
    const { point, holder } = top('pending-promise');
    assert.equal(point.kind, 'Promise');
    assert.match(holder.text, /module variable `configReady`/);
    assert.ok(point.newBytes > 2e6, `new ${point.newBytes}`);
  });

  test('a closure variable: lookupCache, inside the closure that uses it', () => {
    const { point, holder } = top('closure-variable');
    assert.equal(point.kind, 'Map');
    assert.equal(holder.kind, 'closure variable');
    assert.match(holder.text, /^closure variable `lookupCache` inside lookup\(\) in .*closure-variable\.mjs$/);
  });

  test("the steady cache, full before the first snapshot, is no accumulation point", () => {
    for (const name of Object.keys(leaks)) {
      for (const p of found.get(name)!.points) assert.ok(!(p.kind === 'Map' && p.entriesNow === 2000), `${name}: the steady Map`);
    }
  });
});
