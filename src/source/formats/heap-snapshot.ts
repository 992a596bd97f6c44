import { TsprofError } from '../../errors.js';
import type { SourceFormat } from './source-format.js';

/**
 * heapSnapshotFormat recognises a V8 heap snapshot. It is not a profile
 * (objects and references, not samples), so it points to the command that
 * reads it rather than letting the protobuf decoder fail on it.
 */
export const heapSnapshotFormat: SourceFormat = {
  name: 'V8 heap snapshot',
  sniff: (input) => /^\{\s*"snapshot"\s*:/.test(input.head),
  parse(input) {
    throw new TsprofError(`${input.name}: a V8 heap snapshot, not a profile: read it with \`tsprof snapshot summary ${input.name}\``);
  },
};
