import { leastSquaresFit, rSquaredOf, type Point } from './linear-fit.js';
import { mannKendall } from './mann-kendall.js';
import { binPoints } from './bin-points.js';
import { theilSenFit } from './theil-sen.js';

/** TimedValue is one reading of a series: when (ms since the epoch) and how many bytes. */
export interface TimedValue {
  timeMs: number;
  bytes: number;
}

/** Trend is everything the verdict needs to know about one series of in-use bytes. */
export interface Trend {
  points: number;
  spanMinutes: number;
  first: number;
  last: number;
  min: number;
  max: number;
  mean: number;
  /** slopePerMinute is the robust (Theil–Sen) growth rate, bytes per minute. */
  slopePerMinute: number;
  /** rSquared is how much of the variance the robust line explains. */
  rSquared: number;
  /** leastSquaresSlopePerMinute is the ordinary least-squares rate, for comparison. */
  leastSquaresSlopePerMinute: number;
  /** leastSquaresRSquared is the classic R² of the least-squares line. */
  leastSquaresRSquared: number;
  /**
   * tau is Kendall's τ: +1 every later reading is higher, 0 no order. τ, the
   * p-values, the robust slope and steadiness are computed on at most
   * maxRobustPoints medians of consecutive readings (binPoints).
   */
  tau: number;
  /** pRising is the Mann–Kendall one-sided p-value that the rise is chance. */
  pRising: number;
  /** pFalling is the same for a fall. */
  pFalling: number;
  /** upSteps is the share of poll-to-poll steps that went up. */
  upSteps: number;
  /** growthBytes is the robust line's rise over the whole window (slope × span). */
  growthBytes: number;
  /**
   * steadiness compares the robust slopes of the first and second half of the
   * window with the whole: min(half slopes) / slope. Near 1 the rate held
   * throughout; near 0 or below, the rise happened in one part (a cache
   * warming once, a burst) and stopped. 1 when there are too few readings
   * to split (fewer than 6).
   */
  steadiness: number;
  /**
   * lateGrowthBytes is the robust line's rise over the second half of the
   * window alone (its slope × its span): how much the series still rose
   * once a cache that fills early had filled. The whole growth when there
   * are too few readings to split.
   */
  lateGrowthBytes: number;
}

/** maxRobustPoints bounds the series the rank and pairwise-slope statistics see (a 10-minute watch at 5 s). */
export const maxRobustPoints = 120;

/**
 * fitTrend fits a series of readings. Time is measured in minutes from the
 * first reading so that slopes come out in bytes/min, the unit people think
 * in for leaks ("12 MB/min", "OOM in 40 minutes").
 */
export function fitTrend(series: readonly TimedValue[]): Trend {
  const t0 = series.length > 0 ? series[0]!.timeMs : 0;
  const points: Point[] = series.map((v) => ({ x: (v.timeMs - t0) / 60_000, y: v.bytes }));
  const values = series.map((v) => v.bytes);
  // The O(n²) statistics run on at most maxRobustPoints medians of runs of readings.
  const binned = binPoints(points, maxRobustPoints);
  const robust = theilSenFit(binned);
  const ols = leastSquaresFit(points);
  const mk = mannKendall(binned.map((p) => p.y));
  const spanMinutes = points.length > 0 ? points[points.length - 1]!.x : 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return {
    points: points.length,
    spanMinutes,
    first: values[0] ?? 0,
    last: values[values.length - 1] ?? 0,
    min: values.length ? min : 0,
    max: values.length ? max : 0,
    mean: values.length ? sum / values.length : 0,
    slopePerMinute: robust.slope,
    rSquared: rSquaredOf(points, robust.slope, robust.intercept),
    leastSquaresSlopePerMinute: ols.slope,
    leastSquaresRSquared: ols.rSquared,
    tau: mk.tau,
    pRising: mk.pRising,
    pFalling: mk.pFalling,
    upSteps: mk.upSteps,
    growthBytes: robust.slope * spanMinutes,
    ...halvesOf(binned, robust.slope, spanMinutes),
  };
}

function halvesOf(points: readonly Point[], slope: number, spanMinutes: number): { steadiness: number; lateGrowthBytes: number } {
  if (points.length < 6 || slope === 0) return { steadiness: 1, lateGrowthBytes: slope * spanMinutes };
  const half = points.length >> 1;
  // The halves share the middle reading when the count is odd, so neither is shorter than 3.
  const first = theilSenFit(points.slice(0, points.length - half)).slope;
  const late = points.slice(half);
  const second = theilSenFit(late).slope;
  return { steadiness: Math.min(first, second) / slope, lateGrowthBytes: second * (late[late.length - 1]!.x - late[0]!.x) };
}
