import { cpuProfileToPprof } from '../../source/v8-cpu-profile.js';
import { CpuProfilerBusyError, takeCpuProfile } from '../cpu-profiler.js';
import { HttpError } from '../http-error.js';
import { inlinedCallRecovery } from '../inlined-calls.js';
import { sampleLabeler } from '../labels/label-context.js';
import { secondsParam } from '../query.js';
import type { RequestContext } from './endpoint.js';
import { sendProfile } from './responses.js';
import { withWaitSlot } from './wait-slot.js';

/** serveCpu is /profile: a CPU profile of ?seconds=N (default 30), one at a time in the process. */
export async function serveCpu(ctx: RequestContext): Promise<void> {
  const { options, namer, gate } = ctx.runtime;
  const seconds = secondsParam(ctx.query, 30, options.maxProfileSeconds)!;
  let result;
  try {
    result = await withWaitSlot(ctx.runtime.state, () => takeCpuProfile(seconds, options.cpuSamplingInterval, ctx.signal));
  } catch (err) {
    if (err instanceof CpuProfilerBusyError) throw new HttpError(409, err.message);
    throw err;
  }
  if (ctx.signal.aborted && ctx.res.destroyed) return;
  const { profile, startedAtMs } = result;
  const pprof = await gate.run(() =>
    cpuProfileToPprof(profile, {
      namer,
      intervalMicros: options.cpuSamplingInterval,
      timeNanos: startedAtMs * 1e6,
      mainFile: process.argv[1],
      inlinedCalls: inlinedCallRecovery(),
      labelsAt: sampleLabeler(profile.startTime),
    }),
  );
  await sendProfile(ctx, 'profile', pprof);
}

