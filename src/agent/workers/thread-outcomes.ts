import { threadLabel, type ThreadInfo } from './thread-info.js';
import { WorkerExitedError } from './worker-channel.js';

/** ThreadOutcomes are the results of one job per thread, minus the workers that ended meanwhile. */
export interface ThreadOutcomes<T> {
  results: { thread: ThreadInfo; value: T }[];
  /** Profile comments naming the workers that ended before their part was done. */
  exitComments: string[];
}

/**
 * eachThread runs job for every thread at once. With `dropExited` (the merged
 * `?thread=all` view) a worker that ends meanwhile is left out and named in a
 * comment; otherwise its WorkerExitedError ends the request. Other errors always do.
 */
export async function eachThread<S extends { thread: ThreadInfo }, T>(
  sources: S[],
  job: (source: S, index: number) => Promise<T>,
  dropExited: boolean,
): Promise<ThreadOutcomes<T>> {
  const settled = await Promise.allSettled(sources.map((s, i) => job(s, i)));
  const results: { thread: ThreadInfo; value: T }[] = [];
  const exitComments: string[] = [];
  settled.forEach((outcome, i) => {
    const thread = sources[i]!.thread;
    if (outcome.status === 'fulfilled') results.push({ thread, value: outcome.value });
    else if (dropExited && outcome.reason instanceof WorkerExitedError) exitComments.push(`${threadLabel(thread)} ended before its profile was taken; it is not included`);
    else throw outcome.reason;
  });
  return { results, exitComments };
}
