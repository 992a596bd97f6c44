/**
 * TsprofError is an error meant for the user: its message is one line that
 * names the input and the problem, and the CLI prints it without a stack.
 * Every layer throws it for bad input; anything else reaching the top is a bug.
 */
export class TsprofError extends Error {
  constructor(message: string, readonly exitCode: number = 1) {
    super(message);
    this.name = 'TsprofError';
  }
}

/** UsageError is a TsprofError for a wrong command line (exit status 2, as Go's flag package). */
export class UsageError extends TsprofError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** errorMessage renders any thrown value as one line, for places that must not throw on. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
