import { TsprofError, errorMessage } from '../errors.js';
import { appFramesOf } from '../profile/agent-self.js';
import { decodeProfile } from '../profile/decode.js';
import { processMemoryOf } from '../profile/process-memory.js';
import type { Profile } from '../profile/profile.js';

/** AllocationSite is where most in-use memory was allocated, as the demo explains it. */
export interface AllocationSite {
  /** The application function closest to the allocation that holds most in-use bytes. */
  functionName: string;
  file: string;
  /** The line in that function where the allocation happened (the heaviest one). */
  line: number;
  /** Share of in-use bytes with this function on the stack (pprof's cum). */
  cumShare: number;
  /** The function that called it, for most of those bytes. */
  caller: string | undefined;
  /** What it called to allocate (e.g. Buffer's toString), when that call holds a quarter or more of those bytes; undefined when it allocated them itself. */
  callee: string | undefined;
}

/** HeapFigures is what the demo reads from one heap profile of the agent. */
export interface HeapFigures {
  inuseBytes: number;
  /**
   * externalBytes is the process's memory outside the V8 heap when the profile
   * was taken (the agent writes it beside every heap profile): on Node 24+ the
   * story's ~1 MB responses are external strings, which the heap profile misses.
   */
  externalBytes: number;
  site: AllocationSite | undefined;
}

interface Frame {
  name: string;
  file: string;
  line: number;
}

/**
 * readHeapFigures decodes a heap profile (gzip or raw pprof) and finds the
 * in-use total (without the agent's own allocations, which the profile names
 * in its `tsprof.self` line) and the allocation site to blame: among the functions of the
 * application (not node: internals, not node_modules) holding at least half
 * of the in-use bytes, the one nearest the allocation.
 */
export function readHeapFigures(bytes: Uint8Array, sourceName: string): HeapFigures {
  // The CLI's own decoder: gzip sniffing, bounded decompression, validation and one-line errors.
  let profile: Profile;
  try {
    profile = decodeProfile(bytes, sourceName);
  } catch (err) {
    const detail = errorMessage(err).replace(`${sourceName}: `, '');
    throw new TsprofError(`${sourceName}: not a heap profile: ${detail}`);
  }
  const index = profile.sampleTypes.findIndex((t) => t.type === 'inuse_space');
  if (index < 0) throw new TsprofError(`${sourceName}: the profile has no inuse_space values`);
  const framesOf = profile.locations.map((location) =>
    location.lines.map((l): Frame => ({ name: l.function.name, file: l.function.filename, line: l.line })),
  );
  // The agent's own allocations (its source-map cache warming up, the profile it is
  // building) are the profiler's, not the service's: a flat fixed mode stays flat.
  // Nor are the agent's wrappers the app called through (Buffer#toString, sampled for external strings).
  const appFrames = appFramesOf(profile.comments);
  const { count, valueCount, values, locationStarts, locationIndexes } = profile.samples;
  let total = 0;
  const cum = new Map<string, number>();
  const depth = new Map<string, number>(); // byte-weighted distance from the allocation
  const stacks: { value: number; frames: Frame[] }[] = [];
  for (let i = 0; i < count; i++) {
    const value = values[i * valueCount + index]!;
    const all: Frame[] = [];
    for (let j = locationStarts[i]!; j < locationStarts[i + 1]!; j++) all.push(...framesOf[locationIndexes[j]!]!);
    const frames = appFrames(all);
    if (!frames) continue;
    total += value;
    stacks.push({ value, frames });
    const seen = new Set<string>();
    frames.forEach((frame, k) => {
      if (seen.has(frame.name)) return;
      seen.add(frame.name);
      cum.set(frame.name, (cum.get(frame.name) ?? 0) + value);
      depth.set(frame.name, (depth.get(frame.name) ?? 0) + value * k);
    });
  }
  const externalBytes = processMemoryOf(profile.comments)?.external ?? 0;
  if (total <= 0) return { inuseBytes: 0, externalBytes, site: undefined };
  const isApplication = (f: Frame) => f.file !== '' && !f.file.startsWith('node:') && !f.file.includes('node_modules') && !f.name.startsWith('(');
  const candidates = new Set(stacks.flatMap((s) => s.frames.filter(isApplication).map((f) => f.name)));
  let best: string | undefined;
  for (const name of candidates) {
    const bytes = cum.get(name)!;
    if (bytes < total / 2) continue;
    if (best === undefined || depth.get(name)! / bytes < depth.get(best)! / cum.get(best)!) best = name;
  }
  if (best === undefined) return { inuseBytes: total, externalBytes, site: undefined };
  const lines = new Map<string, number>();
  const callers = new Map<string, number>();
  const callees = new Map<string, number>();
  let file = '';
  for (const { value, frames } of stacks) {
    const k = frames.findIndex((f) => f.name === best);
    if (k < 0) continue;
    file = frames[k]!.file;
    bump(lines, String(frames[k]!.line), value);
    if (k + 1 < frames.length) bump(callers, frames[k + 1]!.name, value);
    // Bytes allocated by the function itself count against any callee.
    bump(callees, k > 0 ? frames[k - 1]!.name : '', value);
  }
  return {
    inuseBytes: total,
    externalBytes,
    site: {
      functionName: best,
      file,
      line: Number(heaviest(lines) ?? 0),
      cumShare: cum.get(best)! / total,
      caller: heaviest(callers),
      callee: allocatingCallee(callees),
    },
  };
}

/**
 * allocatingCallee names what the function called to allocate: the heaviest
 * callee, if it holds a quarter or more of the function's bytes. The bytes the
 * function "allocated itself" often are that same call inlined by the JIT (V8
 * then reports no callee frame), so they do not outvote it.
 */
function allocatingCallee(callees: Map<string, number>): string | undefined {
  let total = 0;
  for (const value of callees.values()) total += value;
  const named = new Map([...callees].filter(([name]) => name !== ''));
  const best = heaviest(named);
  return best !== undefined && named.get(best)! >= total / 4 ? best : undefined;
}

function bump(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

function heaviest(map: Map<string, number>): string | undefined {
  let best: string | undefined;
  for (const [key, value] of map) if (best === undefined || value > map.get(best)!) best = key;
  return best;
}
