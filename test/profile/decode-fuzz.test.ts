import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { TsprofError } from '../../src/errors.js';
import { decodeProfile } from '../../src/profile/decode.js';
import { encodeProfile } from '../../src/profile/encode.js';
import { validateProfile } from '../../src/profile/validate.js';
import { defaultConfig } from '../../src/driver/config.js';
import { generateReport } from '../../src/driver/generate.js';

const fixtures = join(process.cwd(), 'test', 'fixtures', 'go');
const raws = ['heap_t1.pb.gz', 'heap_t2.pb.gz', 'cpu.pb.gz'].map((f) => gunzipSync(readFileSync(join(fixtures, f))));

/**
 * decodeOrClearError is the property: decoding either gives a valid profile
 * (that reports and re-encodes without error) or throws a TsprofError.
 */
async function decodeOrClearError(bytes: Uint8Array): Promise<'ok' | 'error'> {
  let p;
  try {
    p = decodeProfile(bytes, 'fuzz.pb', { maxDecodedBytes: 16 << 20 });
  } catch (err) {
    if (err instanceof TsprofError) {
      assert.ok(err.message.startsWith('fuzz.pb: '), err.message);
      assert.ok(!err.message.includes('\n'));
      return 'error';
    }
    throw err;
  }
  validateProfile(p);
  if (p.sampleTypes.length > 0) {
    for (const cmd of ['top', 'traces', 'tree']) {
      try {
        await generateReport(p, defaultConfig(), cmd);
      } catch (err) {
        if (!(err instanceof TsprofError)) throw err;
      }
    }
  }
  const again = decodeProfile(encodeProfile(p), 'again.pb');
  assert.equal(again.samples.count, p.samples.count);
  return 'ok';
}

test('byte mutations of real profiles decode or fail with TsprofError', { timeout: 60_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: raws.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      async (which, edits) => {
        const bytes = Uint8Array.from(raws[which]!);
        for (const [pos, value] of edits) bytes[pos % bytes.length] = value;
        await decodeOrClearError(bytes);
      },
    ),
    { numRuns: 300 },
  );
});

test('truncations of real profiles decode or fail with TsprofError', { timeout: 60_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: raws.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), async (which, frac) => {
      const raw = raws[which]!;
      await decodeOrClearError(raw.subarray(0, Math.floor(raw.length * frac)));
    }),
    { numRuns: 200 },
  );
});

test('truncated and corrupted gzip fails with TsprofError', { timeout: 60_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: raws.length - 1 }), fc.nat(), fc.integer({ min: 0, max: 255 }), async (which, cut, value) => {
      const gz = gzipSync(raws[which]!);
      const truncated = gz.subarray(0, 2 + (cut % (gz.length - 2)));
      await decodeOrClearError(truncated);
      const corrupted = Uint8Array.from(gz);
      corrupted[10 + (cut % (gz.length - 10))] = value;
      await decodeOrClearError(corrupted);
    }),
    { numRuns: 100 },
  );
});

test('random bytes decode or fail with TsprofError', { timeout: 60_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 512 }), async (bytes) => {
      await decodeOrClearError(bytes);
    }),
    { numRuns: 500 },
  );
});

test('inserting and deleting bytes decode or fail with TsprofError', { timeout: 60_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: raws.length - 1 }), fc.nat(), fc.uint8Array({ minLength: 0, maxLength: 16 }), fc.nat({ max: 16 }), async (which, at, insert, del) => {
      const raw = raws[which]!;
      const pos = at % raw.length;
      const bytes = Buffer.concat([raw.subarray(0, pos), insert, raw.subarray(Math.min(raw.length, pos + del))]);
      await decodeOrClearError(bytes);
    }),
    { numRuns: 300 },
  );
});
