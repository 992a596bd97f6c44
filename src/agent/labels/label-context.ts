import { AsyncLocalStorage, createHook, type AsyncHook } from 'node:async_hooks';
import type { StringLabels } from '../../source/v8-pprof-builder.js';

/** LabelSet is one set of sample labels, e.g. `{ route: '/checkout' }`. */
export type LabelSet = Readonly<Record<string, string>>;

/** Label sets the agent tells apart; beyond this, new ones share one overflow set (a bound on memory). */
const maxLabelSets = 10_000;
/** Transitions remembered (a ring): about 3 MB; older ones are forgotten and their samples go unlabelled. */
const timelineCapacity = 1 << 18;

const overflowSet: LabelSet = { tsprof_labels: 'overflow' };

/**
 * The label tracking of this thread. V8's CPU profiler records, per sample, a
 * stack and a time, nothing of the JavaScript context; so the agent records
 * *when* each label set became current on the thread (a timeline of
 * transitions, on V8's clock), and the conversion to pprof looks each sample's
 * time up in it. An AsyncLocalStorage carries the set through `await`, timers
 * and callbacks; an async hook's `before` notes the set of each callback as it
 * starts running. That hook on every callback (promise reactions included) is
 * the cost, so tracking is off until the agent turns it on.
 */
class LabelTimeline {
  readonly storage = new AsyncLocalStorage<number>();
  private readonly sets: LabelSet[] = [{}];
  private readonly ids = new Map<string, number>([['{}', 0]]);
  private readonly times = new Float64Array(timelineCapacity);
  private readonly setIds = new Uint32Array(timelineCapacity);
  private written = 0;
  private current = 0;
  private hook: AsyncHook | undefined;
  private users = 0;
  /** V8's profile clock (µs) minus performance.now() × 1000, measured when tracking starts. */
  private clockOffsetMicros = 0;

  get tracking(): boolean {
    return this.hook !== undefined;
  }

  /** start turns tracking on (counted: each agent that wants it calls start, and stop when done). */
  start(): void {
    if (this.users++ > 0) return;
    // V8 timestamps its samples with the monotonic clock in µs; performance.now() reads the same clock from another origin.
    this.clockOffsetMicros = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
    const storage = this.storage;
    this.hook = createHook({
      before: () => this.note(storage.getStore() ?? 0),
    }).enable();
  }

  /** stop turns tracking off when the last user stops. */
  stop(): void {
    if (this.users === 0 || --this.users > 0) return;
    this.hook?.disable();
    this.hook = undefined;
  }

  /** idOf interns a label set. */
  idOf(labels: LabelSet): number {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let id = this.ids.get(key);
    if (id === undefined) {
      if (this.sets.length >= maxLabelSets) return this.idOf(overflowSet);
      id = this.sets.length;
      this.sets.push(Object.freeze({ ...labels }));
      this.ids.set(key, id);
    }
    return id;
  }

  /** setOf is the label set of an id. */
  setOf(id: number): LabelSet {
    return this.sets[id] ?? {};
  }

  /** note records that the set `id` is current from now on (only changes are written). */
  note(id: number): void {
    if (id === this.current) return;
    this.current = id;
    const at = this.written++ % timelineCapacity;
    this.times[at] = performance.now() * 1000 + this.clockOffsetMicros;
    this.setIds[at] = id;
  }

  /**
   * lookup returns a function from a sample's time (µs, V8's clock) to its
   * label set id, for samples from `fromMicros` on, asked in increasing time
   * order (as V8 lists them). Samples older than the oldest transition kept get 0.
   */
  lookup(fromMicros: number): (micros: number) => number {
    const written = this.written;
    const count = Math.min(written, timelineCapacity);
    const first = written - count;
    const timeAt = (n: number) => this.times[n % timelineCapacity]!;
    const oldest = count > 0 ? timeAt(first) : Infinity;
    // The last transition at or before fromMicros, by binary search over the ring's order.
    let lo = first;
    let hi = written;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (timeAt(mid) <= fromMicros) lo = mid + 1;
      else hi = mid;
    }
    let next = lo;
    let id = lo > first ? this.setIds[(lo - 1) % timelineCapacity]! : 0;
    return (micros) => {
      if (micros < oldest) return 0;
      while (next < written && timeAt(next) <= micros) {
        id = this.setIds[next % timelineCapacity]!;
        next++;
      }
      return id;
    };
  }
}

/** The timeline of this thread (one per module instance: workers have their own). */
export const labelTimeline = new LabelTimeline();

/**
 * withLabels runs fn with these labels added to the current ones; the CPU
 * samples taken while fn and everything it starts run (through `await`,
 * timers, callbacks) carry them as pprof sample labels, so `-tagfocus`,
 * tsprof's UI and Pyroscope's label filters work. It returns what fn returns.
 * While the agent's label tracking is off (the default: it costs a hook on
 * every async callback, see BENCHMARKS.md), it just calls fn.
 */
export function withLabels<T>(labels: Record<string, string>, fn: () => T): T {
  if (!labelTimeline.tracking) return fn();
  const outer = labelTimeline.storage.getStore() ?? 0;
  const merged = outer === 0 ? labels : { ...labelTimeline.setOf(outer), ...labels };
  const id = labelTimeline.idOf(merged);
  labelTimeline.note(id);
  try {
    return labelTimeline.storage.run(id, fn);
  } finally {
    labelTimeline.note(outer);
  }
}

/**
 * sampleLabeler gives the conversion to pprof each sample's labels from its
 * time, for a profile that started at `startMicros` (V8's clock); undefined
 * while tracking is off. Equal sets are one object, as the conversion groups by them.
 */
export function sampleLabeler(startMicros: number): ((micros: number) => StringLabels | undefined) | undefined {
  if (!labelTimeline.tracking) return undefined;
  const idAt = labelTimeline.lookup(startMicros);
  const pairs = new Map<number, StringLabels>();
  return (micros) => {
    const id = idAt(micros);
    if (id === 0) return undefined;
    let labels = pairs.get(id);
    if (!labels) pairs.set(id, (labels = Object.entries(labelTimeline.setOf(id))));
    return labels;
  };
}

/** currentLabels are the labels withLabels set for the code running now ({} outside). */
export function currentLabels(): LabelSet {
  return labelTimeline.setOf(labelTimeline.storage.getStore() ?? 0);
}
