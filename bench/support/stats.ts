/**
 * The statistics every bench reports: medians and quartiles over repeated
 * runs, and the alternating order that lets two tools share the machine's
 * load fairly (on a shared machine, whoever runs second in every round
 * would otherwise see a different machine).
 */

/** quantile is the q-th quantile (0 ≤ q ≤ 1) of values, interpolating linearly between neighbours. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile of no values');
  const s = [...values].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.ceil(at)]! - s[lo]!) * (at - lo);
}

/** median is the middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Quartiles are the first quartile, the median and the third quartile. */
export interface Quartiles {
  q1: number;
  median: number;
  q3: number;
}

/** quartiles returns the three quartiles of values. */
export function quartiles(values: readonly number[]): Quartiles {
  return { q1: quantile(values, 0.25), median: quantile(values, 0.5), q3: quantile(values, 0.75) };
}

/**
 * roundOrder is the order in which the tools run in round `round` (from 0):
 * as given in even rounds, reversed in odd ones, so each tool runs first
 * half the time.
 */
export function roundOrder<T>(round: number, tools: readonly T[]): T[] {
  return round % 2 === 0 ? [...tools] : [...tools].reverse();
}
