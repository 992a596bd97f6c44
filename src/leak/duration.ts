import { UsageError } from '../errors.js';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * parseDuration reads a Go-style duration ("500ms", "5s", "1m30s", "2h") or a
 * plain number of seconds, as pprof's -seconds. flag names the flag in errors.
 */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = part.exec(trimmed); m; m = part.exec(trimmed)) {
    total += Number(m[1]) * unitMs[m[2]!]!;
    end = part.lastIndex;
  }
  if (trimmed === '' || end !== trimmed.length) throw new UsageError(`invalid duration ${JSON.stringify(text)} for -${flag} (e.g. 500ms, 5s, 2m)`);
  return total;
}

const unitBytes: Record<string, number> = { b: 1, kb: 1024, mb: 1 << 20, gb: 1 << 30 };

/** parseByteSize reads "1MB", "512kB", "2048" (bytes); units are binary, as pprof prints them. */
export function parseByteSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`invalid size ${JSON.stringify(text)} for -${flag} (e.g. 512kB, 1MB)`);
  return Math.round(Number(m[1]) * unitBytes[(m[2] ?? 'b').toLowerCase()]!);
}
