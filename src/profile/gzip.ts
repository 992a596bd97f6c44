import { gunzipSync } from 'node:zlib';
import { TsprofError } from '../errors.js';

/** defaultMaxDecodedBytes is the decompression cap: far above any real profile, far below exhausting memory. */
export const defaultMaxDecodedBytes = 1 << 30;

/** isGzip reports whether bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * gunzipBounded inflates gzip data, refusing output larger than maxBytes so
 * that a small hostile file cannot exhaust memory.
 */
export function gunzipBounded(bytes: Uint8Array, sourceName: string, maxBytes: number): Uint8Array {
  // The gzip trailer's ISIZE (size mod 2^32 of the last member) sizes the
  // output buffer, so the result is written once instead of in 64 KiB chunks
  // concatenated at the end (which briefly doubles the memory). It is only a
  // hint: bounded by the deflate ratio limit and the cap, and wrong is merely slower.
  let chunkSize = 64 * 1024;
  if (bytes.length >= 18) {
    const n = bytes.length;
    const isize = (bytes[n - 4]! | (bytes[n - 3]! << 8) | (bytes[n - 2]! << 16) | (bytes[n - 1]! << 24)) >>> 0;
    const hint = Math.min(isize + 1024, maxBytes + 1, bytes.length * 1032);
    if (hint > chunkSize) chunkSize = hint;
  }
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes, chunkSize });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new TsprofError(`${sourceName}: decompressing profile: larger than ${maxBytes} bytes when inflated (decompression bomb?)`);
    }
    throw new TsprofError(`${sourceName}: decompressing profile: ${e.message}`);
  }
}
