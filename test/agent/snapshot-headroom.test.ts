// A heap snapshot needs about as much memory again as the heap: the agent refuses one that could get the
// process killed, and says why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cgroupMemoryLimit, snapshotRefusal } from '../../src/agent/snapshot-headroom.js';
import { startAgent } from '../../src/agent/index.js';

const MB = 2 ** 20;

test('refused near the container limit, allowed with room, and without a limit by the free memory', () => {
  const tight = snapshotRefusal({ heapUsed: 400 * MB, rss: 700 * MB, memoryLimit: 1024 * MB, freeMemory: 8192 * MB });
  assert.match(tight ?? '', /^a heap snapshot needs about 400 MB besides the heap, and the process uses 700 MB of its container's 1024 MB limit: it could be killed mid-snapshot; \?force=1 takes it anyway$/);
  assert.equal(snapshotRefusal({ heapUsed: 100 * MB, rss: 300 * MB, memoryLimit: 1024 * MB, freeMemory: 50 * MB }), undefined, 'the container limit decides');
  assert.equal(snapshotRefusal({ heapUsed: 400 * MB, rss: 700 * MB, memoryLimit: undefined, freeMemory: 8192 * MB }), undefined);
  assert.match(snapshotRefusal({ heapUsed: 400 * MB, rss: 700 * MB, memoryLimit: undefined, freeMemory: 300 * MB }) ?? '', /the machine has 300 MB free/);
});

test('the cgroup limit: v2 memory.max, v1 limit_in_bytes, and "no limit" in both spellings', () => {
  const files = (map: Record<string, string>) => (path: string) => {
    if (!(path in map)) throw new Error('ENOENT');
    return map[path]!;
  };
  assert.equal(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory.max': '536870912\n' })), 512 * MB);
  assert.equal(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory.max': 'max\n' })), undefined);
  assert.equal(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '1073741824' })), 1024 * MB);
  assert.equal(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712' })), undefined);
  assert.equal(cgroupMemoryLimit(files({})), undefined);
});

test('?force=1 is a flag the snapshot endpoint accepts; a bad value is a 400', async () => {
  const agent = await startAgent({ address: '127.0.0.1:0', heapSnapshots: true, log: () => {} });
  try {
    const bad = await fetch(`${agent.url}/debug/pprof/heapsnapshot?force=maybe`);
    assert.equal(bad.status, 400);
    await bad.text();
    const res = await fetch(`${agent.url}/debug/pprof/heapsnapshot?force=1`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(text.startsWith('{"snapshot":'), text.slice(0, 40));
  } finally {
    await agent.stop();
  }
});
