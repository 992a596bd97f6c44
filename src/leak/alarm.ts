import type { GrowthReport } from './growth-report.js';

/**
 * leakFound tells whether a growth report raises an alarm, as its verdict line
 * does: a growing allocation site, memory outside the V8 heap growing, or the
 * total rising steadily with high confidence though no single site does. A
 * medium-confidence rise of the total alone (a service warming up) does not.
 */
export function leakFound(growth: GrowthReport): boolean {
  if (growth.total.verdict.kind === 'unknown') return false;
  if (growth.growing.length > 0) return true;
  if (growth.external?.verdict.kind === 'growing') return true;
  return growth.total.verdict.kind === 'growing' && growth.total.verdict.confidence === 'high';
}

/** leakExitStatus is what `tsprof watch -fail` exits with when it finds a leak (1 is an error, 2 a usage error). */
export const leakExitStatus = 3;
