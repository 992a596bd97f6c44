import { QuantityError } from './quantity-error.js';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * parseDuration reads a Go-style duration ("500ms", "5s", "1m30s", "2h") or a
 * plain number of seconds, as pprof's -seconds, and returns milliseconds.
 * Anything else is a QuantityError.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = part.exec(trimmed); m; m = part.exec(trimmed)) {
    total += Number(m[1]) * unitMs[m[2]!]!;
    end = part.lastIndex;
  }
  if (trimmed === '' || end !== trimmed.length) throw new QuantityError('duration', text, '500ms, 5s, 2m');
  return total;
}
