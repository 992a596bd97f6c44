/**
 * Profiles taken from another process through its inspector: the same V8
 * profilers the in-process agent drives, over the DevTools protocol.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { V8CpuProfile } from '../source/v8-cpu-profile.js';
import type { V8HeapProfile } from '../source/v8-heap-profile.js';
import type { ProcessMemory } from '../profile/process-memory.js';
import type { InspectorClient } from './inspector-client.js';

/** sleep waits ms milliseconds. */
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** RemoteHeapFigures is the target's memory, as process.memoryUsage() and V8 tell it. */
export interface RemoteHeapFigures extends ProcessMemory {
  heapLimit: number;
}

/** remoteHeapFigures reads the target's memory figures (before a snapshot, to tell whether one is safe). */
export async function remoteHeapFigures(client: InspectorClient): Promise<RemoteHeapFigures> {
  const expression = `(() => {
    const load = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule : require;
    const m = process.memoryUsage();
    const h = load('node:v8').getHeapStatistics();
    return { heapUsed: h.used_heap_size, heapLimit: h.heap_size_limit, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss };
  })()`;
  const { result } = await client.send<{ result: { value: RemoteHeapFigures } }>('Runtime.evaluate', { expression, includeCommandLineAPI: true, returnByValue: true });
  return result.value;
}

/** Window is a timed collection: how long, and how it is cut short. */
export interface Window {
  seconds: number;
  signal?: AbortSignal;
}

/** waitWindow sleeps for the window, ending early when its signal aborts. */
export async function waitWindow(window: Window): Promise<void> {
  const end = Date.now() + window.seconds * 1000;
  while (Date.now() < end && !window.signal?.aborted) await sleep(Math.min(100, end - Date.now()));
}

/** startRemoteCpuProfile starts V8's CPU profiler in the target at intervalMicros. */
export async function startRemoteCpuProfile(client: InspectorClient, intervalMicros: number): Promise<void> {
  await client.send('Profiler.enable');
  await client.send('Profiler.setSamplingInterval', { interval: intervalMicros });
  await client.send('Profiler.start');
}

/** stopRemoteCpuProfile stops it and returns V8's profile. */
export async function stopRemoteCpuProfile(client: InspectorClient): Promise<V8CpuProfile> {
  const { profile } = await client.send<{ profile: V8CpuProfile }>('Profiler.stop', {}, 120_000);
  await client.send('Profiler.disable');
  return profile;
}

/** startRemoteHeapSampling starts V8's sampling heap profiler in the target. */
export async function startRemoteHeapSampling(client: InspectorClient, intervalBytes: number): Promise<void> {
  await client.send('HeapProfiler.enable');
  await client.send('HeapProfiler.startSampling', { samplingInterval: intervalBytes });
}

/**
 * readRemoteHeapSampling runs a full GC in the target (so the profile holds live
 * objects only, as a Go heap profile is as of the last GC), reads the sampled
 * in-use profile, and, when `stop`, stops the sampler.
 */
export async function readRemoteHeapSampling(client: InspectorClient, stop: boolean): Promise<V8HeapProfile> {
  await client.send('HeapProfiler.collectGarbage', {}, 120_000);
  const { profile } = await client.send<{ profile: V8HeapProfile }>('HeapProfiler.getSamplingProfile', {}, 120_000);
  if (stop) await client.send('HeapProfiler.stopSampling');
  return profile;
}

/**
 * takeRemoteSnapshot writes a heap snapshot of the target to path, chunk by
 * chunk as V8 sends it (never whole in memory), and returns its size in bytes.
 */
export async function takeRemoteSnapshot(client: InspectorClient, path: string): Promise<number> {
  const out = createWriteStream(path);
  let failed: Error | undefined;
  out.on('error', (err) => (failed = err));
  try {
    return await streamRemoteSnapshot(client, out);
  } finally {
    out.end();
    await once(out, 'close').catch(() => undefined);
    if (failed) throw failed;
  }
}

/**
 * streamRemoteSnapshot has V8 take a heap snapshot of the target and writes its
 * JSON to out as the chunks arrive; it resolves to the bytes written. The
 * protocol cannot be paused, so chunks the writer has not taken yet are
 * buffered by the stream.
 */
export async function streamRemoteSnapshot(client: InspectorClient, out: NodeJS.WritableStream): Promise<number> {
  let bytes = 0;
  const stop = client.on('HeapProfiler.addHeapSnapshotChunk', (params) => {
    const chunk = (params as { chunk: string }).chunk;
    bytes += Buffer.byteLength(chunk);
    out.write(chunk);
  });
  try {
    await client.send('HeapProfiler.enable');
    await client.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, treatGlobalObjectsAsRoots: true }, 600_000);
  } finally {
    stop();
  }
  return bytes;
}
