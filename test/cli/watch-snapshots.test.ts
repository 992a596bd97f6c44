import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/cli-capture.js';
import { startService } from '../leak/service-process.js';
import { decodesLargeBuffersExternally } from '../support/external-strings.js';

const leakyService = fileURLToPath(new URL('../leak/fixtures/leaky-service.js', import.meta.url));

async function watch(url: string, extra: string[] = []) {
  const io = captureIO();
  const code = await main(['watch', '-interval=300ms', '-duration=3s', ...extra, url], io);
  return { code, out: io.out(), err: io.err() };
}

test('watch -snapshots joins the growing site with its holder: CgroupResolver.cache through sliced strings', { timeout: 60_000 }, async () => {
  const service = await startService(leakyService, ['leaky'], { EVERY_MS: '100', TSPROF_HEAP_SNAPSHOTS: '1' });
  const dir = mkdtempSync(join(tmpdir(), 'tsprof-watch-test-'));
  try {
    const r = await watch(service.url, ['-snapshots', '-snapshot_dir', dir]);
    assert.equal(r.code, 0, r.err);
    if (decodesLargeBuffersExternally()) {
      // Node 24+: each 1 MB response is an external string, outside the heap profile: the growth is
      // the process's external memory, and the snapshots hold the strings at their real size.
      assert.match(r.out, /\nOutside the V8 heap \(external: Buffers, external strings\): [\d.]+MB → [\d.]+MB, growing [\d.]+MB\/min \(high confidence/);
      assert.match(r.out, /Why it is held \(heap snapshots at the start and end of the watch\):\n  memory outside the V8 heap \(external strings, Buffers; \+[\d.]+MB over the watch\):\n      held by CgroupResolver\.cache \(a Map\) → Object\.cgroupPath through \d+ sliced strings of \d+B that keep \d+ strings of 1\.00MB alive/);
      assert.match(r.out, /\nVerdict: memory outside the V8 heap \(external: Buffers, external strings\) grows [\d.]+MB\/min \(high confidence\); V8's heap profile does not sample it, so no allocation site is named; it is held by CgroupResolver\.cache \(a Map\) → Object\.cgroupPath through \d+ sliced strings of \d+B that keep \d+ strings of 1\.00MB alive: copy the slice before keeping it\.\n$/);
    } else {
      assert.match(r.out, /Why it is held \(heap snapshots at the start and end of the watch\):\n  parseContainerMetricsResponse test\/leak\/fixtures\/leaky-service\.ts:\d+ \(objects of ~[\d.]+[kM]B\):\n      held by CgroupResolver\.cache \(a Map\) → Object\.cgroupPath through \d+ sliced strings of \d+B that keep \d+ strings of 1\.00MB alive/);
      assert.match(r.out, /\nVerdict: in-use memory allocated in parseContainerMetricsResponse grows [\d.]+MB\/min \((high|medium|low) confidence\); it is held by CgroupResolver\.cache \(a Map\) → Object\.cgroupPath through \d+ sliced strings of \d+B that keep \d+ strings of 1\.00MB alive: copy the slice before keeping it\.\n$/);
    }
    assert.match(r.out, /new since the first snapshot: \d+ of them/);
    assert.equal((r.out.match(/Verdict:/g) ?? []).length, 1, 'one conclusion');
    assert.deepEqual(readdirSync(dir).sort(), ['end.heapsnapshot', 'start.heapsnapshot']);
  } finally {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('watch -snapshots against an agent without snapshots enabled says how to enable them', { timeout: 30_000 }, async () => {
  const service = await startService(leakyService, ['fixed'], { EVERY_MS: '100', TSPROF_HEAP_SNAPSHOTS: '' });
  try {
    const r = await watch(service.url, ['-snapshots']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^tsprof: http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/heapsnapshot: HTTP 404: the agent serves heap snapshots only when enabled \(TSPROF_HEAP_SNAPSHOTS=1, or startAgent\(\{ heapSnapshots: true \}\)\)\n$/);
  } finally {
    await service.stop();
  }
});


test('watch -snapshots on a plain leak (whole responses cached as values) names the collection and the new objects; the token reaches every endpoint', { timeout: 60_000 }, async () => {
  const service = await startService(leakyService, ['values'], { EVERY_MS: '100', TSPROF_HEAP_SNAPSHOTS: '1', TSPROF_TOKEN: 's3cret-token-42' });
  try {
    const refused = await watch(service.url, ['-snapshots']);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /^tsprof: http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/heap\?gc=1: HTTP 401 Unauthorized/);
    const r = await watch(service.url, ['-snapshots', '-token', 's3cret-token-42']);
    assert.equal(r.code, 0, r.err);
    // The accumulation point: the resolver's Map, as the module variable that holds it, its entries then and
    // now, and the field of each entry that holds the response.
    assert.match(r.out, /      held by `CgroupResolver\.cache` \(module variable `resolver` in fixtures\/leaky-service\.js\) \(a Map, \d+ → \d+ entries of Object ~(9\d\d\.\d\dkB|1\.0\dMB), mostly in \.lastResponse; \+[\d.]+MB since the first snapshot\)/);
    assert.doesNotMatch(r.out, /through \d+ sliced/);
    const grows = decodesLargeBuffersExternally()
      ? 'memory outside the V8 heap \\(external: Buffers, external strings\\) grows [\\d.]+MB\\/min \\(high confidence\\); V8\'s heap profile does not sample it, so no allocation site is named'
      : 'in-use memory allocated in parseContainerMetricsResponse grows [\\d.]+MB\\/min \\((high|medium|low) confidence\\)';
    const holder = String.raw`\`CgroupResolver\.cache\` \(module variable \`resolver\` in fixtures\/leaky-service\.js\) \(a Map, \d+ → \d+ entries of Object ~(9\d\d\.\d\dkB|1\.0\dMB), mostly in \.lastResponse; \+[\d.]+MB since the first snapshot\): evict or bound the cache\.`;
    assert.match(r.out, new RegExp(`\nVerdict: ${grows}; it is held by ${holder}\n$`));
  } finally {
    await service.stop();
  }
});

test('watch -snapshots -track_allocations names where the held memory was allocated, on every Node (external strings on 24+ too)', { timeout: 60_000 }, async () => {
  const service = await startService(leakyService, ['values'], { EVERY_MS: '100', TSPROF_HEAP_SNAPSHOTS: '1' });
  try {
    const r = await watch(service.url, ['-snapshots', '-track_allocations']);
    assert.equal(r.code, 0, r.err);
    // The holder, as without tracking, and now the stack that allocated what it gained: the parser's toString.
    assert.match(r.out, /      held by `CgroupResolver\.cache` \(module variable `resolver` in fixtures\/leaky-service\.js\) \(a Map, /);
    const line = /^        allocated in: parseContainerMetricsResponse \(fixtures\/leaky-service\.js:(\d+)\) via toString, called from scrapeOnce \((\d+)% of the new memory it holds whose stack V8 recorded|^        allocated in: parseContainerMetricsResponse \(fixtures\/leaky-service\.js:(\d+)\) via toString, called from scrapeOnce \(all of/m.exec(r.out);
    assert.ok(line, r.out);
    if (decodesLargeBuffersExternally()) {
      // The heap profile cannot see external strings: tracking is what names the site in the verdict.
      assert.match(r.out, /\nVerdict: memory outside the V8 heap \(external: Buffers, external strings\) grows [\d.]+MB\/min \(high confidence\); allocated in parseContainerMetricsResponse \(fixtures\/leaky-service\.js:\d+\) via toString, called from scrapeOnce \(named by allocation tracking; V8's heap profile does not sample it\); it is held by `CgroupResolver\.cache`/);
    }
    // Tracking ended with the end snapshot: a second stop finds it off.
    const again = await fetch(`${service.url.replace(/\/debug\/pprof\/heap.*$/, '')}/debug/pprof/heapsnapshot?track=stop`);
    assert.equal(again.status, 409);
    assert.match(await again.text(), /allocation tracking is not on/);
  } finally {
    await service.stop();
  }
});

test('the agent takes ?track= as start or stop only; -track_allocations needs -snapshots', { timeout: 30_000 }, async () => {
  const service = await startService(leakyService, ['fixed'], { EVERY_MS: '100', TSPROF_HEAP_SNAPSHOTS: '1' });
  try {
    const base = service.url.replace(/\/debug\/pprof\/heap.*$/, '');
    const bad = await fetch(`${base}/debug/pprof/heapsnapshot?track=maybe`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /bad track="maybe": want start or stop/);
    const r = await watch(service.url, ['-track_allocations']);
    assert.equal(r.code, 2);
    assert.match(r.err, /-track_allocations goes with -snapshots/);
  } finally {
    await service.stop();
  }
});
