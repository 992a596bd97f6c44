import { fingerprintLength, stringFingerprint } from '../profile/string-fingerprint.js';
import type { HeapSnapshot } from '../snapshot/heap-snapshot.js';
import type { EarlierSnapshot } from '../snapshot/snapshot-digest.js';
import type { ExternalSite, SampledStrings } from './external-sites.js';
import type { Frame, HeapObservation } from './heap-observation.js';
import { defaultSiteOptions, siteSeries } from './site-series.js';

/** The most a snapshot gives an external string when it sizes only its header (Node 20 and 22: 32 bytes). */
const externalHeaderBytes = 64;

/**
 * externalStringSites names where the external strings still alive at the end
 * of a watch were made. The agent samples the large strings Buffer#toString
 * makes external, each with its fingerprint, but cannot see them die; the end
 * snapshot holds every string still alive, named by its first characters. So
 * each large string of the end snapshot that is new since the start and whose
 * fingerprint the agent sampled counts, with its size in the snapshot, for the
 * stack that sampled that fingerprint most. Its size is the snapshot's
 * where that counts the characters (Node 24+), else the sampled size (Node
 * 20 and 22 size an external string by its header alone). A string whose
 * fingerprint no sample caught is missed: an undercount when each string
 * begins differently (each is sampled with probability 1 − e^(−size/I)),
 * none when they begin alike (the responses of one endpoint). The sites are
 * the first application frame of those stacks, as for Buffers: bytesThen is
 * 0 (what is counted is new), bytesNow the bytes of the matched strings.
 */
export function externalStringSites(sampled: readonly SampledStrings[], start: EarlierSnapshot, end: HeapSnapshot): ExternalSite[] {
  if (sampled.length === 0) return [];
  const byFingerprint = new Map<string, SampledStrings>();
  for (const s of sampled) {
    const seen = byFingerprint.get(s.fingerprint);
    if (!seen || s.count > seen.count) byFingerprint.set(s.fingerprint, s);
  }
  const alive = new Map<readonly Frame[], { bytes: number; objects: number }>();
  const stringType = end.types.string;
  for (let n = 0; n < end.nodeCount; n++) {
    if (end.nodeType[n] !== stringType) continue;
    const text = end.nameOf(n);
    if (text.length < fingerprintLength || start.hasId(end.nodeId[n]!)) continue;
    const source = byFingerprint.get(stringFingerprint(text));
    // The string itself, external: sized whole (Node 24+) or by its header (before). A heap string that
    // merely begins alike (a copy of its first characters) is neither.
    const selfSize = end.nodeSelfSize[n]!;
    if (!source || (selfSize < source.size && selfSize > externalHeaderBytes)) continue;
    const sum = alive.get(source.stack) ?? { bytes: 0, objects: 0 };
    sum.bytes += Math.max(selfSize, source.size);
    sum.objects++;
    alive.set(source.stack, sum);
  }
  if (alive.size === 0) return [];
  const then: HeapObservation = { timeMs: 0, samples: [] };
  const now: HeapObservation = { timeMs: 1, samples: [...alive].map(([stack, sum]) => ({ stack, ...sum })) };
  return siteSeries([then, now], defaultSiteOptions())
    .map((s) => ({ site: s.site, via: s.stack[0]?.functionName ?? '', bytesThen: 0, bytesNow: s.bytes[1]!, strings: true }))
    .filter((s) => s.bytesNow > 0)
    .sort((a, b) => b.bytesNow - a.bytesNow);
}
