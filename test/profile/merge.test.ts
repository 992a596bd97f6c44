import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TsprofError } from '../../src/errors.js';
import { decodeProfile } from '../../src/profile/decode.js';
import { encodeProfile } from '../../src/profile/encode.js';
import { checkCompatible, mergeProfiles, setLabelOnAll } from '../../src/profile/merge.js';
import { normalizeProfile, sampleTotals, scaleProfile } from '../../src/profile/scale.js';
import { sampleLabels } from '../../src/profile/profile.js';
import { buildProfile } from './build-profile.js';

const fixtures = join(process.cwd(), 'test', 'fixtures', 'go');
const load = (f: string) => decodeProfile(readFileSync(join(fixtures, f)), f);
const types = [{ type: 'alloc_space', unit: 'bytes' }, { type: 'inuse_space', unit: 'bytes' }];

test('encode then decode gives back the same profile', () => {
  for (const f of ['heap_t2.pb.gz', 'cpu.pb.gz']) {
    const p = load(f);
    const q = decodeProfile(encodeProfile(p), 'again');
    assert.deepEqual(q.sampleTypes, p.sampleTypes);
    assert.deepEqual([...q.samples.values], [...p.samples.values]);
    assert.deepEqual([...q.samples.locationIndexes], [...p.samples.locationIndexes]);
    assert.deepEqual(q.locations.map((l) => [l.id, l.address, l.lines.map((x) => [x.function.name, x.line])]), p.locations.map((l) => [l.id, l.address, l.lines.map((x) => [x.function.name, x.line])]));
    assert.equal(q.timeNanos, p.timeNanos);
    assert.equal(q.durationNanos, p.durationNanos);
    assert.deepEqual(q.periodType, p.periodType);
    for (let i = 0; i < p.samples.count; i++) assert.deepEqual(sampleLabels(q, i), sampleLabels(p, i));
  }
});

test('negative values survive encoding (as -base leaves them)', () => {
  const p = buildProfile(types, [{ stack: ['a', 'main'], values: [-5, -(2 ** 40)] }]);
  const q = decodeProfile(encodeProfile(p), 'neg');
  assert.deepEqual([...q.samples.values], [-5, -(2 ** 40)]);
});

test('merging a profile with itself doubles every value and keeps one sample per stack', () => {
  const p = load('heap_t2.pb.gz');
  const before = Float64Array.from(p.samples.values);
  const m = mergeProfiles([p, p]);
  const compact = mergeProfiles([p]);
  assert.equal(m.samples.count, compact.samples.count);
  assert.deepEqual(sampleTotals(m), sampleTotals(p).map((v) => 2 * v));
  assert.deepEqual([...p.samples.values], [...before], 'inputs are not changed');
  assert.deepEqual(m.locations.map((l) => l.id), m.locations.map((_, i) => i + 1), 'ids renumbered from 1');
});

test('merge unifies samples with the same stack and labels, not those with different labels', () => {
  const p = buildProfile(types, [
    { stack: ['a', 'main'], values: [1, 1], labels: { k: 'x' } },
    { stack: ['a', 'main'], values: [2, 2], labels: { k: 'x' } },
    { stack: ['a', 'main'], values: [4, 4], labels: { k: 'y' } },
    { stack: ['b', 'main'], values: [0, 0] },
  ]);
  const m = mergeProfiles([p]);
  assert.equal(m.samples.count, 2);
  assert.deepEqual([...m.samples.values], [3, 3, 4, 4]);
});

test('subtracting a profile from itself leaves nothing', () => {
  const p = load('heap_t2.pb.gz');
  const m = mergeProfiles([p, scaleProfile(p, -1)]);
  assert.equal(m.samples.count, 0);
  assert.equal(m.locations.length, 0);
});

test('scale rounds half away from zero and drops samples that become zero', () => {
  const p = buildProfile(types, [{ stack: ['a'], values: [5, 3] }, { stack: ['b'], values: [1, 1] }]);
  const q = scaleProfile(p, 0.5);
  assert.deepEqual([...q.samples.values], [3, 2, 1, 1]);
  const r = scaleProfile(p, 0.1);
  assert.equal(r.samples.count, 1);
  assert.deepEqual([...p.samples.values], [5, 3, 1, 1]);
});

test('normalize scales each column to the base total', () => {
  const p = buildProfile(types, [{ stack: ['a'], values: [10, 20] }]);
  const base = buildProfile(types, [{ stack: ['b'], values: [5, 40] }]);
  assert.deepEqual(sampleTotals(normalizeProfile(p, base)), [5, 40]);
});

test('incompatible profiles do not merge', () => {
  assert.throws(() => checkCompatible(load('heap_t2.pb.gz'), load('cpu.pb.gz')), (err: unknown) => err instanceof TsprofError && /incompatible/.test(err.message));
});

test('setLabelOnAll replaces the key on every sample, leaving the input alone', () => {
  const p = buildProfile(types, [{ stack: ['a'], values: [1, 1], labels: { 'pprof::base': 'false', other: 'v' } }]);
  const q = setLabelOnAll(p, 'pprof::base', 'true');
  assert.deepEqual(sampleLabels(q, 0).label, new Map([['other', ['v']], ['pprof::base', ['true']]]));
  assert.deepEqual(sampleLabels(p, 0).label.get('pprof::base'), ['false']);
});
