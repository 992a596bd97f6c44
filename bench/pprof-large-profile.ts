/**
 * Where the pprof benchmark's large profile is cached, and how big it is.
 * The profile is hundreds of MB decoded and takes minutes to make, so it
 * lives outside the repository (never committed) and is made once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** benchCacheDir is $TSPROF_BENCH_CACHE, else `.bench-cache` beside the project directory. */
export function benchCacheDir(): string {
  return process.env.TSPROF_BENCH_CACHE ?? fileURLToPath(new URL('../../../.bench-cache', import.meta.url));
}

/** defaultLargeProfilePath is where pprof-make-profile writes and pprof-top reads the profile. */
export function defaultLargeProfilePath(): string {
  return join(benchCacheDir(), 'pprof-large.pb.gz');
}

/** ProfileSize is what the benchmark's thresholds are about. */
export interface ProfileSize {
  compressedBytes: number;
  decodedBytes: number;
  samples: number;
}

/**
 * measureProfile reads a gzip-compressed pprof profile and counts its samples
 * by walking the top-level protobuf fields (field 2 is Profile.sample), which
 * needs no decoder of ours: the benchmark must not trust the code it measures.
 */
export function measureProfile(path: string): ProfileSize {
  const compressed = readFileSync(path);
  const bytes = compressed[0] === 0x1f && compressed[1] === 0x8b ? gunzipSync(compressed, { maxOutputLength: 2 ** 31 - 1 }) : compressed;
  let samples = 0;
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[at++];
      if (b === undefined) throw new Error(`${path}: truncated varint at byte ${at}`);
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        varint();
        break;
      case 1:
        at += 8;
        break;
      case 2: {
        // Not `at += varint()`: that would read `at` before varint() moves it.
        const length = varint();
        at += length;
        if (field === 2) samples++;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new Error(`${path}: not a protobuf (wire type ${key & 7} at byte ${at})`);
    }
  }
  return { compressedBytes: compressed.length, decodedBytes: bytes.length, samples };
}
