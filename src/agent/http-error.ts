/**
 * HttpError is an error the agent answers with its own status and a one-line
 * plain-text message (bad query values, busy profiler, unknown profile...).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
