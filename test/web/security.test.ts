/**
 * The web UI's access rules, end to end through `tsprof -http`: the Host
 * header check (DNS rebinding) and the token of a non-loopback bind; and the
 * loopback-peer rule at the unit level with injected peer addresses (traffic
 * here stays on loopback).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { accessPolicyFor, checkAccess } from '../../src/web/access-policy.js';
import { isLoopbackHost, parseListenAddress } from '../../src/web/listen-address.js';
import { runCli } from '../support/cli-capture.js';
import { type ServedCli, serveWithCli } from './cli-server.js';
import { ensurePageBundle, fixture } from './web-fixtures.js';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** get sends one request to 127.0.0.1:port with a chosen Host header (fetch cannot set Host). */
function get(port: number, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // An empty Host means "send none" (setHost: false), as an HTTP/1.0 client would.
    const noHost = headers.Host === '';
    if (noHost) delete headers.Host;
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false, setHost: !noHost }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('-http=[host]:port is read as pprof does; bad values are one usage line', () => {
  assert.deepEqual(parseListenAddress(':8080'), { host: 'localhost', port: 8080 });
  assert.deepEqual(parseListenAddress('localhost:'), { host: 'localhost', port: 0 });
  assert.deepEqual(parseListenAddress('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseListenAddress('0.0.0.0:9000'), { host: '0.0.0.0', port: 9000 });
  assert.throws(() => parseListenAddress('8080'), /-http=8080: want \[host\]:port/);
  assert.throws(() => parseListenAddress(':70000'), /port 70000 is not in 0\.\.65535/);
  assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('::1') && isLoopbackHost('::ffff:127.0.0.1') && isLoopbackHost('localhost'));
  assert.ok(!isLoopbackHost('10.0.0.1') && !isLoopbackHost('0.0.0.0') && !isLoopbackHost('example.com'));
});

test('the CLI: a bad -http is one usage line before anything loads; -http with a report flag is refused', async () => {
  const bad = await runCli(['-http=8080', '-no_browser', 'does-not-exist.pb.gz']);
  assert.deepEqual([bad.code, bad.stderr], [2, 'tsprof: -http=8080: want [host]:port, e.g. -http=:8080 or -http=localhost:0\n']);
  const both = await runCli(['-http=:0', '-top', fixture('go', 'heap_t2.pb.gz')]);
  assert.deepEqual([both.code, both.stderr], [2, 'tsprof: must set at most one output format\n']);
});

test('with a loopback host, a request from a non-loopback peer is refused (403), whatever its Host header', () => {
  const policy = accessPolicyFor('localhost', 8080, 'secret');
  const ok = { host: 'localhost:8080', urlToken: null, cookieToken: undefined };
  for (const peer of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) assert.deepEqual(checkAccess(policy, { ...ok, peerAddress: peer }), { allowed: true }, peer);
  for (const peer of ['10.1.2.3', '192.168.0.7', '::ffff:10.0.0.1', 'fe80::1', undefined]) {
    const d = checkAccess(policy, { ...ok, peerAddress: peer });
    assert.equal(d.allowed, false, String(peer));
    assert.ok(!d.allowed && d.status === 403 && /serves only this machine/.test(d.reason), JSON.stringify(d));
  }
  assert.equal(policy.token, undefined, 'a loopback bind needs no token');
});

test('a non-loopback bind accepts any peer that carries the token, in the URL or its cookie', () => {
  const policy = accessPolicyFor('0.0.0.0', 8080, 'secret');
  const base = { peerAddress: '10.1.2.3', host: 'build-box:8080' };
  assert.equal(checkAccess(policy, { ...base, urlToken: 'secret', cookieToken: undefined }).allowed, true);
  assert.equal(checkAccess(policy, { ...base, urlToken: null, cookieToken: 'secret' }).allowed, true);
  assert.equal(checkAccess(policy, { ...base, urlToken: 'secreT', cookieToken: undefined }).allowed, false);
  assert.equal(checkAccess(policy, { ...base, urlToken: null, cookieToken: undefined }).allowed, false);
  const named = accessPolicyFor('build-box', 8080, 'secret');
  assert.equal(checkAccess(named, { ...base, host: 'evil.example:8080', urlToken: 'secret', cookieToken: undefined }).allowed, false, 'a named bind checks Host too');
});

describe('tsprof -http end to end', () => {
  let loopback: ServedCli;
  let wildcard: ServedCli;
  before(async () => {
    await ensurePageBundle();
    const source = fixture('go', 'heap_t2.pb.gz');
    [loopback, wildcard] = await Promise.all([
      serveWithCli(['-http=127.0.0.1:0', '-no_browser', source]),
      serveWithCli(['-http=0.0.0.0:0', '-no_browser', source]),
    ]);
  });
  after(async () => {
    await Promise.all([loopback?.stop(), wildcard?.stop()]);
  });

  test('prints the URL under /ui/; a loopback bind has no token in it', () => {
    assert.match(loopback.url, /^http:\/\/127\.0\.0\.1:\d+\/ui\/$/);
  });

  test('the Host header must name the bound host (DNS rebinding gets 403)', async () => {
    const port = Number(new URL(loopback.url).port);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const ok = await get(port, '/ui/top', { Host: host });
      assert.equal(ok.status, 200, host);
      assert.match(ok.body, /tsprof-data/);
    }
    // No Host at all is refused by Node's HTTP server itself (400) before it reaches the web UI.
    assert.equal((await get(port, '/ui/top', { Host: '' })).status, 400);
    for (const host of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `localhost:${port + 1}`, 'localhost']) {
      const bad = await get(port, '/ui/top', { Host: host });
      assert.equal(bad.status, 403, host);
      assert.match(bad.body, /DNS rebinding/);
    }
  });

  test('a non-loopback bind prints a URL with a token, and refuses requests without it', async () => {
    const printed = new URL(wildcard.url);
    const token = printed.searchParams.get('token');
    assert.ok(token && token.length >= 20, `token in ${wildcard.url}`);
    const port = Number(printed.port);
    const host = `${printed.hostname}:${port}`;
    const none = await get(port, '/ui/', { Host: host });
    assert.equal(none.status, 403);
    assert.match(none.body, /needs the token/);
    assert.equal((await get(port, '/ui/?token=wrong', { Host: host })).status, 403);
    const first = await get(port, `/ui/top?token=${token}&si=alloc_space`, { Host: host });
    assert.equal(first.status, 303, 'the token moves to a cookie and out of the URL');
    assert.equal(first.headers.location, 'top?si=alloc_space');
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    assert.match(cookie, /^tsprof_token=/);
    const then = await get(port, '/ui/top?si=alloc_space', { Host: host, Cookie: cookie });
    assert.equal(then.status, 200);
    assert.match(then.body, /Type: alloc_space/);
  });

  test('pages forbid any outside fetch (CSP), and / redirects into /ui/ keeping the query', async () => {
    const port = Number(new URL(loopback.url).port);
    const page = await get(port, '/ui/', { Host: `localhost:${port}` });
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'.*connect-src 'none'/);
    assert.doesNotMatch(page.body, /<(script|link|img)[^>]+(src|href)=["']?https?:/i);
    const root = await get(port, '/?si=alloc_space', { Host: `localhost:${port}` });
    assert.equal(root.status, 303);
    assert.equal(root.headers.location, 'ui/?si=alloc_space');
  });
});
