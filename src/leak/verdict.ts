import type { Trend } from './trend.js';

/** VerdictKind is what a series is doing, in words a person acts on. */
export type VerdictKind = 'growing' | 'shrinking' | 'stepped' | 'flat' | 'noisy' | 'unknown';

/** Confidence grades how sure a verdict is. */
export type Confidence = 'high' | 'medium' | 'low';

/** Verdict is the judgement on one trend, with the reason in one phrase. */
export interface Verdict {
  kind: VerdictKind;
  confidence: Confidence;
  reason: string;
}

/** VerdictOptions are the thresholds of judgeTrend. */
export interface VerdictOptions {
  /** minPoints below which nothing is judged (the Mann–Kendall test needs ~5 to reach p < 0.05 at all). */
  minPoints: number;
  /** minGrowthBytes the robust line must rise over the window to count: smaller rises are noise for a heap. */
  minGrowthBytes: number;
  /** significance is the p-value under which a rise or fall is believed. */
  significance: number;
  /** minTau is the least Kendall τ for "steady": most pairs of readings must be in order. */
  minTau: number;
  /** minSteadiness is the least share of the overall rate each half of the window must keep. */
  minSteadiness: number;
}

/** defaultVerdictOptions: 5 polls, 1 MiB over the window, p < 0.05, τ ≥ 0.4, each half ≥ 25% of the rate. */
export function defaultVerdictOptions(): VerdictOptions {
  return { minPoints: 5, minGrowthBytes: 1 << 20, significance: 0.05, minTau: 0.4, minSteadiness: 0.25 };
}

/**
 * judgeTrend turns a fitted trend into a verdict. A site grows when three
 * independent things agree: the robust slope rises by at least
 * minGrowthBytes over the window (it matters), the rank test says the rise
 * is not chance (it is real), and τ says most readings are in order (it is
 * steady, not one jump). Confidence then grades the evidence: high needs a
 * tiny p-value and a line that explains most of the variance.
 */
export function judgeTrend(trend: Trend, options: VerdictOptions = defaultVerdictOptions()): Verdict {
  if (trend.points < options.minPoints || trend.spanMinutes <= 0) {
    return { kind: 'unknown', confidence: 'low', reason: `only ${trend.points} readings, need ${options.minPoints}` };
  }
  const steady = trend.steadiness >= options.minSteadiness;
  const rising = trend.growthBytes >= options.minGrowthBytes && trend.pRising < options.significance && trend.tau >= options.minTau;
  const falling = -trend.growthBytes >= options.minGrowthBytes && trend.pFalling < options.significance && -trend.tau >= options.minTau;
  if ((rising || falling) && !steady) {
    // A real change that happened in one part of the window: a cache warming
    // once, a batch loaded. Worth showing, not a leak.
    return {
      kind: 'stepped',
      confidence: 'medium',
      reason: `${rising ? 'rose' : 'fell'} in one part of the window, then stopped (steadiness ${trend.steadiness.toFixed(2)})`,
    };
  }
  if (rising || falling) {
    const p = rising ? trend.pRising : trend.pFalling;
    const confidence: Confidence = p < 0.001 && trend.rSquared >= 0.8 ? 'high' : p < 0.01 && trend.rSquared >= 0.5 ? 'medium' : 'low';
    return {
      kind: rising ? 'growing' : 'shrinking',
      confidence,
      reason: `τ=${trend.tau.toFixed(2)}, p=${formatP(p)}, R²=${trend.rSquared.toFixed(2)} over ${trend.points} readings`,
    };
  }
  const range = trend.max - trend.min;
  if (range >= options.minGrowthBytes && range >= 0.25 * trend.mean) {
    return {
      kind: 'noisy',
      confidence: trend.points >= 2 * options.minPoints ? 'medium' : 'low',
      reason: `moves by ${Math.round((100 * range) / Math.max(1, trend.mean))}% of its mean without a steady direction (τ=${trend.tau.toFixed(2)})`,
    };
  }
  const why =
    Math.abs(trend.growthBytes) < options.minGrowthBytes
      ? `changes by less than the ${formatThreshold(options.minGrowthBytes)} threshold`
      : `no steady direction (τ=${trend.tau.toFixed(2)}, p=${formatP(Math.min(trend.pRising, trend.pFalling))})`;
  return { kind: 'flat', confidence: trend.points >= 2 * options.minPoints ? 'high' : 'medium', reason: why };
}

function formatThreshold(bytes: number): string {
  return bytes % (1 << 20) === 0 ? `${bytes / (1 << 20)} MB` : bytes % 1024 === 0 ? `${bytes / 1024} kB` : `${bytes} B`;
}

/** formatP prints a p-value compactly: 0.03, 2e-5, < 1e-9. */
export function formatP(p: number): string {
  if (p < 1e-9) return '<1e-9';
  if (p < 0.001) return p.toExponential(0);
  return p.toFixed(3);
}
