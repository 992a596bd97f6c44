import { getHeapSnapshot } from 'node:v8';
import { HttpError } from '../http-error.js';
import { flagParam } from '../query.js';
import { currentMemoryFigures, snapshotRefusal } from '../snapshot-headroom.js';
import { threadParam } from '../workers/thread-param.js';
import { streamWorkerHeapSnapshot } from '../workers/worker-heap-snapshot.js';
import type { RequestContext } from './endpoint.js';

/** serveHeapSnapshot is /heapsnapshot: a V8 heap snapshot of the main thread or, with ?thread=N, of a worker; streamed; one at a time per agent. */
export async function serveHeapSnapshot(ctx: RequestContext): Promise<void> {
  const { state } = ctx.runtime;
  const selection = threadParam(ctx.query, ctx.runtime.workers);
  if (selection.kind === 'all') throw new HttpError(400, 'thread=all: a heap snapshot is of one thread; ask for thread=N (or none for the main thread)');
  if (state.snapshotting) throw new HttpError(409, 'a heap snapshot is already being taken; retry when it is done');
  // A snapshot needs memory of its own: refuse, with the figures, where it could get the process killed.
  const refusal = flagParam(ctx.query, 'force') ? undefined : snapshotRefusal(currentMemoryFigures());
  if (refusal) throw new HttpError(503, refusal);
  state.snapshotting = true;
  const writeHead = (file: string) =>
    ctx.res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Disposition': `attachment; filename="${file}"`,
      'X-Content-Type-Options': 'nosniff',
    });
  try {
    if (selection.kind === 'worker') {
      // The worker pauses while V8 walks its heap; the main thread and the other workers run on.
      await streamWorkerHeapSnapshot(selection.worker, ctx.res, () => writeHead(`thread-${selection.worker.info.threadId}.heapsnapshot`));
      return;
    }
    // Taking the snapshot pauses the process (V8 walks the whole heap); streaming it out does not.
    const stream = getHeapSnapshot();
    writeHead('process.heapsnapshot');
    await new Promise<void>((resolve) => {
      stream.on('error', (err) => {
        ctx.runtime.errors.report('heap snapshot', err);
        ctx.res.destroy();
        resolve();
      });
      ctx.res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(ctx.res);
    });
  } finally {
    state.snapshotting = false;
  }
}

