import { TsprofError } from '../../errors.js';
import { gunzipBounded, isGzip } from '../../profile/gzip.js';
import type { Profile } from '../../profile/profile.js';
import { heapSnapshotFormat } from './heap-snapshot.js';
import { htmlPageFormat, legacyTextFormat } from './not-a-profile.js';
import { pprofFormat } from './pprof.js';
import { type SourceFormat, sourceInput, startsAsJsonObject } from './source-format.js';
import { v8ProfileFormat } from './v8-profile.js';

/**
 * sourceFormats are the formats tsprof recognises, in the order they are
 * asked. pprof comes last: protobuf has no magic number, so it takes what
 * the formats that can be recognised by their start did not.
 */
export const sourceFormats: readonly SourceFormat[] = [heapSnapshotFormat, v8ProfileFormat, htmlPageFormat, legacyTextFormat, pprofFormat];

/**
 * parseSource turns loaded bytes (gzip or not) into a Profile with the first
 * format that claims them. A format that claims its input and finds it
 * broken throws; input no format claims is an error naming the input.
 */
export function parseSource(bytes: Uint8Array, sourceName: string, maxBytes: number, formats: readonly SourceFormat[] = sourceFormats): Profile {
  const input = sourceInput(isGzip(bytes) ? gunzipBounded(bytes, sourceName, maxBytes) : bytes, sourceName, maxBytes);
  for (const format of formats) {
    if (!format.sniff(input)) continue;
    const profile = format.parse(input);
    if (profile) return profile;
  }
  if (startsAsJsonObject(input)) {
    throw new TsprofError(`${sourceName}: JSON that is not a V8 .cpuprofile or .heapprofile (starts ${JSON.stringify(oneLine(input.text().slice(0, 256), 40))})`);
  }
  throw new TsprofError(`${sourceName}: not a profile in a format tsprof reads (${formats.map((f) => f.name).join(', ')}; starts ${JSON.stringify(oneLine(input.head, 40))})`);
}

function oneLine(text: string, limit: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > limit ? one.slice(0, limit) + '…' : one;
}
