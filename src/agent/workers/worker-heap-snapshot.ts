import type { ServerResponse } from 'node:http';
import { WorkerExitedError } from './worker-channel.js';
import type { AttachedWorker } from './worker-threads.js';

/** A snapshot of a large heap takes minutes to walk and serialize. */
const snapshotTimeoutMs = 600_000;

/**
 * streamWorkerHeapSnapshot has V8 take a heap snapshot of the worker's isolate
 * and writes its JSON to res as the chunks arrive (the worker serializes it on
 * its own thread; the protocol cannot be paused, so chunks the client has not
 * taken yet wait in res). `writeHead` is called before the first chunk. When
 * the worker ends first it throws WorkerExitedError before any byte is sent,
 * or cuts the response short after.
 */
export async function streamWorkerHeapSnapshot(worker: AttachedWorker, res: ServerResponse, writeHead: () => void): Promise<void> {
  // Chunks are queued as they arrive and written from the event loop, never from inside the
  // inspector's dispatch: a write there can let the next chunks be dispatched, and written, first.
  const queue: string[] = [];
  let started = false;
  let flushing: NodeJS.Immediate | undefined;
  const flush = () => {
    flushing = undefined;
    if (res.destroyed) return void (queue.length = 0);
    if (!started) {
      started = true;
      writeHead();
    }
    for (const chunk of queue.splice(0)) res.write(chunk);
  };
  const stopChunks = worker.channel.onEvent('HeapProfiler.addHeapSnapshotChunk', (params) => {
    queue.push((params as { chunk: string }).chunk);
    flushing ??= setImmediate(flush);
  });
  try {
    await worker.channel.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, snapshotTimeoutMs);
    if (flushing) clearImmediate(flushing);
    flush();
    res.end();
  } catch (err) {
    if (flushing) clearImmediate(flushing);
    if (started) {
      res.destroy();
      return;
    }
    if (err instanceof WorkerExitedError) throw new WorkerExitedError(worker.info, 'the heap snapshot');
    throw err;
  } finally {
    stopChunks();
  }
}
