import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { configFieldByName, defaultConfig, setConfigValue } from '../../src/driver/config.js';
import { applyCommandOverrides, generateReport, parseReportCommand, sampleIndexByName } from '../../src/driver/generate.js';
import { decodeProfile } from '../../src/profile/decode.js';

process.env.TZ = 'UTC';
const fixtures = join(process.cwd(), 'test', 'fixtures', 'go');
const heap = decodeProfile(readFileSync(join(fixtures, 'heap_t2.pb.gz')), 'heap_t2.pb.gz');

test('setConfigValue sets by pprof name and returns a new Config', () => {
  const cfg = defaultConfig();
  const next = setConfigValue(cfg, 'sample_index', 'alloc_space');
  assert.equal(next.sampleIndex, 'alloc_space');
  assert.equal(cfg.sampleIndex, '');
  assert.equal(setConfigValue(cfg, 'nodecount', '7').nodeCount, 7);
  assert.equal(setConfigValue(cfg, 'trim', 'false').trim, false);
  assert.equal(setConfigValue(cfg, 'cum', '').sort, 'cum');
  assert.equal(setConfigValue(cfg, 'granularity', 'lines').granularity, 'lines');
  assert.equal(configFieldByName('lines')!.name, 'granularity');
  assert.throws(() => setConfigValue(cfg, 'nodecount', 'x'), UsageError);
  assert.throws(() => setConfigValue(cfg, 'granularity', 'bytes'), UsageError);
  assert.throws(() => setConfigValue(cfg, 'nosuch', '1'), UsageError);
});

test('sample index by name, inuse_-less name, number, or default', () => {
  assert.equal(sampleIndexByName(heap, ''), 3);
  assert.equal(sampleIndexByName(heap, 'alloc_space'), 1);
  assert.equal(sampleIndexByName(heap, '2'), 2);
  assert.equal(sampleIndexByName({ ...heap, defaultSampleType: 'alloc_objects' }, ''), 0);
  assert.throws(() => sampleIndexByName(heap, '9'), /outside the range \[0\.\.3\]/);
});

test('command overrides as pprof: peek and list never trim, top shows every node', () => {
  const cfg = defaultConfig();
  assert.equal(applyCommandOverrides('top', cfg).nodeCount, 0);
  assert.equal(applyCommandOverrides('tree', cfg).nodeCount, 80);
  assert.equal(applyCommandOverrides('peek', cfg).nodeFraction, 0);
  assert.equal(applyCommandOverrides('list', cfg).granularity, 'lines');
  assert.deepEqual(parseReportCommand('peek  parse.*'), { name: 'peek', arg: 'parse.*' });
  assert.throws(() => parseReportCommand('frobnicate'), UsageError);
});

test('generateReport prints the golden report from code, and "top N" limits the rows', async () => {
  const golden = readFileSync(join(fixtures, 'golden', 'heap_top_alloc_space.txt'), 'utf8');
  const cfg = setConfigValue(defaultConfig(), 'sample_index', 'alloc_space');
  assert.equal(await generateReport(heap, cfg, 'top'), golden);
  const top3 = await generateReport(heap, cfg, 'top 3');
  assert.match(top3, /Showing top 3 nodes out of 12/);
  assert.equal(top3.split('\n').filter((l) => /^\s+\S+\s+\d/.test(l)).length, 3);
});

test('warnings reach the caller, the profile stays unchanged', async () => {
  const warnings: string[] = [];
  const before = heap.samples.count;
  await generateReport(heap, setConfigValue(defaultConfig(), 'focus', 'nothingmatches'), 'top', { warn: (m) => warnings.push(m) });
  assert.deepEqual(warnings, ['Focus expression matched no samples']);
  assert.equal(heap.samples.count, before);
});

test('Go regexp syntax: leading flags and named groups carry over; bad ones are one-line errors', async () => {
  const { compileRegexp } = await import('../../src/driver/regexp.js');
  assert.ok(compileRegexp('focus', '(?i)PARSE').test('main.parseContainer'));
  assert.ok(compileRegexp('focus', '(?P<pkg>main)\\.').test('main.main'));
  assert.ok(compileRegexp('focus', '[[:digit:]]+').test('func1'));
  assert.throws(() => compileRegexp('hide', '(unclosed'), /^TsprofError: parsing hide regexp "\(unclosed": /);
});
