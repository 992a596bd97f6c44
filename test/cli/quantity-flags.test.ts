import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteSizeFlag, durationFlag } from '../../src/cli/quantity-flags.js';
import { UsageError } from '../../src/errors.js';

test('durationFlag reads Go durations and plain seconds', () => {
  assert.equal(durationFlag('500ms', 'interval'), 500);
  assert.equal(durationFlag('1m30s', 'duration'), 90_000);
  assert.equal(durationFlag('30', 'duration'), 30_000);
});

test('durationFlag rejects junk with a usage error naming the flag', () => {
  for (const bad of ['', '5x', 's', '5s junk', '-1s']) {
    assert.throws(() => durationFlag(bad, 'interval'), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /-interval/.test(e.message), bad);
  }
  assert.throws(() => durationFlag('5x', 'timeout'), { message: 'invalid duration "5x" for -timeout (e.g. 500ms, 5s, 2m)' });
});

test('byteSizeFlag reads binary units and names the flag when it cannot', () => {
  assert.equal(byteSizeFlag('1MB', 'min_growth'), 1 << 20);
  assert.equal(byteSizeFlag('0.5 GB', 'min_growth'), 1 << 29);
  assert.throws(() => byteSizeFlag('lots', 'min_growth'), (e: unknown) => e instanceof UsageError && e.message === 'invalid size "lots" for -min_growth (e.g. 512kB, 1MB)');
});
