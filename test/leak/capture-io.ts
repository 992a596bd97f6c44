import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';

/** CapturedIO is a CliIO whose output is kept in strings, for running commands in-process. */
export interface CapturedIO extends CliIO {
  out(): string;
  err(): string;
}

/** captureIO makes a CliIO with captured stdout/stderr; isTerminal and env as given. */
export function captureIO(options: { isTerminal?: boolean; env?: NodeJS.ProcessEnv } = {}): CapturedIO {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: options.env ?? {},
    cwd: process.cwd(),
    isTerminal: options.isTerminal ?? false,
    out: () => out,
    err: () => err,
  };
}
