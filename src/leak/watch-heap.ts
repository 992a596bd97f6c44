import { TsprofError, errorMessage } from '../errors.js';
import { parseProfileBytes } from '../source/load-profile.js';
import { getBytes, heapProfileUrl, type AgentRequestOptions } from './agent-client.js';
import type { HeapObservation } from './heap-observation.js';
import { heapObservationFromProfile } from './profile-observation.js';
import { isRuntimeFrame } from '../profile/runtime-frame.js';
import { siteIndex } from './site-series.js';
import { StackInterner } from './stack-interner.js';
import { sleepUnlessAborted } from '../timing/abortable-sleep.js';

/** WatchProgress is what a live progress line shows after each heap profile. */
export interface WatchProgress {
  readings: number;
  elapsedMs: number;
  durationMs: number;
  totalBytes: number;
  /** firstTotalBytes is the total at the first reading, to show the change. */
  firstTotalBytes: number;
  /** leader is the function whose in-use bytes rose most since the first reading, if any rose. */
  leader?: { functionName: string; gainedBytes: number };
  /** The readings so far (the watch's own list: read it, do not keep or change it). */
  observations: readonly HeapObservation[];
}

/** Clock is the time seam of watchHeap, so tests can drive it. */
export interface Clock {
  now(): number;
  /** sleep resolves after ms, or early when signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** systemClock is the real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepUnlessAborted(ms, signal),
};

/** WatchHeapOptions configure one watch of a heap profile endpoint. */
export interface WatchHeapOptions extends AgentRequestOptions {
  url: string;
  intervalMs: number;
  /** durationMs of the watch; Infinity watches until signal aborts. */
  durationMs: number;
  /** gc asks the agent to collect garbage before each profile (default true). */
  gc?: boolean;
  /** sampleType to read (default inuse_space). */
  sampleType?: string;
  /** signal ends the watch early (Ctrl-C); what was gathered is still returned. */
  signal?: AbortSignal;
  onProgress?: (progress: WatchProgress) => void;
  /**
   * beforeWatch runs once the endpoint has answered with a heap profile (so a
   * wrong URL fails fast), e.g. to take the first heap snapshot. That can take
   * seconds and pauses the target, so the watch then starts afresh: that first
   * profile is dropped and the time grid begins after it.
   */
  beforeWatch?: () => Promise<void>;
  clock?: Clock;
}

/** WatchResult is the series of observations and how the watch ended. */
export interface WatchResult {
  observations: HeapObservation[];
  /** stoppedEarly says why the watch ended before its duration: 'interrupted' or the error of a later poll. */
  stoppedEarly?: string;
}

/**
 * watchHeap polls a heap profile endpoint every intervalMs for durationMs and
 * returns the observations. Each observation is timed by this machine's clock
 * at the midpoint of its request, so agent clocks and request latency do not
 * skew slopes. The first poll failing is an error (wrong URL, no agent, not a
 * heap profile); a later one failing ends the watch with what it has, since
 * a dying target is exactly when the report is wanted.
 */
export async function watchHeap(options: WatchHeapOptions): Promise<WatchResult> {
  const clock = options.clock ?? systemClock;
  const url = heapProfileUrl(options.url, options.gc ?? true);
  const observations: HeapObservation[] = [];
  const interner = new StackInterner();
  let start = clock.now();
  let slot = 0;
  let stoppedEarly: string | undefined;
  let setUp = options.beforeWatch === undefined;
  for (;;) {
    if (options.signal?.aborted) {
      stoppedEarly = 'interrupted';
      break;
    }
    const before = clock.now();
    let observation: HeapObservation;
    try {
      const bytes = await getBytes(url, options);
      const profile = parseProfileBytes(bytes, url.href);
      observation = heapObservationFromProfile(profile, url.href, {
        timeMs: Math.round((before + clock.now()) / 2),
        interner,
        ...(options.sampleType !== undefined ? { sampleType: options.sampleType } : {}),
      });
    } catch (err) {
      if (observations.length === 0) throw err instanceof TsprofError ? err : new TsprofError(`${url.href}: ${errorMessage(err)}`);
      stoppedEarly = errorMessage(err);
      break;
    }
    if (!setUp) {
      await options.beforeWatch!();
      setUp = true;
      start = clock.now();
      continue;
    }
    observations.push(observation);
    if (options.onProgress) {
      const total = (o: HeapObservation) => o.samples.reduce((sum, s) => sum + s.bytes, 0);
      const leader = leaderSince(observations[0]!, observation);
      options.onProgress({
        readings: observations.length,
        elapsedMs: clock.now() - start,
        durationMs: options.durationMs,
        totalBytes: total(observation),
        firstTotalBytes: total(observations[0]!),
        ...(leader ? { leader } : {}),
        observations,
      });
    }
    // Readings are on a fixed grid from the start, so a slow request does not
    // stretch the window; slots a slow request overran are skipped rather than
    // caught up with back-to-back requests, which would bunch the readings.
    slot++;
    while (start + slot * options.intervalMs < clock.now()) slot++;
    if (slot * options.intervalMs > options.durationMs) break;
    await clock.sleep(Math.max(0, start + slot * options.intervalMs - clock.now()), options.signal);
  }
  return stoppedEarly === undefined ? { observations } : { observations, stoppedEarly };
}

/** leaderSince is a quick first-to-now comparison by allocating function, for the progress line (the verdicts come at the end). */
function leaderSince(first: HeapObservation, now: HeapObservation): WatchProgress['leader'] {
  const bySite = (o: HeapObservation) => {
    const bytes = new Map<string, number>();
    for (const sample of o.samples) {
      const name = sample.stack[siteIndex(sample.stack, isRuntimeFrame)]?.functionName ?? '';
      bytes.set(name, (bytes.get(name) ?? 0) + sample.bytes);
    }
    return bytes;
  };
  const before = bySite(first);
  let leader: WatchProgress['leader'];
  for (const [functionName, bytes] of bySite(now)) {
    const gainedBytes = bytes - (before.get(functionName) ?? 0);
    if (gainedBytes > 0 && (!leader || gainedBytes > leader.gainedBytes)) leader = { functionName: functionName || '(anonymous)', gainedBytes };
  }
  return leader;
}
