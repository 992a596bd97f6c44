import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseByteSize, parseDuration } from '../../src/leak/duration.js';
import { UsageError } from '../../src/errors.js';

test('parseDuration reads Go durations and plain seconds', () => {
  assert.equal(parseDuration('500ms', 'interval'), 500);
  assert.equal(parseDuration('5s', 'interval'), 5000);
  assert.equal(parseDuration('1m30s', 'duration'), 90_000);
  assert.equal(parseDuration('2h', 'duration'), 7_200_000);
  assert.equal(parseDuration('1.5s', 'duration'), 1500);
  assert.equal(parseDuration('30', 'duration'), 30_000);
  assert.equal(parseDuration('0', 'duration'), 0);
});

test('parseDuration rejects junk with a usage error naming the flag', () => {
  for (const bad of ['', '5x', 's', '5s junk', '-1s']) {
    assert.throws(() => parseDuration(bad, 'interval'), (e: unknown) => e instanceof UsageError && /-interval/.test(e.message), bad);
  }
});

test('parseByteSize reads binary units', () => {
  assert.equal(parseByteSize('1MB', 'min_growth'), 1 << 20);
  assert.equal(parseByteSize('512kB', 'min_growth'), 512 * 1024);
  assert.equal(parseByteSize('2048', 'min_growth'), 2048);
  assert.equal(parseByteSize('0.5 GB', 'min_growth'), 1 << 29);
  assert.throws(() => parseByteSize('lots', 'min_growth'), /invalid size "lots" for -min_growth/);
});
