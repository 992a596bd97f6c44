import { formatProcessMemory } from '../../profile/process-memory.js';
import { heapTableToPprof, type HeapSampleTable } from '../../source/v8-heap-profile.js';
import { heapCallLines } from '../heap-call-lines.js';
import { dropsInlinedFrames } from '../inlined-calls.js';
import { sleepUnlessAborted } from '../../timing/abortable-sleep.js';
import { flagParam, secondsParam } from '../query.js';
import type { RequestContext } from './endpoint.js';
import { sendProfile } from './responses.js';
import { withWaitSlot } from './wait-slot.js';

/** Reads of the heap sampler shared by requests arriving within this many milliseconds. */
const sharedReadMs = 250;

/** serveHeap is /heap and /allocs: the sampled heap, now or as the change over ?seconds=N. */
export async function serveHeap(ctx: RequestContext, name: 'heap' | 'allocs'): Promise<void> {
  const { runtime, query } = ctx;
  const { heap, options } = runtime;
  const seconds = secondsParam(query, undefined, options.maxProfileSeconds);
  const gc = flagParam(query, 'gc');
  flagParam(query, 'debug'); // checked before a long wait, not after it
  const read = () =>
    runtime.gate.run(async () => {
      if (gc) await heap.collectGarbage();
      return heap.samples();
    });
  const startedAt = Date.now();
  let table: HeapSampleTable;
  if (seconds === undefined && !gc) {
    // Requests arriving together share one read of V8's profile: under a burst of
    // requests the app pays for one read, not one per request.
    const recent = runtime.state.recentHeapRead;
    if (recent && startedAt - recent.at < sharedReadMs) {
      table = await recent.table;
    } else {
      const shared = read();
      runtime.state.recentHeapRead = { at: startedAt, table: shared };
      shared.catch(() => {
        if (runtime.state.recentHeapRead?.table === shared) runtime.state.recentHeapRead = undefined;
      });
      table = await shared;
    }
  } else if (seconds === undefined) {
    table = await read();
  } else {
    // As Go: the difference between now and `seconds` from now.
    table = await withWaitSlot(runtime.state, async () => {
      const before = await read();
      await sleepUnlessAborted(seconds * 1000, ctx.signal, { unref: true });
      const after = await read();
      after.addTable(before, -1);
      return after;
    });
  }
  const allocations = heap.settings.allocations;
  const profile = await runtime.gate.run(() =>
    heapTableToPprof(table, {
      kind: allocations ? 'alloc' : 'inuse',
      interval: heap.settings.interval,
      namer: runtime.namer,
      timeNanos: startedAt * 1e6,
      durationNanos: seconds !== undefined ? (Date.now() - startedAt) * 1e6 : undefined,
      defaultSampleType: allocations ? 'alloc_space' : 'inuse_space',
      mainFile: process.argv[1],
      callLines: heapCallLines(),
      inlinedFramesDropped: dropsInlinedFrames(),
      allocatingCallees: runtime.state.allocatingCallees,
      // The memory outside the V8 heap (external strings, Buffers) beside it, for tsprof's watch.
      comments: [formatProcessMemory(process.memoryUsage())],
    }),
  );
  await sendProfile(ctx, name, profile);
}

