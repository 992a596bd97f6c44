/**
 * Whether this Node decodes a large Buffer into an external string: from Node 24,
 * `buffer.toString()` of about 1 MB or more makes a string whose characters live
 * outside the V8 heap (process.memoryUsage().external), which V8's sampling heap
 * profiler does not see. Tests of the story assert the heap-profile view where
 * the responses are on the V8 heap, and the external view where they are not.
 * Probed, not inferred from the version number.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let probed: boolean | undefined;

/** decodesLargeBuffersExternally tells whether a 1 MiB Buffer decodes to an external string here. */
export function decodesLargeBuffersExternally(): boolean {
  if (probed === undefined) {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const bytes = Buffer.alloc(4 << 20, 97);
    gc();
    const before = process.memoryUsage().external;
    const text = bytes.toString('utf8');
    // Only the string's characters: the Buffer was counted before.
    const grew = process.memoryUsage().external - before;
    probed = grew >= 3 << 20 && text.length === bytes.length;
  }
  return probed;
}
