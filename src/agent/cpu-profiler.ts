import type { V8CpuProfile } from '../source/v8-cpu-profile.js';
import { sleepUnlessAborted } from '../timing/abortable-sleep.js';
import { activeContinuousProfiler } from './continuous/continuous-cpu-profiler.js';
import type { CpuProfileResult } from './cpu-profile-result.js';
import { InspectorSession } from './inspector-session.js';

/** CpuProfilerBusyError says another CPU profile is being taken (Go answers the same). */
export class CpuProfilerBusyError extends Error {
  constructor() {
    super('Could not enable CPU profiling: CPU profiling already in use');
    this.name = 'CpuProfilerBusyError';
  }
}

/** One CPU profile at a time in the whole process, whichever agent or handler asks (outside continuous mode). */
let profiling = false;

export type { CpuProfileResult } from './cpu-profile-result.js';

/**
 * ProfilerChannel is a protocol session with one thread's V8: the main
 * thread's InspectorSession (answers at once) or a worker's channel (answers later).
 */
export interface ProfilerChannel {
  call<T = unknown>(method: string, params?: object): T | Promise<T>;
}

/**
 * recordCpuProfile runs V8's CPU profiler of the channel's thread for `seconds`
 * (less when `signal` aborts) and returns its profile. Every thread's profile
 * is taken by this one sequence.
 */
export async function recordCpuProfile(channel: ProfilerChannel, seconds: number, intervalMicros: number, signal?: AbortSignal): Promise<CpuProfileResult> {
  await channel.call('Profiler.enable');
  await channel.call('Profiler.setSamplingInterval', { interval: intervalMicros });
  const startedAtMs = Date.now();
  await channel.call('Profiler.start');
  await sleepUnlessAborted(seconds * 1000, signal, { unref: true });
  const { profile } = await channel.call<{ profile: V8CpuProfile }>('Profiler.stop');
  return { profile, startedAtMs };
}

/** mainThreadProfiling tells whether a CPU profile of this thread is being taken. */
export function mainThreadProfiling(): boolean {
  return profiling;
}

/**
 * takeCpuProfile samples the CPU for `seconds` and returns V8's profile. It
 * throws CpuProfilerBusyError at once when a profile is already running, as Go;
 * while a continuous profiler runs, it takes the profile beside it instead
 * (no heap walk, several at once). The
 * timer is unref'd: a process that wants to exit is not kept alive by a profile.
 * `signal` ends the profile early (the client went away or the agent stops).
 */
export async function takeCpuProfile(seconds: number, intervalMicros: number, signal?: AbortSignal): Promise<CpuProfileResult> {
  const continuous = activeContinuousProfiler();
  if (continuous) return continuous.profileFor(seconds, signal);
  if (profiling) throw new CpuProfilerBusyError();
  profiling = true;
  const session = new InspectorSession();
  try {
    return await recordCpuProfile(session, seconds, intervalMicros, signal);
  } finally {
    profiling = false;
    try {
      session.disconnect();
    } catch {
      // Disconnecting a broken session has nothing left to clean.
    }
  }
}
