import { threadId as ownThreadId } from 'node:worker_threads';

/** ThreadInfo names one JavaScript thread of the process: the main thread or a worker. */
export interface ThreadInfo {
  /** worker_threads' threadId (0 for the main thread). */
  threadId: number;
  /** The Worker's `name` option ('' when it has none; Node 24+ reports its default, `WorkerThread`). */
  name: string;
  /** The worker's script URL as the inspector reports it ('' for eval'd workers and the main thread). */
  url: string;
}

/** mainThread is the thread the agent runs in (threadId 0 when that is the process's main thread). */
export const mainThread: ThreadInfo = { threadId: ownThreadId, name: 'main', url: '' };

/** threadLabel names a thread in messages: `thread 3 (resizer)`. */
export function threadLabel(thread: ThreadInfo): string {
  return thread.name === '' ? `thread ${thread.threadId}` : `thread ${thread.threadId} (${thread.name})`;
}

/**
 * workerThreadInfo reads NodeWorker.attachedToWorker's workerInfo. Node (20 to
 * 26) sets workerId to the threadId and the title to `[worker N] name`.
 */
export function workerThreadInfo(workerInfo: { workerId?: unknown; title?: unknown; url?: unknown }): ThreadInfo | undefined {
  const threadId = Number(workerInfo.workerId);
  if (!Number.isSafeInteger(threadId) || threadId < 0) return undefined;
  const title = typeof workerInfo.title === 'string' ? workerInfo.title : '';
  const named = /^\[worker \d+\] ?(.*)$/s.exec(title);
  return { threadId, name: named ? named[1]! : title, url: typeof workerInfo.url === 'string' ? workerInfo.url : '' };
}
