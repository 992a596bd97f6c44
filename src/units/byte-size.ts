import { QuantityError } from './quantity-error.js';

const unitBytes: Record<string, number> = { b: 1, kb: 1024, mb: 1 << 20, gb: 1 << 30 };

/**
 * parseByteSize reads "1MB", "512kB", "2048" (bytes) and returns bytes; units
 * are binary, as pprof prints them. Anything else is a QuantityError.
 */
export function parseByteSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?b)?$/i.exec(text.trim());
  if (!m) throw new QuantityError('size', text, '512kB, 1MB');
  return Math.round(Number(m[1]) * unitBytes[(m[2] ?? 'b').toLowerCase()]!);
}
