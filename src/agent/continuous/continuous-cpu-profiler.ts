import type { CpuProfileResult } from '../cpu-profiler.js';
import type { V8CpuProfile } from '../../source/v8-cpu-profile.js';
import { InspectorSession } from '../inspector-session.js';

/** Continuous profilers running in this thread: while any runs, V8's CPU profiler never stops. */
let running = 0;

/**
 * isCpuProfilerKeptAlive says whether a continuous profiler keeps V8's CPU
 * profiler running in this thread. Another profile started then costs no heap
 * walk and no pause, so the agent serves concurrent CPU profile requests
 * instead of refusing them.
 */
export function isCpuProfilerKeptAlive(): boolean {
  return running > 0;
}

/** RunningProfile is one V8 profile in its own inspector session. */
interface RunningProfile {
  session: InspectorSession;
  startedAtMs: number;
}

/**
 * ContinuousCpuProfiler keeps V8's CPU profiler alive across profile
 * boundaries. Starting V8's first profile walks the whole heap to log the
 * compiled code (about 1 ms per MB of heap, every time); a profile started
 * while another one runs skips that. So each boundary starts the next profile
 * in a second inspector session *before* stopping the current one: V8 never
 * has zero profiles, the boundary costs the stop and the serialization of the
 * finished interval only, and memory holds at most one interval of samples
 * (plus the moment of overlap).
 */
export class ContinuousCpuProfiler {
  private current: RunningProfile | undefined;

  constructor(private readonly intervalMicros: number) {}

  /** running says whether start() was called and stop() not yet. */
  get running(): boolean {
    return this.current !== undefined;
  }

  private begin(): RunningProfile {
    const session = new InspectorSession();
    try {
      session.call('Profiler.enable');
      session.call('Profiler.setSamplingInterval', { interval: this.intervalMicros });
      const startedAtMs = Date.now();
      session.call('Profiler.start');
      return { session, startedAtMs };
    } catch (err) {
      disconnectQuietly(session);
      throw err;
    }
  }

  /** start begins the first profile (this one pays V8's heap walk). Throws when V8 refuses. */
  start(): void {
    if (this.current) return;
    this.current = this.begin();
    running++;
  }

  /**
   * rotate ends the current profile and returns it, the next one having started
   * just before. Throws when not running; if the next profile cannot start, the
   * current one goes on and the error is thrown.
   */
  rotate(): CpuProfileResult {
    const finished = this.current;
    if (!finished) throw new Error('the continuous CPU profiler is not running');
    this.current = this.begin();
    return end(finished);
  }

  /** stop ends the current profile and returns it; undefined when not running. */
  stop(): CpuProfileResult | undefined {
    const finished = this.current;
    if (!finished) return undefined;
    this.current = undefined;
    running--;
    return end(finished);
  }
}

function end(finished: RunningProfile): CpuProfileResult {
  try {
    const { profile } = finished.session.call<{ profile: V8CpuProfile }>('Profiler.stop');
    return { profile, startedAtMs: finished.startedAtMs };
  } finally {
    disconnectQuietly(finished.session);
  }
}

function disconnectQuietly(session: InspectorSession): void {
  try {
    session.disconnect();
  } catch {
    // Disconnecting a broken session has nothing left to clean.
  }
}
