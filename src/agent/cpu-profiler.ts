import type { V8CpuProfile } from '../source/v8-cpu-profile.js';
import { sleepUnlessAborted } from '../timing/abortable-sleep.js';
import { InspectorSession } from './inspector-session.js';

/** CpuProfilerBusyError says another CPU profile is being taken (Go answers the same). */
export class CpuProfilerBusyError extends Error {
  constructor() {
    super('Could not enable CPU profiling: CPU profiling already in use');
    this.name = 'CpuProfilerBusyError';
  }
}

/** One CPU profile at a time in the whole process, whichever agent or handler asks. */
let profiling = false;

/** CpuProfileResult is V8's profile plus the wall-clock start pprof wants. */
export interface CpuProfileResult {
  profile: V8CpuProfile;
  startedAtMs: number;
}

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
 * throws CpuProfilerBusyError at once when a profile is already running. The
 * timer is unref'd: a process that wants to exit is not kept alive by a profile.
 * `signal` ends the profile early (the client went away or the agent stops).
 */
export async function takeCpuProfile(seconds: number, intervalMicros: number, signal?: AbortSignal): Promise<CpuProfileResult> {
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
