import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TsprofError } from '../errors.js';
import { decodeProfile } from '../profile/decode.js';
import { defaultMaxDecodedBytes, gunzipBounded, isGzip } from '../profile/gzip.js';
import type { Profile } from '../profile/profile.js';
import { importV8Profile } from './v8-import.js';

/** LoadOptions tune where and how long loadProfile looks. */
export interface LoadOptions {
  /** For URLs: profile duration, appended as ?seconds=N. */
  seconds?: number;
  /** For URLs: how long to wait; default 1.5 × seconds, or 60 s. */
  timeoutMs?: number;
  /** What "-" reads (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Directory relative file names resolve against (default process.cwd()). */
  cwd?: string;
  /** Largest profile accepted, compressed or not (default 1 GiB or env TSPROF_MAX_DECODED_BYTES). */
  maxBytes?: number;
  /** Told "Fetching profile over HTTP from …" as pprof prints it. */
  log?: (line: string) => void;
}

function maxBytesOf(options: LoadOptions): number {
  if (options.maxBytes !== undefined) return options.maxBytes;
  const env = Number(process.env.TSPROF_MAX_DECODED_BYTES);
  return Number.isFinite(env) && env > 0 ? env : defaultMaxDecodedBytes;
}

/**
 * profileURL returns the URL to fetch for source, or undefined when source
 * is not a URL. As pprof, "host:port/path" counts as http, and seconds
 * replaces any ?seconds= already there.
 */
export function profileURL(source: string, seconds?: number): URL | undefined {
  let url: URL | undefined;
  if (/^https?:\/\//i.test(source)) {
    try { url = new URL(source); } catch { throw new TsprofError(`${source}: not a valid URL`); }
  } else if (/^[\w.-]+:\d+(\/.*)?$/.test(source) || /^\[[0-9a-fA-F:]+\]:\d+(\/.*)?$/.test(source)) {
    url = new URL('http://' + source);
  }
  if (!url) return undefined;
  if (seconds !== undefined && seconds > 0) url.searchParams.set('seconds', String(Math.trunc(seconds)));
  return url;
}

async function readBounded(stream: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, what: string, max: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    size += b.length;
    if (size > max) throw new TsprofError(`${what}: larger than ${max} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks, size);
}

function firstLine(text: string, limit = 120): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > limit ? one.slice(0, limit) + '…' : one;
}

async function fetchURL(url: URL, options: LoadOptions, max: number): Promise<Uint8Array> {
  const seconds = Number(url.searchParams.get('seconds') ?? '0') || 0;
  const timeoutMs = options.timeoutMs !== undefined && options.timeoutMs > 0 ? options.timeoutMs : seconds > 0 ? seconds * 1500 : 60000;
  const name = url.toString();
  options.log?.(`Fetching profile over HTTP from ${name}`);
  if (seconds > 0) options.log?.(`Please wait... (${seconds}s)`);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs + 5000), redirect: 'follow' });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new TsprofError(`${name}: http fetch: timed out after ${Math.round((timeoutMs + 5000) / 1000)}s`);
    const cause = e.cause?.code ?? e.cause?.message ?? e.message;
    throw new TsprofError(`${name}: http fetch: ${cause}`);
  }
  if (!res.ok) {
    let body = '';
    try { body = firstLine(new TextDecoder().decode(await readBounded(res.body as unknown as AsyncIterable<Uint8Array>, name, 64 * 1024))); } catch { /* status alone */ }
    throw new TsprofError(`${name}: server response: ${res.status} ${res.statusText}${body ? ' - ' + body : ''}`);
  }
  if (!res.body) return new Uint8Array(0);
  return readBounded(res.body as unknown as AsyncIterable<Uint8Array>, name, max);
}

/**
 * parseProfileBytes turns loaded bytes into a Profile: pprof protobuf
 * (gzip or raw) or a V8 .cpuprofile/.heapprofile (JSON), told apart by content.
 */
export function parseProfileBytes(bytes: Uint8Array, sourceName: string, maxBytes = defaultMaxDecodedBytes): Profile {
  const data = isGzip(bytes) ? gunzipBounded(bytes, sourceName, maxBytes) : bytes;
  let i = 0;
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) i = 3;
  while (i < data.length && (data[i] === 0x20 || data[i] === 0x0a || data[i] === 0x0d || data[i] === 0x09)) i++;
  if (data[i] === 0x7b /* { */) {
    const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    const pprof = importV8Profile(text, sourceName);
    if (pprof) return decodeProfile(pprof, sourceName, { maxDecodedBytes: maxBytes });
    if (/^\s*\{\s*"snapshot"\s*:/.test(text.slice(0, 200))) {
      throw new TsprofError(`${sourceName}: a V8 heap snapshot, not a profile: read it with \`tsprof snapshot summary ${sourceName}\``);
    }
    throw new TsprofError(`${sourceName}: JSON that is not a V8 .cpuprofile or .heapprofile (starts ${JSON.stringify(firstLine(text, 40))})`);
  }
  // Text that pprof's legacy parsers or a web server would send: say what it is.
  const head = Buffer.from(data.buffer, data.byteOffset + i, Math.min(data.byteLength - i, 80)).toString('latin1');
  if (/^<(!DOCTYPE|html)/i.test(head)) throw new TsprofError(`${sourceName}: an HTML page, not a profile`);
  if (/^(heap profile:|--- contention|--- mutex|goroutine profile:|threadcreate profile:)/.test(head)) {
    throw new TsprofError(`${sourceName}: a legacy text profile ("${head.split('\n')[0]!.trim()}"), not protobuf: fetch it without ?debug=N`);
  }
  return decodeProfile(data, sourceName, { maxDecodedBytes: maxBytes });
}

/**
 * loadProfile reads one profile from a file path, "-" (stdin) or an
 * http(s) URL. Every failure is a one-line TsprofError naming the source.
 */
export async function loadProfile(source: string, options: LoadOptions = {}): Promise<Profile> {
  const max = maxBytesOf(options);
  if (source === '-') {
    const bytes = await readBounded(options.stdin ?? process.stdin, 'stdin', max);
    return parseProfileBytes(bytes, 'stdin', max);
  }
  const url = profileURL(source, options.seconds);
  if (url) return parseProfileBytes(await fetchURL(url, options, max), url.toString(), max);
  const path = resolve(options.cwd ?? process.cwd(), source);
  let bytes: Uint8Array;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new TsprofError(`${source}: is a directory, not a profile`);
    if (st.size > max) throw new TsprofError(`${source}: ${st.size} bytes is larger than the ${max}-byte limit`);
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof TsprofError) throw err;
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new TsprofError(`open ${source}: ${why}`);
  }
  return parseProfileBytes(bytes, source, max);
}
