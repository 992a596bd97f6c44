import { type AllocationFrame, isApplicationFrame } from './allocation-traces.js';
import { dominatorChildren } from './dominator-tree.js';
import type { HeapSnapshot } from './heap-snapshot.js';
import type { EarlierSnapshot } from './snapshot-digest.js';

/** AllocatedBy is one allocating stack of new objects and what it allocated that is still alive. */
export interface AllocatedBy {
  /** Leaf first, as V8's allocation tracker recorded it (the first of the merged paths). */
  stack: AllocationFrame[];
  bytes: number;
  count: number;
}

/**
 * allocationStacksUnder groups the objects that `node` alone keeps alive in
 * `end` (its dominator subtree), new since `start`, by the stack that
 * allocated them, largest first: where the memory an accumulation point
 * gained came from, and the bytes of new objects with no recorded stack. Empty
 * unless `end` was taken while V8 tracked allocations.
 */
export function allocationStacksUnder(start: EarlierSnapshot, end: HeapSnapshot, node: number, limit = 3): { stacks: AllocatedBy[]; untrackedBytes: number } {
  const traces = end.traces;
  const traceId = end.nodeTraceId;
  if (!traces || !traceId) return { stacks: [], untrackedBytes: 0 };
  // New objects V8 recorded no stack for (its tracker loses some as the GC moves them) are counted apart.
  let untrackedBytes = 0;
  const { start: first, kids } = dominatorChildren(end);
  const byTrace = new Map<number, { bytes: number; count: number }>();
  const pending = [node];
  for (let guard = 0; pending.length > 0 && guard < end.nodeCount; guard++) {
    const n = pending.pop()!;
    const id = traceId[n]!;
    if (id === 0 && !start.hasId(end.nodeId[n]!)) untrackedBytes += end.nodeSelfSize[n]!;
    else if (id !== 0 && !start.hasId(end.nodeId[n]!)) {
      const group = byTrace.get(id) ?? { bytes: 0, count: 0 };
      group.bytes += end.nodeSelfSize[n]!;
      group.count++;
      byTrace.set(id, group);
    }
    for (let i = first[n]!; i < first[n + 1]!; i++) pending.push(kids[i]!);
  }
  // Trace nodes are call paths. Paths that agree from the allocation up to the application's caller of
  // the allocating function are one site (the timer or the request that ran it differ, not the site).
  const byStack = new Map<string, AllocatedBy>();
  for (const [id, group] of byTrace) {
    const stack = traces.stackOf(id);
    const site = stack.findIndex(isApplicationFrame);
    const caller = site < 0 ? -1 : stack.findIndex((f, i) => i > site && isApplicationFrame(f));
    const kept = site < 0 ? stack : stack.slice(0, caller < 0 ? site + 1 : caller + 1);
    const key = kept.map((f) => `${f.functionName}\u0000${f.scriptName}\u0000${f.line}`).join('\u0001');
    const known = byStack.get(key);
    if (known) {
      known.bytes += group.bytes;
      known.count += group.count;
    } else {
      byStack.set(key, { stack, ...group });
    }
  }
  return { stacks: [...byStack.values()].sort((a, b) => b.bytes - a.bytes).slice(0, limit), untrackedBytes };
}
