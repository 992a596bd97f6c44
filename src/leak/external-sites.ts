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

/**
 * readExternalObservation reads the agent's sampled Buffers alive now, or
 * undefined when the agent does not sample them (the endpoint is off: 404) or
 * does not answer with a profile: the watch goes on without external sites.
 */
export async function readExternalObservation(url: URL, request: AgentRequestOptions, timeMs: number): Promise<HeapObservation | undefined> {
  try {
    const profile = parseProfileBytes(await getBytes(url, request), url.href);
    return heapObservationFromProfile(profile, url.href, { timeMs });
  } catch {
    return undefined;
  }
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
