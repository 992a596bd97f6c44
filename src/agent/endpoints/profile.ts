import { cpuProfileToPprof } from '../../source/v8-cpu-profile.js';
import { agentCpuPprof } from '../cpu-pprof.js';
import type { CpuProfileResult } from '../cpu-profile-result.js';
import { CpuProfilerBusyError, mainThreadProfiling, takeCpuProfile } from '../cpu-profiler.js';
import { HttpError } from '../http-error.js';
import { inlinedCallRecovery } from '../inlined-calls.js';
import { secondsParam } from '../query.js';
import { mainThread, type ThreadInfo } from '../workers/thread-info.js';
import { buildMerged } from '../workers/thread-merge.js';
import { eachThread } from '../workers/thread-outcomes.js';
import { threadParam } from '../workers/thread-param.js';
import { takeWorkerCpuProfile, workerProfiling } from '../workers/worker-cpu-profiler.js';
import type { RequestContext } from './endpoint.js';
import { sendProfile } from './responses.js';
import { withWaitSlot } from './wait-slot.js';

/** ThreadCpu is one thread to profile and how. */
interface ThreadCpu {
  thread: ThreadInfo;
  busy(): boolean;
  take(seconds: number, intervalMicros: number, signal: AbortSignal): Promise<CpuProfileResult>;
}

/**
 * serveCpu is /profile: a CPU profile of ?seconds=N (default 30), one at a time
 * per thread; of the main thread, or with ?thread= of a worker or of all threads at once.
 */
export async function serveCpu(ctx: RequestContext): Promise<void> {
  const { options, namer, gate } = ctx.runtime;
  const selection = threadParam(ctx.query, ctx.runtime.workers);
  const seconds = secondsParam(ctx.query, 30, options.maxProfileSeconds)!;
  const main: ThreadCpu = { thread: mainThread, busy: mainThreadProfiling, take: takeCpuProfile };
  const workers = selection.kind === 'worker' ? [selection.worker] : selection.kind === 'all' ? selection.workers : [];
  const threads: ThreadCpu[] = [
    ...(selection.kind === 'worker' ? [] : [main]),
    ...workers.map((worker) => ({
      thread: worker.info,
      busy: () => workerProfiling(worker.info.threadId),
      take: (s: number, interval: number, signal: AbortSignal) => takeWorkerCpuProfile(worker, s, interval, signal),
    })),
  ];
  // All or none: a merged profile missing a busy thread would look like an idle one.
  if (threads.some((t) => t.busy())) throw new HttpError(409, new CpuProfilerBusyError().message);
  let outcomes;
  try {
    outcomes = await withWaitSlot(ctx.runtime.state, () =>
      eachThread(threads, (t) => t.take(seconds, options.cpuSamplingInterval, ctx.signal), selection.kind === 'all'),
    );
  } catch (err) {
    if (err instanceof CpuProfilerBusyError) throw new HttpError(409, err.message);
    throw err;
  }
  if (ctx.signal.aborted && ctx.res.destroyed) return;
  // The main thread's profile as every agent path serves it (with request labels, whose timeline is
  // the main thread's); a worker's without them.
  const build = (result: CpuProfileResult) =>
    selection.kind === 'main'
      ? agentCpuPprof(ctx.runtime, result)
      : gate.run(() =>
          cpuProfileToPprof(result.profile, {
            namer,
            intervalMicros: options.cpuSamplingInterval,
            timeNanos: result.startedAtMs * 1e6,
            mainFile: process.argv[1],
            inlinedCalls: inlinedCallRecovery(),
          }),
        );
  if (selection.kind !== 'all') {
    await sendProfile(ctx, 'profile', await build(outcomes.results[0]!.value));
    return;
  }
  await sendProfile(ctx, 'profile', await buildMerged(outcomes.results, build, gate, outcomes.exitComments));
}
