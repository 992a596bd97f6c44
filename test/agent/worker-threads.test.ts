// Worker threads: the agent profiles every worker's heap and CPU (?thread=N, ?thread=all), against a real
// app whose main thread and workers each do their own work in their own named functions.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { Profile } from 'pprof-format';
import { HeapSamplerUnavailableError } from '../../src/agent/heap-sampler.js';
import { heapSnapshotUrl } from '../../src/leak/agent-client.js';
import { processMemoryOf } from '../../src/profile/process-memory.js';
import { WorkerExitedError } from '../../src/agent/workers/worker-channel.js';
import { type AttachedWorker, WorkerThreads } from '../../src/agent/workers/worker-threads.js';
import { type ChildApp, fetchProfile, fixturesDir, flatByFunction, projectRoot, startChildApp } from './child-app.js';
import { skipUnless } from '../support/required-tool.js';

const run = promisify(execFile);

/** firstTopRow is the function of the first row of a `-top` report. */
function firstTopRow(report: string): string | undefined {
  const lines = report.split('\n');
  const header = lines.findIndex((l) => /^\s*flat\s+flat%\s+sum%\s+cum\s+cum%/.test(l));
  return /^\s*\S+\s+\S+%\s+\S+%\s+\S+\s+\S+%\s+(.+)$/.exec(lines[header + 1] ?? '')?.[1]?.trim();
}

const app16 = join(fixturesDir, 'workers', 'app.mjs');
/** Each thread retains 16 MiB of arrays: 16 × 1024 arrays of 127 elements, about 1064 bytes each. */
const retainedBytes = 16 * 1024 * 1064;

/** threadIds are the workers' threadIds, from the app's ready line. */
interface ThreadIds {
  allocator: number;
  /** A worker the allocator started. */
  nested: number;
  burner: number;
  /** Workers that exit on SIGUSR2, one per signal, oldest first. */
  stoppers: [number, number];
}

/** bytesByThread sums a sample type per `thread=#id thread_name=name` of a leaf function's samples. */
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
    // thread is numeric (so go tool pprof's -tagfocus thread=N takes it), thread_name a string.
    const label = (key: string) => sample.label.filter((l) => str(l.key) === key).map((l) => (Number(l.str) !== 0 ? str(l.str) : `#${Number(l.num)}`));
    const key = `thread=${label('thread').join('|')} thread_name=${label('thread_name').join('|')}`;
    out.set(key, (out.get(key) ?? 0) + Number(sample.value[index]));
  }
  return out;
}

/** everySampleHasThread tells whether every sample carries exactly one numeric `thread` label. */
function everySampleHasThread(profile: Profile): boolean {
  const str = (i: number | bigint) => profile.stringTable.strings[Number(i)] ?? '';
  return profile.sample.every((s) => s.label.filter((l) => str(l.key) === 'thread' && Number(l.str) === 0).length === 1);
}

/** startWorkersApp starts the app and its five workers (one nested) with the agent configured by env; the workers' ids with it. */
async function startWorkersApp(env: Record<string, string>): Promise<{ app: ChildApp; ids: ThreadIds }> {
  const app = await startChildApp(app16, { env, timeoutMs: 30_000 });
  return { app, ids: JSON.parse(app.readyLine) as ThreadIds };
}

describe('worker threads', () => {
  let app: ChildApp;
  let ids: ThreadIds;
  before(async () => {
    // 32 KiB: about 540 samples of each thread's 16 MiB, so the estimate is within a few percent.
    ({ app, ids } = await startWorkersApp({ TSPROF_HEAP_INTERVAL: '32768', TSPROF_HEAP_SNAPSHOTS: '1' }));
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
    assert.deepEqual([...inWorker.keys()], [`thread=#${ids.allocator} thread_name=allocator`]);
    assert.deepEqual([...onMain.keys()], ['thread=#0 thread_name=main']);
    for (const bytes of [...inWorker.values(), ...onMain.values()]) {
      assert.ok(Math.abs(bytes / retainedBytes - 1) < 0.15, `${bytes} bytes`);
    }
    // One memory line for the process: the threads' heaps added up (each holds its 16 MiB).
    const comments = profile.comment.map((i) => profile.stringTable.strings[Number(i)]!);
    const memory = processMemoryOf(comments);
    assert.ok(memory && memory.heapUsed > 2 * retainedBytes, `heapUsed ${memory?.heapUsed}`);
    assert.equal(comments.filter((c) => c.startsWith('tsprof.memory ')).length, 1);
    // Every other remark says whose it is.
    for (const c of comments) assert.match(c, /^(tsprof\.memory |thread \d+ \([^)]*\): )/);
  });

  test('go tool pprof and tsprof split ?thread=all again with -tagfocus thread=N', { skip: skipUnless('go') }, async () => {
    const url = `${app.agentUrl}/debug/pprof/heap?thread=all`;
    const home = mkdtempSync(join(tmpdir(), 'tsprof-workers-'));
    try {
      const goTop = async (focus: string) =>
        firstTopRow((await run('go', ['tool', 'pprof', `-tagfocus=${focus}`, '-top', url], { env: { ...process.env, PPROF_TMPDIR: home, HOME: home }, timeout: 60_000 })).stdout);
      const tsprofTop = async (focus: string) =>
        firstTopRow((await run(process.execPath, [join(projectRoot, 'bin', 'tsprof.js'), `-tagfocus=${focus}`, '-top', url], { timeout: 60_000 })).stdout);
      assert.equal(await goTop(`thread=${ids.allocator}`), 'retainInWorker');
      assert.equal(await goTop('thread=0'), 'retainOnMainThread');
      assert.equal(await goTop('thread_name=allocator'), 'retainInWorker');
      assert.equal(await tsprofTop(`thread=${ids.allocator}`), 'retainInWorker');
      assert.equal(await tsprofTop('thread=0'), 'retainOnMainThread');
    } finally {
      rmSync(home, { recursive: true, force: true });
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
  test('/profile?thread=N profiles the worker: its burner on top; the default profile is the main thread', async () => {
    const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/profile?seconds=1&thread=${ids.burner}`);
    const { rows } = flatByFunction(profile, 'cpu');
    assert.equal(rows[0]!.name, 'burnInWorker', `top: ${rows.slice(0, 3).map((r) => r.name)}`);
    assert.equal(rows[0]!.file, 'test/fixtures/agent/workers/burner.mjs');
    const main = flatByFunction(await fetchProfile(`${app.agentUrl}/debug/pprof/profile?seconds=1`), 'cpu').rows;
    assert.equal(main.find((r) => r.name === 'burnInWorker'), undefined, 'the workers burn on their own threads');
  });

  test('/profile?thread=all has every thread at once, labelled', async () => {
    const started = Date.now();
    const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/profile?seconds=1&thread=all`);
    assert.ok(Date.now() - started < 4000, 'the threads are profiled together, not one after another');
    assert.ok(everySampleHasThread(profile), 'every sample has one thread label');
    const burners = bytesByThread(profile, 'cpu', 'burnInWorker');
    assert.ok((burners.get(`thread=#${ids.burner} thread_name=burner`) ?? 0) > 0, [...burners.keys()].join(', '));
    for (const key of burners.keys()) assert.match(key, /thread_name=(burner|stopper-\d)$/);
    assert.ok(Number(profile.durationNanos) < 2e9, `duration ${profile.durationNanos}: the wall time, not the sum`);
  });

  test('the index lists the workers with their threadId, name, script and profile links', async () => {
    const page = await (await fetch(`${app.agentUrl}/debug/pprof/`)).text();
    assert.match(page, new RegExp(`<tr><td>${ids.allocator}</td><td>allocator</td><td>file://[^<]*/allocator\\.mjs</td>`));
    assert.match(page, new RegExp(`href="heap\\?debug=1&#38;thread=${ids.allocator}"`));
    assert.match(page, new RegExp(`href="profile\\?seconds=30&#38;thread=${ids.burner}"`));
    assert.match(page, /<tr><td>0<\/td><td>main<\/td>/);
    assert.match(page, new RegExp(`<tr><td>${ids.nested}</td><td>nested</td>`), 'a worker of a worker too');
    assert.equal((await fetch(`${app.agentUrl}/debug/pprof/heap?thread=${ids.nested}`)).status, 200);
  });

  test('/heapsnapshot?thread=N is the worker heap snapshot', async () => {
    const snapshotStrings = async (query: string) => {
      const res = await fetch(`${app.agentUrl}/debug/pprof/heapsnapshot${query}`);
      assert.equal(res.status, 200);
      return new Set((JSON.parse(await res.text()) as { strings: string[] }).strings);
    };
    const worker = await snapshotStrings(`?thread=${ids.allocator}`);
    assert.ok(worker.has('retainedInWorker') && !worker.has('retainedOnMain'), 'the worker global, not the main one');
    const main = await snapshotStrings('');
    assert.ok(main.has('retainedOnMain') && !main.has('retainedInWorker'), 'the main global, not the worker one');
    // tsprof watch -snapshots of a worker's heap (…/heap?thread=N) takes the snapshots of that worker.
    assert.equal(heapSnapshotUrl(new URL(`${app.agentUrl}/debug/pprof/heap?gc=1&thread=${ids.allocator}`)).href, `${app.agentUrl}/debug/pprof/heapsnapshot?thread=${ids.allocator}`);
    const all = await fetch(`${app.agentUrl}/debug/pprof/heapsnapshot?thread=all`);
    assert.equal(all.status, 400);
    assert.match(await all.text(), /a heap snapshot is of one thread/);
  });

  test('a worker that exits during ?thread=all is left out and named; the others are there', async () => {
    const [leaving] = ids.stoppers;
    const pending = fetchProfile(`${app.agentUrl}/debug/pprof/profile?seconds=3&thread=all`);
    setTimeout(() => app.proc.kill('SIGUSR2'), 1000);
    const profile = await pending;
    const comments = profile.comment.map((i) => profile.stringTable.strings[Number(i)]);
    assert.ok(comments.includes(`thread ${leaving} (stopper-1) ended before its profile was taken; it is not included`), comments.join('\n'));
    const burners = bytesByThread(profile, 'cpu', 'burnInWorker');
    assert.ok((burners.get(`thread=#${ids.burner} thread_name=burner`) ?? 0) > 0);
    assert.equal(burners.get(`thread=#${leaving} thread_name=stopper-1`), undefined);
  });

  test('a worker that exits during its CPU profile ends the request at once with 410, naming it', async () => {
    const [, leaving] = ids.stoppers;
    const started = Date.now();
    const pending = fetch(`${app.agentUrl}/debug/pprof/profile?seconds=20&thread=${leaving}`);
    setTimeout(() => app.proc.kill('SIGUSR2'), 1000);
    const res = await pending;
    assert.equal(res.status, 410);
    assert.equal(await res.text(), `tsprof agent: thread ${leaving} (stopper-2) exited during the CPU profile; its profile is lost\n`);
    assert.ok(Date.now() - started < 10_000, `answered after ${Date.now() - started} ms, not after the 20 s`);
    const after = await fetch(`${app.agentUrl}/debug/pprof/heap?thread=${leaving}`);
    assert.equal(after.status, 404);
    assert.doesNotMatch(await (await fetch(`${app.agentUrl}/debug/pprof/`)).text(), /stopper-2/);
  });

  test('the host printed nothing but the agent start line', () => {
    assert.equal(app.stderr().trim().split('\n').length, 1, app.stderr());
  });
});

describe('a worker ending by itself', () => {
  test('the process exits as without the agent, after the agent listed the worker', async () => {
    const app = await startChildApp(join(fixturesDir, 'workers', 'short-lived.mjs'));
    try {
      const exited = new Promise<number | null>((resolve) => app.proc.once('exit', resolve));
      let listed = false;
      for (let i = 0; i < 50 && !listed; i++) {
        listed = /<td>brief<\/td>/.test(await (await fetch(`${app.agentUrl}/debug/pprof/`)).text());
        if (!listed) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(listed, 'the agent attached to the worker');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
      assert.equal(code, 0);
      assert.equal(app.stderr().trim().split('\n').length, 1, app.stderr());
    } finally {
      await app.stop();
    }
  });
});

describe('/allocs?thread=N with allocation sampling on', () => {
  let app: ChildApp;
  let ids: ThreadIds;
  before(async () => {
    ({ app, ids } = await startWorkersApp({ TSPROF_HEAP_INTERVAL: '65536', TSPROF_ALLOCS: '1' }));
  });
  after(async () => app?.stop());

  test('alloc_space of the worker counts what its function allocated', async () => {
    const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/allocs?thread=${ids.allocator}`);
    const str = (i: number | bigint) => profile.stringTable.strings[Number(i)];
    assert.equal(str(profile.defaultSampleType), 'alloc_space');
    const rows = flatByFunction(profile, 'alloc_space').rows;
    const row = rows.find((r) => r.name === 'retainInWorker');
    assert.ok(row && row.flat > retainedBytes * 0.8 && row.flat < retainedBytes * 1.3, `allocated ${row?.flat}`);
    assert.equal(rows.find((r) => r.name === 'retainOnMainThread'), undefined);
  });
});

/** attachedWorker waits (up to 2 s) for the directory to attach to worker, and returns its entry. */
async function attachedWorker(threads: WorkerThreads, worker: Worker): Promise<AttachedWorker> {
  for (let i = 0; i < 100; i++) {
    const attached = threads.get(worker.threadId);
    if (attached) return attached;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`worker ${worker.threadId} was not attached`);
}

describe('a worker sampler in the allocation view', () => {
  test('folding keeps its table within the stack limit and loses no sample; a worker gone fails its reads at once', async () => {
    const maxStacks = 100;
    const threads = new WorkerThreads({ interval: 16 * 1024, stackDepth: 64, allocations: true }, (context, err) => assert.fail(`${context}: ${err}`), {
      intervalMs: 3_600_000,
      maxStacks,
    });
    threads.start();
    // 100 distinct allocating functions per round, so each round brings 100 new stacks.
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.on('message', (round) => {
         for (let i = 0; i < 100; i++) {
           const alloc = new Function('return function alloc_' + round + '_' + i + '() { return new Array(4000); }')();
           for (let j = 0; j < 5; j++) alloc();
         }
         parentPort.postMessage(round);
       });`,
      { eval: true, name: 'folder' },
    );
    try {
      const attached = await attachedWorker(threads, worker);
      assert.equal(attached.info.name, 'folder');
      let beforeLastFold = 0;
      for (let round = 0; round < 4; round++) {
        await new Promise((resolve) => {
          worker.once('message', resolve);
          worker.postMessage(round);
        });
        beforeLastFold = (await attached.heap.samples()).sampleCount;
        await attached.heap.fold();
      }
      assert.ok(attached.heap.foldedStackCount <= maxStacks + 1, `${attached.heap.foldedStackCount} stacks`);
      const all = await attached.heap.samples();
      assert.equal([...all.stacks.values()].filter((s) => s.frames[0]!.functionName === '(stacks beyond the agent limit)').length, 1);
      assert.ok(all.sampleCount >= beforeLastFold, `${all.sampleCount} ≥ ${beforeLastFold}: folding lost nothing`);
      await worker.terminate();
      for (let i = 0; i < 100 && threads.get(worker.threadId); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(threads.get(worker.threadId), undefined, 'the ended worker is dropped');
      await assert.rejects(attached.heap.samples(), WorkerExitedError);
    } finally {
      threads.stop();
      await worker.terminate();
    }
  });
});

describe('a worker sampler stopped by another inspector client', () => {
  test('the read says so with the sampler started again, and the next read works', async () => {
    const threads = new WorkerThreads({ interval: 16 * 1024, stackDepth: 64, allocations: false }, (context, err) => assert.fail(`${context}: ${err}`));
    threads.start();
    const worker = new Worker(
      `const held = []; function holdInWorker() { for (let i = 0; i < 2000; i++) held.push(new Array(127)); }
       require('node:worker_threads').parentPort.on('message', () => { holdInWorker(); require('node:worker_threads').parentPort.postMessage('held'); });`,
      { eval: true },
    );
    // A second client (as a debugger would be), attached to the same worker through its own session.
    const other = new Session();
    other.connect();
    try {
      const attached = await attachedWorker(threads, worker);
      await attached.heap.samples(); // sampling runs
      const otherSession = new Promise<string>((resolve) => other.once('NodeWorker.attachedToWorker', (m) => resolve(m.params.sessionId)));
      other.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
      const sessionId = await otherSession;
      const answered = new Promise<void>((resolve) =>
        other.on('NodeWorker.receivedMessageFromWorker', (m) => {
          if (JSON.parse(m.params.message).id === 2) resolve();
        }),
      );
      for (const [id, method] of [[1, 'HeapProfiler.startSampling'], [2, 'HeapProfiler.stopSampling']] as const) {
        other.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params: {} }) });
      }
      await answered;
      await assert.rejects(attached.heap.samples(), (err: Error) => err instanceof HeapSamplerUnavailableError && /stopped by another V8 inspector client.*running again/.test(err.message));
      await new Promise((resolve) => {
        worker.once('message', resolve);
        worker.postMessage('hold');
      });
      const table = await attached.heap.samples();
      assert.ok([...table.stacks.values()].some((s) => s.frames[0]!.functionName === 'holdInWorker'), 'sampling again after the restart');
    } finally {
      other.disconnect();
      threads.stop();
      await worker.terminate();
    }
  });
});
