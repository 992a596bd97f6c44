import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastSquaresFit } from '../../src/leak/linear-fit.js';
import { theilSenFit } from '../../src/leak/theil-sen.js';
import { mannKendall, normalCdf } from '../../src/leak/mann-kendall.js';
import { median, medianInPlace } from '../../src/leak/median.js';
import { seededRandom, gaussian } from './random.js';

test('median of odd, even and empty lists', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), 0);
});

test('least squares recovers an exact line and R² = 1', () => {
  const pts = [0, 1, 2, 3, 4].map((x) => ({ x, y: 7 + 3 * x }));
  const fit = leastSquaresFit(pts);
  assert.ok(Math.abs(fit.slope - 3) < 1e-12);
  assert.ok(Math.abs(fit.intercept - 7) < 1e-12);
  assert.ok(Math.abs(fit.rSquared - 1) < 1e-12);
});

test('least squares on a known textbook set', () => {
  // (1,2),(2,2.5),(3,3.7),(4,4.8): slope 0.96, intercept 0.85, R² = 4.608/4.73 ≈ 0.9742.
  const fit = leastSquaresFit([{ x: 1, y: 2 }, { x: 2, y: 2.5 }, { x: 3, y: 3.7 }, { x: 4, y: 4.8 }]);
  assert.ok(Math.abs(fit.slope - 0.96) < 1e-9);
  assert.ok(Math.abs(fit.intercept - 0.85) < 1e-9);
  assert.ok(Math.abs(fit.rSquared - 4.608 / 4.73) < 1e-9, String(fit.rSquared));
});

test('a constant series is flat with R² = 1, not noisy', () => {
  const pts = [0, 1, 2, 3].map((x) => ({ x, y: 42 }));
  assert.deepEqual(leastSquaresFit(pts), { slope: 0, intercept: 42, rSquared: 1 });
  assert.deepEqual(theilSenFit(pts), { slope: 0, intercept: 42, rSquared: 1 });
});

test('both estimators recover known slopes under gaussian noise', () => {
  const random = seededRandom(7);
  for (const trueSlope of [0, 1e6, 12e6, -3e6]) {
    const pts = Array.from({ length: 40 }, (_, i) => {
      const x = i / 12; // a reading every 5 s, in minutes
      return { x, y: 50e6 + trueSlope * x + 2e5 * gaussian(random) };
    });
    const ts = theilSenFit(pts).slope;
    const ols = leastSquaresFit(pts).slope;
    // Noise 0.2 MB over 3.25 min: the slope's standard error is ~0.1 MB/min.
    assert.ok(Math.abs(ts - trueSlope) < 0.4e6, `Theil–Sen ${ts} vs ${trueSlope}`);
    assert.ok(Math.abs(ols - trueSlope) < 0.4e6, `OLS ${ols} vs ${trueSlope}`);
  }
});

test('Theil–Sen shrugs off a GC hiccup that drags least squares', () => {
  const pts = Array.from({ length: 12 }, (_, x) => ({ x, y: 10e6 + 1e6 * x }));
  pts[10] = { x: 10, y: 0 }; // one poll right after a full GC of everything
  const robust = theilSenFit(pts);
  const ols = leastSquaresFit(pts);
  assert.ok(Math.abs(robust.slope - 1e6) < 1e3, `robust slope ${robust.slope}`);
  assert.ok(Math.abs(ols.slope - 1e6) > 0.2e6, `least squares should be dragged: ${ols.slope}`);
});

test('Mann–Kendall: a steady climb is significant, shuffled noise is not', () => {
  const rising = mannKendall([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(rising.s, 45);
  assert.equal(rising.tau, 1);
  assert.equal(rising.upSteps, 1);
  // Var S = 10·9·25/18 = 125; z = (45 − 1)/√125 ≈ 3.935; one-sided p ≈ 4.2e-5.
  assert.ok(Math.abs(rising.z - 44 / Math.sqrt(125)) < 1e-9);
  assert.ok(rising.pRising > 3e-5 && rising.pRising < 5e-5, String(rising.pRising));
  assert.ok(rising.pFalling > 0.999);

  const random = seededRandom(3);
  let significant = 0;
  for (let run = 0; run < 200; run++) {
    const noise = Array.from({ length: 20 }, () => random());
    if (mannKendall(noise).pRising < 0.05) significant++;
  }
  // About 5% of pure-noise series should pass at p < 0.05.
  assert.ok(significant >= 2 && significant <= 22, `false positives: ${significant}/200`);
});

test('Mann–Kendall handles ties and constant series', () => {
  const flat = mannKendall([5, 5, 5, 5]);
  assert.equal(flat.s, 0);
  assert.equal(flat.pRising, 1);
  assert.equal(flat.upSteps, 0.5);
  const ties = mannKendall([1, 1, 2, 2, 3, 3]);
  // S = 12 rising pairs; ties shrink Var S from 28.33 to (6·5·17 − 3·(2·1·9))/18 = 25.33.
  assert.equal(ties.s, 12);
  assert.ok(Math.abs(ties.z - 11 / Math.sqrt(456 / 18)) < 1e-9);
});

test('normalCdf matches known quantiles', () => {
  assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
  assert.ok(Math.abs(normalCdf(-3) - 0.0013499) < 1e-6);
  assert.ok(1 - normalCdf(6) > 0); // tail precision is kept for tiny p-values
});

test('medianInPlace agrees with sorting on random, sorted, reversed and tied arrays', () => {
  const random = seededRandom(99);
  const cases: number[][] = [];
  for (let n = 1; n <= 60; n++) {
    const r = Array.from({ length: n }, () => Math.floor(random() * 20) - 5);
    cases.push(r, [...r].sort((a, b) => a - b), [...r].sort((a, b) => b - a), new Array(n).fill(3));
  }
  for (const values of cases) {
    const sorted = [...values].sort((a, b) => a - b);
    const m = sorted.length >> 1;
    const expected = sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
    assert.equal(medianInPlace(Float64Array.from(values)), expected, JSON.stringify(values));
  }
});
