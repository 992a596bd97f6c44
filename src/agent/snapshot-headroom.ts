import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

/** MemoryFigures is what deciding whether a heap snapshot is safe needs (bytes; undefined: no limit known). */
export interface MemoryFigures {
  heapUsed: number;
  rss: number;
  /** The container's memory limit (cgroup), if any. */
  memoryLimit: number | undefined;
  /** Memory the machine has free. */
  freeMemory: number;
}

/**
 * snapshotRefusal says why a heap snapshot would put the process at risk, or
 * undefined when it is safe. Taking one pauses the process while V8 walks the
 * heap and builds, outside the heap, a graph of every object and edge: about
 * as much memory again as the heap uses. So the process needs that much room
 * under its container's limit (else the kernel kills it mid-snapshot) or, with
 * no limit, in the machine's free memory.
 */
export function snapshotRefusal(m: MemoryFigures): string | undefined {
  const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
  const needed = m.heapUsed;
  if (m.memoryLimit !== undefined && m.rss + needed > 0.9 * m.memoryLimit) {
    return `a heap snapshot needs about ${mb(needed)} besides the heap, and the process uses ${mb(m.rss)} of its container's ${mb(m.memoryLimit)} limit: it could be killed mid-snapshot; ?force=1 takes it anyway`;
  }
  if (m.memoryLimit === undefined && needed > m.freeMemory) {
    return `a heap snapshot needs about ${mb(needed)} besides the heap, and the machine has ${mb(m.freeMemory)} free; ?force=1 takes it anyway`;
  }
  return undefined;
}

/** currentMemoryFigures reads this process's figures and its cgroup's limit (v2, then v1). */
export function currentMemoryFigures(): MemoryFigures {
  const usage = process.memoryUsage();
  return { heapUsed: getHeapStatistics().used_heap_size, rss: usage.rss, memoryLimit: cgroupMemoryLimit(), freeMemory: freemem() };
}

/** cgroupMemoryLimit is the container's memory limit in bytes, or undefined when there is none (or it cannot be read). */
export function cgroupMemoryLimit(read: (path: string) => string = (p) => readFileSync(p, 'utf8')): number | undefined {
  for (const path of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    let text: string;
    try {
      text = read(path).trim();
    } catch {
      continue;
    }
    if (text === 'max') return undefined;
    const value = Number(text);
    // cgroup v1 writes "no limit" as a huge number (page-rounded 2^63).
    if (Number.isFinite(value) && value > 0 && value < 2 ** 60) return value;
    return undefined;
  }
  return undefined;
}
