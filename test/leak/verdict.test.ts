import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitTrend, type TimedValue } from '../../src/leak/trend.js';
import { judgeTrend, defaultVerdictOptions } from '../../src/leak/verdict.js';
import { binPoints } from '../../src/leak/bin-points.js';
import { seededRandom, gaussian } from './random.js';

const MB = 1 << 20;

/** series: n readings every stepMs, base + slope(bytes/min)·t + noise. */
function series(n: number, stepMs: number, base: number, slopePerMin: number, noise: number, seed = 1): TimedValue[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    timeMs: 1_700_000_000_000 + i * stepMs,
    bytes: Math.max(0, base + (slopePerMin * i * stepMs) / 60_000 + noise * gaussian(random)),
  }));
}

test('a steady 12 MB/min leak is growing, fast, with high confidence', () => {
  const trend = fitTrend(series(12, 5000, 20 * MB, 12 * MB, 0.3 * MB));
  assert.ok(Math.abs(trend.slopePerMinute - 12 * MB) < 1 * MB, `slope ${trend.slopePerMinute / MB} MB/min`);
  assert.ok(trend.spanMinutes > 0.9 && trend.spanMinutes < 0.95);
  const verdict = judgeTrend(trend);
  assert.equal(verdict.kind, 'growing');
  assert.equal(verdict.confidence, 'high');
});

test('a flat heap with sampling noise is flat, not growing', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const verdict = judgeTrend(fitTrend(series(12, 5000, 30 * MB, 0, 0.15 * MB, seed)));
    assert.equal(verdict.kind, 'flat', `seed ${seed}: ${verdict.reason}`);
  }
});

test('one GC dip in a steady climb does not flip the verdict', () => {
  const values = series(12, 5000, 10 * MB, 12 * MB, 0);
  values[8] = { ...values[8]!, bytes: 1 * MB };
  const trend = fitTrend(values);
  assert.equal(judgeTrend(trend).kind, 'growing');
  assert.ok(Math.abs(trend.slopePerMinute - 12 * MB) < 0.01 * MB, `robust slope ${trend.slopePerMinute / MB}`);
  assert.ok(Math.abs(trend.leastSquaresSlopePerMinute - 12 * MB) > 0.5 * MB, 'least squares is pulled by the dip');
});

test('one step up (a cache warming once) is not a steady leak', () => {
  const values = series(12, 5000, 10 * MB, 0, 0.02 * MB).map((v, i) => ({ ...v, bytes: v.bytes + (i >= 6 ? 8 * MB : 0) }));
  const verdict = judgeTrend(fitTrend(values));
  assert.equal(verdict.kind, 'stepped', verdict.reason);
  assert.match(verdict.reason, /rose in one part of the window, then stopped/);
});

test('a slow but real rise below the threshold is flat; tiny absolute growth never counts', () => {
  const verdict = judgeTrend(fitTrend(series(12, 5000, 10 * MB, 0.5 * MB, 0)));
  assert.equal(verdict.kind, 'flat');
  assert.match(verdict.reason, /threshold/);
});

test('large swings without direction are noisy', () => {
  const random = seededRandom(11);
  const values = series(16, 5000, 20 * MB, 0, 0).map((v) => ({ ...v, bytes: v.bytes + (random() < 0.5 ? 0 : 15 * MB) }));
  const verdict = judgeTrend(fitTrend(values));
  assert.equal(verdict.kind, 'noisy', verdict.reason);
});

test('a steady fall is shrinking, and too few readings are unknown', () => {
  assert.equal(judgeTrend(fitTrend(series(10, 5000, 100 * MB, -20 * MB, 0.1 * MB))).kind, 'shrinking');
  const few = judgeTrend(fitTrend(series(3, 5000, 10 * MB, 50 * MB, 0)));
  assert.equal(few.kind, 'unknown');
  // Five readings in order is the least the rank test believes (p ≈ 0.014).
  assert.equal(judgeTrend(fitTrend(series(5, 5000, 10 * MB, 50 * MB, 0))).kind, 'growing');
  assert.equal(judgeTrend(fitTrend(series(5, 5000, 10 * MB, 50 * MB, 0)), { ...defaultVerdictOptions(), minPoints: 6 }).kind, 'unknown');
});

test('noisy leak: growth is found and the slope is right within the noise', () => {
  const trend = fitTrend(series(24, 2500, 40 * MB, 6 * MB, 1 * MB, 5));
  const verdict = judgeTrend(trend);
  assert.equal(verdict.kind, 'growing');
  assert.ok(Math.abs(trend.slopePerMinute - 6 * MB) < 1.5 * MB, `slope ${trend.slopePerMinute / MB}`);
});

test('calibration: flat noisy heaps are almost never called growing; real leaks almost always are', () => {
  const random = seededRandom(2024);
  let falseAlarms = 0;
  let found = 0;
  const runs = 400;
  for (let run = 0; run < runs; run++) {
    // A minute of readings every 5 s, noise up to 1 MB, an occasional GC dip of a third.
    const noise = random() * 1 * MB;
    const withHiccup = (values: TimedValue[]) => {
      if (random() < 0.3) {
        const at = Math.floor(random() * values.length);
        values[at] = { ...values[at]!, bytes: values[at]!.bytes * 0.66 };
      }
      return values;
    };
    const flat = withHiccup(series(13, 5000, 50 * MB, 0, noise, run + 1));
    if (judgeTrend(fitTrend(flat)).kind === 'growing') falseAlarms++;
    const leak = withHiccup(series(13, 5000, 50 * MB, 12 * MB, noise, run + 10_001));
    if (judgeTrend(fitTrend(leak)).kind === 'growing') found++;
  }
  assert.ok(falseAlarms <= runs * 0.02, `false alarms: ${falseAlarms}/${runs}`);
  assert.ok(found >= runs * 0.97, `leaks found: ${found}/${runs}`);
});

test('an hour of readings (binned for the rank statistics) keeps the slope and the verdict', () => {
  const values = series(720, 5000, 200 * MB, 2 * MB, 3 * MB, 77);
  values[300] = { ...values[300]!, bytes: 0 }; // one reading during a restart of the sampler
  const trend = fitTrend(values);
  assert.equal(trend.points, 720);
  assert.ok(Math.abs(trend.slopePerMinute - 2 * MB) < 0.05 * MB, `slope ${trend.slopePerMinute / MB}`);
  assert.equal(judgeTrend(trend).kind, 'growing');
  assert.equal(judgeTrend(fitTrend(series(720, 5000, 200 * MB, 0, 3 * MB, 78))).kind, 'flat');
});

test('binPoints merges runs into median points and leaves short series alone', () => {
  const pts = Array.from({ length: 10 }, (_, i) => ({ x: i, y: i === 4 ? 1000 : i }));
  assert.equal(binPoints(pts, 10), pts);
  assert.deepEqual(binPoints(pts, 4), [
    { x: 1, y: 1 },
    { x: 4, y: 5 }, // the outlier 1000 does not move the median of 3, 1000, 5
    { x: 7, y: 7 },
    { x: 9, y: 9 },
  ]);
});
