import type { ProcessMemory } from '../profile/process-memory.js';

/** Frame is one stack frame of an allocation, as the heap profile names it. */
export interface Frame {
  functionName: string;
  file: string;
  line: number;
}

/** HeapSample is in-use memory attributed to one call stack (leaf first). */
export interface HeapSample {
  stack: readonly Frame[];
  bytes: number;
  /** objects in use for this stack (the matching *_objects value), 0 when the profile has none. */
  objects: number;
}

/**
 * HeapObservation is one heap profile reduced to what trends need: when it
 * was taken and in-use bytes per stack. It keeps the leak engine independent
 * of how profiles are fetched and decoded.
 */
export interface HeapObservation {
  timeMs: number;
  samples: readonly HeapSample[];
  /**
   * samplingPeriodBytes is the profiler's mean sampling interval in bytes
   * (512 KiB for V8's and Go's defaults), 0 when unknown. Estimates move in
   * steps of about this size, so growth smaller than a few of them is noise.
   */
  samplingPeriodBytes?: number;
  /**
   * memory is the process's memory when the profile was taken, where the
   * profile carries it (the tsprof agent's do): the heap profile sees only the
   * V8 heap, and external memory (Buffers, and on Node 24+ large strings
   * decoded from them) can grow while it stays flat.
   */
  memory?: ProcessMemory;
}
