/**
 * The flame graph's numbers come from the report pipeline: its tree's
 * totals are the report's, and the page's pivot and search (flame-model)
 * agree with -top's cum and -focus's total.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../src/driver/config.js';
import { prepareReport } from '../../src/driver/generate.js';
import { textItems } from '../../src/report/text.js';
import { codeArea } from '../../src/web/code-area.js';
import { flameTreeOf, hideFrames, layoutX, outermostOccurrences, pivotOn, searchTotal } from '../../src/web/flame-model.js';
import { buildFlameTree } from '../../src/web/flame-tree.js';
import { configFromQuery, urlParameters } from '../../src/web/url-config.js';
import { codeAreas } from '../../src/web/view-data.js';
import { fixture, loadFixture } from './web-fixtures.js';

test('the root holds the report total; each node is its self plus its children', async () => {
  const p = await loadFixture([fixture('go', 'heap_t2.pb.gz')]);
  const rpt = prepareReport(p, defaultConfig(), { name: 'top' });
  const data = buildFlameTree(rpt, { minWidthFraction: 0 });
  assert.equal(data.total[0], rpt.total);
  assert.equal(data.diff, false);
  const tree = flameTreeOf(data);
  for (let k = 0; k < tree.frame.length; k++) {
    let children = 0;
    for (let c = k + 1; c < tree.end[k]!; c = tree.end[c]!) children += tree.total[c]!;
    assert.ok(Math.abs(tree.total[k]! - tree.self[k]! - children) < 1e-6, `node ${k}`);
    assert.equal(tree.width[k], tree.total[k], 'no negative values: width is the total');
  }
});

test('pivoting on a frame gives -top\'s cum for it; search gives -focus\'s total', async () => {
  const p = await loadFixture([fixture('v8', 'leaky.cpuprofile')]);
  const cfg = defaultConfig();
  const rpt = prepareReport(p, cfg, { name: 'top' });
  const data = buildFlameTree(rpt, { minWidthFraction: 0 });
  const tree = flameTreeOf(data);
  const items = textItems(prepareReport(p, cfg, { name: 'top' })).items;
  for (const item of items) {
    const f = data.frameNames.indexOf(item.name);
    assert.ok(f >= 0, item.name);
    const pivot = pivotOn(tree, f, data.frameNames);
    assert.ok(Math.abs(pivot.callees.total[0]! - item.cum) < 1e-6, `${item.name}: pivot ${pivot.callees.total[0]} vs cum ${item.cum}`);
    assert.ok(Math.abs(pivot.callers.total[0]! - item.cum) < 1e-6);
    let self = 0;
    for (let k = 0; k < pivot.callees.frame.length; k++) if (pivot.callees.frame[k] === f) self += pivot.callees.self[k]!;
    assert.ok(Math.abs(self - item.flat) < 1e-6, `${item.name}: self ${self} vs flat ${item.flat}`);
  }
  const rx = /fetchKubelet|parseContainer/;
  const focused = prepareReport(p, { ...cfg, focus: rx.source }, { name: 'top' });
  const focusedTotal = buildFlameTree(focused, { minWidthFraction: 0 }).total[0];
  assert.equal(searchTotal(tree, (f) => f >= 0 && rx.test(data.frameNames[f]!)), focusedTotal);
});

test("hiding a code area's frames gives what -hide of their names gives: every frame's cum and flat, the same total", async () => {
  const p = await loadFixture([fixture('v8', 'leaky.cpuprofile')]);
  const cfg = defaultConfig();
  const data = buildFlameTree(prepareReport(p, cfg, { name: 'top' }), { minWidthFraction: 0 });
  const node = codeAreas.indexOf('node');
  const hiddenNames = [...new Set(data.frameNames.filter((_, f) => data.frameAreas[f] === node))];
  assert.ok(hiddenNames.length > 0, 'the profile has Node core frames');
  const hidden = hideFrames(flameTreeOf(data), (f) => data.frameAreas[f] === node, data.frameNames);
  assert.equal(hidden.total[0], data.total[0]);
  assert.ok(!Array.from(hidden.frame).some((f) => f >= 0 && data.frameAreas[f] === node), 'no Node core frame is left');
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const hide = `^(${hiddenNames.map(escape).join('|')})$`;
  const items = textItems(prepareReport(p, { ...cfg, hide }, { name: 'top' })).items;
  assert.ok(items.length > 3);
  for (const item of items) {
    const f = data.frameNames.indexOf(item.name);
    assert.ok(f >= 0, item.name);
    const pivot = pivotOn(hidden, f, data.frameNames);
    assert.ok(Math.abs(pivot.callees.total[0]! - item.cum) < 1e-6, `${item.name}: cum ${pivot.callees.total[0]} vs -hide's ${item.cum}`);
    let self = 0;
    for (let k = 0; k < pivot.callees.frame.length; k++) if (pivot.callees.frame[k] === f) self += pivot.callees.self[k]!;
    assert.ok(Math.abs(self - item.flat) < 1e-6, `${item.name}: self ${self} vs -hide's flat ${item.flat}`);
  }
});

test('the callers tree of a pivot is inverted: depth 1 holds the direct callers, children nest in the pivot\'s width', async () => {
  const p = await loadFixture([fixture('v8', 'leaky.cpuprofile')]);
  const data = buildFlameTree(prepareReport(p, defaultConfig(), { name: 'top' }), { minWidthFraction: 0 });
  const tree = flameTreeOf(data);
  const f = data.frameNames.indexOf('slice');
  const { callers } = pivotOn(tree, f, data.frameNames);
  // As -peek shows: parseContainerMetricsResponse → toString → slice.
  const atDepth = (d: number) => [...callers.frame].filter((_, k) => callers.depth[k] === d).map((x) => data.frameNames[x]);
  assert.deepEqual(atDepth(1), ['toString']);
  assert.deepEqual(atDepth(2), ['parseContainerMetricsResponse']);
  const x = layoutX(callers);
  for (let k = 1; k < callers.frame.length; k++) {
    const parent = callers.parent[k]!;
    assert.ok(x[k]! >= x[parent]! && x[k]! + callers.width[k]! <= x[parent]! + callers.width[parent]! + 1e-9);
  }
  assert.equal(outermostOccurrences(tree, (g) => g === f).length, 1);
});

test('-diff_base: values are the change, widths its size, and the base part is kept', async () => {
  const t1 = fixture('go', 'heap_t1.pb.gz'), t2 = fixture('go', 'heap_t2.pb.gz');
  const p = await loadFixture([t1], [t2]);
  const rpt = prepareReport(p, defaultConfig(), { name: 'top' });
  const data = buildFlameTree(rpt, { minWidthFraction: 0 });
  assert.equal(data.diff, true);
  const f = data.frameNames.indexOf('main.parseContainerMetricsResponse');
  const k = data.frame.indexOf(f);
  assert.ok(data.total[k]! < 0, 'the newer profile is the base here: the function shrank');
  assert.ok(data.width[k]! >= Math.abs(data.total[k]!));
  assert.ok(data.base[k]! > -data.total[k]!, 'the base holds more than the change');
  for (let j = 0; j < data.width.length; j++) assert.ok(data.width[j]! >= 0);
});

test('narrow nodes are pruned and counted', async () => {
  const p = await loadFixture([fixture('go', 'heap_t2.pb.gz')]);
  const rpt = prepareReport(p, defaultConfig(), { name: 'top' });
  const all = buildFlameTree(rpt, { minWidthFraction: 0 });
  const pruned = buildFlameTree(rpt, { minWidthFraction: 0.05 });
  assert.ok(pruned.depth.length < all.depth.length);
  assert.equal(pruned.depth.length + pruned.prunedNodes, all.depth.length);
  for (const w of pruned.total.slice(1)) assert.ok(w >= pruned.total[0]! * 0.05);
  const budget = buildFlameTree(rpt, { minWidthFraction: 0, maxNodes: 10 });
  assert.ok(budget.depth.length <= 10 && budget.depth.length >= 5, `${budget.depth.length} nodes`);
  assert.equal(budget.depth.length + budget.prunedNodes, all.depth.length);
  const widest = [...all.total].sort((a, b) => b - a).slice(0, budget.depth.length);
  assert.deepEqual([...budget.total].sort((a, b) => b - a), widest, 'the widest nodes are the ones kept');
});

test('code areas: app, node_modules, Node core, V8/native', () => {
  assert.equal(codeArea('handler', '/srv/app/server.js'), 'app');
  assert.equal(codeArea('parse', '/srv/app/node_modules/yaml/dist/parse.js'), 'node_modules');
  assert.equal(codeArea('readFileSync', 'node:fs'), 'node');
  assert.equal(codeArea('Module._load', 'node:internal/modules/cjs/loader'), 'node');
  assert.equal(codeArea('(garbage collector)', ''), 'native');
  assert.equal(codeArea('JSON.parse', ''), 'native');
  assert.deepEqual([...codeAreas], ['app', 'node_modules', 'node', 'native']);
});

test('URL parameters carry pprof\'s names onto the Config; absent or empty ones leave it alone', () => {
  const q = new URLSearchParams('si=alloc_space&f=main%5C.&i=runtime&h=x&s=y&sf=z&g=lines&sort=cum&n=7&nf=0.1&ef=0.2&trim=false&calltree=1&rel=true&unit=MB&mean=1&norm=1&noinlines=1&dropneg=1&compact=1&prunefrom=q&tf=a&ti=b&ts=c&th=d&h=');
  const c = configFromQuery(defaultConfig(), q);
  assert.deepEqual(
    [c.sampleIndex, c.focus, c.ignore, c.hide, c.show, c.showFrom, c.granularity, c.sort, c.nodeCount, c.nodeFraction, c.edgeFraction, c.trim, c.callTree, c.relativePercentages, c.unit, c.mean, c.normalize, c.noInlines, c.dropNegative, c.compactLabels, c.pruneFrom, c.tagFocus, c.tagIgnore, c.tagShow, c.tagHide],
    ['alloc_space', 'main\\.', 'runtime', 'x', 'y', 'z', 'lines', 'cum', 7, 0.1, 0.2, false, true, true, 'MB', true, true, true, true, true, 'q', 'a', 'b', 'c', 'd']);
  assert.deepEqual(configFromQuery({ ...defaultConfig(), focus: 'kept' }, new URLSearchParams('f=')).focus, 'kept');
  assert.throws(() => configFromQuery(defaultConfig(), new URLSearchParams('n=many')), /URL parameter n="many": invalid value "many" for nodecount/);
  assert.throws(() => configFromQuery(defaultConfig(), new URLSearchParams('g=bytes')), /URL parameter g="bytes"/);
  assert.equal(Object.keys(urlParameters).length, 25);
});
