import { HttpError } from '../http-error.js';
import { mainThread, threadLabel } from './thread-info.js';
import type { AttachedWorker, WorkerDirectory } from './worker-threads.js';

/** ThreadSelection is what `?thread=` asks for: the main thread (the default), one worker, or all threads merged. */
export type ThreadSelection = { kind: 'main' } | { kind: 'worker'; worker: AttachedWorker } | { kind: 'all'; workers: AttachedWorker[] };

/**
 * threadParam reads `?thread=`: absent, `0` or `main` is the main thread (what
 * Go clients get), `N` the worker whose threadId is N, `all` every thread
 * merged. A thread that is not running is a 404 that lists those that are.
 */
export function threadParam(query: URLSearchParams, workers: WorkerDirectory): ThreadSelection {
  const raw = query.get('thread');
  if (raw === null || raw === '' || raw === 'main' || raw === String(mainThread.threadId)) return { kind: 'main' };
  if (raw === 'all') return { kind: 'all', workers: workers.list() };
  if (!/^\d{1,15}$/.test(raw)) {
    throw new HttpError(400, `bad thread=${JSON.stringify(raw)}: want a worker's threadId, 0 (or main) for the main thread, or all`);
  }
  const worker = workers.get(Number(raw));
  if (!worker) {
    const running = [mainThread, ...workers.list().map((w) => w.info)].map(threadLabel).join(', ');
    throw new HttpError(404, `unknown thread ${raw}: no worker thread with threadId ${raw} is running; threads: ${running}`);
  }
  return { kind: 'worker', worker };
}
