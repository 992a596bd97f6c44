import { createWriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { TsprofError, errorMessage } from '../errors.js';

/** AgentRequestOptions: how to talk to a tsprof agent (or any /debug/pprof server). */
export interface AgentRequestOptions {
  /** token is sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  /** timeoutMs bounds the whole request, body included. */
  timeoutMs: number;
  /** maxBytes bounds the body read into memory (not for downloads to a file). */
  maxBytes?: number;
}

/**
 * heapProfileUrl turns what a user types into the heap profile endpoint: a
 * bare origin (`http://127.0.0.1:6060`) gets `/debug/pprof/heap`; a full
 * endpoint URL is kept. With gc, `gc=1` asks the agent to collect garbage
 * first, so "in use" means reachable, not "not yet collected".
 */
export function heapProfileUrl(input: string, gc: boolean): URL {
  const url = parseHttpUrl(input);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/debug/pprof/heap';
  if (gc && !url.searchParams.has('gc')) url.searchParams.set('gc', '1');
  return url;
}

/**
 * heapSnapshotUrl is the agent's snapshot endpoint next to a heap profile
 * endpoint: `…/debug/pprof/heap` → `…/debug/pprof/heapsnapshot`.
 */
export function heapSnapshotUrl(heapUrl: URL): URL {
  const url = new URL(heapUrl.href);
  url.search = '';
  url.pathname = url.pathname.endsWith('/heap') ? url.pathname + 'snapshot' : '/debug/pprof/heapsnapshot';
  return url;
}

/** parseHttpUrl accepts http(s) URLs, and `host:port[/path]` as http as pprof does, with one clear error for anything else. */
export function parseHttpUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(/^[\w.-]+:\d+(\/.*)?$/.test(input) || /^\[[0-9a-fA-F:]+\]:\d+(\/.*)?$/.test(input) ? `http://${input}` : input);
  } catch {
    throw new TsprofError(`${input}: not a URL (expected e.g. http://127.0.0.1:6060/debug/pprof/heap)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TsprofError(`${input}: not an http(s) URL`);
  return url;
}

/** getBytes fetches a URL into memory; any failure is one TsprofError line naming the URL. */
export async function getBytes(url: URL, options: AgentRequestOptions): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? 1 << 30;
  return request(url, options, async (res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new TsprofError(`${url.href}: response larger than ${maxBytes} bytes`);
      chunks.push(chunk);
    }
    return new Uint8Array(Buffer.concat(chunks));
  });
}

/**
 * downloadToFile streams a URL's body into a file without holding it in
 * memory (heap snapshots can be gigabytes) and returns the bytes written.
 */
export async function downloadToFile(url: URL, file: string, options: AgentRequestOptions): Promise<number> {
  return request(url, options, async (res) => {
    let size = 0;
    res.on('data', (chunk: Buffer) => (size += chunk.length));
    await pipeline(res, createWriteStream(file));
    return size;
  });
}

async function request<T>(url: URL, options: AgentRequestOptions, read: (res: http.IncomingMessage) => Promise<T>): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const get = url.protocol === 'https:' ? https.get : http.get;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = get(url, { headers, signal: controller.signal }, resolve);
      req.on('error', reject);
    });
    if (res.statusCode !== 200) {
      const body = await readStart(res);
      throw new TsprofError(`${url.href}: HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd() + (body ? `: ${body}` : ''));
    }
    return await read(res);
  } catch (err) {
    if (err instanceof TsprofError) throw err;
    if (controller.signal.aborted) throw new TsprofError(`${url.href}: no complete answer within ${options.timeoutMs}ms`);
    const code = (err as NodeJS.ErrnoException).code;
    throw new TsprofError(`${url.href}: ${code === 'ECONNREFUSED' ? 'connection refused (is the agent running?)' : errorMessage(err)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** readStart reads the first bytes of an error body for the message, as one line. */
async function readStart(res: http.IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of res as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length >= 200) break;
  }
  res.destroy();
  return text.replace(/\s+/g, ' ').trim().slice(0, 120);
}
