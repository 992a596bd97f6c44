// Heap profile lines: callers at the line that calls the frame below, and (where V8 leaves
// inlined frames out) an allocating leaf at the line of the callee it stands for.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Profile } from 'pprof-format';
import { ScriptAnalysis } from '../../src/source/script-analysis.js';
import { plainFrameNamer, type V8CallFrame } from '../../src/source/v8-frames.js';
import { HeapSampleTable, heapTableToPprof, type V8HeapNode } from '../../src/source/v8-heap-profile.js';

const script = [
  /* 1 */ 'function fetchLoop(urls) {',
  /* 2 */ '  for (const url of urls) {',
  /* 3 */ '    keep(parse(read(url)));',
  /* 4 */ '  }',
  /* 5 */ '}',
  /* 6 */ 'function parse(bytes) {',
  /* 7 */ '  const text = bytes.toString("utf8"); // toString( in a comment is no call',
  /* 8 */ '  const rows = text.split("\\n").map((line) => line.split(" "));',
  /* 9 */ '  function later() { return bytes.toString("latin1"); }',
  /* 10 */ '  return { text, rows, later };',
  /* 11 */ '}',
  /* 12 */ 'function twice(a) { a.push(1); return a.push(2); }',
].join('\n');
const url = 'file:///app/fetch.js';
const analysis = new ScriptAnalysis(script);

describe('ScriptAnalysis.callLineIn', () => {
  test('the one line of a function’s own body calling a name', () => {
    assert.equal(analysis.callLineIn(0, 9, 'parse'), 3);
    assert.equal(analysis.callLineIn(5, 9, 'toString'), 7, 'the call in the nested function later() is later’s');
    assert.equal(analysis.callLineIn(5, 9, 'split'), 8);
    assert.equal(analysis.callLineIn(8, 11, 'toString'), 9, 'the nested function’s own call');
  });
  test('none, or several lines, tell nothing', () => {
    assert.equal(analysis.callLineIn(5, 9, 'JSON'), undefined);
    assert.equal(analysis.callLineIn(0, 9, ''), undefined);
    const two = new ScriptAnalysis('function f(x) {\n  g(x);\n  return g(x + 1);\n}\n');
    assert.equal(two.callLineIn(0, 9, 'g'), undefined);
    assert.equal(analysis.callLineIn(11, 9, 'push'), 12, 'a one-line body calling twice on its line is still one line');
  });
});

const frame = (functionName: string, line: number, column = 9): V8CallFrame => ({ functionName, url, scriptId: 1, lineNumber: line - 1, columnNumber: column });
const builtin = (functionName: string): V8CallFrame => ({ functionName, url: '', scriptId: 0, lineNumber: -1, columnNumber: -1 });
let nextId = 1;
function node(callFrame: V8CallFrame, selfSize: number, children: V8HeapNode[] = []): V8HeapNode {
  return { callFrame, selfSize, id: nextId++, children };
}
const callLines = (caller: V8CallFrame, callee: V8CallFrame) => analysis.callLineIn(caller.lineNumber, caller.columnNumber, callee.functionName);

const comments = (profile: Profile) => profile.comment.map((i) => profile.stringTable.strings[Number(i)]!);

/** rows of the profile: per sample, its frames as "name:line" leaf first, and its bytes. */
function rows(profile: Profile): { stack: string; bytes: number }[] {
  const s = (i: number | bigint) => profile.stringTable.strings[Number(i)]!;
  const fn = new Map(profile.function.map((f) => [Number(f.id), s(f.name)]));
  const loc = new Map(profile.location.map((l) => [Number(l.id), l.line.map((ln) => `${fn.get(Number(ln.functionId))}:${Number(ln.line)}`).join('|')]));
  return profile.sample.map((sample) => ({ stack: sample.locationId.map((id) => loc.get(Number(id))).join(' < '), bytes: Number(sample.value[1]) }));
}

function heapProfile(leafSelf: number, toStringSelf: number, sampleSize: number): { head: V8HeapNode; samples: { size: number; nodeId: number; ordinal: number }[] } {
  const toStringNode = node({ functionName: 'toString', url: 'node:buffer', scriptId: 2, lineNumber: 832, columnNumber: 17 }, toStringSelf);
  const splitNode = node(builtin('split'), 0);
  const parseNode = node(frame('parse', 6), leafSelf, [toStringNode, splitNode]);
  const loop = node(frame('fetchLoop', 1), 0, [parseNode]);
  const head = node(builtin('(root)'), 0, [loop]);
  const samples: { size: number; nodeId: number; ordinal: number }[] = [];
  let ordinal = 0;
  for (let i = 0; i < leafSelf / sampleSize; i++) samples.push({ size: sampleSize, nodeId: parseNode.id, ordinal: ordinal++ });
  for (let i = 0; i < toStringSelf / sampleSize; i++) samples.push({ size: sampleSize, nodeId: toStringNode.id, ordinal: ordinal++ });
  return { head, samples };
}

describe('heapTableToPprof lines', () => {
  const interval = 512 * 1024;
  const size = 4 * 1024 * 1024;
  const v8 = heapProfile(10 * size, 2 * size, size);
  const convert = (options: { callLines?: typeof callLines }, profile = v8) =>
    Profile.decode(heapTableToPprof(HeapSampleTable.fromV8(profile, interval), { kind: 'inuse', interval, namer: plainFrameNamer, ...options }).encode());

  test('without callLines every frame is at its function’s first line, and no comment', () => {
    const profile = convert({});
    assert.deepEqual(rows(profile).map((r) => r.stack).sort(), ['parse:6 < fetchLoop:1', 'toString:833 < parse:6 < fetchLoop:1']);
    assert.ok(!comments(profile).some((c) => c.includes('heap lines')));
  });
  test('callers are at the line that calls the frame below', () => {
    const profile = convert({ callLines });
    assert.deepEqual(rows(profile).map((r) => r.stack).sort(), ['parse:7 < fetchLoop:3', 'toString:833 < parse:7 < fetchLoop:3']);
    const comment = comments(profile).find((c) => c.startsWith('tsprof heap lines:'));
    assert.match(comment ?? '', /2 of 2 calling locations are at the line that calls the frame below/);
  });
  test('V8 records each frame’s function, not what it inlined: a leaf’s samples of the size its callee allocated go to that call’s line', () => {
    const profile = convert({ callLines });
    const byStack = new Map(rows(profile).map((r) => [r.stack, r.bytes]));
    assert.ok((byStack.get('parse:7 < fetchLoop:3') ?? 0) > 8 * size, JSON.stringify([...byStack]));
    assert.ok(!byStack.has('parse:6 < fetchLoop:3'));
    assert.match(comments(profile).join('\n'), /1 allocating leaf at the line calling a function V8 inlined into them/);
  });
  test('sizes unlike any callee’s stay at the leaf’s first line', () => {
    const mixed = heapProfile(10 * size, 2 * size, size);
    // The leaf's own small objects (64 KiB) are not toString's 4 MiB strings.
    mixed.samples.push(...Array.from({ length: 5 }, (_, i) => ({ size: 65536, nodeId: mixed.head.children[0]!.children[0]!.id, ordinal: 1000 + i })));
    mixed.head.children[0]!.children[0]!.selfSize += 5 * 65536;
    const profile = convert({ callLines }, mixed);
    const stacks = rows(profile).map((r) => r.stack);
    assert.ok(stacks.includes('parse:6 < fetchLoop:3'), stacks.join('\n'));
    assert.ok(stacks.includes('parse:7 < fetchLoop:3'), stacks.join('\n'));
  });
});
