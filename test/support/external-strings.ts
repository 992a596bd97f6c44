/**
 * Whether this Node decodes a large Buffer into an external string: from Node 24,
 * `buffer.toString()` of about 1 MB or more makes a string whose characters live
 * outside the V8 heap (process.memoryUsage().external), which V8's sampling heap
 * profiler does not see. Tests of the story assert the heap-profile view where
 * the responses are on the V8 heap, and the external view where they are not.
 * Probed in a fresh process (a busy test process moves its external memory by
 * megabytes), not inferred from the version number.
 */
import { spawnSync } from 'node:child_process';

const probe = `
const bytes = Buffer.alloc(4 << 20, 97);
const before = process.memoryUsage().external;
const text = bytes.toString('utf8');
const grew = process.memoryUsage().external - before;
process.stdout.write(String(grew >= 3 << 20 && text.length === bytes.length));
`;

let probed: boolean | undefined;

/** decodesLargeBuffersExternally tells whether a 4 MiB Buffer decodes to an external string on this Node. */
export function decodesLargeBuffersExternally(): boolean {
  if (probed === undefined) {
    const run = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', timeout: 30_000 });
    if (run.status !== 0) throw new Error(`probing external strings failed: ${run.stderr}`);
    probed = run.stdout === 'true';
  }
  return probed;
}
