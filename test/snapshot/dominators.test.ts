import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dominatorsOf } from '../../src/snapshot/dominators.js';
import { retainerPath } from '../../src/snapshot/retainer-paths.js';
import { formatRetainerPath } from '../../src/snapshot/path-format.js';
import { summarizeByConstructor } from '../../src/snapshot/summary.js';
import { syntheticSnapshot, type SyntheticNode } from './synthetic-snapshot.js';

/** A random heap: node 0 is the root; edges of the kinds that matter, weak ones included (shortcuts too, when asked). */
const randomGraphWith = (types: string[]) => fc
  .integer({ min: 1, max: 24 })
  .chain((n) =>
    fc.record({
      sizes: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: n, maxLength: n }),
      edges: fc.array(
        fc.record({
          from: fc.integer({ min: 0, max: n - 1 }),
          to: fc.integer({ min: 0, max: n - 1 }),
          type: fc.constantFrom(...types),
        }),
        { maxLength: n * 3 },
      ),
    }),
  );
const randomGraph = randomGraphWith(['property', 'element', 'internal', 'hidden', 'context', 'weak']);

type RandomGraph = { sizes: number[]; edges: { from: number; to: number; type: string }[] };

function toNodes(g: RandomGraph): SyntheticNode[] {
  return g.sizes.map((selfSize, i) => ({
    type: i === 0 ? 'synthetic' : 'object',
    name: i === 0 ? '' : `C${i % 3}`,
    selfSize,
    edges: g.edges.filter((e) => e.from === i).map((e, k) => ({ type: e.type, name: e.type === 'element' || e.type === 'hidden' ? k : `p${k}`, to: e.to })),
  }));
}

/**
 * The reference: the textbook definition. d dominates v when v cannot be
 * reached from the root once d is removed (weak edges and self loops do not
 * count). Quadratic, obviously right, independent of the implementation.
 */
function reference(g: RandomGraph) {
  const n = g.sizes.length;
  // DevTools' rules, spelled out: user-owned = reached from the root's shortcuts by strong, non-shortcut edges.
  const owned = new Array<boolean>(n).fill(false);
  const todo = g.edges.filter((e) => e.from === 0 && e.type === 'shortcut').map((e) => e.to);
  for (const v of todo) owned[v] = true;
  while (todo.length) {
    const v = todo.pop()!;
    for (const e of g.edges) if (e.from === v && e.type !== 'weak' && e.type !== 'shortcut' && !owned[e.to]) { owned[e.to] = true; todo.push(e.to); }
  }
  const retains = (e: { from: number; to: number; type: string }) =>
    e.type !== 'weak' && e.from !== e.to && (e.from === 0 || (e.type !== 'shortcut' && !(owned[e.to] && !owned[e.from])));
  const succ: number[][] = Array.from({ length: n }, () => []);
  for (const e of g.edges) if (retains(e)) succ[e.from]!.push(e.to);
  const reach = (removed: number) => {
    const seen = new Array<boolean>(n).fill(false);
    if (removed === 0) return seen;
    const stack = [0];
    seen[0] = true;
    while (stack.length) for (const w of succ[stack.pop()!]!) if (w !== removed && !seen[w]) { seen[w] = true; stack.push(w); }
    return seen;
  };
  const reachable = reach(-1);
  // dominatedBy[v] = set of d dominating v (including v itself and the root).
  const dominatedBy: Set<number>[] = Array.from({ length: n }, (_, v) => new Set([v, 0]));
  for (let d = 1; d < n; d++) {
    if (!reachable[d]) continue;
    const without = reach(d);
    for (let v = 0; v < n; v++) if (reachable[v] && !without[v]) dominatedBy[v]!.add(d);
  }
  const idom = new Array<number>(n).fill(-1);
  for (let v = 1; v < n; v++) {
    if (!reachable[v]) continue;
    // The immediate dominator is the strict dominator with the most dominators of its own (the deepest).
    let best = 0;
    for (const d of dominatedBy[v]!) if (d !== v && dominatedBy[d]!.size > dominatedBy[best]!.size) best = d;
    idom[v] = best;
  }
  const retained = new Array<number>(n).fill(0);
  for (let v = 0; v < n; v++) if (reachable[v]) for (const d of dominatedBy[v]!) retained[d]! += g.sizes[v]!;
  return { reachable, idom, retained };
}

for (const [title, graphs] of [
  ['dominators and retained sizes match the definition on random graphs', randomGraph],
  ['… and with user roots and shortcut edges (DevTools\' user-owned rule)', randomGraphWith(['property', 'element', 'internal', 'shortcut', 'weak']).map((g) => ({
    // The root has a user root (1) and a system root (2), as in Node: objects under the latter often point into the user graph.
    sizes: g.sizes,
    edges: g.sizes.length >= 3 ? [{ from: 0, to: 1, type: 'shortcut' }, { from: 0, to: 2, type: 'element' }, ...g.edges] : g.edges,
  }))],
] as const) test(title, async () => {
  await fc.assert(
    fc.asyncProperty(graphs, async (g) => {
      const s = await syntheticSnapshot(toNodes(g));
      const d = dominatorsOf(s);
      const ref = reference(g);
      const n = g.sizes.length;
      for (let v = 0; v < n; v++) {
        assert.equal(d.reachable[v] === 1, v === 0 || ref.reachable[v], `reachability of ${v}`);
        if (v !== 0 && ref.reachable[v]) {
          assert.equal(d.dominator[v], ref.idom[v], `idom of ${v}`);
          assert.equal(d.retainedSize[v], ref.retained[v], `retained size of ${v}`);
        }
      }
      // Unreachable nodes hang below the root, and the root retains everything.
      const total = g.sizes.reduce((a, b) => a + b, 0);
      assert.equal(d.retainedSize[0], total);
      for (let v = 1; v < n; v++) {
        let x = v;
        for (let hops = 0; x !== 0; hops++) {
          assert.ok(hops <= n, `dominator chain of ${v} ends at the root`);
          x = d.dominator[x]!;
        }
      }
      // Retained size is self plus the dominator-tree children's, for every node.
      const sumChildren = new Array<number>(n).fill(0);
      for (let v = 1; v < n; v++) sumChildren[d.dominator[v]!]! += d.retainedSize[v]!;
      for (let v = 0; v < n; v++) assert.equal(d.retainedSize[v], g.sizes[v]! + sumChildren[v]!);
    }),
    { numRuns: 400 },
  );
});

test('long chains do not overflow the stack', async () => {
  const n = 200_000;
  const nodes: SyntheticNode[] = Array.from({ length: n }, (_, i) => ({
    type: i === 0 ? 'synthetic' : 'object',
    name: 'Link',
    selfSize: 1,
    edges: i + 1 < n ? [{ type: 'property', name: 'next', to: i + 1 }] : [],
  }));
  const s = await syntheticSnapshot(nodes);
  const d = dominatorsOf(s);
  assert.equal(d.retainedSize[1], n - 1);
  assert.equal(d.dominator[n - 1], n - 2);
  assert.equal(retainerPath(s, n - 1).length, n - 1);
  // The summary's walk of the (200 000 deep) dominator tree too.
  assert.deepEqual(summarizeByConstructor(s), [{ className: 'Link', count: n - 1, shallowSize: n - 1, retainedSize: n - 1 }]);
});

test("DevTools' edge rules: weak edges, shortcuts and user-owned objects", async () => {
  const s = await syntheticSnapshot([
    // 0: root → user root (global) by shortcut, and → (GC roots).
    { type: 'synthetic', name: '', selfSize: 0, edges: [{ type: 'shortcut', name: 1, to: 1 }, { type: 'element', name: 1, to: 2 }] },
    { type: 'object', name: 'global', selfSize: 10, edges: [{ type: 'property', name: 'a', to: 3 }, { type: 'property', name: 'b', to: 4 }] },
    { type: 'synthetic', name: '(GC roots)', selfSize: 0, edges: [{ type: 'element', name: 0, to: 5 }] },
    // 3: A holds X strongly; B reaches X only by a shortcut (a bound function's target): not retaining.
    { type: 'object', name: 'A', selfSize: 10, edges: [{ type: 'property', name: 'x', to: 6 }, { type: 'weak', name: 'w', to: 7 }] },
    { type: 'object', name: 'B', selfSize: 10, edges: [{ type: 'shortcut', name: 'x', to: 6 }, { type: 'shortcut', name: 'y', to: 9 }] },
    // 5: a handle table outside the user's graph pointing at X: ignored, X stays A's.
    { type: 'hidden', name: 'system / Handles', selfSize: 10, edges: [{ type: 'element', name: 0, to: 6 }, { type: 'internal', name: 'own', to: 8 }, { type: 'element', name: 1, to: 9 }] },
    { type: 'object', name: 'X', selfSize: 100, edges: [] },
    // 7: only weakly held: unreachable.
    { type: 'object', name: 'W', selfSize: 1000, edges: [] },
    { type: 'object', name: 'H', selfSize: 5, edges: [] },
    // 9: reached from the user graph only through a shortcut: not user-owned, so the handle keeps it.
    { type: 'object', name: 'Y', selfSize: 3, edges: [] },
  ]);
  const d = dominatorsOf(s);
  assert.equal(d.dominator[6], 3, 'X is dominated by A (shortcut from B and the handle edge do not retain)');
  assert.equal(d.retainedSize[3], 110);
  assert.equal(d.retainedSize[4], 10);
  assert.equal(d.reachable[7], 0, 'W is held only weakly');
  assert.equal(d.dominator[7], 0);
  assert.equal(d.dominator[8], 5, 'objects outside the user graph keep their own dominators');
  assert.equal(d.reachable[9], 1, 'Y stays reachable');
  assert.equal(d.dominator[9], 5);
  assert.equal(d.retainedSize[0], 1148);
  // The shortest path prefers the user roots.
  assert.equal(formatRetainerPath(s, retainerPath(s, 6)), 'global.a → A.x → X');
  assert.equal(formatRetainerPath(s, retainerPath(s, 8)), '(GC roots) → system / Handles.own → H');
  assert.deepEqual(retainerPath(s, 7), []);
});

test('summary by constructor counts nested instances of a class once in its retained size', async () => {
  const s = await syntheticSnapshot([
    { type: 'synthetic', name: '', selfSize: 0, edges: [{ type: 'shortcut', name: 1, to: 1 }] },
    { type: 'object', name: 'global', selfSize: 10, edges: [{ type: 'property', name: 'n', to: 2 }, { type: 'property', name: 's', to: 5 }] },
    { type: 'object', name: 'Node', selfSize: 20, edges: [{ type: 'property', name: 'next', to: 3 }] },
    { type: 'object', name: 'Node', selfSize: 20, edges: [{ type: 'property', name: 'value', to: 4 }] },
    { type: 'string', name: 'payload', selfSize: 500, edges: [] },
    { type: 'string', name: 'other', selfSize: 7, edges: [] },
  ]);
  const rows = summarizeByConstructor(s);
  const node = rows.find((r) => r.className === 'Node')!;
  assert.deepEqual(node, { className: 'Node', count: 2, shallowSize: 40, retainedSize: 540 });
  const str = rows.find((r) => r.className === '(string)')!;
  assert.deepEqual(str, { className: '(string)', count: 2, shallowSize: 507, retainedSize: 507 });
  assert.equal(rows[0]!.className, 'global');
  assert.equal(rows[0]!.retainedSize, 557);
});

test('retainer paths skip the links DevTools skips: descriptor value slots, sloppy_function_map', async () => {
  const s = await syntheticSnapshot([
    { type: 'synthetic', name: '', selfSize: 0, edges: [{ type: 'shortcut', name: 1, to: 1 }] },
    { type: 'object', name: 'global', selfSize: 1, edges: [{ type: 'property', name: 'd', to: 2 }, { type: 'property', name: 'n', to: 6 }, { type: 'property', name: 'x', to: 5 }] },
    { type: 'array', name: '(map descriptors)', selfSize: 1, edges: [{ type: 'internal', name: '4', to: 3 }, { type: 'internal', name: '5', to: 4 }] },
    { type: 'object', name: 'T', selfSize: 1, edges: [] },
    { type: 'object', name: 'U', selfSize: 1, edges: [] },
    { type: 'object', name: 'X', selfSize: 1, edges: [{ type: 'property', name: 't', to: 3 }, { type: 'property', name: 'f', to: 7 }] },
    { type: 'hidden', name: 'system / NativeContext', selfSize: 1, edges: [{ type: 'internal', name: 'sloppy_function_map', to: 7 }] },
    { type: 'object', name: 'F', selfSize: 1, edges: [] },
  ]);
  const path = (n: number) => formatRetainerPath(s, retainerPath(s, n));
  assert.equal(path(3), 'global.x → X.t → T', 'slot 4 (a value) is not followed');
  assert.equal(path(4), 'global.d → (array) → U', 'slot 5 is');
  assert.equal(path(7), 'global.x → X.f → F');
});
