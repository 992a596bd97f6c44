import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph } from '../../src/graph/graph.js';
import { type GraphNode, sortEdges } from '../../src/graph/node.js';
import { keySet, sortNodes, trimLowFrequencyEdges } from '../../src/graph/trim.js';
import { buildProfile } from '../profile/build-profile.js';

const types = [{ type: 'cpu', unit: 'nanoseconds' }];
const byName = (nodes: GraphNode[]) => new Map(nodes.map((n) => [n.name(), n]));

test('flat goes to the leaf, cum once per sample even through recursion', () => {
  const p = buildProfile(types, [
    { stack: ['fib', 'fib', 'fib', 'main'], values: [10] },
    { stack: ['main'], values: [5] },
  ]);
  const g = buildGraph(p, { sampleIndex: 0, granularity: 'functions' });
  const n = byName(g.nodes);
  assert.equal(n.get('fib')!.flat, 10);
  assert.equal(n.get('fib')!.cum, 10, 'recursion counted once');
  assert.equal(n.get('main')!.flat, 5);
  assert.equal(n.get('main')!.cum, 15);
  // No self edge fib -> fib, one edge main -> fib.
  assert.equal(n.get('fib')!.out.size, 0);
  assert.equal(n.get('main')!.out.get(n.get('fib')!)!.weight, 10);
});

test('inlined frames make inline edges; granularity lines separates lines', () => {
  const p = buildProfile(types, [
    { stack: ['helper;caller', 'main'], values: [3] },
    { stack: ['caller', 'main'], values: [4] },
  ]);
  const g = buildGraph(p, { sampleIndex: 0, granularity: 'functions' });
  const n = byName(g.nodes);
  const e = n.get('caller')!.out.get(n.get('helper')!)!;
  assert.equal(e.inline, true);
  assert.equal(e.weight, 3);
  assert.equal(n.get('main')!.out.get(n.get('caller')!)!.inline, false);
  const lines = buildGraph(p, { sampleIndex: 0, granularity: 'lines' });
  assert.deepEqual(lines.nodes.map((x) => x.name()).sort(), ['caller src/caller.go:10', 'caller src/caller.go:11', 'helper src/helper.go:10', 'main src/main.go:10']);
});

test('nodes left out of the kept set turn paths into residual edges', () => {
  const p = buildProfile(types, [{ stack: ['leaf', 'mid', 'main'], values: [7] }]);
  const full = buildGraph(p, { sampleIndex: 0, granularity: 'functions' });
  const kept = keySet(full.nodes.filter((x) => x.name() !== 'mid'));
  const g = buildGraph(p, { sampleIndex: 0, granularity: 'functions', keptNodes: kept });
  const n = byName(g.nodes);
  assert.equal(g.nodes.length, 2);
  const e = n.get('main')!.out.get(n.get('leaf')!)!;
  assert.equal(e.residual, true);
  assert.equal(e.weight, 7);
});

test('a dropped leaf takes its flat weight with it', () => {
  const p = buildProfile(types, [{ stack: ['leaf', 'main'], values: [7] }]);
  const full = buildGraph(p, { sampleIndex: 0, granularity: 'functions' });
  const g = buildGraph(p, { sampleIndex: 0, granularity: 'functions', keptNodes: keySet(full.nodes.filter((x) => x.name() === 'main')) });
  assert.equal(g.nodes[0]!.flat, 0);
  assert.equal(g.nodes[0]!.cum, 7);
});

test('the call tree splits a function reached along two paths', () => {
  const p = buildProfile(types, [{ stack: ['work', 'a', 'main'], values: [1] }, { stack: ['work', 'b', 'main'], values: [2] }]);
  const tree = buildGraph(p, { sampleIndex: 0, granularity: 'functions', callTree: true });
  assert.equal(tree.nodes.filter((x) => x.name() === 'work').length, 2);
  const graph = buildGraph(p, { sampleIndex: 0, granularity: 'functions' });
  assert.equal(graph.nodes.filter((x) => x.name() === 'work').length, 1);
});

test('mean divides by the chosen value', () => {
  const p = buildProfile([{ type: 'count', unit: 'count' }, { type: 'space', unit: 'bytes' }], [{ stack: ['alloc'], values: [4, 100] }]);
  const g = buildGraph(p, { sampleIndex: 1, meanIndex: 0, granularity: 'functions' });
  assert.equal(g.nodes[0]!.flatValue(), 25);
});

test('sorting is by |flat|, then name; cum order by |cum|; edges by weight', () => {
  const p = buildProfile(types, [
    { stack: ['b', 'main'], values: [5] },
    { stack: ['a', 'main'], values: [5] },
    { stack: ['c', 'main'], values: [-9] },
  ]);
  const g = buildGraph(p, { sampleIndex: 0, granularity: 'functions' });
  sortNodes(g.nodes, 'flat');
  assert.deepEqual(g.nodes.map((x) => x.name()), ['c', 'a', 'b', 'main']);
  sortNodes(g.nodes, 'cum');
  assert.deepEqual(g.nodes.map((x) => x.name()), ['c', 'a', 'b', 'main']);
  const main = byName(g.nodes).get('main')!;
  assert.deepEqual(sortEdges(main.out.values()).map((e) => e.dest.name()), ['c', 'a', 'b']);
  assert.equal(trimLowFrequencyEdges(g, 6), 2);
  assert.deepEqual([...main.out.keys()].map((x) => x.name()), ['c']);
});
