import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startKubeletSimulator } from '../../examples/metrics-fetcher/kubelet-simulator.js';
import { parsePrometheusStream, parsePrometheusText, type PrometheusMetadata, type PrometheusParseError, type PrometheusRow } from '../../src/prometheus/index.js';

async function* slowly(parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) {
    await new Promise((r) => setImmediate(r));
    yield Buffer.from(p);
  }
}

describe('parsePrometheusStream', () => {
  it('yields rows as chunks arrive, fills the metadata table, and reports errors with line numbers', async () => {
    const metadata = new Map<string, PrometheusMetadata>();
    const errors: PrometheusParseError[] = [];
    const rows: string[] = [];
    const stream = parsePrometheusStream(slowly(['# TYPE a gau', 'ge\na{x="', '1"} 1\nb{ 2\nc', ' 3\n', 'd 4']), {
      metadata,
      onError: (e) => errors.push(e),
    });
    for await (const r of stream) rows.push(`${r.metric}=${r.value}`);
    assert.deepEqual(rows, ['a=1', 'c=3', 'd=4']);
    assert.deepEqual(errors.map((e) => e.line), [3]);
    assert.equal(metadata.get('a')?.type, 'gauge');
  });

  it('bounds memory on an endless line: one error, then goes on after its newline', async () => {
    const errors: PrometheusParseError[] = [];
    function* chunks() {
      yield 'a 1\n';
      for (let i = 0; i < 100; i++) yield 'x'.repeat(1000);
      yield '\nb 2\n';
    }
    const rows: string[] = [];
    for await (const r of parsePrometheusStream(chunks(), { maxLineLength: 10_000, onError: (e) => errors.push(e) })) rows.push(r.metric);
    assert.deepEqual(rows, ['a', 'b']);
    assert.deepEqual(errors, [{ line: 2, message: 'line longer than 10000 characters' }]);
  });

  it('parses a ~5 MB kubelet response straight from a fetch body, as the whole text would be parsed', async () => {
    const simulator = await startKubeletSimulator({ pods: 600, seed: 3 });
    try {
      const res = await fetch(simulator.url);
      const metadata = new Map<string, PrometheusMetadata>();
      const streamed: PrometheusRow[] = [];
      for await (const row of parsePrometheusStream(res.body!, { metadata, onError: (e) => assert.fail(e.message) })) streamed.push(row);
      // The same scrape again, as one string: the simulator's node advances per scrape, so compare shapes, not values.
      const whole = parsePrometheusText(await (await fetch(simulator.url)).text());
      assert.ok(streamed.length > 15_000);
      assert.equal(streamed.length, whole.rows.length);
      assert.deepEqual(streamed.map((r) => r.metric), whole.rows.map((r) => r.metric));
      assert.deepEqual(streamed.map((r) => r.labels.length), whole.rows.map((r) => r.labels.length));
      assert.deepEqual([...metadata.keys()], [...whole.metadata.keys()]);
    } finally {
      await simulator.close();
    }
  });
});
