/**
 * MonotonicTrend measures how consistently a series moves in one direction,
 * whatever its shape: the Mann–Kendall test.
 */
export interface MonotonicTrend {
  /** s counts increasing pairs minus decreasing pairs over all pairs i < j. */
  s: number;
  /** tau is Kendall's τ, s over the number of pairs: +1 always rising, −1 always falling, ~0 no order. */
  tau: number;
  /** z is s normalised by its standard deviation under "no trend" (with continuity correction and ties). */
  z: number;
  /** pRising is the one-sided p-value of "this rises only by chance"; small means surely rising. */
  pRising: number;
  /** pFalling is the same for falling. */
  pFalling: number;
  /** upSteps is the share of consecutive steps that went up (equal steps count half). */
  upSteps: number;
}

/**
 * mannKendall tests a series (in time order) for a monotonic trend. It only
 * looks at the order of values, so one GC dip changes s by at most 2(n−1)
 * and cannot flip a long steady climb; the p-value turns "how sure" into a
 * number. The normal approximation is used for every n: for the handful of
 * points where it is rough, the verdict also requires a minimum point count.
 */
export function mannKendall(values: readonly number[]): MonotonicTrend {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) s += Math.sign(values[j]! - values[i]!);
  }
  const pairs = (n * (n - 1)) / 2;
  // Ties shrink the variance: Σ t(t−1)(2t+5) over groups of equal values.
  const groups = new Map<number, number>();
  for (const v of values) groups.set(v, (groups.get(v) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of groups.values()) tieTerm += t * (t - 1) * (2 * t + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  const z = variance <= 0 ? 0 : (s - Math.sign(s)) / Math.sqrt(variance);
  let up = 0;
  for (let i = 1; i < n; i++) {
    const d = values[i]! - values[i - 1]!;
    up += d > 0 ? 1 : d === 0 ? 0.5 : 0;
  }
  return {
    s,
    tau: pairs === 0 ? 0 : s / pairs,
    z,
    pRising: variance <= 0 ? 1 : 1 - normalCdf(z),
    pFalling: variance <= 0 ? 1 : normalCdf(z),
    upSteps: n < 2 ? 0 : up / (n - 1),
  };
}

/** normalCdf is Φ(z), the standard normal distribution function. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * erfc by the Numerical Recipes Chebyshev fit (fractional error < 1.2e-7
 * everywhere), which keeps tiny p-values accurate instead of rounding 1 − Φ to 0.
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
