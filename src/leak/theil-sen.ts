import type { Point, LinearFit } from './linear-fit.js';
import { rSquaredOf } from './linear-fit.js';
import { medianInPlace } from './median.js';

/**
 * theilSenFit fits a line by the Theil–Sen estimator: the slope is the median
 * of the slopes between every pair of points, the intercept the median of
 * y − slope·x. Up to ~29% of the points can be outliers (a GC hiccup, a
 * burst of requests in flight at one poll) without moving it much, which is
 * why growth verdicts rest on it rather than on least squares.
 * O(n²) pairs: fitTrend bins long series first (binPoints).
 */
export function theilSenFit(points: readonly Point[]): LinearFit {
  const n = points.length;
  if (n === 0) return { slope: 0, intercept: 0, rSquared: 1 };
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let count = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = points[j]!.x - points[i]!.x;
      if (dx !== 0) slopes[count++] = (points[j]!.y - points[i]!.y) / dx;
    }
  }
  const slope = count === 0 ? 0 : medianInPlace(slopes.subarray(0, count));
  const intercept = medianInPlace(Float64Array.from(points, (p) => p.y - slope * p.x));
  return { slope, intercept, rSquared: rSquaredOf(points, slope, intercept) };
}
