import { decodeProfile } from '../../profile/decode.js';
import { type SourceFormat, startsAsJsonObject } from './source-format.js';

/**
 * pprofFormat is pprof's protobuf (gzip already undone). Protobuf has no
 * magic number, so it claims anything that is not JSON and that no text
 * format claimed before it; the decoder says what is wrong with garbage.
 */
export const pprofFormat: SourceFormat = {
  name: 'pprof protobuf',
  sniff: (input) => !startsAsJsonObject(input),
  parse: (input) => decodeProfile(input.bytes, input.name, { maxDecodedBytes: input.maxBytes }),
};
