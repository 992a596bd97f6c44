import type { ProcessMemory } from '../../profile/process-memory.js';
import type { HeapSampleTable } from '../../source/v8-heap-profile.js';
import type { HeapSampler } from '../heap-sampler.js';

/**
 * HeapGc is what a heap read does about garbage, as `?gc=` asks:
 * - `full` (`gc=1`): the inspector's thorough collection first, as Go's gc=1;
 * - `default` (no `gc`): live objects only, the GC V8's inspector read always runs;
 * - `none` (`gc=0`, and the pusher): no forced GC where the runtime allows it
 *   (Node 26+ on the main thread), so the read makes no pause.
 */
export type HeapGc = 'full' | 'default' | 'none';
import { mainThread, type ThreadInfo } from './thread-info.js';
import { WorkerExitedError } from './worker-channel.js';
import type { BuildGate } from './worker-heap-sampler.js';
import type { AttachedWorker } from './worker-threads.js';

/** ThreadHeap is one thread's heap as the heap endpoints read it. */
export interface ThreadHeap {
  thread: ThreadInfo;
  /** read returns the thread's sampled heap, collecting its isolate's garbage first as `gc` says. */
  read(gc: HeapGc, gate: BuildGate): Promise<HeapSampleTable>;
  /** memory returns the thread's memory figures (its isolate's heap and external memory, the process's RSS). */
  memory(): Promise<ProcessMemory | undefined>;
}

/** mainThreadHeap is the agent's own thread: the heap sampler every agent in it shares. */
export function mainThreadHeap(heap: HeapSampler): ThreadHeap {
  return {
    thread: mainThread,
    read: (gc, gate) =>
      gate.run(async () => {
        if (gc === 'full') await heap.collectGarbage();
        return heap.read(gc === 'default' ? 'collect' : 'skip');
      }),
    memory: async () => process.memoryUsage(),
  };
}

/** What a worker's process.memoryUsage() says: its own isolate's figures. */
const workerMemoryExpression = 'JSON.stringify(process.memoryUsage())';

/** workerThreadHeap is one worker's heap, read through its channel. */
export function workerThreadHeap(worker: AttachedWorker): ThreadHeap {
  return {
    thread: worker.info,
    async read(gc, gate) {
      try {
        // A worker's sampler runs through its inspector, whose every read collects anyway.
        if (gc === 'full') await worker.heap.collectGarbage();
        return await worker.heap.samples(gate);
      } catch (err) {
        if (err instanceof WorkerExitedError) throw new WorkerExitedError(worker.info, 'the heap profile');
        throw err;
      }
    },
    async memory() {
      try {
        const { result } = await worker.channel.call<{ result: { value?: unknown } }>('Runtime.evaluate', {
          expression: workerMemoryExpression,
          returnByValue: true,
          silent: true,
        });
        return typeof result.value === 'string' ? (JSON.parse(result.value) as ProcessMemory) : undefined;
      } catch {
        return undefined; // A worker whose globals were replaced, or gone: the profile just lacks the line.
      }
    },
  };
}

/** totalMemory adds the threads' heap and external figures; RSS is the process's, counted once. */
export function totalMemory(figures: (ProcessMemory | undefined)[]): ProcessMemory | undefined {
  const known = figures.filter((f): f is ProcessMemory => f !== undefined);
  if (known.length === 0) return undefined;
  return {
    heapUsed: known.reduce((sum, f) => sum + f.heapUsed, 0),
    external: known.reduce((sum, f) => sum + f.external, 0),
    arrayBuffers: known.reduce((sum, f) => sum + f.arrayBuffers, 0),
    rss: Math.max(...known.map((f) => f.rss)),
  };
}
