import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { TsprofError } from '../../src/errors.js';
import { loadProfile, parseProfileBytes, profileURL } from '../../src/source/load-profile.js';

const fixtures = join(process.cwd(), 'test', 'fixtures');

test('profileURL: http(s) URLs and host:port sources; seconds replaces the query value', () => {
  assert.equal(profileURL('heap.pb.gz'), undefined);
  assert.equal(profileURL('./dir/x:1'), undefined);
  assert.equal(profileURL('http://127.0.0.1:6060/debug/pprof/heap')!.toString(), 'http://127.0.0.1:6060/debug/pprof/heap');
  assert.equal(profileURL('localhost:6060/debug/pprof/profile', 5)!.toString(), 'http://localhost:6060/debug/pprof/profile?seconds=5');
  assert.equal(profileURL('http://h:1/p?seconds=30&x=1', 2)!.toString(), 'http://h:1/p?seconds=2&x=1');
});

test('loadProfile reads files relative to cwd and stdin', async () => {
  const p = await loadProfile('go/heap_t2.pb.gz', { cwd: fixtures });
  assert.equal(p.samples.count, 42);
  const q = await loadProfile('-', { stdin: Readable.from([readFileSync(join(fixtures, 'go', 'cpu.pb.gz'))]) });
  assert.equal(q.sampleTypes[1]!.type, 'cpu');
});

test('V8 profiles are recognised by content and converted', async () => {
  const p = await loadProfile(join(fixtures, 'v8', 'leaky.cpuprofile'));
  assert.ok(p.samples.count > 0);
  assert.ok(p.functions.some((f) => f.name === 'parseContainerMetricsResponse'));
});

test('JSON that is not a V8 profile is refused by name', () => {
  assert.throws(() => parseProfileBytes(Buffer.from('{"hello": 1}'), 'x.json'), (err: unknown) => err instanceof TsprofError && /^x\.json: JSON that is not a V8/.test(err.message));
});

test('a server that does not answer times out with a clear error', async () => {
  const server = createServer(() => { /* never answers */ });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  try {
    const started = Date.now();
    await assert.rejects(loadProfile(`http://127.0.0.1:${port}/debug/pprof/heap`, { timeoutMs: 100 }), (err: unknown) => err instanceof TsprofError && /http fetch: timed out/.test(err.message));
    assert.ok(Date.now() - started < 15_000);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a too large input is refused before reading it whole', async () => {
  await assert.rejects(loadProfile(join(fixtures, 'go', 'heap_t2.pb.gz'), { maxBytes: 100 }), /larger than the 100-byte limit/);
});

test('legacy text profiles and HTML pages are named as such', () => {
  const says = (re: RegExp) => (err: unknown) => err instanceof TsprofError && re.test(err.message);
  assert.throws(() => parseProfileBytes(Buffer.from('heap profile: 1: 2 [3: 4] @ heap/1048576\n'), 'h'), says(/^h: a legacy text profile \("heap profile: 1: 2 \[3: 4\] @ heap\/1048576"\), not protobuf/));
  assert.throws(() => parseProfileBytes(Buffer.from('\n<!DOCTYPE html><html>'), 'page'), says(/^page: an HTML page, not a profile$/));
});

test('a heap snapshot is pointed to the snapshot command', async () => {
  await assert.rejects(loadProfile(join(fixtures, 'v8', 'leaky.heapsnapshot.gz')), (err: unknown) => err instanceof TsprofError && /a V8 heap snapshot, not a profile: read it with `tsprof snapshot /.test(err.message));
});
