import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { readHeapFigures } from '../../src/demo/heap-profile-figures.js';
import { TsprofError } from '../../src/errors.js';

const fixtures = new URL('../../../test/fixtures/go/', import.meta.url);

describe('readHeapFigures', () => {
  it("finds the story's culprit in Go's own heap profile, with go tool pprof's in-use total", async () => {
    const figures = readHeapFigures(await readFile(new URL('heap_t2.pb.gz', fixtures)), 'heap_t2.pb.gz');
    // golden/heap_top.txt: "Showing nodes accounting for 50294.64kB, 100% of 50294.64kB total"
    assert.ok(Math.abs(figures.inuseBytes - 50294.64 * 1024) < 10);
    assert.equal(figures.site?.functionName, 'main.parseContainerMetricsResponse');
    assert.equal(figures.site?.file, 'goexp/main.go');
    assert.equal(figures.site?.caller, 'main.main');
    assert.equal(figures.site?.callee, undefined, 'Go allocates the string in the function itself');
    assert.equal(figures.site?.cumShare.toFixed(4), '0.9796'); // 97.96% in the golden -top
  });

  it('grows between the two Go profiles, as go tool pprof -base shows', async () => {
    const t1 = readHeapFigures(await readFile(new URL('heap_t1.pb.gz', fixtures)), 'heap_t1.pb.gz');
    const t2 = readHeapFigures(await readFile(new URL('heap_t2.pb.gz', fixtures)), 'heap_t2.pb.gz');
    assert.ok(t2.inuseBytes > t1.inuseBytes * 3);
  });

  it("leaves the agent's own allocations (the files its tsprof.self line names) out of the in-use total and the culprit", async () => {
    const { formatAgentSelf } = await import('../../src/profile/agent-self.js');
    const { V8HeapTree } = await import('../support/v8-heap-tree.js');
    const tree = new V8HeapTree();
    const own = tree.node('loadMap', '/opt/tsprof/dist/src/agent/source-maps.js', 0, [tree.node('#parseMap', 'node:internal/source_map/source_map', 3)]);
    const top = [tree.node('cacheResponse', '/srv/app/src/cache.js', 2), own];
    const bytesWith = (comments: string[]) => tree.encode(top, comments);
    const plain = readHeapFigures(bytesWith([]), 'plain');
    assert.equal(Math.round(plain.inuseBytes / 65536), 5, `${plain.inuseBytes}`);
    assert.equal(plain.site?.functionName, 'loadMap', 'without the line, the agent reads as any app code');
    const marked = readHeapFigures(bytesWith([formatAgentSelf(['/opt/tsprof/dist/src/agent/'])]), 'marked');
    assert.equal(Math.round(marked.inuseBytes / 65536), 2, `${marked.inuseBytes}`);
    assert.equal(marked.site?.functionName, 'cacheResponse');
  });

  it('says which input is not a heap profile', () => {
    assert.throws(() => readHeapFigures(new Uint8Array([1, 2, 3, 4]), 'junk.pb'), (err: unknown) => err instanceof TsprofError && /^junk\.pb: not a heap profile/.test(err.message));
  });
});
