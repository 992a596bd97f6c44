import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parsePrometheusText } from '../../src/prometheus/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function bigExposition(lines: number, pad = 100): string {
  const parts: string[] = [];
  for (let i = 0; i < lines; i++) parts.push(`m{id="/kubepods/pod/${i.toString(16).padStart(64, '0')}",pad="${'p'.repeat(pad)}"} ${i}\n`);
  return parts.join('');
}

describe('parsed names and values are slices of the input', () => {
  it('keeping one long label value keeps the whole text alive (V8 sliced string), a copy does not', () => {
    const before = heapAfterGc();
    let kept: string[] = [];
    for (let k = 0; k < 10; k++) {
      const text = bigExposition(5000); // ~0.9 MB each
      kept.push(parsePrometheusText(text).rows[1234]!.labels[0]!.value);
    }
    const withSlices = heapAfterGc() - before;
    kept = kept.map((s) => (' ' + s).slice(1));
    const withCopies = heapAfterGc() - before;
    assert.ok(withSlices > 8_000_000, `10 kept slices should hold ~9 MB of text, held ${withSlices}`);
    assert.ok(withCopies < 2_000_000, `10 copies should hold almost nothing, held ${withCopies}`);
    assert.equal(kept.length, 10);
  });

  it('does not copy unescaped values: parsing allocates far less than the text for long label values', () => {
    const text = bigExposition(5000, 1000);
    const parsedRows = parsePrometheusText(text).rows;
    // The label values alone are ~5000 * 1080 chars: copies would take at least that many bytes.
    const before = heapAfterGc();
    const again = parsePrometheusText(text).rows;
    const after = heapAfterGc();
    assert.equal(again.length, parsedRows.length);
    const valueChars = again.reduce((n, r) => n + r.labels[0]!.value.length + r.labels[1]!.value.length, 0);
    assert.ok(after - before < valueChars / 2, `rows took ${after - before} bytes for ${valueChars} value characters`);
  });
});
