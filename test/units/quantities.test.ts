import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors.js';
import { parseByteSize } from '../../src/units/byte-size.js';
import { parseDuration } from '../../src/units/duration.js';
import { QuantityError } from '../../src/units/quantity-error.js';

test('parseDuration reads Go durations and plain seconds, in milliseconds', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('30'), 30_000);
  assert.equal(parseDuration(' 0 '), 0);
});

test('parseDuration rejects junk with its own error, not the CLI\'s', () => {
  for (const bad of ['', '5x', 's', '5s junk', '-1s']) {
    assert.throws(
      () => parseDuration(bad),
      (e: unknown) => e instanceof QuantityError && !(e instanceof UsageError) && e.quantity === 'duration' && e.text === bad && e.message === `invalid duration ${JSON.stringify(bad)} (e.g. 500ms, 5s, 2m)`,
      bad,
    );
  }
});

test('parseByteSize reads binary units', () => {
  assert.equal(parseByteSize('1MB'), 1 << 20);
  assert.equal(parseByteSize('512kB'), 512 * 1024);
  assert.equal(parseByteSize('2048'), 2048);
  assert.equal(parseByteSize('0.5 GB'), 1 << 29);
  assert.throws(() => parseByteSize('lots'), (e: unknown) => e instanceof QuantityError && e.quantity === 'size' && e.message === 'invalid size "lots" (e.g. 512kB, 1MB)');
});
