import { TsprofError } from '../errors.js';

/** FetchFailure is why an HTTP fetch failed, for callers that word it their own way (pprof's messages for sources). */
export type FetchFailure =
  /** The server answered with a status other than 2xx; body is the start of its answer, as one line. */
  | { kind: 'status'; status: number; statusText: string; body: string }
  /** No complete answer (headers and body) within timeoutMs. */
  | { kind: 'timeout'; timeoutMs: number }
  /** The request failed below HTTP: code is the system's (ECONNREFUSED, ENOTFOUND...), detail its message. */
  | { kind: 'network'; code: string | undefined; detail: string }
  /** The body is larger than the cap. */
  | { kind: 'too-large'; maxBytes: number };

/** describeFailure words a FetchFailure for someone talking to an agent, as `tsprof watch` prints it. */
export function describeFailure(failure: FetchFailure): string {
  switch (failure.kind) {
    case 'status':
      return `HTTP ${failure.status} ${failure.statusText}`.trimEnd() + (failure.body ? `: ${failure.body}` : '');
    case 'timeout':
      return `no complete answer within ${failure.timeoutMs}ms`;
    case 'network':
      return failure.code === 'ECONNREFUSED' ? 'connection refused (is the agent running?)' : failure.detail;
    case 'too-large':
      return `response larger than ${failure.maxBytes} bytes`;
  }
}

/** FetchError is a failed HTTP fetch: one line naming the URL and the problem, and the failure itself for rewording. */
export class FetchError extends TsprofError {
  constructor(
    readonly url: URL,
    readonly failure: FetchFailure,
  ) {
    super(`${url.href}: ${describeFailure(failure)}`);
    this.name = 'FetchError';
  }
}
