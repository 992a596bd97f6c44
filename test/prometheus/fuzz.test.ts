import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KubeletCluster } from '../../examples/metrics-fetcher/kubelet-cluster.js';
import { parsePrometheusText } from '../../src/prometheus/index.js';

const cluster = new KubeletCluster({ pods: 3, containersPerPod: 2 });
cluster.advance();
const lines = cluster.renderMetricsText(1_700_000_000_000).split('\n').filter((l) => l !== '');

/** A kubelet line with a few random edits (inserted, deleted or replaced characters). */
const mutatedLine = fc
  .tuple(
    fc.constantFrom(...lines),
    fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.string({ unit: fc.constantFrom('{', '}', '"', '\\', '=', ',', ' ', '#', 'a', '1', '.', 'é', '\r'), maxLength: 3 })), { maxLength: 4 }),
  )
  .map(([line, edits]) => edits.reduce((l, [at, cut, insert]) => l.slice(0, at % (l.length + 1)) + insert + l.slice((at % (l.length + 1)) + cut), line));

describe('parsePrometheusText on mutated kubelet lines', () => {
  it('never throws, and every sample line becomes exactly one row or one error, numbered right', () => {
    fc.assert(
      fc.property(fc.array(mutatedLine, { minLength: 1, maxLength: 30 }), (input) => {
        const text = input.join('\n');
        const { rows, errors } = parsePrometheusText(text);
        // The format's own notion of a line: one trailing CR dropped, blanks are spaces and tabs.
        const physical = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
        const isComment = (l: string) => /^[ \t]*#/.test(l);
        const samples = physical.filter((l) => !/^[ \t]*$/.test(l) && !isComment(l)).length;
        const metaErrors = errors.filter((e) => isComment(physical[e.line - 1]!)).length;
        assert.equal(rows.length + errors.length - metaErrors, samples);
        for (const e of errors) {
          assert.ok(e.line >= 1 && e.line <= physical.length, `line ${e.line}`);
          assert.ok(e.message.length > 0 && e.message.length < 300 && !e.message.includes('\n'), e.message);
        }
        assert.equal(new Set(errors.map((e) => e.line)).size, errors.length, 'one error per line');
      }),
      { numRuns: 500 },
    );
  });
});
