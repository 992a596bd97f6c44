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
 * 26) titles a worker `[worker N] name` with N its threadId; workerId is not
 * the threadId but the session's own count of the workers it attached (it
 * starts at 1 in every session). Undefined when the title does not say.
 */
export function workerThreadInfo(workerInfo: { title?: unknown; url?: unknown }): ThreadInfo | undefined {
  const title = typeof workerInfo.title === 'string' ? workerInfo.title : '';
  const titled = /^\[worker (\d{1,15})\] ?(.*)$/s.exec(title);
  if (!titled) return undefined;
  return { threadId: Number(titled[1]), name: titled[2]!, url: typeof workerInfo.url === 'string' ? workerInfo.url : '' };
}
