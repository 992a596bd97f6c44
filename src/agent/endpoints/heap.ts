import { getHeapStatistics } from 'node:v8';
import { formatProcessMemory, type ProcessMemory } from '../../profile/process-memory.js';
import { cgroupMemoryLimit } from '../snapshot-headroom.js';
import { formatAgentSelf } from '../../profile/agent-self.js';
import { agentSelfPrefixes } from '../agent-self-files.js';
import { heapTableToPprof, type HeapSampleTable } from '../../source/v8-heap-profile.js';
import { agentHeapLines } from '../heap-call-lines.js';
import { sleepUnlessAborted } from '../../timing/abortable-sleep.js';
import { flagParam, secondsParam } from '../query.js';
import { eachThread } from '../workers/thread-outcomes.js';
import { type HeapGc, mainThreadHeap, type ThreadHeap, totalMemory, workerThreadHeap } from '../workers/thread-heaps.js';
import { buildMerged } from '../workers/thread-merge.js';
import { threadParam } from '../workers/thread-param.js';
import type { RequestContext } from './endpoint.js';
import { sendProfile } from './responses.js';
import { withWaitSlot } from './wait-slot.js';

/** Reads of the heap sampler shared by requests arriving within this many milliseconds. */
const sharedReadMs = 250;

/**
 * serveHeap is /heap and /allocs: the sampled heap, now or as the change over
 * ?seconds=N; of the main thread, or with ?thread= of a worker or of all threads.
 */
export async function serveHeap(ctx: RequestContext, name: 'heap' | 'allocs'): Promise<void> {
  const { runtime, query } = ctx;
  const { heap, options } = runtime;
  const selection = threadParam(query, runtime.workers);
  const seconds = secondsParam(query, undefined, options.maxProfileSeconds);
  const gc: HeapGc = query.has('gc') ? (flagParam(query, 'gc') ? 'full' : 'none') : 'default';
  flagParam(query, 'debug'); // checked before a long wait, not after it
  const threads: ThreadHeap[] =
    selection.kind === 'main'
      ? [mainThreadHeap(heap)]
      : selection.kind === 'worker'
        ? [workerThreadHeap(selection.worker)]
        : [mainThreadHeap(heap), ...selection.workers.map(workerThreadHeap)];
  const startedAt = Date.now();
  const readNow = (thread: ThreadHeap): Promise<HeapSampleTable> => {
    if (gc !== 'default' || thread !== threads[0] || selection.kind === 'worker') return thread.read(gc, runtime.gate);
    // Requests arriving together share one read of the main thread's V8 profile: under a
    // burst of requests the app pays for one read, not one per request.
    const recent = runtime.state.recentHeapRead;
    if (recent && startedAt - recent.at < sharedReadMs) return recent.table;
    const shared = thread.read('default', runtime.gate);
    runtime.state.recentHeapRead = { at: startedAt, table: shared };
    shared.catch(() => {
      if (runtime.state.recentHeapRead?.table === shared) runtime.state.recentHeapRead = undefined;
    });
    return shared;
  };
  const read = (thread: ThreadHeap): Promise<HeapSampleTable> =>
    seconds === undefined
      ? readNow(thread)
      : (async () => {
          // As Go: the difference between now and `seconds` from now.
          const before = await thread.read(gc, runtime.gate);
          await sleepUnlessAborted(seconds * 1000, ctx.signal, { unref: true });
          const after = await thread.read(gc, runtime.gate);
          after.addTable(before, -1);
          return after;
        })();
  const readAll = () => eachThread(threads, async (thread) => ({ table: await read(thread), memory: await thread.memory() }), selection.kind === 'all');
  const { results, exitComments } = seconds === undefined ? await readAll() : await withWaitSlot(runtime.state, readAll);
  const allocations = heap.settings.allocations;
  const build = (table: HeapSampleTable, memory: ProcessMemory | undefined) =>
    runtime.gate.run(() =>
      heapTableToPprof(table, {
        kind: allocations ? 'alloc' : 'inuse',
        interval: heap.settings.interval,
        namer: runtime.namer,
        timeNanos: startedAt * 1e6,
        durationNanos: seconds !== undefined ? (Date.now() - startedAt) * 1e6 : undefined,
        defaultSampleType: allocations ? 'alloc_space' : 'inuse_space',
        mainFile: process.argv[1],
        ...agentHeapLines(runtime),
        // The memory outside the V8 heap (external strings, Buffers) beside it, for tsprof's watch.
        comments: [...(memory ? [formatProcessMemory(selection.kind === 'main' ? withLimits(memory) : memory)] : []), formatAgentSelf(agentSelfPrefixes(options.appRoot))],
      }),
    );
  if (selection.kind !== 'all') {
    const { table, memory } = results[0]!.value;
    await sendProfile(ctx, name, await build(table, memory));
    return;
  }
  const total = totalMemory(results.map((r) => r.value.memory));
  const comments = [...(total ? [formatProcessMemory(total)] : []), ...exitComments];
  await sendProfile(ctx, name, await buildMerged(results, (r) => build(r.table, undefined), runtime.gate, comments));
}

/** The container's memory limit, read again at most this often (a pod can be resized in place). */
const memoryLimitTtlMs = 60_000;
let memoryLimitRead: { at: number; limit: number | undefined } | undefined;

/** withLimits adds the main thread's heap limit and the container's memory limit, for the watch's time-to-limit. */
function withLimits(memory: ProcessMemory): ProcessMemory {
  const now = Date.now();
  if (!memoryLimitRead || now - memoryLimitRead.at > memoryLimitTtlMs) memoryLimitRead = { at: now, limit: cgroupMemoryLimit() };
  const memoryLimit = memoryLimitRead.limit;
  return { ...memory, heapLimit: getHeapStatistics().heap_size_limit, ...(memoryLimit !== undefined ? { memoryLimit } : {}) };
}
