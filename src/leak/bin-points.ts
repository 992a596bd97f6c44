import type { Point } from './linear-fit.js';
import { median } from './median.js';

/**
 * binPoints shrinks a long series to at most maxPoints by merging runs of
 * consecutive points into their median point (median x, median y). The
 * rank and pairwise-slope statistics cost O(n²); an hour of readings every
 * 5 s (720) is binned to runs of 6, which also tempers the correlation of
 * neighbouring readings that those tests assume away. Shorter series are
 * returned as they are.
 */
export function binPoints(points: readonly Point[], maxPoints: number): readonly Point[] {
  if (points.length <= maxPoints) return points;
  const size = Math.ceil(points.length / maxPoints);
  const binned: Point[] = [];
  for (let start = 0; start < points.length; start += size) {
    const run = points.slice(start, start + size);
    binned.push({ x: median(run.map((p) => p.x)), y: median(run.map((p) => p.y)) });
  }
  return binned;
}
