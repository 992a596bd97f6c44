import { cpuProfileToPprof } from '../source/v8-cpu-profile.js';
import type { PprofBuilder } from '../source/v8-pprof-builder.js';
import type { AgentRuntime } from './agent-runtime.js';
import type { CpuProfileResult } from './cpu-profile-result.js';
import { inlinedCallRecovery } from './inlined-calls.js';
import { sampleLabeler } from './labels/label-context.js';

/**
 * agentCpuPprof turns a CPU profile the agent took into pprof the way every
 * agent path serves it (the /profile endpoint, the pusher): its namer, its
 * interval, recovered inlined frames and the request labels. It blocks the
 * event loop, so it runs through the agent's work gate.
 */
export function agentCpuPprof(runtime: AgentRuntime, { profile, startedAtMs }: CpuProfileResult): Promise<PprofBuilder> {
  return runtime.gate.run(() =>
    cpuProfileToPprof(profile, {
      namer: runtime.namer,
      intervalMicros: runtime.options.cpuSamplingInterval,
      timeNanos: startedAtMs * 1e6,
      mainFile: process.argv[1],
      inlinedCalls: inlinedCallRecovery(),
      labelsAt: sampleLabeler(profile.startTime),
    }),
  );
}
