import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TsprofError } from '../../src/errors.js';
import { encodeProfileGzip } from '../../src/profile/encode.js';
import { loadProfile } from '../../src/source/load-profile.js';
import { fakeHttp } from '../fetch/fake-http.js';
import { buildProfile } from '../profile/build-profile.js';

const heap = encodeProfileGzip(buildProfile([{ type: 'inuse_space', unit: 'bytes' }], [{ stack: ['main.alloc', 'main.main'], values: [4096] }]));

test('a URL source goes through the HTTP seam: no network, the token and ?seconds= go out', async () => {
  const fake = fakeHttp(200, [heap.subarray(0, 10), heap.subarray(10)]);
  const lines: string[] = [];
  const p = await loadProfile('agent.test:6060/debug/pprof/heap', { http: fake.get, token: 'tok', seconds: 2, log: (l) => lines.push(l) });
  assert.equal(p.samples.count, 1);
  assert.equal(p.sampleTypes[0]!.type, 'inuse_space');
  assert.equal(fake.requests.length, 1);
  assert.equal(fake.requests[0]!.url.href, 'http://agent.test:6060/debug/pprof/heap?seconds=2');
  assert.deepEqual(fake.requests[0]!.headers, { authorization: 'Bearer tok' });
  assert.deepEqual(lines, ['Fetching profile over HTTP from http://agent.test:6060/debug/pprof/heap?seconds=2', 'Please wait... (2s)']);
});

test('failures over the seam are worded as go tool pprof words them', async () => {
  const says = (message: string) => (err: unknown) => err instanceof TsprofError && err.message === message;
  const notFound = fakeHttp(404, ['no such profile\n'], 'Not Found');
  await assert.rejects(loadProfile('http://h.test/x', { http: notFound.get }), says('http://h.test/x: server response: 404 Not Found - no such profile'));
  const big = fakeHttp(200, [heap]);
  await assert.rejects(loadProfile('http://h.test/x', { http: big.get, maxBytes: 16 }), says('http://h.test/x: larger than 16 bytes'));
  const refused = async () => {
    throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  };
  await assert.rejects(loadProfile('http://h.test/x', { http: refused }), says('http://h.test/x: http fetch: ECONNREFUSED'));
});
