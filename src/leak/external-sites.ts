import { type Profile, sampleLabels } from '../profile/profile.js';
import { parseProfileBytes } from '../source/load-profile.js';
import { getBytes, siblingEndpointUrl, type AgentRequestOptions } from './agent-client.js';
import type { Frame, HeapObservation } from './heap-observation.js';
import { heapObservationFromProfile } from './profile-observation.js';
import { defaultSiteOptions, siteSeries } from './site-series.js';

/** ExternalSite is an allocation site of memory outside the V8 heap and what it gained over the watch. */
export interface ExternalSite {
  site: Frame;
  /** The Buffer factory it called (`Buffer.allocUnsafeSlow`). */
  via: string;
  /** Sampled live bytes at the start and end of the watch (estimates). */
  bytesThen: number;
  bytesNow: number;
  /** External strings the site made (via Buffer#toString): bytesNow is what the end snapshot holds of them, new since the start. */
  strings?: boolean;
}

/**
 * externalProfileUrl is the agent's external-allocation endpoint beside a heap
 * profile endpoint: `…/debug/pprof/heap` → `…/debug/pprof/external?gc=1`.
 */
export function externalProfileUrl(heapUrl: URL): URL {
  const url = siblingEndpointUrl(heapUrl, 'external');
  url.searchParams.set('gc', '1');
  return url;
}

/** SampledStrings are the external strings the agent sampled at one stack with one fingerprint (allocations). */
export interface SampledStrings {
  /** Leaf first: Buffer#toString, then the code that called it. */
  stack: Frame[];
  fingerprint: string;
  /** One string's size in bytes. */
  size: number;
  /** Estimated strings and bytes made (Go's weights over the samples). */
  count: number;
  bytes: number;
}

/** ExternalReading is one reading of the agent's external sampling: the Buffers alive, the external strings made. */
export interface ExternalReading {
  live: HeapObservation;
  strings: SampledStrings[];
}

/**
 * readExternalObservation reads the agent's sampled Buffers alive now and the
 * external strings it sampled, or undefined when the agent does not sample
 * them (the endpoint is off: 404) or does not answer with a profile: the watch
 * goes on without external sites.
 */
export async function readExternalObservation(url: URL, request: AgentRequestOptions, timeMs: number): Promise<ExternalReading | undefined> {
  try {
    const profile = parseProfileBytes(await getBytes(url, request), url.href);
    return { live: heapObservationFromProfile(profile, url.href, { timeMs }), strings: sampledStrings(profile) };
  } catch {
    return undefined;
  }
}

/** sampledStrings reads the samples of an external profile that carry a string fingerprint (older agents have none). */
export function sampledStrings(profile: Profile): SampledStrings[] {
  const objects = profile.sampleTypes.findIndex((t) => t.type === 'alloc_objects');
  const space = profile.sampleTypes.findIndex((t) => t.type === 'alloc_space');
  if (objects < 0 || space < 0 || !profile.samples.labels) return [];
  const { samples } = profile;
  const found: SampledStrings[] = [];
  for (let i = 0; i < samples.count; i++) {
    const labels = sampleLabels(profile, i);
    const fingerprint = labels.label.get('fingerprint')?.[0];
    if (fingerprint === undefined) continue;
    const size = labels.numLabel.get('bytes')?.[0] ?? 0;
    const stack: Frame[] = [];
    for (let j = samples.locationStarts[i]!; j < samples.locationStarts[i + 1]!; j++) {
      for (const line of profile.locations[samples.locationIndexes[j]!]!.lines) stack.push({ functionName: line.function.name, file: line.function.filename, line: line.line });
    }
    found.push({ stack, fingerprint, size, count: samples.values[i * samples.valueCount + objects]!, bytes: samples.values[i * samples.valueCount + space]! });
  }
  return found;
}

/**
 * externalSites compares two readings of the sampled Buffers: the sites (the
 * first frame that is the app's, below it the factory it called) whose live
 * bytes grew, most first.
 */
export function externalSites(start: HeapObservation, end: HeapObservation): ExternalSite[] {
  return siteSeries([start, end], defaultSiteOptions())
    .map((s) => ({ site: s.site, via: s.stack[0]?.functionName ?? '', bytesThen: s.bytes[0]!, bytesNow: s.bytes[1]! }))
    .filter((s) => s.bytesNow > s.bytesThen)
    .sort((a, b) => b.bytesNow - b.bytesThen - (a.bytesNow - a.bytesThen));
}
