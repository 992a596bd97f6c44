import { getHeapSnapshot } from 'node:v8';
import { HttpError } from '../http-error.js';
import { defaultTrackingMs } from '../allocation-tracking.js';
import { flagParam, secondsParam } from '../query.js';
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
  const track = trackParam(ctx.query);
  if (track !== undefined && selection.kind !== 'main') throw new HttpError(400, `track=${track}: allocation tracking is of the main thread; leave out thread=`);
  if (track === 'stop' && !state.tracking.active) throw new HttpError(409, 'track=stop: allocation tracking is not on (a snapshot with ?track=start turns it on)');
  const trackSeconds = secondsParam(ctx.query, undefined, 24 * 3600, 'track_seconds');
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
    if (track === 'stop') {
      // V8 takes this snapshot as it stops tracking, with every object's allocating stack; it is in memory until sent.
      const chunks = state.tracking.stopWithSnapshot();
      writeHead('process.heapsnapshot');
      await writeChunks(ctx, chunks);
      return;
    }
    // Tracking starts before the start snapshot, so everything new after it has its allocating stack.
    if (track === 'start') state.tracking.start(trackSeconds !== undefined ? trackSeconds * 1000 : defaultTrackingMs);
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


/** trackParam reads ?track=start|stop (allocation tracking around a watch); anything else is a 400. */
function trackParam(query: URLSearchParams): 'start' | 'stop' | undefined {
  const raw = query.get('track');
  if (raw === null) return undefined;
  if (raw === 'start' || raw === 'stop') return raw;
  throw new HttpError(400, `bad track=${JSON.stringify(raw)}: want start or stop`);
}

/** writeChunks sends the snapshot's chunks in order, waiting for the socket to drain; a closed client ends it. */
async function writeChunks(ctx: RequestContext, chunks: string[]): Promise<void> {
  for (let i = 0; i < chunks.length && !ctx.res.destroyed; i++) {
    const more = ctx.res.write(chunks[i]!);
    chunks[i] = ''; // sent: let it go
    if (!more) {
      await new Promise<void>((resolve) => {
        const done = () => {
          ctx.res.off('drain', done);
          ctx.res.off('close', done);
          resolve();
        };
        ctx.res.on('drain', done);
        ctx.res.on('close', done);
      });
    }
  }
  ctx.res.end();
}
