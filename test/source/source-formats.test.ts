import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { TsprofError } from '../../src/errors.js';
import { encodeProfile } from '../../src/profile/encode.js';
import { parseSource, sourceFormats } from '../../src/source/formats/registry.js';
import { type SourceFormat, sourceInput } from '../../src/source/formats/source-format.js';
import { buildProfile } from '../profile/build-profile.js';

const max = 1 << 30;
const pprof = encodeProfile(buildProfile([{ type: 'alloc_space', unit: 'bytes' }], [{ stack: ['main.f'], values: [7] }]));
const cpuprofile = JSON.stringify({
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
    { id: 2, callFrame: { functionName: 'hot', scriptId: '1', url: 'file:///app/hot.js', lineNumber: 3, columnNumber: 0 } },
  ],
  startTime: 0,
  endTime: 2000,
  samples: [2, 2],
  timeDeltas: [1000, 1000],
});
const inputs: Record<string, Uint8Array> = {
  pprof,
  cpuprofile: Buffer.from(cpuprofile),
  snapshot: Buffer.from('{"snapshot":{"meta":{}},"nodes":[]}'),
  html: Buffer.from('\n<!DOCTYPE html><html>'),
  legacy: Buffer.from('heap profile: 1: 2 [3: 4] @ heap/1048576\n'),
  otherJson: Buffer.from('{"hello": 1}'),
};
const byName = (name: string) => sourceFormats.find((f) => f.name === name)!;

test('each format claims its own input by sniffing, and no one else\'s (pprof takes what is left)', () => {
  const claims: Record<string, string[]> = {};
  for (const [what, bytes] of Object.entries(inputs)) claims[what] = sourceFormats.filter((f) => f.sniff(sourceInput(bytes, what, max))).map((f) => f.name);
  assert.deepEqual(claims, {
    pprof: ['pprof protobuf'],
    cpuprofile: ['V8 .cpuprofile / .heapprofile'],
    snapshot: ['V8 heap snapshot', 'V8 .cpuprofile / .heapprofile'],
    html: ['HTML page', 'pprof protobuf'],
    legacy: ['legacy text profile', 'pprof protobuf'],
    otherJson: ['V8 .cpuprofile / .heapprofile'],
  });
  assert.equal(sourceFormats.at(-1)!.name, 'pprof protobuf', 'the format without a magic number is asked last');
});

test('a JSON object that sniffs as V8 but is not is "not mine" (null), not an error', () => {
  assert.equal(byName('V8 .cpuprofile / .heapprofile').parse(sourceInput(inputs.otherJson!, 'x.json', max)), null);
  assert.throws(() => parseSource(inputs.otherJson!, 'x.json', max), { message: 'x.json: JSON that is not a V8 .cpuprofile or .heapprofile (starts "{\\"hello\\": 1}")' });
});

test('the registry parses pprof (gzipped or not) and V8 profiles to the same model', () => {
  for (const bytes of [pprof, gzipSync(pprof)]) {
    const p = parseSource(bytes, 'heap.pb', max);
    assert.equal(p.sampleTypes[0]!.type, 'alloc_space');
    assert.equal(p.samples.count, 1);
  }
  const cpu = parseSource(Buffer.from('\ufeff  ' + cpuprofile), 'x.cpuprofile', max);
  assert.ok(cpu.functions.some((f) => f.name === 'hot'));
  assert.ok(cpu.samples.count > 0);
});

test('mine but broken, or mine but not a profile: one line naming the input', () => {
  const says = (re: RegExp) => (err: unknown) => err instanceof TsprofError && re.test(err.message) && !err.message.includes('\n');
  assert.throws(() => parseSource(Buffer.from('{"nodes": [{"id": 1}], "startTime": 0, "endTime": 1, "x": "callFrame"}'), 'b.cpuprofile', max), says(/^b\.cpuprofile: broken V8 CPU profile: /));
  assert.throws(() => parseSource(inputs.snapshot!, 's.heapsnapshot', max), says(/^s\.heapsnapshot: a V8 heap snapshot, not a profile: read it with `tsprof snapshot summary s\.heapsnapshot`$/));
  assert.throws(() => parseSource(inputs.html!, 'page', max), says(/^page: an HTML page, not a profile$/));
  assert.throws(() => parseSource(inputs.legacy!, 'h', max), says(/^h: a legacy text profile \("heap profile: 1: 2 \[3: 4\] @ heap\/1048576"\), not protobuf/));
  assert.throws(() => parseSource(Buffer.from([0x0a, 0xff, 0xff, 0xff]), 'junk.pb', max), says(/^junk\.pb: /));
});

test('formats are asked in order: a format added in front is asked first, and falls through with null', () => {
  const asked: string[] = [];
  const spy: SourceFormat = {
    name: 'spy',
    sniff: (input) => (asked.push(input.name), true),
    parse: () => null,
  };
  const p = parseSource(pprof, 'heap.pb', max, [spy, ...sourceFormats]);
  assert.equal(p.samples.count, 1);
  assert.deepEqual(asked, ['heap.pb']);
  assert.throws(() => parseSource(pprof, 'heap.pb', max, [spy]), { message: /^heap\.pb: not a profile in a format tsprof reads \(spy; starts / });
});
