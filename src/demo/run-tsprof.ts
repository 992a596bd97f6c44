import { Readable, Writable } from 'node:stream';
import type { CliIO } from '../cli/io.js';
import { pprofCommand } from '../cli/pprof-command.js';
import { runCommand } from '../cli/run-command.js';

/** CapturedRun is what one in-process tsprof command printed. */
export interface CapturedRun {
  status: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
        done();
      },
    }),
    text: () => chunks.join(''),
  };
}

/**
 * runTsprof runs a tsprof (pprof) command line in this process, the same
 * command and error handling as the binary, with its output captured, so
 * the demo shows exactly what the user will see when they type it. It goes
 * below main, so the demo, an application above the CLI, is never loaded
 * back by it.
 */
export async function runTsprof(argv: string[], io: CliIO): Promise<CapturedRun> {
  const stdout = collector();
  const stderr = collector();
  const status = await runCommand(async () => pprofCommand, argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from([]),
    env: io.env,
    cwd: io.cwd,
    isTerminal: false,
  });
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}
