import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

/** CliResult is what one in-process run of the CLI printed and returned. */
export interface CliResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** runCli runs `tsprof args...` in-process through main() with captured streams. */
export async function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: Uint8Array; isTerminal?: boolean } = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const io: CliIO = {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin ? [Buffer.from(options.stdin)] : []),
    env: options.env ?? { ...process.env },
    cwd: options.cwd ?? process.cwd(),
    isTerminal: options.isTerminal ?? false,
  };
  const code = await main(args, io);
  stdout.end();
  stderr.end();
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
}
