/**
 * Prometheus 3 text format: UTF-8 metric and label names in the quoted syntax.
 * The cases follow the format's specification (Prometheus "Exposition formats",
 * text format details, with the `allow-utf-8` escaping scheme):
 *   metric_name_or_labels = metric_name [ "{" labels "}" ] | "{" quoted_metric_name [ "," labels ] "}"
 *   label_name = identifier | `"` escaped_string `"`
 * where escaped_string is any UTF-8 with backslash, double quote and line feed escaped,
 * and HELP / TYPE lines quote metric names outside the legacy character set.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { formatPrometheusText, parsePrometheusText, type PrometheusRow } from '../../src/prometheus/index.js';

const row = (metric: string, labels: [string, string][], value: number, timestamp?: number): PrometheusRow => ({
  metric,
  labels: labels.map(([name, value]) => ({ name, value })),
  value,
  ...(timestamp === undefined ? {} : { timestamp }),
});

describe('Prometheus 3 quoted names', () => {
  it('reads the specification example: the quoted metric name first inside the braces, a quoted label name', () => {
    const { rows, errors } = parsePrometheusText('{"my.dotted.metric", "error.message"="Not Found"} 1\n');
    assert.deepEqual(errors, []);
    assert.deepEqual(rows, [row('my.dotted.metric', [['error.message', 'Not Found']], 1)]);
  });

  it('reads a quoted metric name alone, with blanks, with a trailing comma, and with a timestamp', () => {
    const text = ['{"my.metric"} 3', '{ "my.metric" } 4', '{"my.metric",} 5', '{ "my.metric" , "a.b" = "c" , } 6 1395066363000'].join('\n');
    const { rows, errors } = parsePrometheusText(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(rows, [
      row('my.metric', [], 3),
      row('my.metric', [], 4),
      row('my.metric', [], 5),
      row('my.metric', [['a.b', 'c']], 6, 1395066363000),
    ]);
  });

  it('reads a legacy name in quotes as the same row as the bare name', () => {
    const { rows, errors } = parsePrometheusText('{"http_requests_total", "method"="post", code="200"} 1027\nhttp_requests_total{method="post",code="200"} 1027\n');
    assert.deepEqual(errors, []);
    assert.deepEqual(rows[0], rows[1]);
    assert.deepEqual(rows[0], row('http_requests_total', [['method', 'post'], ['code', '200']], 1027));
  });

  it('mixes bare and quoted label names on a bare metric name', () => {
    const { rows, errors } = parsePrometheusText('http_requests_total{"http.method"="GET",code="200","service.name"="api"} 7\n');
    assert.deepEqual(errors, []);
    assert.deepEqual(rows, [row('http_requests_total', [['http.method', 'GET'], ['code', '200'], ['service.name', 'api']], 7)]);
  });

  it('undoes the escapes of quoted names: \\\\, \\" and \\n', () => {
    const { rows, errors } = parsePrometheusText('{"a\\"b\\\\c\\nd", "x\\"y"="v\\"w"} 2\n');
    assert.deepEqual(errors, []);
    assert.deepEqual(rows, [row('a"b\\c\nd', [['x"y', 'v"w']], 2)]);
  });

  it('reads any UTF-8 in names, including characters outside the BMP and the syntax characters', () => {
    const text = '{"温度.celsius", "城市"="東京", "emoji 🚀"="ok", "a=b,c{d}"="1"} 21.5\n';
    const { rows, errors } = parsePrometheusText(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(rows, [row('温度.celsius', [['城市', '東京'], ['emoji 🚀', 'ok'], ['a=b,c{d}', '1']], 21.5)]);
  });

  it('reads quoted metric names on HELP and TYPE lines', () => {
    const text = '# HELP "my.metric" Some help with a \\n newline\n# TYPE "my.metric" gauge\n{"my.metric"} 1\n# TYPE "a\\"q" counter\n';
    const { rows, errors, metadata } = parsePrometheusText(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(rows, [row('my.metric', [], 1)]);
    assert.deepEqual(metadata.get('my.metric'), { metric: 'my.metric', help: 'Some help with a \n newline', type: 'gauge' });
    assert.deepEqual(metadata.get('a"q'), { metric: 'a"q', type: 'counter' });
  });

  it('reports each malformed quoted line with its number and goes on', () => {
    const lines = [
      'good 1',
      '{"unterminated 1', // 2
      '{} 1', // 3: no metric name at all
      '{a="b"} 1', // 4: the first item must be the quoted metric name
      '{"a" "b"} 1', // 5
      'metric{"a.b", x="1"} 1', // 6: a quoted name inside the braces of a bare one is a label name, so "=" is missing
      '{""} 1', // 7
      '{"m", ""="v"} 1', // 8
      '{"m", "unterminated="v"} 1', // 9: the label name swallows the rest: missing "="
      '{"m"} ', // 10: no value
      '# TYPE "m gauge', // 11
      '# HELP "m"x help', // 12
      'also_good{"l.n"="v"} 2',
    ];
    const { rows, errors } = parsePrometheusText(lines.join('\n') + '\n');
    assert.deepEqual(rows, [row('good', [], 1), row('also_good', [['l.n', 'v']], 2)]);
    assert.deepEqual(
      errors.map((e) => e.line),
      [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    );
    const byLine = new Map(errors.map((e) => [e.line, e.message]));
    assert.match(byLine.get(2)!, /unterminated quoted metric name/);
    assert.match(byLine.get(3)!, /expected a metric name \(quoted, first inside "\{"\)/);
    assert.match(byLine.get(4)!, /expected a metric name \(quoted/);
    assert.match(byLine.get(5)!, /expected "," or "}" after the metric name a/);
    assert.match(byLine.get(6)!, /expected "=" after label name a\.b of metric/);
    assert.match(byLine.get(7)!, /empty quoted metric name/);
    assert.match(byLine.get(8)!, /empty quoted label name of m/);
    assert.match(byLine.get(10)!, /missing value for m/);
    assert.match(byLine.get(11)!, /# TYPE: unterminated quoted metric name/);
    assert.match(byLine.get(12)!, /# HELP: expected a blank after the quoted metric name/);
  });

  it('writes names outside the legacy sets quoted, and reads them back', () => {
    const rows = [
      row('my.metric', [['le', '0.5'], ['service.name', 'a"b']], 1),
      row('bare_metric', [['k8s.pod', 'p']], 2),
      row('bare_metric', [], 3, 1700000000000),
      row('9starts_with_digit', [], 4),
      row('名前', [['a\nb', 'c']], 5),
    ];
    const metadata = new Map([['my.metric', { metric: 'my.metric', help: 'dotted', type: 'counter' as const }]]);
    const text = formatPrometheusText(rows, metadata);
    assert.match(text, /^# HELP "my\.metric" dotted\n# TYPE "my\.metric" counter\n\{"my\.metric",le="0\.5","service\.name"="a\\"b"\} 1\n/);
    assert.match(text, /\nbare_metric\{"k8s\.pod"="p"\} 2\n/);
    assert.match(text, /\n\{"9starts_with_digit"\} 4\n/);
    const parsed = parsePrometheusText(text);
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(parsed.rows, rows);
    assert.deepEqual(parsed.metadata.get('my.metric'), metadata.get('my.metric'));
  });
});

describe('quoted names are slices of the input too', () => {
  it('keeping a long quoted metric name keeps its whole text alive, as a bare name does', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = heap();
    const kept: string[] = [];
    for (let k = 0; k < 10; k++) {
      const parts: string[] = [];
      for (let i = 0; i < 5000; i++) parts.push(`{"service.requests.total.${k}.${i}", "pod.name"="${'p'.repeat(150)}"} ${i}\n`);
      kept.push(parsePrometheusText(parts.join('')).rows[1234]!.metric);
    }
    const held = heap() - before;
    assert.ok(held > 8_000_000, `10 kept quoted names should hold ~10 MB of text, held ${held}`);
    assert.equal(kept[3], 'service.requests.total.3.1234');
  });
});

describe('errors about quoted names', () => {
  it('stay one printable line when the name holds a newline or a quote', () => {
    const { rows, errors } = parsePrometheusText('m{"a\\nb=" "x"} 1\nn{"q\\"r"=1} 2\n');
    assert.equal(rows.length, 0);
    assert.equal(errors.length, 2);
    for (const e of errors) assert.ok(!e.message.includes('\n') && !e.message.includes('\r'), e.message);
    assert.match(errors[0]!.message, /label name "a\\nb=" of m/);
  });
});
