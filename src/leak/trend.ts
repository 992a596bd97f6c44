import { leastSquaresFit, rSquaredOf, type Point } from './linear-fit.js';
import { mannKendall } from './mann-kendall.js';
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
  /** tau is Kendall's τ: +1 every later reading is higher, 0 no order. */
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
}

/**
 * fitTrend fits a series of readings. Time is measured in minutes from the
 * first reading so that slopes come out in bytes/min, the unit people think
 * in for leaks ("12 MB/min", "OOM in 40 minutes").
 */
export function fitTrend(series: readonly TimedValue[]): Trend {
  const t0 = series.length > 0 ? series[0]!.timeMs : 0;
  const points: Point[] = series.map((v) => ({ x: (v.timeMs - t0) / 60_000, y: v.bytes }));
  const values = series.map((v) => v.bytes);
  const robust = theilSenFit(points);
  const ols = leastSquaresFit(points);
  const mk = mannKendall(values);
  const spanMinutes = points.length > 0 ? points[points.length - 1]!.x : 0;
  return {
    points: points.length,
    spanMinutes,
    first: values[0] ?? 0,
    last: values[values.length - 1] ?? 0,
    min: values.length ? Math.min(...values) : 0,
    max: values.length ? Math.max(...values) : 0,
    mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0,
    slopePerMinute: robust.slope,
    rSquared: rSquaredOf(points, robust.slope, robust.intercept),
    leastSquaresSlopePerMinute: ols.slope,
    leastSquaresRSquared: ols.rSquared,
    tau: mk.tau,
    pRising: mk.pRising,
    pFalling: mk.pFalling,
    upSteps: mk.upSteps,
    growthBytes: robust.slope * spanMinutes,
    steadiness: steadinessOf(points, robust.slope),
  };
}

function steadinessOf(points: readonly Point[], slope: number): number {
  if (points.length < 6 || slope === 0) return 1;
  const half = points.length >> 1;
  // The halves share the middle reading when the count is odd, so neither is shorter than 3.
  const first = theilSenFit(points.slice(0, points.length - half)).slope;
  const second = theilSenFit(points.slice(half)).slope;
  return Math.min(first, second) / slope;
}
