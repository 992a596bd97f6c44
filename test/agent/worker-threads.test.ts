// Worker threads: the agent profiles every worker's heap and CPU (?thread=N, ?thread=all), against a real
// app whose main thread and workers each do their own work in their own named functions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import type { Profile } from 'pprof-format';
import { type ChildApp, fetchProfile, fixturesDir, flatByFunction, startChildApp } from './child-app.js';

const app16 = join(fixturesDir, 'workers', 'app.mjs');
/** Each thread retains 16 MiB of arrays: 16 × 1024 arrays of 127 elements, about 1064 bytes each. */
const retainedBytes = 16 * 1024 * 1064;

/** threadIds are the workers' threadIds, from the app's ready line. */
interface ThreadIds {
  allocator: number;
  burner: number;
  stopper: number;
}

/** labelsByFunction sums inuse_space per (leaf function, thread label, thread_name label). */
function bytesByThread(profile: Profile, sampleType: string, functionName: string): Map<string, number> {
  const str = (i: number | bigint) => profile.stringTable.strings[Number(i)] ?? '';
  const index = profile.sampleType.findIndex((t) => str(t.type) === sampleType);
  const fns = new Map(profile.function.map((f) => [Number(f.id), f]));
  const locs = new Map(profile.location.map((l) => [Number(l.id), l]));
  const out = new Map<string, number>();
  for (const sample of profile.sample) {
    const leaf = locs.get(Number(sample.locationId[0]));
    const fn = leaf ? fns.get(Number(leaf.line[0]!.functionId)) : undefined;
    if (!fn || str(fn.name) !== functionName) continue;
    const label = (key: string) => sample.label.filter((l) => str(l.key) === key).map((l) => str(l.str));
    const key = `thread=${label('thread').join('|')} thread_name=${label('thread_name').join('|')}`;
    out.set(key, (out.get(key) ?? 0) + Number(sample.value[index]));
  }
  return out;
}

/** everySampleHasThread tells whether every sample carries exactly one `thread` label. */
function everySampleHasThread(profile: Profile): boolean {
  const str = (i: number | bigint) => profile.stringTable.strings[Number(i)] ?? '';
  return profile.sample.every((s) => s.label.filter((l) => str(l.key) === 'thread' && str(l.str) !== '').length === 1);
}

describe('worker threads', () => {
  let app: ChildApp;
  let ids: ThreadIds;
  before(async () => {
    // 32 KiB: about 540 samples of each thread's 16 MiB, so the estimate is within a few percent.
    app = await startChildApp(app16, { env: { TSPROF_HEAP_INTERVAL: '32768' }, timeoutMs: 30_000 });
    ids = JSON.parse(app.readyLine) as ThreadIds;
  });
  after(async () => app?.stop());

  test('/heap?thread=N is the worker heap: its retaining function, not the main thread one', async () => {
    const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/heap?thread=${ids.allocator}`);
    const { rows } = flatByFunction(profile, 'inuse_space');
    assert.equal(rows[0]!.name, 'retainInWorker', `top: ${rows.slice(0, 3).map((r) => r.name)}`);
    assert.equal(rows[0]!.file, 'test/fixtures/agent/workers/allocator.mjs');
    assert.ok(Math.abs(rows[0]!.flat / retainedBytes - 1) < 0.15, `retainInWorker holds ${rows[0]!.flat} bytes`);
    assert.equal(rows.find((r) => r.name === 'retainOnMainThread'), undefined, 'the main thread function is not in the worker heap');
  });

  test('the default /heap stays the main thread heap, as Go clients expect', async () => {
    const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/heap`);
    const { rows } = flatByFunction(profile, 'inuse_space');
    assert.equal(rows[0]!.name, 'retainOnMainThread');
    assert.ok(Math.abs(rows[0]!.flat / retainedBytes - 1) < 0.15, `retainOnMainThread holds ${rows[0]!.flat} bytes`);
    assert.equal(rows.find((r) => r.name === 'retainInWorker'), undefined, 'the worker function is not in the main heap');
    assert.ok(profile.sample.every((s) => s.label.every((l) => profile.stringTable.strings[Number(l.key)] !== 'thread')));
  });

  test('/heap?thread=all has both, each sample labelled with its thread', async () => {
    const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/heap?thread=all`);
    assert.ok(everySampleHasThread(profile), 'every sample has one thread label');
    const inWorker = bytesByThread(profile, 'inuse_space', 'retainInWorker');
    const onMain = bytesByThread(profile, 'inuse_space', 'retainOnMainThread');
    assert.deepEqual([...inWorker.keys()], [`thread=${ids.allocator} thread_name=allocator`]);
    assert.deepEqual([...onMain.keys()], ['thread=0 thread_name=main']);
    for (const bytes of [...inWorker.values(), ...onMain.values()]) {
      assert.ok(Math.abs(bytes / retainedBytes - 1) < 0.15, `${bytes} bytes`);
    }
  });

  test('an unknown thread is a 404 naming it and the running threads', async () => {
    const res = await fetch(`${app.agentUrl}/debug/pprof/heap?thread=987`);
    assert.equal(res.status, 404);
    const text = await res.text();
    assert.match(text, /^unknown thread 987: /);
    assert.match(text, new RegExp(`thread 0 \\(main\\), thread ${ids.allocator} \\(allocator\\)`));
    const bad = await fetch(`${app.agentUrl}/debug/pprof/heap?thread=first`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /^bad thread="first": /);
  });
});
