import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { readHeapSnapshot } from '../../src/snapshot/read-snapshot.js';
import { SnapshotParser } from '../../src/snapshot/snapshot-parser.js';
import { TsprofError } from '../../src/errors.js';
import { syntheticSnapshotJson, type SyntheticNode } from './synthetic-snapshot.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/v8/', import.meta.url));
const leakyPath = fixtures + 'leaky.heapsnapshot.gz';

test('the fixture decodes to exactly what JSON.parse sees, field by field', async () => {
  const s = await readHeapSnapshot(leakyPath);
  const json = JSON.parse(gunzipSync(readFileSync(leakyPath)).toString('utf8'));
  const nfc = json.snapshot.meta.node_fields.length;
  assert.equal(nfc, 7);
  assert.equal(s.nodeCount, json.snapshot.node_count);
  assert.equal(s.edgeCount, json.snapshot.edge_count);
  for (let i = 0; i < s.nodeCount; i++) {
    const b = i * nfc;
    if (json.nodes[b] !== s.nodeType[i] || json.nodes[b + 1] !== s.nodeName[i] || json.nodes[b + 2] !== s.nodeId[i] || json.nodes[b + 3] !== s.nodeSelfSize[i]) {
      assert.fail(`node ${i} differs`);
    }
  }
  for (let e = 0; e < s.edgeCount; e++) {
    const b = e * 3;
    if (json.edges[b] !== s.edgeType[e] || json.edges[b + 1] !== s.edgeNameOrIndex[e] || json.edges[b + 2] / nfc !== s.edgeToNode[e]) assert.fail(`edge ${e} differs`);
  }
  assert.deepEqual(s.strings, json.strings);
  assert.deepEqual(Array.from(s.locations ?? []), json.locations);
  assert.equal(s.nameOf(0), '');
  assert.equal(s.nodeTypeName(0), 'synthetic');
});

test('plain and gzipped input, files and streams, read the same', async () => {
  const text = syntheticSnapshotJson(smallGraph());
  const fromText = await readHeapSnapshot(Buffer.from(text));
  const fromGzipStream = await readHeapSnapshot(Readable.from([gzipSync(text)]));
  assert.deepEqual(fromGzipStream.strings, fromText.strings);
  assert.deepEqual(Array.from(fromGzipStream.edgeToNode), Array.from(fromText.edgeToNode));
  assert.equal(fromText.nameOf(2), 'CgroupResolver');
  assert.equal(fromText.edgeNameOf(fromText.firstEdge[2]!), 'cache');
});

test('any chunking of the input gives the same snapshot (streaming state survives every byte boundary)', () => {
  // Strings with escapes, non-ASCII text and surrogate pairs cross chunk boundaries too.
  const graph = smallGraph();
  graph[3]!.name = 'tab\there "quoted" \\ back — ünïcødé 🧵 \u2028';
  const bytes = Buffer.from(syntheticSnapshotJson(graph));
  const whole = parse([bytes]);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let last = 0;
      for (const p of points) {
        chunks.push(bytes.subarray(last, p));
        last = p;
      }
      chunks.push(bytes.subarray(last));
      const s = parse(chunks);
      assert.deepEqual(s.strings, whole.strings);
      assert.deepEqual(Array.from(s.nodeSelfSize), Array.from(whole.nodeSelfSize));
      assert.deepEqual(Array.from(s.edgeNameOrIndex), Array.from(whole.edgeNameOrIndex));
    }),
    { numRuns: 200 },
  );
  assert.equal(whole.nameOf(3), 'tab\there "quoted" \\ back — ünïcødé 🧵 \u2028');
  // One byte at a time, the worst case.
  const bytewise = parse(Array.from(bytes, (b) => Buffer.from([b])));
  assert.deepEqual(bytewise.strings, whole.strings);
});

test('node fields are read from meta: an older layout without trace_node_id and detachedness works', async () => {
  const text = syntheticSnapshotJson(smallGraph(), ['type', 'name', 'id', 'self_size', 'edge_count']);
  const s = await readHeapSnapshot(Buffer.from(text));
  assert.equal(s.layout.nodeFieldCount, 5);
  assert.equal(s.nodeSelfSize[4], 350904);
  assert.equal(s.classNameOf(2), 'CgroupResolver');
  // A layout with the fields in another order and one unknown extra field.
  const shuffled = syntheticSnapshotJson(smallGraph(), ['id', 'extra', 'edge_count', 'type', 'self_size', 'name']);
  const t = await readHeapSnapshot(Buffer.from(shuffled));
  assert.deepEqual(Array.from(t.nodeSelfSize), Array.from(s.nodeSelfSize));
  assert.deepEqual(Array.from(t.edgeToNode), Array.from(s.edgeToNode));
});

test('bad input is one TsprofError line naming the input and the problem', async () => {
  const good = syntheticSnapshotJson(smallGraph());
  const gz = readFileSync(leakyPath);
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', Buffer.alloc(0), /x: truncated heap snapshot: the input is empty/],
    ['not JSON', Buffer.from('hello world'), /x: not JSON \(expected "\{"\), found 'h' at byte 0/],
    ['JSON but not a snapshot', Buffer.from('{"a":1}'), /x: not a V8 heap snapshot: no "snapshot" header/],
    ['truncated JSON', Buffer.from(good.slice(0, good.indexOf('"edges":[') + 12)), /x: truncated heap snapshot: it ends inside "edges" at byte \d+/],
    ['truncated gzip', gz.subarray(0, gz.length >> 1), /x: truncated heap snapshot: the gzip data ends early/],
    ['unknown meta', Buffer.from(good.replace('"node_fields":["type","name","id"', '"node_fields":["kind","name","id"')), /x: not a V8 heap snapshot we can read: unknown meta: node_fields lack "type"/],
    ['missing edge field', Buffer.from(good.replace('"to_node"', '"target"')), /unknown meta: edge_fields lack "to_node"/],
    ['no meta', Buffer.from('{"snapshot":{},"nodes":[]}'), /"snapshot.meta" is missing/],
    ['nodes before header', Buffer.from('{"nodes":[1,2,3]}'), /"nodes" comes before the "snapshot" header/],
    ['non-number in nodes', Buffer.from(good.replace('"nodes":[', '"nodes":[true,')), /"nodes" holds a non-number, found 't'/],
    ['bad edge target', Buffer.from(good.replace(/"edges":\[(\d+),(\d+),(\d+)/, '"edges":[$1,$2,99999')), /edge 0 points to 99999, not a node/],
    ['lying header', Buffer.from(good.replace(/"node_count":\d+/, '"node_count":1000000000')), /x: malformed heap snapshot: the header announces 1000000000 nodes, the file has 7/],
    ['garbage after end', Buffer.from(good + ' x'), /unexpected data after the end of the snapshot/],
  ];
  for (const [what, bytes, expected] of cases) {
    await assert.rejects(readHeapSnapshot(bytes, { name: 'x' }), (err: unknown) => {
      assert.ok(err instanceof TsprofError, `${what}: ${String(err)}`);
      assert.match(err.message, expected, what);
      assert.ok(!err.message.includes('\n'), `${what}: one line`);
      return true;
    }, what);
  }
  await assert.rejects(readHeapSnapshot('/nonexistent/file.heapsnapshot'), /\/nonexistent\/file.heapsnapshot: no such file/);
});

test('progress is reported in input bytes up to the file size', async () => {
  const calls: [number, number | undefined][] = [];
  await readHeapSnapshot(leakyPath, { onProgress: (read, total) => calls.push([read, total]) });
  const size = readFileSync(leakyPath).length;
  assert.deepEqual(calls.at(-1), [size, size]);
});

function parse(chunks: Uint8Array[]) {
  const parser = new SnapshotParser('chunks');
  for (const c of chunks) parser.feed(c);
  return parser.finish();
}

/** A root, the global object, a resolver with a Map, a sliced string and its parent. */
function smallGraph(): SyntheticNode[] {
  return [
    { type: 'synthetic', name: '', selfSize: 0, edges: [{ type: 'shortcut', name: 1, to: 1 }] },
    { type: 'object', name: 'global', selfSize: 40, edges: [{ type: 'property', name: 'resolver', to: 2 }] },
    { type: 'object', name: 'CgroupResolver', selfSize: 32, edges: [{ type: 'property', name: 'cache', to: 3 }] },
    { type: 'object', name: 'Map', selfSize: 32, edges: [{ type: 'internal', name: 'table', to: 5 }] },
    { type: 'string', name: 'response', selfSize: 350904, edges: [] },
    { type: 'array', name: '', selfSize: 64, edges: [{ type: 'internal', name: '3', to: 6 }] },
    { type: 'sliced string', name: '(sliced string)', selfSize: 32, edges: [{ type: 'internal', name: 'parent', to: 4 }] },
  ];
}
