import { TsprofError } from '../../errors.js';
import type { SourceFormat } from './source-format.js';

/** htmlPageFormat recognises a web page (a wrong URL, a login page), so the user hears that instead of a protobuf error. */
export const htmlPageFormat: SourceFormat = {
  name: 'HTML page',
  sniff: (input) => /^<(!DOCTYPE|html)/i.test(input.head),
  parse(input) {
    throw new TsprofError(`${input.name}: an HTML page, not a profile`);
  },
};

/** legacyHeader matches the first line of the text profiles Go's /debug/pprof serves with ?debug=N. */
const legacyHeader = /^(heap profile:|--- contention|--- mutex|goroutine profile:|threadcreate profile:)/;

/** legacyTextFormat recognises pprof's legacy text profiles, which tsprof does not read: fetch the protobuf instead. */
export const legacyTextFormat: SourceFormat = {
  name: 'legacy text profile',
  sniff: (input) => legacyHeader.test(input.head),
  parse(input) {
    const firstLine = input.head.slice(0, 80).split('\n')[0]!.trim();
    throw new TsprofError(`${input.name}: a legacy text profile ("${firstLine}"), not protobuf: fetch it without ?debug=N`);
  },
};
