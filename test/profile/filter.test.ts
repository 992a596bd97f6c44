import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterSamplesByName, filterSamplesByTag, pruneFrom, showFrom } from '../../src/profile/filter.js';
import { sampleLabels } from '../../src/profile/profile.js';
import { buildProfile } from './build-profile.js';

const types = [{ type: 'samples', unit: 'count' }];
const p = buildProfile(types, [
  { stack: ['leaf', 'mid', 'main'], values: [1], labels: { span: 'a' } },
  { stack: ['other', 'main'], values: [2], labels: { span: 'b' } },
  { stack: ['fmt.Print;inl', 'mid', 'main'], values: [4] },
]);
const stacks = (q: typeof p) => {
  const out: string[] = [];
  for (let i = 0; i < q.samples.count; i++) {
    const frames: string[] = [];
    for (let j = q.samples.locationStarts[i]!; j < q.samples.locationStarts[i + 1]!; j++) {
      frames.push(q.locations[q.samples.locationIndexes[j]!]!.lines.map((l) => l.function.name).join(';'));
    }
    out.push(frames.join(' < '));
  }
  return out;
};

test('focus keeps samples through a match; ignore drops them; the input is untouched', () => {
  const r = filterSamplesByName(p, /mid/, undefined, undefined, undefined);
  assert.deepEqual(stacks(r.profile), ['leaf < mid < main', 'fmt.Print;inl < mid < main']);
  assert.ok(r.focusMatched);
  const i = filterSamplesByName(p, undefined, /leaf/, undefined, undefined);
  assert.deepEqual(stacks(i.profile), ['other < main', 'fmt.Print;inl < mid < main']);
  assert.equal(p.samples.count, 3);
});

test('hide removes matching frames (also inlined ones); show keeps only matching frames', () => {
  const h = filterSamplesByName(p, undefined, undefined, /mid|inl/, undefined);
  assert.deepEqual(stacks(h.profile), ['leaf < main', 'other < main', 'fmt.Print < main']);
  const s = filterSamplesByName(p, undefined, undefined, undefined, /main|other/);
  assert.deepEqual(stacks(s.profile), ['main', 'other < main', 'main']);
  assert.deepEqual(stacks(p)[2], 'fmt.Print;inl < mid < main', 'locations of the input keep their lines');
});

test('file names match too', () => {
  const r = filterSamplesByName(p, /src\/other\.go/, undefined, undefined, undefined);
  assert.deepEqual(stacks(r.profile), ['other < main']);
});

test('show_from cuts frames above the root-most match', () => {
  const r = showFrom(p, /mid/);
  assert.deepEqual(stacks(r.profile), ['leaf < mid', 'fmt.Print;inl < mid']);
});

test('prune_from drops frames below the match', () => {
  assert.deepEqual(stacks(pruneFrom(p, /^mid$/)), ['mid < main', 'other < main', 'mid < main']);
});

test('tag filters keep or drop samples by label', () => {
  const focus = filterSamplesByTag(p, (q, i) => sampleLabels(q, i).label.get('span')?.[0] === 'a', undefined);
  assert.deepEqual(stacks(focus.profile), ['leaf < mid < main']);
  const ignore = filterSamplesByTag(p, undefined, (q, i) => sampleLabels(q, i).label.has('span'));
  assert.deepEqual(stacks(ignore.profile), ['fmt.Print;inl < mid < main']);
});
