import { scaledLabel } from '../../profile/units.js';
import type { ValueFormat } from '../view-data.js';

/** formatValue prints a value as the report's formatValue does (the same units code, bundled into the page). */
export function formatValue(v: number, f: ValueFormat): string {
  if (f.ratio > 0 && f.ratio !== 1) v = Math.trunc(v * f.ratio);
  return scaledLabel(v, f.sampleUnit, f.outputUnit);
}

/** formatPercent prints value/total as a percentage with two decimals. */
export function formatPercent(value: number, total: number): string {
  if (total === 0) return '0%';
  return `${((value / total) * 100).toFixed(2)}%`;
}
