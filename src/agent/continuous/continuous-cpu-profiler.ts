import { console as inspectorConsole } from 'node:inspector';
import type { CpuProfileResult } from '../cpu-profile-result.js';
import type { V8CpuProfile } from '../../source/v8-cpu-profile.js';
import { sleepUnlessAborted } from '../../timing/abortable-sleep.js';
import { InspectorSession } from '../inspector-session.js';

/** The continuous profiler running in this thread, if any (V8 has one CPU profiler per session, and the agent one such profiler). */
let active: ContinuousCpuProfiler | undefined;

/** activeContinuousProfiler is the continuous CPU profiler running in this thread, if any. */
export function activeContinuousProfiler(): ContinuousCpuProfiler | undefined {
  return active;
}

/**
 * nodeProfilerConnected says whether Node itself holds an inspector connection
 * with the Profiler domain on (`--cpu-prof`, or NODE_V8_COVERAGE as c8 sets it):
 * the bridge's console profiles would reach it, and Node prints a line on
 * stderr for each message it does not expect.
 */
export function nodeProfilerConnected(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): boolean {
  if (env.NODE_V8_COVERAGE) return true;
  return [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].some((arg) => arg === '--cpu-prof' || arg.startsWith('--cpu-prof='));
}

/** Titles of the profiles the agent starts through the inspector's console, unique in the process. */
let nextTitle = 0;
const uniqueTitle = (what: string) => `tsprof-${what}-${process.pid}-${++nextTitle}`;

/**
 * ContinuousCpuProfiler keeps V8's CPU profiler alive across profile
 * boundaries. V8 gives each inspector session its own CPU profiler and
 * creates it when the session's first profile starts: it then walks the whole
 * heap to log the compiled code (about 1 ms per MB of heap). A profile started
 * in a session that has one running skips that. So everything happens in one
 * session whose profiler never stops:
 *
 * - a boundary starts a momentary bridge profile (through the inspector's
 *   console, which starts profiles by title in every session with the Profiler
 *   domain on), stops the interval's profile, starts the next one and ends the
 *   bridge: V8's profiler never has zero profiles, and the boundary costs the
 *   stop and the serialization of the finished interval only. Memory holds one
 *   interval of samples plus the moment of overlap.
 * - a CPU profile request (`/profile?seconds=N`) runs as one more titled
 *   profile in the same session, beside the interval's: no heap walk, no 409.
 *
 * Where Node holds a profiler connection of its own (nodeProfilerConnected),
 * the console is not used: a boundary starts the next profile in a fresh
 * session before stopping the current one (paying V8's heap walk), and
 * requests take profiles in sessions of their own, side by side.
 */
export class ContinuousCpuProfiler {
  private session: InspectorSession | undefined;
  private startedAtMs = 0;
  private readonly finished = new Map<string, V8CpuProfile>();

  /**
   * `bridged` says whether boundaries and requests go through titled console
   * profiles in the one session (default: unless Node has a profiler connection).
   */
  constructor(
    private readonly intervalMicros: number,
    readonly bridged: boolean = !nodeProfilerConnected(),
  ) {}

  /** running says whether start() was called and stop() not yet. */
  get running(): boolean {
    return this.session !== undefined;
  }

  /** start begins the first profile (this one pays V8's heap walk). Throws when V8 refuses or another one runs. */
  start(): void {
    if (this.session) return;
    if (active) throw new Error('a continuous CPU profiler is already running in this thread');
    const { session, startedAtMs } = this.begin();
    this.session = session;
    this.startedAtMs = startedAtMs;
    active = this;
  }

  /** begin starts a profile in a new session. */
  private begin(): { session: InspectorSession; startedAtMs: number } {
    const session = new InspectorSession();
    try {
      session.call('Profiler.enable');
      session.call('Profiler.setSamplingInterval', { interval: this.intervalMicros });
      if (this.bridged) {
        session.on<{ title?: string; profile: V8CpuProfile }>('Profiler.consoleProfileFinished', ({ title, profile }) => {
          if (title?.startsWith('tsprof-request-')) this.finished.set(title, profile);
        });
      }
      const startedAtMs = Date.now();
      session.call('Profiler.start');
      return { session, startedAtMs };
    } catch (err) {
      disconnectQuietly(session);
      throw err;
    }
  }

  /**
   * rotate ends the current interval's profile and returns it, the next one
   * having started at once. Throws when not running.
   */
  rotate(): CpuProfileResult {
    const session = this.session;
    if (!session) throw new Error('the continuous CPU profiler is not running');
    if (!this.bridged) {
      const next = this.begin();
      const finished = { session, startedAtMs: this.startedAtMs };
      this.session = next.session;
      this.startedAtMs = next.startedAtMs;
      return end(finished.session, finished.startedAtMs);
    }
    const bridge = uniqueTitle('bridge');
    inspectorConsole.profile(bridge);
    try {
      const { profile } = session.call<{ profile: V8CpuProfile }>('Profiler.stop');
      const result = { profile, startedAtMs: this.startedAtMs };
      this.startedAtMs = Date.now();
      session.call('Profiler.start');
      return result;
    } finally {
      inspectorConsole.profileEnd(bridge);
    }
  }

  /**
   * profileFor samples the CPU for `seconds` beside the interval's profile
   * (no heap walk) and returns it; `signal` ends it early. Several may run at once.
   */
  async profileFor(seconds: number, signal?: AbortSignal): Promise<CpuProfileResult> {
    if (!this.session) throw new Error('the continuous CPU profiler is not running');
    if (!this.bridged) {
      const own = this.begin();
      await sleepUnlessAborted(seconds * 1000, signal, { unref: true });
      return end(own.session, own.startedAtMs);
    }
    const title = uniqueTitle('request');
    const startedAtMs = Date.now();
    inspectorConsole.profile(title);
    try {
      await sleepUnlessAborted(seconds * 1000, signal, { unref: true });
    } finally {
      inspectorConsole.profileEnd(title);
    }
    const profile = this.finished.get(title);
    this.finished.delete(title);
    if (!profile) throw new Error('the CPU profile was lost: the continuous profiler stopped while it ran');
    return { profile, startedAtMs };
  }

  /** stop ends the current profile and returns it; undefined when not running. */
  stop(): CpuProfileResult | undefined {
    const session = this.session;
    if (!session) return undefined;
    this.session = undefined;
    if (active === this) active = undefined;
    return end(session, this.startedAtMs);
  }
}

/** end stops the session's profile and disconnects it. */
function end(session: InspectorSession, startedAtMs: number): CpuProfileResult {
  try {
    const { profile } = session.call<{ profile: V8CpuProfile }>('Profiler.stop');
    return { profile, startedAtMs };
  } finally {
    disconnectQuietly(session);
  }
}

function disconnectQuietly(session: InspectorSession): void {
  try {
    session.disconnect();
  } catch {
    // Disconnecting a broken session has nothing left to clean.
  }
}
