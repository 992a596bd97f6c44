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

  it('says which input is not a heap profile', () => {
    assert.throws(() => readHeapFigures(new Uint8Array([1, 2, 3, 4]), 'junk.pb'), (err: unknown) => err instanceof TsprofError && /^junk\.pb: not a heap profile/.test(err.message));
  });
});
