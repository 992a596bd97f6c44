import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goDuration } from '../../src/report/raw.js';
import { formatProfileTime, trimPath } from '../../src/report/report.js';
import { alignColumns } from '../../src/report/tabwriter.js';
import { escapeForDot, dotColor, shortenFunctionName } from '../../src/report/dot.js';

test('alignColumns right-aligns cells as text/tabwriter, blocks end at lines without the column', () => {
  const text = 'key:\t Total 10\n \t1.0 (10%):\t a\n \t10.0 (100%):\t bb\n\nk2:\t Total 1\n';
  // What Go's tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight) prints for the same text.
  assert.equal(alignColumns(text, true), ' key: Total 10\n        1.0 (10%): a\n      10.0 (100%): bb\n\n k2: Total 1\n');
});

test('profile times print as pprof in the local zone', () => {
  process.env.TZ = 'UTC';
  assert.equal(formatProfileTime(1795673308559062806n), 'Nov 26, 2026 at 6:08am (UTC)');
  assert.equal(formatProfileTime(1795716000000000000n), 'Nov 26, 2026 at 6:00pm (UTC)');
});

test('goDuration matches time.Duration.String', () => {
  assert.equal(goDuration(709781153), '709.781153ms');
  assert.equal(goDuration(1500), '1.5µs');
  assert.equal(goDuration(61_000_000_000), '1m1s');
  assert.equal(goDuration(0), '0s');
});

test('trimPath strips configured and /proc/self/cwd prefixes, and guesses from the source path', () => {
  assert.equal(trimPath('/build/src/app/main.go', '/build/src', ''), 'app/main.go');
  assert.equal(trimPath('/proc/self/cwd/app/main.go', '', ''), 'app/main.go');
  assert.equal(trimPath('/remote/x/myproj/pkg/a.go', '', '/home/me/myproj'), 'pkg/a.go');
  assert.equal(trimPath('/elsewhere/a.go', '/build', ''), '/elsewhere/a.go');
});

test('dot helpers: escaping, colors and short names', () => {
  assert.equal(escapeForDot('a"b\\c\nd'), 'a\\"b\\\\c\\ld');
  assert.equal(dotColor(1, false), '#b20000');
  assert.equal(dotColor(0, true), '#ededed');
  assert.equal(shortenFunctionName('github.com/x/y/pkg.(*T).Method'), 'pkg.(*T).Method');
  assert.equal(shortenFunctionName('example.com/m/v2/pkg.F'), 'pkg.F');
  assert.equal(shortenFunctionName('java.util.HashMap.get'), 'HashMap.get');
});

test('zone abbreviations come from the system zone files, as Go prints them', () => {
  const saved = process.env.TZ;
  try {
    const july = BigInt(Date.UTC(2026, 6, 1, 12, 0)) * 1000000n;
    const november = 1795673308559062806n;
    process.env.TZ = 'Europe/Berlin';
    assert.equal(formatProfileTime(november), 'Nov 26, 2026 at 7:08am (CET)');
    assert.equal(formatProfileTime(july), 'Jul 1, 2026 at 2:00pm (CEST)');
    process.env.TZ = 'America/New_York';
    assert.equal(formatProfileTime(july), 'Jul 1, 2026 at 8:00am (EDT)');
    process.env.TZ = 'America/Sao_Paulo';
    assert.equal(formatProfileTime(november), 'Nov 26, 2026 at 3:08am (-03)');
  } finally {
    process.env.TZ = saved;
  }
});
