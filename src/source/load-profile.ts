import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TsprofError } from '../errors.js';
import { fetchBytes } from '../fetch/fetch-bytes.js';
import { FetchError, type FetchFailure } from '../fetch/fetch-error.js';
import { isHostPort } from '../fetch/host-port.js';
import type { HttpGet } from '../fetch/http-get.js';
import { defaultMaxDecodedBytes } from '../profile/gzip.js';
import type { Profile } from '../profile/profile.js';
import { parseSource } from './formats/registry.js';

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
  /** For URLs: sent as `Authorization: Bearer <token>` (a tsprof agent started with a token). */
  token?: string;
  /** For URLs: the HTTP seam (default node:http); tests pass a fake. */
  http?: HttpGet;
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
  } else if (isHostPort(source)) {
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

/** pprofWording says why a fetch failed in the words `go tool pprof` uses. */
function pprofWording(failure: FetchFailure): string {
  switch (failure.kind) {
    case 'status':
      return `server response: ${failure.status} ${failure.statusText}${failure.body ? ' - ' + failure.body : ''}`;
    case 'timeout':
      return `http fetch: timed out after ${Math.round(failure.timeoutMs / 1000)}s`;
    case 'network':
      return `http fetch: ${failure.code ?? failure.detail}`;
    case 'too-large':
      return `larger than ${failure.maxBytes} bytes`;
  }
}

async function fetchURL(url: URL, options: LoadOptions, max: number): Promise<Uint8Array> {
  const seconds = Number(url.searchParams.get('seconds') ?? '0') || 0;
  const timeoutMs = options.timeoutMs !== undefined && options.timeoutMs > 0 ? options.timeoutMs : seconds > 0 ? seconds * 1500 : 60000;
  options.log?.(`Fetching profile over HTTP from ${url.href}`);
  if (seconds > 0) options.log?.(`Please wait... (${seconds}s)`);
  try {
    return await fetchBytes(url, {
      timeoutMs: timeoutMs + 5000,
      maxBytes: max,
      ...(options.token ? { token: options.token } : {}),
      ...(options.http ? { http: options.http } : {}),
    });
  } catch (err) {
    if (err instanceof FetchError) throw new TsprofError(`${url.href}: ${pprofWording(err.failure)}`);
    throw err;
  }
}

/**
 * parseProfileBytes turns loaded bytes into a Profile: pprof protobuf
 * (gzip or raw) or a V8 .cpuprofile/.heapprofile (JSON), told apart by
 * content (the source-format registry).
 */
export function parseProfileBytes(bytes: Uint8Array, sourceName: string, maxBytes = defaultMaxDecodedBytes): Profile {
  return parseSource(bytes, sourceName, maxBytes);
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
