import { decodeProfile } from '../../profile/decode.js';
import { importV8Profile } from '../v8-import.js';
import { type SourceFormat, startsAsJsonObject } from './source-format.js';

/**
 * v8ProfileFormat is V8's own .cpuprofile and .heapprofile (JSON), from
 * `node --cpu-prof`, `--heap-prof` or the inspector. The importer tells the
 * two apart and checks them; JSON of another shape is not its.
 */
export const v8ProfileFormat: SourceFormat = {
  name: 'V8 .cpuprofile / .heapprofile',
  sniff: startsAsJsonObject,
  parse(input) {
    const pprof = importV8Profile(input.text(), input.name);
    return pprof ? decodeProfile(pprof, input.name, { maxDecodedBytes: input.maxBytes }) : null;
  },
};
