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
 *
 * Large strings decoded from a Buffer are memory outside the heap too: Node
 * makes a string of more than EXTERN_APEX (0xFBEE9) bytes external for the
 * one-byte encodings (latin1, ascii, hex, base64) and UTF-16, and on Node 24+
 * for UTF-8 of ASCII contents, so the story's responses leave the V8 heap
 * profile there. The sampler also wraps Buffer#toString and samples its large
 * external results the same way, with the string's fingerprint
 * (string-fingerprint.ts). A string cannot be followed to its death from
 * JavaScript (a FinalizationRegistry takes objects only), so these samples
 * count as allocations, never as in use; the watch learns which of them are
 * still alive from its end heap snapshot, which names each string by its
 * first characters.
 */
import { stringFingerprint } from '../profile/string-fingerprint.js';

/** One call frame of a sampled stack, as V8's stack trace gives it (one-based line and column). */
export interface ExternalFrame {
  functionName: string;
  /** The script's URL or path, as in V8's stack traces. */
  url: string;
  line: number;
  column: number;
}

/** A sampled stack: its frames (leaf first), the samples alive by object size, and all its samples so far. */
export interface ExternalStack {
  frames: ExternalFrame[];
  /** What the allocation called: `Buffer.allocUnsafeSlow`, `Buffer.concat`, … */
  via: string;
  /** Object size in bytes → live samples of that size. */
  samplesBySize: Map<number, number>;
  /** Object size in bytes → samples of that size since sampling started, alive or not. */
  allocatedBySize: Map<number, number>;
}

/** One sampled external string's kind: its size in bytes, its fingerprint, and how many were sampled alike. */
export interface ExternalStringSample {
  size: number;
  fingerprint: string;
  count: number;
}

/** A stack that made external strings (Buffer#toString), with what it made (allocations: see above). */
export interface ExternalStringStack {
  frames: ExternalFrame[];
  via: string;
  /** By size and fingerprint. */
  samples: Map<string, ExternalStringSample>;
}

/** Node's EXTERN_APEX (src/string_bytes.cc): encoded results above this many bytes become external strings. */
const externApex = 0xfbee9;

/** Distinct (size, fingerprint) kinds kept per string stack; beyond them, samples count under the first kinds' sizes. */
const maxStringKinds = 256;

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
  readonly strings = new Map<string, ExternalStringStack>();
  /** Whether this Node makes external strings of UTF-8 (ASCII) decodes; probed at the first start. */
  private utf8External: boolean | undefined;
  private originalToString: ((...args: unknown[]) => unknown) | undefined;
  /** Wrapped calls running now: a factory that calls another (concat calls allocUnsafe) is one allocation, sampled once, as the outer one. */
  private depth = 0;
  /** When sampling started (ms since the epoch), undefined when stopped. */
  startedAt: number | undefined;
  private originals = new Map<string, (...args: unknown[]) => unknown>();
  private readonly registry = new FinalizationRegistry<{ key: string; size: number }>((held) => this.forget(held.key, held.size));

  constructor(readonly interval: number = 512 * 1024) {}

  start(): void {
    if (this.startedAt !== undefined) return;
    this.startedAt = Date.now();
    this.utf8External ??= utf8MakesExternalStrings();
    this.wrapToString();
    const buffer = Buffer as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const name of wrapped) {
      const original = buffer[name];
      if (typeof original !== 'function') continue;
      this.originals.set(name, original);
      const sampler = this;
      // A plain function keeps `this` (Buffer) and the arguments as the caller gave them; `arguments`
      // passed straight to apply stays on V8's fast path (no array is made).
      const wrapper = function (this: unknown) {
        let result: unknown;
        sampler.depth++;
        try {
          // eslint-disable-next-line prefer-rest-params
          result = original.apply(this, arguments as unknown as unknown[]);
        } finally {
          sampler.depth--;
        }
        // eslint-disable-next-line prefer-rest-params
        if (sampler.depth === 0) sampler.observe(result, name, arguments[0]);
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
    if (this.originalToString) (Buffer.prototype as unknown as WrappableToString).toString = this.originalToString;
    this.originalToString = undefined;
    this.startedAt = undefined;
  }

  /** wrapToString puts a sampling wrapper on Buffer#toString (the original is put back by stop). */
  private wrapToString(): void {
    const proto = Buffer.prototype as unknown as WrappableToString;
    const original = proto.toString;
    this.originalToString = original;
    const sampler = this;
    const toString = function (this: unknown) {
      // eslint-disable-next-line prefer-rest-params
      const result = original.apply(this, arguments as unknown as unknown[]);
      if (typeof result === 'string' && result.length > externApex / 2) sampler.observeString(result, arguments[0]);
      return result;
    };
    Object.defineProperty(toString, 'name', { value: 'toString' });
    Object.defineProperty(toString, 'length', { value: original.length });
    proto.toString = toString;
  }

  /** observeString samples one large string made by Buffer#toString, when Node made it external. Never throws. */
  private observeString(result: string, encoding: unknown): void {
    try {
      const kind = encodingKind(encoding);
      const size = kind === 'two-byte' ? 2 * result.length : result.length;
      if (size <= externApex || Math.random() >= 1 - Math.exp(-size / this.interval)) return;
      // UTF-8 is external only on a Node that makes it so, and only for ASCII contents (one byte a character).
      if (kind === 'utf8' && (!this.utf8External || Buffer.byteLength(result, 'utf8') !== result.length)) return;
      const frames = captureFrames();
      const key = stackKey(frames);
      let stack = this.strings.get(key);
      if (!stack) this.strings.set(key, (stack = { frames, via: 'Buffer#toString', samples: new Map() }));
      const fingerprint = stringFingerprint(result);
      const sampleKey = `${size}\u0000${fingerprint}`;
      let sample = stack.samples.get(sampleKey);
      if (!sample && stack.samples.size < maxStringKinds) stack.samples.set(sampleKey, (sample = { size, fingerprint, count: 0 }));
      (sample ?? stack.samples.values().next().value!).count++;
    } catch {
      // A sample lost is better than an error in the app.
    }
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
      const key = `${via}\u0000${stackKey(frames)}`;
      let stack = this.stacks.get(key);
      if (!stack) this.stacks.set(key, (stack = { frames, via: `Buffer.${via}`, samplesBySize: new Map(), allocatedBySize: new Map() }));
      stack.samplesBySize.set(size, (stack.samplesBySize.get(size) ?? 0) + 1);
      stack.allocatedBySize.set(size, (stack.allocatedBySize.get(size) ?? 0) + 1);
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
  }
}

/** stackKey is one string per distinct stack of frames. */
function stackKey(frames: readonly ExternalFrame[]): string {
  return frames.map((f) => `${f.functionName}\u0001${f.url}\u0001${f.line}\u0001${f.column}`).join('\u0000');
}

/** Buffer.prototype as the sampler sees it: a toString it may replace. */
interface WrappableToString {
  toString: (...args: unknown[]) => unknown;
}

/** encodingKind: how Node encodes a Buffer#toString result (the default is UTF-8). */
function encodingKind(encoding: unknown): 'utf8' | 'one-byte' | 'two-byte' {
  if (encoding === undefined || encoding === null) return 'utf8';
  const name = String(encoding).toLowerCase();
  if (name === 'utf8' || name === 'utf-8') return 'utf8';
  if (name === 'ucs2' || name === 'ucs-2' || name === 'utf16le' || name === 'utf-16le') return 'two-byte';
  return 'one-byte';
}

/**
 * utf8MakesExternalStrings tells whether this Node makes an external string
 * of a large ASCII UTF-8 decode (Node 24+ does; Node 20 copies it into the
 * heap), by decoding one and watching external memory.
 */
function utf8MakesExternalStrings(): boolean {
  try {
    const bytes = Buffer.alloc(externApex + 1, 0x61);
    // Nothing else runs between the readings, so external memory can only grow by the decode; a GC the
    // decode sets off may free other Buffers and hide the growth, so a negative answer is tried again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = process.memoryUsage().external;
      const decoded = bytes.toString('utf8');
      if (process.memoryUsage().external - before >= decoded.length / 2) return true;
    }
    return false;
  } catch {
    return false;
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
