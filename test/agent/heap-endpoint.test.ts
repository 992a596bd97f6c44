// The heap endpoints against a real child process running the agent.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { type ChildApp, fetchProfile, fixturesDir, flatByFunction, startChildApp } from './child-app.js';

describe('/debug/pprof/heap of a live app', () => {
  let app: ChildApp;
  before(async () => {
    // 32 KiB instead of the 512 KiB default: ~1600 samples of the 50 MB, so the
    // estimate's sampling error (about 1/√n) is ~2.5%, well inside the ±15%.
    app = await startChildApp(join(fixturesDir, 'retainer.mjs'), {
      env: { TSPROF_HEAP_INTERVAL: '32768', GROW_KB_PER_TICK: '100' },
    });
  });
  after(async () => app?.stop());

  test('a function retaining ~50 MB is on top of inuse_space at 50 MB ± 15%', async () => {
    const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/heap`);
    const str = (i: number | bigint) => profile.stringTable.strings[Number(i)];
    assert.deepEqual(profile.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`), ['inuse_objects/count', 'inuse_space/bytes']);
    assert.equal(Number(profile.period), 32768);
    assert.equal(str(profile.periodType!.type), 'space');
    const { rows } = flatByFunction(profile, 'inuse_space');
    assert.equal(rows[0]!.name, 'retainFiftyMegabytes');
    assert.equal(rows[0]!.file, 'test/fixtures/agent/retainer.mjs');
    const retainedMb = rows[0]!.flat / 1e6;
    assert.ok(retainedMb > 50 * 0.85 && retainedMb < 50 * 1.15, `retainFiftyMegabytes holds ${retainedMb.toFixed(1)} MB`);
    // About 47,000 arrays (the count is an estimate: V8 reports only scaled bytes).
    const objects = flatByFunction(profile, 'inuse_objects').rows.find((r) => r.name === 'retainFiftyMegabytes')!.flat;
    assert.ok(objects > 47_000 / 4 && objects < 47_000 * 4, `objects ${objects}`);
  });

  test('?gc=1 collects garbage first and still shows the retained memory', async () => {
    const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/heap?gc=1`);
    const top = flatByFunction(profile, 'inuse_space').rows[0]!;
    assert.equal(top.name, 'retainFiftyMegabytes');
    assert.ok(top.flat > 42e6, `${top.flat}`);
  });

  test('?gc=0 (the read without a forced GC on Node 26+) still shows the retained memory', async () => {
    const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/heap?gc=0`);
    const top = flatByFunction(profile, 'inuse_space').rows[0]!;
    assert.equal(top.name, 'retainFiftyMegabytes');
    assert.ok(top.flat > 42e6, `${top.flat}`);
  });

  test('?seconds=N is the change over the next N seconds, as Go', async () => {
    const started = Date.now();
    const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/heap?seconds=2`);
    assert.ok(Date.now() - started >= 1900, 'waited the two seconds');
    assert.ok(Number(profile.durationNanos) >= 1.9e9);
    const { rows } = flatByFunction(profile, 'inuse_space');
    const grown = rows.find((r) => r.name === 'growSlowly');
    // growSlowly keeps 100 arrays of ~1 KB every 100 ms: ~2 MB in 2 s.
    assert.ok(grown && grown.flat > 0.8e6 && grown.flat < 4e6, `growSlowly grew ${grown?.flat}`);
    const unchanged = rows.find((r) => r.name === 'retainFiftyMegabytes')?.flat ?? 0;
    assert.ok(Math.abs(unchanged) < 2e6, `the old 50 MB is not in the delta (${unchanged})`);
  });

  test('?debug=1 is readable text naming the retaining function', async () => {
    const res = await fetch(`${app.agentUrl}/debug/pprof/heap?debug=1`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /^heap profile: \d+: \d+ @ inuse_objects\/count, inuse_space\/bytes; period 32768/);
    assert.match(text, /#\tretainFiftyMegabytes\ttest\/fixtures\/agent\/retainer\.mjs:\d+/);
    // Like Go's MemStats section: the process's own figures at the end.
    const heapUsed = Number(/^# heapUsed = (\d+)$/m.exec(text)?.[1]);
    assert.ok(heapUsed > 45e6, `heapUsed ${heapUsed}`);
    assert.match(text, /^# used_heap_size = \d+$/m);
  });

  test('/debug/pprof/allocs says how to turn allocation sampling on', async () => {
    const res = await fetch(`${app.agentUrl}/debug/pprof/allocs`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /allocation sampling is off; .*TSPROF_ALLOCS=1/);
  });
});

describe('/debug/pprof/allocs with allocation sampling on', () => {
  let app: ChildApp;
  before(async () => {
    app = await startChildApp(join(fixturesDir, 'retainer.mjs'), {
      env: { TSPROF_HEAP_INTERVAL: '65536', TSPROF_ALLOCS: '1', RETAIN_MB: '20' },
    });
  });
  after(async () => app?.stop());

  test('alloc_space is the default and counts what was allocated', async () => {
    const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/allocs`);
    const str = (i: number | bigint) => profile.stringTable.strings[Number(i)];
    assert.deepEqual(profile.sampleType.map((t) => str(t.type)), ['alloc_objects', 'alloc_space']);
    assert.equal(str(profile.defaultSampleType), 'alloc_space');
    const row = flatByFunction(profile, 'alloc_space').rows.find((r) => r.name === 'retainFiftyMegabytes');
    assert.ok(row && row.flat > 20e6 * 0.85 && row.flat < 20e6 * 1.3, `allocated ${row?.flat}`);
    const index = await (await fetch(`${app.agentUrl}/debug/pprof/`)).text();
    assert.match(index, /href="allocs\?debug=1"/);
  });
});
