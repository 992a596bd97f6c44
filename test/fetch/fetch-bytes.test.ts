import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchBytes, fetchToFile } from '../../src/fetch/fetch-bytes.js';
import { FetchError } from '../../src/fetch/fetch-error.js';
import { type HttpGet, nodeHttpGet } from '../../src/fetch/http-get.js';
import { isHostPort } from '../../src/fetch/host-port.js';
import { fakeHttp } from './fake-http.js';

const url = new URL('http://agent.test:6060/debug/pprof/heap');

const isFailure = (kind: string, message: string) => (err: unknown) => err instanceof FetchError && err.failure.kind === kind && err.message === message;

test('the token goes out as a bearer Authorization header, and only when set', async () => {
  const fake = fakeHttp(200, ['ab', 'cd']);
  assert.equal(Buffer.from(await fetchBytes(url, { timeoutMs: 1000, token: 's3cret', http: fake.get })).toString(), 'abcd');
  await fetchBytes(url, { timeoutMs: 1000, http: fake.get });
  assert.deepEqual(fake.requests.map((r) => r.headers), [{ authorization: 'Bearer s3cret' }, {}]);
  assert.equal(fake.requests[0]!.url.href, url.href);
});

test('a body over the cap is refused while reading, and the rest is left unread', async () => {
  const fake = fakeHttp(200, ['12345', '67890', 'never needed']);
  await assert.rejects(fetchBytes(url, { timeoutMs: 1000, maxBytes: 8, http: fake.get }), isFailure('too-large', `${url.href}: response larger than 8 bytes`));
  assert.equal(fake.discarded(), 1);
  const exact = fakeHttp(200, ['12345', '678']);
  assert.equal((await fetchBytes(url, { timeoutMs: 1000, maxBytes: 8, http: exact.get })).byteLength, 8, 'a body of exactly the cap is fine');
});

test('a status other than 2xx names the status and the start of the body, on one line', async () => {
  const fake = fakeHttp(503, ['busy:\n  another profile\n', 'is running'], 'Service Unavailable');
  await assert.rejects(fetchBytes(url, { timeoutMs: 1000, http: fake.get }), isFailure('status', `${url.href}: HTTP 503 Service Unavailable: busy: another profile is running`));
  assert.equal(fake.discarded(), 1, 'the error body is let go');
  const long = fakeHttp(500, ['x'.repeat(10_000)], 'Internal Server Error');
  await assert.rejects(fetchBytes(url, { timeoutMs: 1000, http: long.get }), (err: unknown) => err instanceof FetchError && err.message.endsWith(`: ${'x'.repeat(120)}…`));
});

test('network failures keep the system code; a refused connection says what to check', async () => {
  const refused: HttpGet = async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6060'), { code: 'ECONNREFUSED' });
  };
  await assert.rejects(fetchBytes(url, { timeoutMs: 1000, http: refused }), (err: unknown) =>
    err instanceof FetchError && err.failure.kind === 'network' && err.failure.code === 'ECONNREFUSED' && err.message === `${url.href}: connection refused (is the agent running?)`);
  const reset: HttpGet = async () => {
    throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  };
  await assert.rejects(fetchBytes(url, { timeoutMs: 1000, http: reset }), isFailure('network', `${url.href}: socket hang up`));
});

test('the timeout covers the body, not just the headers', async () => {
  const stalls: HttpGet = async ({ signal }) => ({
    status: 200,
    statusText: 'OK',
    body: (async function* () {
      yield Buffer.from('start');
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    })(),
    discard: () => undefined,
  });
  const started = Date.now();
  await assert.rejects(fetchBytes(url, { timeoutMs: 50, http: stalls }), isFailure('timeout', `${url.href}: no complete answer within 50ms`));
  assert.ok(Date.now() - started < 5000);
});

test('fetchToFile streams the body to a file and counts it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprof-fetch-'));
  try {
    const file = join(dir, 'end.heapsnapshot');
    const fake = fakeHttp(200, ['{"snapshot":', '{}}']);
    assert.equal(await fetchToFile(url, file, { timeoutMs: 1000, token: 't', http: fake.get }), 15);
    assert.equal(readFileSync(file, 'utf8'), '{"snapshot":{}}');
    assert.deepEqual(fake.requests[0]!.headers, { authorization: 'Bearer t' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('isHostPort is pprof\'s bare host:port (and [v6]:port), with or without a path', () => {
  for (const yes of ['localhost:6060', '127.0.0.1:6060/debug/pprof/heap', '[::1]:8080', 'my-host.local:1/x']) assert.ok(isHostPort(yes), yes);
  for (const no of ['heap.pb.gz', './dir/x:1', 'http://h:1/', 'host:port', ':6060']) assert.ok(!isHostPort(no), no);
});

async function listen(handler: (path: string, headers: IncomingHttpHeaders) => { status: number; headers?: Record<string, string>; body?: string }): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const answer = handler(req.url ?? '', req.headers);
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body ?? '');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('nodeHttpGet follows redirects, and keeps the token within the origin only', async () => {
  const seen: { where: string; auth: string | undefined }[] = [];
  const other = await listen((path, headers) => {
    seen.push({ where: `other${path}`, auth: headers.authorization });
    return { status: 200, body: 'profile bytes' };
  });
  const first = await listen((path, headers) => {
    seen.push({ where: `first${path}`, auth: headers.authorization });
    if (path === '/old') return { status: 301, headers: { location: '/debug/pprof/heap' } };
    if (path === '/debug/pprof/heap') return { status: 302, headers: { location: `${other.origin}/elsewhere` } };
    return { status: 404 };
  });
  try {
    const bytes = await fetchBytes(new URL(`${first.origin}/old`), { timeoutMs: 5000, token: 'tok', http: nodeHttpGet });
    assert.equal(Buffer.from(bytes).toString(), 'profile bytes');
    assert.deepEqual(seen, [
      { where: 'first/old', auth: 'Bearer tok' },
      { where: 'first/debug/pprof/heap', auth: 'Bearer tok' },
      { where: 'other/elsewhere', auth: undefined },
    ]);
  } finally {
    for (const s of [first.server, other.server]) {
      s.closeAllConnections();
      s.close();
    }
  }
});

test('nodeHttpGet gives up on a redirect loop with one line', async () => {
  const loop = await listen(() => ({ status: 302, headers: { location: '/again' } }));
  try {
    await assert.rejects(fetchBytes(new URL(`${loop.origin}/start`), { timeoutMs: 5000 }), (err: unknown) => err instanceof FetchError && /: stopped after 10 redirects$/.test(err.message));
  } finally {
    loop.server.closeAllConnections();
    loop.server.close();
  }
});
