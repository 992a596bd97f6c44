/** Point is one observation of a series: x (e.g. minutes since the first poll) and y (e.g. bytes). */
export interface Point {
  x: number;
  y: number;
}

/** LinearFit is a line y = intercept + slope·x and how well it explains the points. */
export interface LinearFit {
  slope: number;
  intercept: number;
  /**
   * rSquared is the share of the variance of y that the line explains (0..1).
   * A series with no variance at all is explained perfectly by a flat line:
   * rSquared is then 1, so "constant" never reads as "noisy".
   */
  rSquared: number;
}

/**
 * leastSquaresFit fits a line by ordinary least squares. It is the familiar
 * estimate and gives R², but one outlier (a GC that ran just before one poll)
 * pulls it far; verdicts use theilSenFit and report this alongside.
 */
export function leastSquaresFit(points: readonly Point[]): LinearFit {
  const n = points.length;
  if (n === 0) return { slope: 0, intercept: 0, rSquared: 1 };
  let meanX = 0;
  let meanY = 0;
  for (const p of points) {
    meanX += p.x;
    meanY += p.y;
  }
  meanX /= n;
  meanY /= n;
  // Centred sums: numerically safer than the textbook Σxy − n·x̄·ȳ with byte counts in the 1e9 range.
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    const dx = p.x - meanX;
    const dy = p.y - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = meanY - slope * meanX;
  const rSquared = residualShare(points, slope, intercept, syy);
  return { slope, intercept, rSquared };
}

/**
 * rSquaredOf says how much of the variance of the points a given line
 * explains: 1 − SSres/SStot, clamped to 0 for lines worse than the mean
 * (a robust line can be, on a series with outliers).
 */
export function rSquaredOf(points: readonly Point[], slope: number, intercept: number): number {
  if (points.length === 0) return 1;
  const meanY = points.reduce((s, p) => s + p.y, 0) / points.length;
  const syy = points.reduce((s, p) => s + (p.y - meanY) ** 2, 0);
  return residualShare(points, slope, intercept, syy);
}

function residualShare(points: readonly Point[], slope: number, intercept: number, syy: number): number {
  let ssRes = 0;
  for (const p of points) ssRes += (p.y - (intercept + slope * p.x)) ** 2;
  if (syy === 0) return ssRes === 0 ? 1 : 0;
  return Math.max(0, 1 - ssRes / syy);
}
