import { agentCpuPprof } from '../cpu-pprof.js';
import { CpuProfilerBusyError, takeCpuProfile } from '../cpu-profiler.js';
import { HttpError } from '../http-error.js';
import { secondsParam } from '../query.js';
import type { RequestContext } from './endpoint.js';
import { sendProfile } from './responses.js';
import { withWaitSlot } from './wait-slot.js';

/** serveCpu is /profile: a CPU profile of ?seconds=N (default 30), one at a time in the process. */
export async function serveCpu(ctx: RequestContext): Promise<void> {
  const { options } = ctx.runtime;
  const seconds = secondsParam(ctx.query, 30, options.maxProfileSeconds)!;
  let result;
  try {
    result = await withWaitSlot(ctx.runtime.state, () => takeCpuProfile(seconds, options.cpuSamplingInterval, ctx.signal));
  } catch (err) {
    if (err instanceof CpuProfilerBusyError) throw new HttpError(409, err.message);
    throw err;
  }
  if (ctx.signal.aborted && ctx.res.destroyed) return;
  await sendProfile(ctx, 'profile', await agentCpuPprof(ctx.runtime, result));
}

