import { HttpError } from './http-error.js';

/**
 * secondsParam reads `?seconds=N`: a whole number from 1 to max, or the
 * fallback when absent. Anything else is a 400 that says what is wanted.
 */
export function secondsParam(query: URLSearchParams, fallback: number | undefined, max: number, name = 'seconds'): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = /^\d{1,9}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new HttpError(400, `bad ${name}=${JSON.stringify(raw)}: want a whole number of seconds from 1 to ${max}`);
  }
  return n;
}

/** flagParam reads a 0/1 switch such as `?gc=1` or `?debug=1`; anything else is a 400. */
export function flagParam(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  if (raw === null || raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  throw new HttpError(400, `bad ${name}=${JSON.stringify(raw)}: want 0 or 1`);
}
