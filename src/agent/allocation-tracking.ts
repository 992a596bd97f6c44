import { InspectorSession } from './inspector-session.js';

/** How long allocation tracking stays on when the client names no limit: it costs the host. */
export const defaultTrackingMs = 10 * 60_000;

/**
 * AllocationTracking runs V8's allocation tracker for a watch window
 * (HeapProfiler.startTrackingHeapObjects with trackAllocations): while on, V8
 * records the JavaScript stack of every allocation, so the heap snapshot that
 * ends it names where each object new since the start was allocated, the
 * external strings of Node 24+ included, which the sampling heap profiler
 * does not see. It costs the host on every allocation, so it is on only when
 * asked (`/debug/pprof/heapsnapshot?track=start`), ends with the snapshot that
 * reads it (`?track=stop`), and ends by itself after its time limit.
 *
 * It has its own inspector session: V8 stops a session's tracking when that
 * session disconnects, which is how the time limit ends it.
 */
export class AllocationTracking {
  private session: InspectorSession | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** active tells whether allocations are being tracked now. */
  get active(): boolean {
    return this.session !== undefined;
  }

  /** start begins tracking for at most limitMs (restarting the limit when already on). Throws when V8 refuses. */
  start(limitMs: number = defaultTrackingMs): void {
    if (!this.session) {
      const session = new InspectorSession();
      try {
        session.call('HeapProfiler.enable');
        session.call('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
      } catch (err) {
        session.disconnect();
        throw err;
      }
      this.session = session;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.cancel(), limitMs);
    this.timer.unref();
  }

  /**
   * stopWithSnapshot ends tracking and returns the heap snapshot V8 takes as it
   * does, with the allocation traces, as the JSON chunks V8 wrote (the whole
   * snapshot is in memory until sent).
   */
  stopWithSnapshot(): string[] {
    const session = this.session;
    if (!session) throw new Error('allocation tracking is not on');
    const chunks: string[] = [];
    session.on<{ chunk: string }>('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
    try {
      session.call('HeapProfiler.stopTrackingHeapObjects', { reportProgress: false });
    } finally {
      this.cancel();
    }
    return chunks;
  }

  /** cancel ends tracking without a snapshot. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.session?.disconnect();
    this.session = undefined;
  }
}
