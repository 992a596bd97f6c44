import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findAccumulations } from '../../src/leak/holders.js';
import { snapshotGrowth } from '../../src/snapshot/growth.js';
import { collectionOf } from '../../src/snapshot/leak-signatures.js';
import { readHeapSnapshot } from '../../src/snapshot/read-snapshot.js';
import { entriesThen, SnapshotDigest } from '../../src/snapshot/snapshot-digest.js';
import { writeLeakingSnapshots } from '../support/leaking-snapshots.js';

test('a digest of an earlier snapshot answers as the snapshot does: ids, entries then, growth, holders', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprof-digest-'));
  try {
    const files = await writeLeakingSnapshots(dir);
    const [s0, s1, s2] = await Promise.all(files.map((f) => readHeapSnapshot(f)));
    const [d0, d1] = [new SnapshotDigest(s0!), new SnapshotDigest(s1!)];
    assert.equal(d0.nodeCount, s0!.nodeCount);

    // Every id of the last snapshot is in the earlier one exactly when the digest says so (and ids that never existed are not).
    let shared = 0;
    for (let n = 0; n < s2!.nodeCount; n++) {
      const id = s2!.nodeId[n]!;
      assert.equal(d0.hasId(id), s0!.hasId(id), `id ${id}`);
      if (d0.hasId(id)) shared++;
    }
    assert.ok(shared > 0 && shared < s2!.nodeCount, `some objects are new, some are not (${shared} of ${s2!.nodeCount})`);
    assert.equal(d0.hasId(0.5), false);

    // Entries then, for every collection of the earlier snapshot, and for objects it did not hold.
    let collections = 0;
    for (let n = 0; n < s1!.nodeCount; n++) {
      const id = s1!.nodeId[n]!;
      assert.equal(entriesThen(d0, id), entriesThen(s0!, id), `entries then of @${id}`);
      if (collectionOf(s0!, Math.max(0, s0!.ordinalOfId(id)), 16)) collections++;
    }
    assert.ok(collections > 10, `the check saw collections (${collections})`);
    const registry = s0!.ordinalOfId(findAccumulations(s0!, s2!).find((h) => h.holder === '`global.registry`')!.nodeId!);
    assert.equal(d0.entriesOf(s0!.nodeId[registry]!), 500, 'the registry held one round of 500 sessions in the first snapshot');

    // The analyses give the same answers from the digests as from the whole snapshots.
    assert.deepEqual(snapshotGrowth([d0, d1, s2!]), snapshotGrowth([s0!, s1!, s2!]));
    assert.deepEqual(snapshotGrowth([d0, s2!]), snapshotGrowth([s0!, s2!]));
    const holders = findAccumulations(d0, s2!);
    assert.deepEqual(holders, findAccumulations(s0!, s2!));
    assert.match(holders.find((h) => h.holder === '`global.registry`')?.accumulation?.entriesThen?.toString() ?? '', /^500$/);

    // The last snapshot must be whole.
    assert.throws(() => snapshotGrowth([s0!, d1]), /the last snapshot whole/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
