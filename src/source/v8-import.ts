import { TsprofError, errorMessage } from '../errors.js';
import { cpuProfileToPprof, type V8CpuNode, type V8CpuProfile } from './v8-cpu-profile.js';
import { plainFrameNamer, type V8CallFrame } from './v8-frames.js';
import { HeapSampleTable, heapTableToPprof, type V8HeapNode, type V8HeapProfile } from './v8-heap-profile.js';

/**
 * The sampling interval `node --heap-prof` uses unless told otherwise; the file
 * does not record it, and scaling needs it.
 */
export const defaultHeapProfileInterval = 512 * 1024;

/**
 * importV8Profile converts V8's own profile formats (.cpuprofile, .heapprofile)
 * to pprof. Returns the encoded (uncompressed) pprof bytes, or null when the
 * text is not a V8 profile. Throws TsprofError when it is one but is broken.
 */
export function importV8Profile(text: string, sourceName: string): Uint8Array | null {
  const kind = sniffV8Profile(text);
  if (kind === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TsprofError(`${sourceName}: broken V8 ${kind} profile: ${errorMessage(err)}`);
  }
  if (kind === 'CPU') return cpuProfileToPprof(checkCpuProfile(value, sourceName), { namer: plainFrameNamer }).encode();
  const heap = checkHeapProfile(value, sourceName);
  return heapTableToPprof(HeapSampleTable.fromV8(heap, defaultHeapProfileInterval), {
    kind: 'inuse',
    interval: defaultHeapProfileInterval,
    namer: plainFrameNamer,
    comments: ['converted from a V8 sampling heap profile; interval assumed 512 KiB (node --heap-prof default)'],
  }).encode();
}

/**
 * sniffV8Profile looks at the first keys only, so foreign input (pprof bytes,
 * other JSON) is rejected without parsing it.
 */
function sniffV8Profile(text: string): 'CPU' | 'heap' | null {
  const firstKey = /^\s*\{\s*"([A-Za-z]+)"\s*:/.exec(text.slice(0, 256))?.[1];
  if (firstKey === undefined || !v8ProfileKeys.has(firstKey)) return null;
  if (!text.includes('"callFrame"')) return null;
  if (/"nodes"\s*:\s*\[/.test(text)) return 'CPU';
  if (/"head"\s*:\s*\{/.test(text)) return 'heap';
  return null;
}

/** Top-level keys of V8 CPU and heap profiles, in any order tools write them. */
const v8ProfileKeys = new Set(['nodes', 'startTime', 'endTime', 'samples', 'timeDeltas', 'head']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkCallFrame(value: unknown, where: string): V8CallFrame {
  if (!isObject(value)) throw new TsprofError(`${where}: missing callFrame`);
  const { functionName, url, lineNumber, columnNumber } = value;
  if (typeof functionName !== 'string' || typeof url !== 'string' || typeof lineNumber !== 'number' || typeof columnNumber !== 'number') {
    throw new TsprofError(`${where}: callFrame needs functionName, url, lineNumber and columnNumber`);
  }
  return value as unknown as V8CallFrame;
}

function checkCpuProfile(value: unknown, source: string): V8CpuProfile {
  const broken = (problem: string) => new TsprofError(`${source}: broken V8 CPU profile: ${problem}`);
  if (!isObject(value) || !Array.isArray(value.nodes)) throw broken('no "nodes" array');
  if (typeof value.startTime !== 'number' || typeof value.endTime !== 'number') throw broken('startTime and endTime must be numbers');
  const ids = new Set<number>();
  for (const [i, node] of value.nodes.entries()) {
    if (!isObject(node) || typeof node.id !== 'number') throw broken(`node ${i} has no numeric id`);
    if (ids.has(node.id)) throw broken(`node id ${node.id} appears twice`);
    ids.add(node.id);
    try {
      checkCallFrame(node.callFrame, `node ${node.id}`);
    } catch (err) {
      throw broken(errorMessage(err));
    }
    if (node.children !== undefined && !(Array.isArray(node.children) && node.children.every((c) => typeof c === 'number'))) {
      throw broken(`node ${node.id}: children must be an array of node ids`);
    }
    if (node.positionTicks !== undefined && !(Array.isArray(node.positionTicks) && node.positionTicks.every((t) => isObject(t) && typeof t.line === 'number' && typeof t.ticks === 'number'))) {
      throw broken(`node ${node.id}: positionTicks must be {line, ticks} pairs`);
    }
  }
  for (const node of value.nodes as V8CpuNode[]) {
    for (const child of node.children ?? []) if (!ids.has(child)) throw broken(`node ${node.id} has unknown child ${child}`);
  }
  const samples = value.samples;
  const deltas = value.timeDeltas;
  if (samples !== undefined) {
    if (!Array.isArray(samples)) throw broken('"samples" must be an array');
    for (const id of samples) if (!ids.has(id as number)) throw broken(`sample refers to unknown node ${String(id)}`);
    if (!Array.isArray(deltas) || deltas.length !== samples.length || !deltas.every((d) => typeof d === 'number')) {
      throw broken('"timeDeltas" must be numbers, one per sample');
    }
  }
  return value as unknown as V8CpuProfile;
}

function checkHeapProfile(value: unknown, source: string): V8HeapProfile {
  const broken = (problem: string) => new TsprofError(`${source}: broken V8 heap profile: ${problem}`);
  if (!isObject(value) || !isObject(value.head)) throw broken('no "head" node');
  const ids = new Set<number>();
  const pending: unknown[] = [value.head];
  while (pending.length > 0) {
    const node = pending.pop();
    if (!isObject(node) || typeof node.id !== 'number' || typeof node.selfSize !== 'number' || !Array.isArray(node.children)) {
      throw broken('every node needs id, selfSize and children');
    }
    try {
      checkCallFrame(node.callFrame, `node ${node.id}`);
    } catch (err) {
      throw broken(errorMessage(err));
    }
    ids.add(node.id);
    pending.push(...(node.children as V8HeapNode[]));
  }
  if (value.samples !== undefined) {
    if (!Array.isArray(value.samples)) throw broken('"samples" must be an array');
    for (const s of value.samples) {
      if (!isObject(s) || typeof s.size !== 'number' || typeof s.nodeId !== 'number') throw broken('every sample needs size and nodeId');
      if (!ids.has(s.nodeId)) throw broken(`sample refers to unknown node ${s.nodeId}`);
    }
  }
  return value as unknown as V8HeapProfile;
}
