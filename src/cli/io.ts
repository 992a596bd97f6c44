/**
 * CliIO is the one seam through which commands touch the outside world, so
 * tests can run any command in-process with captured output.
 */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stdin and stdout are both a terminal (interactive shell, progress lines). */
  isTerminal: boolean;
}

/** processIO is the CliIO of the running process. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    isTerminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  };
}
