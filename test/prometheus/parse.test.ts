import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrometheusText, type PrometheusRow } from '../../src/prometheus/index.js';

const row = (metric: string, labels: [string, string][], value: number, timestamp?: number): PrometheusRow => ({
  metric,
  labels: labels.map(([name, value]) => ({ name, value })),
  value,
  ...(timestamp === undefined ? {} : { timestamp }),
});

describe('parsePrometheusText: the format', () => {
  it('reads the example exposition of the Prometheus documentation', () => {
    const text = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '# Escaping in label values:',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      '',
      '# Minimalistic line:',
      'metric_without_timestamp_and_labels 12.47',
      '',
      '# A weird metric from before the epoch:',
      'something_weird{problem="division by zero"} +Inf -3982045',
      '',
      '# A histogram, which has a pretty complex representation in the text format:',
      '# HELP http_request_duration_seconds A histogram of the request duration.',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      'http_request_duration_seconds_sum 53423',
      'http_request_duration_seconds_count 144320',
      '',
    ].join('\n');
    const { rows, errors, metadata } = parsePrometheusText(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(rows, [
      row('http_requests_total', [['method', 'post'], ['code', '200']], 1027, 1395066363000),
      row('http_requests_total', [['method', 'post'], ['code', '400']], 3, 1395066363000),
      row('msdos_file_access_time_seconds', [['path', 'C:\\DIR\\FILE.TXT'], ['error', 'Cannot find file:\n"FILE.TXT"']], 1.458255915e9),
      row('metric_without_timestamp_and_labels', [], 12.47),
      row('something_weird', [['problem', 'division by zero']], Infinity, -3982045),
      row('http_request_duration_seconds_bucket', [['le', '0.05']], 24054),
      row('http_request_duration_seconds_bucket', [['le', '+Inf']], 144320),
      row('http_request_duration_seconds_sum', [], 53423),
      row('http_request_duration_seconds_count', [], 144320),
    ]);
    assert.deepEqual([...metadata.values()], [
      { metric: 'http_requests_total', help: 'The total number of HTTP requests.', type: 'counter' },
      { metric: 'http_request_duration_seconds', help: 'A histogram of the request duration.', type: 'histogram' },
    ]);
  });

  it('unescapes HELP text (\\\\ and \\n) and keeps other backslashes', () => {
    const { metadata, errors } = parsePrometheusText('# HELP m line one\\nline two \\\\ and \\t stays\n# TYPE m gauge\nm 1\n');
    assert.deepEqual(errors, []);
    assert.deepEqual(metadata.get('m'), { metric: 'm', help: 'line one\nline two \\ and \\t stays', type: 'gauge' });
  });

  it('takes TYPE before HELP, an empty HELP, and every metric type', () => {
    const types = ['counter', 'gauge', 'histogram', 'summary', 'untyped', 'unknown', 'info', 'stateset', 'gaugehistogram'];
    const text = types.map((t, i) => `# TYPE m${i} ${t}\n`).join('') + '# HELP m0\n';
    const { metadata, errors } = parsePrometheusText(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(types.map((_, i) => metadata.get(`m${i}`)?.type), types);
    assert.equal(metadata.get('m0')?.help, '');
  });

  it('ignores comments, blank and white-space lines, and accepts CRLF', () => {
    const text = '# just a comment\r\n\r\n   \t \r\n#\r\n# HELPER is not HELP\r\na{b="c"} 1\r\n  b 2  \r\n';
    const { rows, errors, metadata } = parsePrometheusText(text);
    assert.deepEqual(errors, []);
    assert.equal(metadata.size, 0);
    assert.deepEqual(rows, [row('a', [['b', 'c']], 1), row('b', [], 2)]);
  });

  it('reads NaN, +Inf, -Inf (any case), exponents, signs, and integers beyond 2^53', () => {
    const text = 'a NaN\nb +Inf\nc -Inf\nd inf\ne nan\nf 1e-3\ng -2.5E+10\nh +7\ni -0\nj 12345678901234567890\nk .5\nl 0.1\n';
    const values = parsePrometheusText(text).rows.map((r) => r.value);
    assert.deepEqual(values, [NaN, Infinity, -Infinity, Infinity, NaN, 1e-3, -2.5e10, 7, -0, 12345678901234567890, 0.5, 0.1]);
    assert.ok(Object.is(values[8], -0));
  });

  it('reads millisecond timestamps, negative ones too, and no timestamp as absent', () => {
    const { rows } = parsePrometheusText('a 1 1700000000123\nb 2 -5\nc 3\n');
    assert.equal(rows[0]!.timestamp, 1700000000123);
    assert.equal(rows[1]!.timestamp, -5);
    assert.ok(!('timestamp' in rows[2]!));
  });

  it('accepts {}, trailing commas, and white space around names, = and values', () => {
    const text = 'a{} 1\nb{x="1",} 2\nc { x = "1" , y="2" , } 3\nd{ } 4\ne\t{x="1"}\t5\t6\n';
    const { rows, errors } = parsePrometheusText(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(rows, [
      row('a', [], 1),
      row('b', [['x', '1']], 2),
      row('c', [['x', '1'], ['y', '2']], 3),
      row('d', [], 4),
      row('e', [['x', '1']], 5, 6),
    ]);
  });

  it('keeps labels in order, duplicates and the empty value included, and names with colons', () => {
    const { rows } = parsePrometheusText('job:rate5m{z="1",a="",z="3",__name__x="y"} 1\n');
    assert.deepEqual(rows, [row('job:rate5m', [['z', '1'], ['a', ''], ['z', '3'], ['__name__x', 'y']], 1)]);
  });

  it('unescapes \\\\, \\" and \\n in label values, keeps unknown escapes, and takes any UTF-8', () => {
    const { rows, errors } = parsePrometheusText('a{x="q\\"uo\\\\te\\nnl",y="\\d",z="héllo ✓ 日本 #{}=,"} 1\n');
    assert.deepEqual(errors, []);
    assert.deepEqual(rows[0]!.labels, [
      { name: 'x', value: 'q"uo\\te\nnl' },
      { name: 'y', value: '\\d' },
      { name: 'z', value: 'héllo ✓ 日本 #{}=,' },
    ]);
  });


  it('never takes a character outside ASCII for syntax, even one whose low byte is (U+0161 = "a", U+0A20 = " ")', () => {
    const text = 'm{a="\u0122\u017d",b="x"} 1 2\nm\u0161 1\nm 1\u0a202\nm{\u0161="1"} 1\n# TYPE m\u0a20gauge\n';
    const { rows, errors, metadata } = parsePrometheusText(text);
    assert.deepEqual(rows, [row('m', [['a', '\u0122\u017d'], ['b', 'x']], 1, 2)]);
    assert.deepEqual(
      errors.map((e) => e.line),
      [2, 3, 4, 5],
    );
    assert.equal(metadata.size, 0);
  });
  it('tolerates OpenMetrics: # EOF, exemplars, unit and float timestamps', () => {
    const text = [
      '# TYPE foo counter',
      '# UNIT foo seconds',
      'foo_total{a="b"} 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67',
      'foo_bucket{le="1"} 3 # {trace_id="x"} 0.5 123',
      '# EOF',
      '',
    ].join('\n');
    const { rows, errors } = parsePrometheusText(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(rows, [row('foo_total', [['a', 'b']], 17, 1520879607.789), row('foo_bucket', [['le', '1']], 3)]);
  });

  it('reads a last line without a newline, and an empty text', () => {
    assert.deepEqual(parsePrometheusText('a 1\nb 2').rows.map((r) => r.metric), ['a', 'b']);
    assert.deepEqual(parsePrometheusText(''), { rows: [], errors: [], metadata: new Map() });
  });
});

describe('parsePrometheusText: malformed lines', () => {
  const cases: [string, RegExp][] = [
    ['{a="b"} 1', /expected a metric name/],
    ['9abc 1', /expected a metric name/],
    ['abc', /missing value for abc/],
    ['abc{a="b"}', /missing value for abc/],
    ['abc{a="b" 1', /expected "," or "}" after label a/],
    ['abc{a="b"', /unterminated label set of abc|expected "," or "}"/],
    ['abc{a="b', /unterminated value of label a/],
    ['abc{a=b} 1', /expected a quoted value for label a/],
    ['abc{a} 1', /expected "=" after label name a/],
    ['abc{1a="b"} 1', /expected a label name or "}"/],
    ['abc{,} 1', /expected a label name or "}"/],
    ['abc{a="b",,} 1', /expected a label name or "}"/],
    ['abc 1x', /invalid value "1x"/],
    ['abc 0x10', /invalid value "0x10"/],
    ['abc Infinityy', /invalid value/],
    ['abc 1 2x', /invalid timestamp "2x"/],
    ['abc 1 NaN', /invalid timestamp "NaN"/],
    ['abc 1 2 3', /unexpected "3" after the timestamp/],
    ['# TYPE abc gauges', /unknown metric type "gauges"/],
    ['# TYPE abc', /unknown metric type ""/],
    ['# HELP', /# HELP: expected a metric name/],
    ['# TYPE 1abc counter', /# TYPE: expected a metric name/],
    ['# HELP abc{ x', /invalid character/],
    ['abc{a="b"}x 1', /invalid value "x"/],
  ];

  for (const [bad, message] of cases) {
    it(`one error with its line number for ${JSON.stringify(bad)}, the rest parsed`, () => {
      const text = `# HELP good A good metric\ngood{i="1"} 1\n\n${bad}\r\ngood{i="2"} 2\n`;
      const { rows, errors } = parsePrometheusText(text);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]!.line, 4);
      assert.match(errors[0]!.message, message);
      assert.deepEqual(rows, [row('good', [['i', '1']], 1), row('good', [['i', '2']], 2)]);
    });
  }

  it('numbers each of many bad lines right, and parses every good one in between', () => {
    const lines: string[] = [];
    const bad: number[] = [];
    for (let i = 1; i <= 300; i++) {
      if (i % 7 === 0) {
        lines.push(`broken{x="${i}" ${i}`);
        bad.push(i);
      } else {
        lines.push(`ok{x="${i}"} ${i}`);
      }
    }
    const { rows, errors } = parsePrometheusText(lines.join('\r\n'));
    assert.deepEqual(errors.map((e) => e.line), bad);
    assert.equal(rows.length, 300 - bad.length);
    assert.ok(rows.every((r) => r.value % 7 !== 0 && r.labels[0]!.value === String(r.value)));
  });
});
