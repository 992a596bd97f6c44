import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { errorMessage } from '../errors.js';
import { defaultMaxDecodedBytes } from '../profile/gzip.js';
import { FetchError } from './fetch-error.js';
import { type HttpGet, type HttpResponse, nodeHttpGet } from './http-get.js';

/** FetchOptions say how to fetch one URL. */
export interface FetchOptions {
  /** token is sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  /** timeoutMs bounds the whole request, body included. */
  timeoutMs: number;
  /** maxBytes bounds a body read into memory (default 1 GiB, the decompression cap); downloads to a file are not bounded. */
  maxBytes?: number;
  /** http is the seam requests go through (default nodeHttpGet); tests pass a fake. */
  http?: HttpGet;
}

/**
 * fetchBytes GETs a URL into memory. Any failure (network, status other
 * than 2xx, timeout, a body over maxBytes) is a FetchError naming the URL.
 */
export async function fetchBytes(url: URL, options: FetchOptions): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? defaultMaxDecodedBytes;
  return withResponse(url, options, async (res) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        res.discard();
        throw new FetchError(url, { kind: 'too-large', maxBytes });
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, size);
  });
}

/**
 * fetchToFile streams a URL's body into a file without holding it in memory
 * (heap snapshots can be gigabytes) and returns the bytes written.
 */
export async function fetchToFile(url: URL, file: string, options: FetchOptions): Promise<number> {
  return withResponse(url, options, async (res) => {
    let size = 0;
    async function* counted(): AsyncIterable<Uint8Array> {
      for await (const chunk of res.body) {
        size += chunk.byteLength;
        yield chunk;
      }
    }
    await pipeline(counted, createWriteStream(file));
    return size;
  });
}

/** withResponse sends the request with the token and the timeout, checks the status, and lets read consume a 2xx body. */
async function withResponse<T>(url: URL, options: FetchOptions, read: (res: HttpResponse) => Promise<T>): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const res = await (options.http ?? nodeHttpGet)({ url, headers, signal: controller.signal });
    if (res.status < 200 || res.status > 299) {
      const body = await readStart(res);
      throw new FetchError(url, { kind: 'status', status: res.status, statusText: res.statusText, body });
    }
    return await read(res);
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if (controller.signal.aborted) throw new FetchError(url, { kind: 'timeout', timeoutMs: options.timeoutMs });
    const code = (err as NodeJS.ErrnoException).code;
    throw new FetchError(url, { kind: 'network', code: typeof code === 'string' ? code : undefined, detail: errorMessage(err) });
  } finally {
    clearTimeout(timer);
  }
}

/** readStart reads the start of an error body for the message, as one line of at most 120 characters. */
async function readStart(res: HttpResponse): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size >= 4096) break;
    }
  } catch {
    // The status alone says enough.
  } finally {
    res.discard();
  }
  const one = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim();
  return one.length > 120 ? one.slice(0, 120) + '…' : one;
}
