/**
 * Sampling the allocations of memory outside the V8 heap. V8's sampling heap
 * profiler sees only the V8 heap; a Buffer's bytes live in an ArrayBuffer
 * backing store outside it, so a leak of Buffers shows as growing `external`
 * memory with no allocation site. When enabled (explicitly: it wraps Node's
 * Buffer allocation functions), the agent samples those allocations as V8
 * samples the heap: an allocation of s bytes is sampled with probability
 * 1 − e^(−s/I) (a Poisson process over bytes with mean interval I), its stack
 * is recorded, and the sample counts as long as its ArrayBuffer is alive
 * (a FinalizationRegistry drops it when collected). The estimate of what a
 * sample stands for is Go's, as for the heap (v8-heap-sample-size.ts).
 *
 * Cost: one Math.random() per Buffer allocation, and a stack capture per
 * sample (about one per I bytes allocated outside the heap); measured in
 * bench/agent-external-sampler.ts.
 */

/** One call frame of a sampled stack, as V8's stack trace gives it (one-based line and column). */
export interface ExternalFrame {
  functionName: string;
  /** The script's URL or path, as in V8's stack traces. */
  url: string;
  line: number;
  column: number;
}

/** A live sampled stack: its frames (leaf first) and the samples alive by object size. */
export interface ExternalStack {
  frames: ExternalFrame[];
  /** What the allocation called: `Buffer.allocUnsafeSlow`, `Buffer.concat`, … */
  via: string;
  /** Object size in bytes → live samples of that size. */
  samplesBySize: Map<number, number>;
}

/** The Buffer factories wrapped, by name. */
const wrapped = ['alloc', 'allocUnsafe', 'allocUnsafeSlow', 'from', 'concat', 'copyBytesFrom'] as const;

/** Frames kept per sample. */
const stackDepth = 32;

/**
 * ExternalSampler wraps Buffer's factories while started. One per process
 * (the agent's runtime holds it); start and stop are idempotent, and stop
 * puts the original functions back.
 */
export class ExternalSampler {
  readonly stacks = new Map<string, ExternalStack>();
  /** When sampling started (ms since the epoch), undefined when stopped. */
  startedAt: number | undefined;
  private originals = new Map<string, (...args: unknown[]) => unknown>();
  private readonly registry = new FinalizationRegistry<{ key: string; size: number }>((held) => this.forget(held.key, held.size));

  constructor(readonly interval: number = 512 * 1024) {}

  start(): void {
    if (this.startedAt !== undefined) return;
    this.startedAt = Date.now();
    const buffer = Buffer as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const name of wrapped) {
      const original = buffer[name];
      if (typeof original !== 'function') continue;
      this.originals.set(name, original);
      const sampler = this;
      // A plain function keeps `this` (Buffer) and the arguments as the caller gave them; `arguments`
      // passed straight to apply stays on V8's fast path (no array is made).
      const wrapper = function (this: unknown) {
        // eslint-disable-next-line prefer-rest-params
        const result = original.apply(this, arguments as unknown as unknown[]);
        sampler.observe(result, name, arguments[0]);
        return result;
      };
      Object.defineProperty(wrapper, 'name', { value: name });
      buffer[name] = wrapper;
    }
  }

  stop(): void {
    if (this.startedAt === undefined) return;
    const buffer = Buffer as unknown as Record<string, unknown>;
    for (const [name, original] of this.originals) buffer[name] = original;
    this.originals.clear();
    this.startedAt = undefined;
  }

  /** observe samples one allocation's result, by its bytes. Never throws into the allocating code. */
  private observe(result: unknown, via: string, args0: unknown): void {
    try {
      if (!(result instanceof Uint8Array)) return;
      // Decide on the length first: reading `.buffer` can make V8 create the ArrayBuffer object.
      const size = result.byteLength;
      if (size === 0 || Math.random() >= 1 - Math.exp(-size / this.interval)) return;
      // Small Buffers share Node's 8 KiB pool, and Buffer.from(arrayBuffer) is a view of memory
      // allocated before: only a Buffer that is its whole, new store is an allocation of its own.
      const store = result.buffer;
      if (result.byteOffset !== 0 || store.byteLength !== size || viewsExisting(via, args0)) return;
      const frames = captureFrames();
      const key = `${via}\u0000${frames.map((f) => `${f.functionName}\u0001${f.url}\u0001${f.line}\u0001${f.column}`).join('\u0000')}`;
      let stack = this.stacks.get(key);
      if (!stack) this.stacks.set(key, (stack = { frames, via: `Buffer.${via}`, samplesBySize: new Map() }));
      stack.samplesBySize.set(size, (stack.samplesBySize.get(size) ?? 0) + 1);
      this.registry.register(store, { key, size });
    } catch {
      // A sample lost is better than an error in the app.
    }
  }

  private forget(key: string, size: number): void {
    const stack = this.stacks.get(key);
    if (!stack) return;
    const left = (stack.samplesBySize.get(size) ?? 0) - 1;
    if (left > 0) stack.samplesBySize.set(size, left);
    else stack.samplesBySize.delete(size);
    if (stack.samplesBySize.size === 0) this.stacks.delete(key);
  }
}

/** viewsExisting: Buffer.from(arrayBuffer) wraps memory that exists already. */
function viewsExisting(via: string, first: unknown): boolean {
  return via === 'from' && (first instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && first instanceof SharedArrayBuffer));
}

/**
 * captureFrames reads the current stack from V8's structured call sites,
 * leaving out the sampler's own frames and the wrapper. The global
 * Error.prepareStackTrace and stackTraceLimit are set for the one capture and
 * put back at once (synchronously: nothing else runs in between).
 */
function captureFrames(): ExternalFrame[] {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  const holder: { stack?: unknown } = {};
  try {
    Error.stackTraceLimit = stackDepth + 2;
    Error.prepareStackTrace = (_error, sites) => sites;
    Error.captureStackTrace(holder, captureFrames);
    const sites = (holder.stack as NodeJS.CallSite[] | undefined) ?? [];
    // [0] is observe(), [1] the wrapper: the allocating code starts below them.
    return sites.slice(2).map((site) => ({
      functionName: site.getFunctionName() ?? site.getMethodName() ?? '',
      url: site.getFileName() ?? site.getScriptNameOrSourceURL() ?? '',
      line: site.getLineNumber() ?? 0,
      column: site.getColumnNumber() ?? 0,
    }));
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}
