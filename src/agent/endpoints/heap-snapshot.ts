import { getHeapSnapshot } from 'node:v8';
import { HttpError } from '../http-error.js';
import type { RequestContext } from './endpoint.js';

/** serveHeapSnapshot is /heapsnapshot: a V8 heap snapshot, streamed; one at a time per agent. */
export async function serveHeapSnapshot(ctx: RequestContext): Promise<void> {
  const { state } = ctx.runtime;
  if (state.snapshotting) throw new HttpError(409, 'a heap snapshot is already being taken; retry when it is done');
  state.snapshotting = true;
  try {
    // Taking the snapshot pauses the process (V8 walks the whole heap); streaming it out does not.
    const stream = getHeapSnapshot();
    ctx.res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Disposition': 'attachment; filename="process.heapsnapshot"',
      'X-Content-Type-Options': 'nosniff',
    });
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

