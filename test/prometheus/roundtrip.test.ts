import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  formatPrometheusText,
  parsePrometheusStream,
  parsePrometheusText,
  type PrometheusMetadata,
  type PrometheusMetricType,
  type PrometheusRow,
} from '../../src/prometheus/index.js';

const nameStart = fc.constantFrom(...'abcxyzABCXYZ_'.split(''));
const nameChar = fc.constantFrom(...'abzAZ09_'.split(''));
/** Prometheus 3 names: any UTF-8 (written quoted), stressing the escapes and the syntax characters. */
const utf8Name = fc.string({ unit: fc.constantFrom('.', '-', '/', ' ', 'a', '0', '_', ':', 'é', '日', '🚀', '"', '\\', '\n', '{', '}', ',', '=', '#'), minLength: 1, maxLength: 16 });
const labelName = fc.oneof(
  { arbitrary: fc.tuple(nameStart, fc.string({ unit: nameChar, maxLength: 12 })).map(([a, b]) => a + b), weight: 4 },
  { arbitrary: utf8Name, weight: 1 },
);
const metricName = fc.oneof(
  {
    arbitrary: fc
      .tuple(fc.oneof(nameStart, fc.constant(':')), fc.string({ unit: fc.oneof(nameChar, fc.constant(':')), maxLength: 20 }))
      .map(([a, b]) => a + b),
    weight: 4,
  },
  { arbitrary: utf8Name, weight: 1 },
);
/** Label values stress the escapes and the characters that mean something outside quotes. */
const labelValue = fc.oneof(
  fc.string({ unit: fc.constantFrom('\\', '"', '\n', '\r', 'a', '{', '}', ',', '#', ' ', '=', 'é', '日', '\t'), maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.stringMatching(/^\/kubepods\/burstable\/pod[0-9a-f-]{36}\/[0-9a-f]{64}$/),
);
const row: fc.Arbitrary<PrometheusRow> = fc
  .record({
    metric: metricName,
    labels: fc.array(fc.tuple(labelName, labelValue).map(([name, value]) => ({ name, value })), { maxLength: 6 }),
    value: fc.oneof(fc.double(), fc.integer(), fc.constantFrom(NaN, Infinity, -Infinity, -0, 0)),
    timestamp: fc.option(fc.maxSafeInteger(), { nil: undefined }),
  })
  .map(({ timestamp, ...rest }) => (timestamp === undefined ? rest : { ...rest, timestamp }));

const types: PrometheusMetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
/** HELP text may hold anything but a CR (a CR before the newline would read as CRLF) and must not start blank. */
const help = fc
  .string({ unit: fc.constantFrom('\\', 'n', '\n', ' ', 'x', '"', 'é', '\t'), maxLength: 30 })
  .filter((h) => !/^[ \t]/.test(h));

const exposition = fc.array(row, { maxLength: 40 }).chain((rows) => {
  const metrics = [...new Set(rows.map((r) => r.metric))];
  return fc
    .array(fc.record({ help: fc.option(help, { nil: undefined }), type: fc.option(fc.constantFrom(...types), { nil: undefined }) }), {
      minLength: metrics.length,
      maxLength: metrics.length,
    })
    .map((metas) => {
      const metadata = new Map<string, PrometheusMetadata>();
      metas.forEach((m, i) => {
        if (m.help === undefined && m.type === undefined) return;
        const entry: PrometheusMetadata = { metric: metrics[i]! };
        if (m.help !== undefined) entry.help = m.help;
        if (m.type !== undefined) entry.type = m.type;
        metadata.set(metrics[i]!, entry);
      });
      return { rows, metadata };
    });
});

describe('parse(format(rows)) equals rows', () => {
  it('for random valid expositions (rows, labels, escapes, Prometheus 3 quoted names, NaN/±Inf/-0, timestamps, HELP/TYPE)', () => {
    fc.assert(
      fc.property(exposition, ({ rows, metadata }) => {
        const parsed = parsePrometheusText(formatPrometheusText(rows, metadata));
        assert.deepStrictEqual(parsed.errors, []);
        assert.deepStrictEqual(parsed.rows, rows);
        assert.deepStrictEqual([...parsed.metadata.values()].sort(byMetric), [...metadata.values()].sort(byMetric));
      }),
      { numRuns: 300 },
    );
  });

  it('streamed in random byte chunks (cut through UTF-8 sequences and CRLF), with the same errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        async (rows, cuts) => {
          const text = formatPrometheusText(rows).replace(/\n/g, (_, at: number) => (at % 3 === 0 ? '\r\n' : '\n')) + 'broken{ 1\nlast 1';
          const bytes = Buffer.from(text);
          const chunks: Uint8Array[] = [];
          for (let at = 0, k = 0; at < bytes.length; k++) {
            const size = cuts[k % cuts.length]!;
            chunks.push(bytes.subarray(at, at + size));
            at += size;
          }
          const whole = parsePrometheusText(text);
          const errors: unknown[] = [];
          const streamed: PrometheusRow[] = [];
          for await (const r of parsePrometheusStream(chunks, { onError: (e) => errors.push(e) })) streamed.push(r);
          assert.deepStrictEqual(streamed, whole.rows);
          assert.deepStrictEqual(errors, whole.errors);
          assert.equal(whole.errors.length, 1);
        },
      ),
      { numRuns: 150 },
    );
  });
});

function byMetric(a: PrometheusMetadata, b: PrometheusMetadata): number {
  return a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0;
}
