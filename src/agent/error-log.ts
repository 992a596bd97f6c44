import { errorMessage } from '../errors.js';

/** Distinct errors reported before the log goes quiet, so a failure loop cannot flood the host's stderr. */
const maxDistinctErrors = 50;

/**
 * ErrorLog reports each distinct agent error once to the host's log: the
 * agent's problems must be visible without drowning the service's own output.
 */
export class ErrorLog {
  private readonly seen = new Set<string>();

  constructor(private readonly write: (line: string) => void) {}

  /** report logs `tsprof agent: <context>: <message>` unless that line was logged before. */
  report(context: string, err: unknown): void {
    const line = `tsprof agent: ${context}: ${errorMessage(err)}`;
    if (this.seen.has(line) || this.seen.size > maxDistinctErrors) return;
    this.seen.add(line);
    try {
      this.write(this.seen.size > maxDistinctErrors ? 'tsprof agent: too many distinct errors; no longer logging new ones' : line);
    } catch {
      // A broken logger must not take the host down either.
    }
  }
}
