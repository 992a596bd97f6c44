import { createReadStream, promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { TsprofError, errorMessage } from '../errors.js';
import type { HeapSnapshot } from './heap-snapshot.js';
import { SnapshotParser } from './snapshot-parser.js';

/** ReadSnapshotOptions tunes readHeapSnapshot. */
export interface ReadSnapshotOptions {
  /** Name used in error messages (defaults to the path, or "heap snapshot"). */
  name?: string;
  /**
   * Called now and then with the input bytes read so far and the total
   * (the file size, or undefined for a stream), for a progress line. Bytes
   * are counted before decompression, so they match the file size.
   */
  onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
}

/**
 * readHeapSnapshot reads a V8 heap snapshot (`.heapsnapshot`, as written by
 * `v8.writeHeapSnapshot()` or DevTools) from a file path, a byte stream or
 * bytes in memory, gzip-compressed or not (told by content, not name). It
 * streams: memory is the decoded typed arrays plus one chunk, whatever the
 * file size. Bad input is a one-line TsprofError naming the input.
 */
export async function readHeapSnapshot(
  source: string | Uint8Array | AsyncIterable<Uint8Array>,
  options: ReadSnapshotOptions = {},
): Promise<HeapSnapshot> {
  const name = options.name ?? (typeof source === 'string' ? source : 'heap snapshot');
  let total: number | undefined;
  let input: AsyncIterable<Uint8Array>;
  if (typeof source === 'string') {
    try {
      total = (await fsp.stat(source)).size;
    } catch (err) {
      throw new TsprofError(`${name}: ${describeFsError(err)}`);
    }
    input = createReadStream(source, { highWaterMark: 1 << 20 });
  } else if (source instanceof Uint8Array) {
    total = source.length;
    const bytes = source;
    input = (async function* () {
      yield bytes;
    })();
  } else {
    input = source;
  }
  let parser: SnapshotParser | undefined;
  let read = 0;
  let lastReport = 0;
  const counted = async function* () {
    try {
      for await (const chunk of input) {
        read += chunk.length;
        if (options.onProgress && read - lastReport >= 16 << 20) {
          lastReport = read;
          options.onProgress(read, total);
        }
        yield chunk;
      }
    } catch (err) {
      throw new TsprofError(`${name}: ${describeFsError(err)}`);
    }
  };
  // Uncompressed, the file size bounds what the header may announce (see SnapshotParser).
  const onFormat = (gzip: boolean) => (parser = new SnapshotParser(name, gzip ? undefined : total));
  for await (const chunk of decompressedIfGzip(counted(), name, onFormat)) parser!.feed(chunk);
  options.onProgress?.(read, total);
  return (parser ?? new SnapshotParser(name)).finish();
}

/** gzip's magic number: the first two bytes of every gzip member. */
function isGzip(chunk: Uint8Array): boolean {
  return chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
}

/**
 * decompressedIfGzip yields the input as is, or gunzipped when its first
 * bytes are gzip's magic number.
 */
async function* decompressedIfGzip(input: AsyncIterable<Uint8Array>, name: string, onFormat: (gzip: boolean) => void): AsyncGenerator<Uint8Array> {
  const it = input[Symbol.asyncIterator]();
  let first = await it.next();
  // Need two bytes to sniff; a stream may deliver a single byte first.
  while (!first.done && first.value.length < 2) {
    const next = await it.next();
    if (next.done) break;
    first = { done: false, value: Buffer.concat([first.value, next.value]) };
  }
  if (first.done) return;
  const rest = async function* () {
    yield first.value;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  };
  onFormat(isGzip(first.value));
  if (!isGzip(first.value)) {
    yield* rest();
    return;
  }
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  const compressed = Readable.from(rest(), { objectMode: false });
  compressed.on('error', (err) => gunzip.destroy(err));
  compressed.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof TsprofError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(errorMessage(err))) {
      throw new TsprofError(`${name}: truncated heap snapshot: the gzip data ends early`);
    }
    throw new TsprofError(`${name}: corrupt gzip data: ${errorMessage(err)}`);
  } finally {
    compressed.destroy();
    gunzip.destroy();
  }
}

function describeFsError(err: unknown): string {
  if (err instanceof TsprofError) return err.message;
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a heap snapshot';
  if (code === 'EACCES') return 'permission denied';
  return errorMessage(err);
}
