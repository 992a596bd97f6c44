import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { runCli } from '../support/cli-capture.js';

process.env.TZ = 'UTC';
const fixtures = join(process.cwd(), 'test', 'fixtures', 'go');
const heap = readFileSync(join(fixtures, 'heap_t2.pb.gz'));
const golden = readFileSync(join(fixtures, 'golden', 'heap_top.txt'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'tsprof-src-'));

let server: Server;
let origin = '';
const requests: string[] = [];
test.before(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url?.startsWith('/debug/pprof/heap')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(heap);
    } else if (req.url === '/html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Welcome</body></html>');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such profile: try /debug/pprof/\n');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a profile over HTTP prints the same report as the file', async () => {
  const r = await runCli(['-top', `${origin}/debug/pprof/heap`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), golden);
  assert.match(r.stderr, /^Fetching profile over HTTP from http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/heap\n/);
});

test('-seconds N is sent as ?seconds=N, also for host:port sources', async () => {
  const port = new URL(origin).port;
  const r = await runCli(['-top', '-seconds', '3', `127.0.0.1:${port}/debug/pprof/heap`]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(requests.includes('/debug/pprof/heap?seconds=3'), requests.join(','));
});

test('an HTTP error names the status and the start of the body', async () => {
  const r = await runCli(['-top', `${origin}/nothing`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /tsprof: http:\/\/127\.0\.0\.1:\d+\/nothing: server response: 404 Not Found - no such profile: try \/debug\/pprof\//);
});

test('a page that is not a profile is refused with one line', async () => {
  const r = await runCli(['-top', `${origin}/html`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr.trimEnd().split('\n').pop()!, /^tsprof: http:\/\/127\.0\.0\.1:\d+\/html: an HTML page, not a profile$/);
});

test('an unreachable URL is refused with one line', async () => {
  const closed = createServer();
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((done) => closed.close(() => done()));
  const r = await runCli(['-top', '-timeout=2', `http://127.0.0.1:${port}/debug/pprof/heap`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /tsprof: http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/heap: http fetch: ECONNREFUSED/);
});

test('stdin "-" reads gzip and raw protobuf', async () => {
  const gz = await runCli(['-top', '-'], { stdin: heap });
  assert.equal(gz.code, 0, gz.stderr);
  assert.equal(gz.stdout.toString(), golden);
  const raw = await runCli(['-top', '-'], { stdin: gunzipSync(heap) });
  assert.equal(raw.stdout.toString(), golden);
});

test('-output FILE writes the report there', async () => {
  const out = join(dir, 'top.txt');
  const r = await runCli(['-top', '-output', out, join(fixtures, 'heap_t2.pb.gz')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, 0);
  assert.equal(readFileSync(out, 'utf8'), golden);
});

test('the bin script runs the compiled CLI (npx tsprof)', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(process.cwd(), 'bin', 'tsprof.js'), '-top', join(fixtures, 'heap_t2.pb.gz')], { env: { ...process.env, TZ: 'UTC' }, timeout: 30_000 });
  assert.equal(stdout, golden);
});

test('-help prints usage and the flag table', async () => {
  const r = await runCli(['-help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout.toString(), /usage: tsprof \[options\] source/);
  assert.match(r.stdout.toString(), /-sample_index value/);
});
