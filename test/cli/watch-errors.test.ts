import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/cli-capture.js';

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function runWatch(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIO({ env });
  const code = await main(['watch', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

test('watch: an unreachable URL is one clear error line, exit 1', async () => {
  // Bind and close a port so nothing listens on it.
  const { server, url } = await serve(() => {});
  await new Promise((resolve) => server.close(resolve));
  const r = await runWatch(['-interval=100ms', '-duration=1s', url]);
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.equal(r.err, `tsprof: ${url}/debug/pprof/heap?gc=1: connection refused (is the agent running?)\n`);
});

test('watch: answers that are not heap profiles are one clear error line naming the URL', async () => {
  const cpuProfile = readFileSync(new URL('../../../test/fixtures/go/cpu.pb.gz', import.meta.url));
  const { server, url } = await serve((req, res) => {
    if (req.url!.startsWith('/html')) {
      res.setHeader('content-type', 'text/html');
      res.end('<html><body>hello, I am a web page</body></html>');
    } else if (req.url!.startsWith('/junk')) {
      res.end(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]));
    } else {
      res.end(cpuProfile);
    }
  });
  try {
    const html = await runWatch(['-interval=100ms', '-duration=1s', `${url}/html`]);
    assert.equal(html.code, 1);
    assert.equal(html.err, `tsprof: ${url}/html?gc=1: an HTML page, not a profile\n`);
    const junk = await runWatch(['-interval=100ms', '-duration=1s', `${url}/junk`]);
    assert.equal(junk.code, 1);
    assert.match(junk.err, /^tsprof: http:\/\/127\.0\.0\.1:\d+\/junk\?gc=1: parsing profile: [^\n]+\n$/);
    // A CPU profile is a profile, but not one with in-use bytes. host:port works without http://, as in pprof.
    const cpu = await runWatch(['-interval=100ms', '-duration=1s', `${url.replace('http://', '')}/debug/pprof/profile`]);
    assert.equal(cpu.code, 1);
    assert.equal(cpu.err, `tsprof: ${url}/debug/pprof/profile?gc=1: not a heap profile: no bytes sample type (has samples, cpu)\n`);
  } finally {
    server.close();
  }
});

test('watch: an HTTP error shows the status and the start of the body; the token is sent as a bearer', async () => {
  const seen: (string | undefined)[] = [];
  const { server, url } = await serve((req, res) => {
    seen.push(req.headers.authorization);
    res.statusCode = 401;
    res.end('missing or wrong token\n');
  });
  try {
    const r = await runWatch(['-interval=100ms', '-duration=1s', url], { TSPROF_TOKEN: 's3cret' });
    assert.equal(r.code, 1);
    assert.match(r.err, /^tsprof: http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/heap\?gc=1: HTTP 401 Unauthorized: missing or wrong token\n$/);
    const r2 = await runWatch(['-token', 'flag-wins', '-interval=100ms', '-duration=1s', url], { TSPROF_TOKEN: 's3cret' });
    assert.equal(r2.code, 1);
    assert.deepEqual(seen, ['Bearer s3cret', 'Bearer flag-wins']);
  } finally {
    server.close();
  }
});

test('watch: usage errors exit 2', async () => {
  assert.equal((await runWatch([])).code, 2);
  assert.match((await runWatch([])).err, /want a URL, or heap profile files/);
  assert.equal((await runWatch(['-interval=soon', 'http://127.0.0.1:1'])).code, 2);
  assert.equal((await runWatch(['ftp://127.0.0.1/'])).code, 1);
  assert.match((await runWatch(['-help'])).out, /usage: tsprof watch/);
});
