/**
 * The one way tests run the CLI in-process: a CliIO whose output is captured
 * (captureIO), and `tsprof args...` through main() with it (runCli).
 */
import { PassThrough, Readable } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** CaptureOptions say what the captured CLI sees: its environment, directory, stdin, and whether it is on a terminal. */
export interface CaptureOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdin's whole content; without it stdin is a stream the test may write to (io.stdin as PassThrough). */
  stdin?: Uint8Array | string;
  isTerminal?: boolean;
}

/** CapturedIO is a CliIO whose stdout and stderr are kept, as text or (stdout) as bytes. */
export interface CapturedIO extends CliIO {
  out(): string;
  outBytes(): Buffer;
  err(): string;
}

/** captureIO makes a CliIO with captured output. The environment is empty unless given. */
export function captureIO(options: CaptureOptions = {}): CapturedIO {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(Buffer.from(c)));
  stderr.on('data', (c: Buffer) => err.push(Buffer.from(c)));
  const stdin = options.stdin === undefined ? new PassThrough() : Readable.from([Buffer.from(options.stdin)]);
  return {
    stdout,
    stderr,
    stdin,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    isTerminal: options.isTerminal ?? false,
    out: () => Buffer.concat(out).toString('utf8'),
    outBytes: () => Buffer.concat(out),
    err: () => Buffer.concat(err).toString('utf8'),
  };
}

/** CliResult is what one in-process run of the CLI printed and returned. */
export interface CliResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** runCli runs `tsprof args...` in-process through main() with captured streams (the test's environment unless given). */
export async function runCli(args: string[], options: CaptureOptions = {}): Promise<CliResult> {
  const io = captureIO({ ...options, env: options.env ?? { ...process.env }, stdin: options.stdin ?? new Uint8Array() });
  const code = await main(args, io);
  return { code, stdout: io.outBytes(), stderr: io.err() };
}
