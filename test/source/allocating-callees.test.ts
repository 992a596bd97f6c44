// What the agent remembers of which callee allocated under which caller, across heap profiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AllocatingCallees } from '../../src/source/heap-stack-lines.js';
import type { V8CallFrame } from '../../src/source/v8-frames.js';

const frame = (functionName: string, url: string, lineNumber: number): V8CallFrame => ({ functionName, url, lineNumber, columnNumber: 0 });
const slice = frame('slice', 'node:buffer', 634);
const toString = frame('toString', 'node:buffer', 833);
const parse = frame('parseContainerMetricsResponse', 'file:///srv/metrics-fetcher.js', 154);
const fetchLoop = frame('fetchLoop', 'file:///srv/metrics-fetcher.js', 105);
const mb = 1 << 20;

test("a callee that allocated through builtins below it (toString → slice) is remembered under its caller, for samples V8 later inlined into the caller", () => {
  const callees = new AllocatingCallees();
  // Early: Buffer#toString and its slice are frames of their own; the 1 MB string is allocated in slice.
  callees.add([{ frames: [slice, toString, parse, fetchLoop], samplesBySize: new Map([[mb + 16, 3]]) }]);
  assert.equal(callees.sameSized(toString, mb + 16)?.functionName, 'slice');
  assert.equal(callees.sameSized(parse, mb + 16)?.functionName, 'toString', 'toString, under the parse, allocated objects of that size');
  assert.equal(callees.sameSized(parse, 4096), undefined, 'not objects of another size');
  // Another callee of the parse allocating the same size makes it ambiguous: no guess.
  callees.add([{ frames: [frame('readFileSync', 'node:fs', 10), parse, fetchLoop], samplesBySize: new Map([[mb + 16, 1]]) }]);
  assert.equal(callees.sameSized(parse, mb + 16), undefined);
});
