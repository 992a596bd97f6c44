import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { theilSenFit } from '../../src/leak/theil-sen.js';
import { leastSquaresFit } from '../../src/leak/linear-fit.js';
import { mannKendall } from '../../src/leak/mann-kendall.js';
import { fitTrend } from '../../src/leak/trend.js';
import { judgeTrend } from '../../src/leak/verdict.js';

const values = fc.array(fc.integer({ min: 0, max: 1 << 30 }), { minLength: 2, maxLength: 40 });
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
const points = (ys: number[]) => ys.map((y, x) => ({ x, y }));

test('Theil–Sen and least squares are equivariant: y + c·x + d moves the slope by exactly c', () => {
  fc.assert(
    fc.property(values, fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -1e6, max: 1e6 }), (ys, c, d) => {
      const moved = ys.map((y, x) => y + c * x + d);
      assert.ok(close(theilSenFit(points(moved)).slope, theilSenFit(points(ys)).slope + c));
      assert.ok(close(leastSquaresFit(points(moved)).slope, leastSquaresFit(points(ys)).slope + c));
    }),
  );
});

test('Mann–Kendall: reversing a series negates s and swaps the one-sided p-values; R² stays in [0, 1]', () => {
  fc.assert(
    fc.property(values, (ys) => {
      const forward = mannKendall(ys);
      const backward = mannKendall([...ys].reverse());
      assert.equal(backward.s + forward.s, 0);
      assert.ok(close(backward.pRising, forward.pFalling));
      assert.ok(forward.tau >= -1 && forward.tau <= 1);
      const r2 = leastSquaresFit(points(ys)).rSquared;
      assert.ok(r2 >= 0 && r2 <= 1 + 1e-12);
    }),
  );
});

test('a series that never rises is never judged growing', () => {
  fc.assert(
    fc.property(values, (ys) => {
      const falling = [...ys].sort((a, b) => b - a);
      const verdict = judgeTrend(fitTrend(falling.map((bytes, i) => ({ timeMs: i * 5000, bytes }))));
      assert.notEqual(verdict.kind, 'growing');
    }),
  );
});
