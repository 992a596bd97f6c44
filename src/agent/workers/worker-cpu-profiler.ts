import { CpuProfilerBusyError, type CpuProfileResult, recordCpuProfile } from '../cpu-profiler.js';
import { WorkerExitedError } from './worker-channel.js';
import type { AttachedWorker } from './worker-threads.js';

/** Workers whose CPU is being profiled: one profile at a time per thread, as on the main thread. */
const profilingThreads = new Set<number>();

/** workerProfiling tells whether a CPU profile of the worker with this threadId is being taken. */
export function workerProfiling(threadId: number): boolean {
  return profilingThreads.has(threadId);
}

/**
 * takeWorkerCpuProfile is takeCpuProfile for a worker thread: V8's CPU profiler
 * of the worker's isolate for `seconds`, through the worker's channel. When the
 * worker ends meanwhile it fails at once with WorkerExitedError (its profile
 * went with it); it never waits out the seconds for a thread that is gone.
 */
export async function takeWorkerCpuProfile(worker: AttachedWorker, seconds: number, intervalMicros: number, signal?: AbortSignal): Promise<CpuProfileResult> {
  const { threadId } = worker.info;
  if (profilingThreads.has(threadId)) throw new CpuProfilerBusyError();
  profilingThreads.add(threadId);
  // One signal for this profile: the request's, or the worker's end.
  const ended = new AbortController();
  const end = () => ended.abort();
  const stopWatchingExit = worker.channel.whenExited(end);
  signal?.addEventListener('abort', end, { once: true });
  try {
    const result = await recordCpuProfile(worker.channel, seconds, intervalMicros, ended.signal);
    await worker.channel.call('Profiler.disable').catch(() => undefined);
    return result;
  } catch (err) {
    if (err instanceof WorkerExitedError) throw new WorkerExitedError(worker.info, 'the CPU profile');
    throw err;
  } finally {
    profilingThreads.delete(threadId);
    stopWatchingExit();
    signal?.removeEventListener('abort', end);
  }
}
