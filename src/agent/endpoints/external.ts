import { formatProcessMemory } from '../../profile/process-memory.js';
import type { V8CallFrame } from '../../source/v8-frames.js';
import { heapSampleWeight } from '../../source/v8-heap-sample-size.js';
import { PprofBuilder } from '../../source/v8-pprof-builder.js';
import type { ExternalFrame, ExternalSampler } from '../external-sampler.js';
import { flagParam } from '../query.js';
import type { RequestContext } from './endpoint.js';
import { sendProfile } from './responses.js';

/**
 * serveExternal is /external: the sampled Buffers and ArrayBuffers alive now,
 * by allocation stack, as a heap profile (inuse_objects, inuse_space; and
 * alloc_objects, alloc_space: all sampled since sampling started) whose leaf
 * is the Buffer factory the app called, or Buffer#toString for the external
 * strings it made (allocations only, each with its `fingerprint` label).
 */
export async function serveExternal(ctx: RequestContext, sampler: ExternalSampler): Promise<void> {
  const { runtime, query } = ctx;
  const gc = flagParam(query, 'gc');
  flagParam(query, 'debug');
  const builder = await runtime.gate.run(async () => {
    // Collected Buffers leave the sample set only once their finalizers ran: after a GC, a turn of the loop.
    if (gc) {
      await runtime.heap.collectGarbage();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return externalPprof(sampler, runtime.namer);
  });
  await sendProfile(ctx, 'external', builder);
}

/** externalPprof turns the sampler's live stacks into a pprof heap profile. */
export function externalPprof(sampler: ExternalSampler, namer: RequestContext['runtime']['namer']): PprofBuilder {
  const builder = new PprofBuilder({
    sampleTypes: [
      ['inuse_objects', 'count'],
      ['inuse_space', 'bytes'],
      ['alloc_objects', 'count'],
      ['alloc_space', 'bytes'],
    ],
    periodType: ['space', 'bytes'],
    period: sampler.interval,
    timeNanos: Date.now() * 1e6,
    defaultSampleType: 'inuse_space',
    comments: [
      `tsprof external allocations: Buffers and ArrayBuffers sampled at Buffer's factories since ${new Date(sampler.startedAt ?? Date.now()).toISOString()} (inuse: alive now), and external strings made by Buffer#toString (alloc only: a string's life cannot be followed from JavaScript); memory outside the V8 heap`,
      formatProcessMemory(process.memoryUsage()),
    ],
    mainFile: process.argv[1],
  });
  const locationOf = new Map<string, number>();
  const location = (frame: ExternalFrame) => {
    const key = `${frame.functionName}\u0000${frame.url}\u0000${frame.line}\u0000${frame.column}`;
    let id = locationOf.get(key);
    if (id === undefined) {
      const v8Frame: V8CallFrame = { functionName: frame.functionName, url: frame.url, lineNumber: frame.line - 1, columnNumber: frame.column - 1 };
      locationOf.set(key, (id = builder.locationId(namer(v8Frame, frame.line > 0 ? frame.line : undefined))));
    }
    return id;
  };
  // The leaf is what the app called (`Buffer.concat`, `Buffer#toString`), then its frames.
  const idsOf = (stack: { via: string; frames: ExternalFrame[] }) => [location({ functionName: stack.via, url: '', line: 0, column: 0 }), ...stack.frames.map(location)];
  for (const stack of sampler.stacks.values()) {
    const ids = idsOf(stack);
    for (const [size, allocated] of stack.allocatedBySize) {
      const live = stack.samplesBySize.get(size) ?? 0;
      const weight = heapSampleWeight(size, sampler.interval);
      const values = [live * weight.objects, live * weight.bytes, allocated * weight.objects, allocated * weight.bytes].map(Math.round);
      builder.addSample(ids, values, { key: 'bytes', value: size, unit: 'bytes' });
    }
  }
  for (const stack of sampler.strings.values()) {
    const ids = idsOf(stack);
    for (const { size, fingerprint, count } of stack.samples.values()) {
      const weight = heapSampleWeight(size, sampler.interval);
      builder.addSample(ids, [0, 0, Math.round(count * weight.objects), Math.round(count * weight.bytes)], { key: 'bytes', value: size, unit: 'bytes' }, [['fingerprint', fingerprint]]);
    }
  }
  return builder;
}
