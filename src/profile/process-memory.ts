/**
 * A process's memory beside its heap profile. A V8 heap profile sees only the
 * V8 heap; Node keeps Buffer and ArrayBuffer backing stores and, from Node 24,
 * large strings decoded from Buffers (external strings) outside it. The agent
 * writes the process's figures into every heap profile as one comment line, so
 * `go tool pprof` shows the same report as before (comments only with
 * -comments) and tsprof's watch can judge the memory outside the heap too.
 *
 *   tsprof.memory heapUsed=41943040 external=45088768 arrayBuffers=1048576 rss=134217728 heapLimit=4345298944
 *
 * heapLimit (V8's heap_size_limit) and memoryLimit (the container's cgroup limit) are written where known,
 * so the watch can say when the growth reaches them.
 */

/** ProcessMemory is process.memoryUsage() as a heap profile carries it (bytes). */
export interface ProcessMemory {
  heapUsed: number;
  /** external: memory of C++ objects bound to JS (external strings, Buffer and ArrayBuffer backing stores). */
  external: number;
  /** arrayBuffers: the part of external that ArrayBuffers and Buffers hold. */
  arrayBuffers: number;
  rss: number;
  /** The V8 heap's limit (heap_size_limit), where the process said it. */
  heapLimit?: number;
  /** The container's memory limit (cgroup), where there is one. */
  memoryLimit?: number;
}

const prefix = 'tsprof.memory ';
const fields = ['heapUsed', 'external', 'arrayBuffers', 'rss'] as const;

/** formatProcessMemory writes the comment line. */
export function formatProcessMemory(memory: ProcessMemory): string {
  const limits = optionalFields.filter((f) => memory[f] !== undefined).map((f) => ` ${f}=${Math.round(memory[f]!)}`);
  return prefix + fields.map((f) => `${f}=${Math.round(memory[f])}`).join(' ') + limits.join('');
}

/** Fields a line may carry or not (older agents wrote none). */
const optionalFields = ['heapLimit', 'memoryLimit'] as const;

/** processMemoryOf finds the comment line among a profile's comments; undefined when there is none or it is broken. */
export function processMemoryOf(comments: readonly string[]): ProcessMemory | undefined {
  const line = comments.find((c) => c.startsWith(prefix));
  if (line === undefined) return undefined;
  const values = new Map<string, number>();
  for (const pair of line.slice(prefix.length).trim().split(/\s+/)) {
    const eq = pair.indexOf('=');
    const value = Number(pair.slice(eq + 1));
    if (eq > 0 && Number.isFinite(value) && value >= 0) values.set(pair.slice(0, eq), value);
  }
  if (!fields.every((f) => values.has(f))) return undefined;
  const memory: ProcessMemory = { heapUsed: values.get('heapUsed')!, external: values.get('external')!, arrayBuffers: values.get('arrayBuffers')!, rss: values.get('rss')! };
  for (const f of optionalFields) if (values.has(f)) memory[f] = values.get(f)!;
  return memory;
}
