import { TsprofError, errorMessage } from '../errors.js';
import { type CliIO, processIO } from './io.js';

/** A Command runs one verb of the CLI and resolves to the exit status. */
export type Command = (args: string[], io: CliIO) => Promise<number>;

/**
 * Our own verbs; anything else is a pprof command line. Each verb's module
 * is loaded only when used, so `tsprof -top file` does not pay for the rest.
 */
const verbs: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./demo-command.js')).demoCommand,
  watch: async () => (await import('./watch-command.js')).watchCommand,
  snapshot: async () => (await import('./snapshot-command.js')).snapshotCommand,
  attach: async () => (await import('./attach-command.js')).attachCommand,
};

/** main runs the tsprof CLI with argv (without node and script) and returns the exit status. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  try {
    const verb = argv[0] !== undefined ? verbs[argv[0]] : undefined;
    const command = verb ? await verb() : (await import('./pprof-command.js')).pprofCommand;
    return await command(verb ? argv.slice(1) : argv, io);
  } catch (err) {
    if (err instanceof TsprofError) {
      io.stderr.write(`tsprof: ${err.message}\n`);
      return err.exitCode;
    }
    // Not a user error: still one line, with the stack only on request.
    io.stderr.write(`tsprof: internal error: ${errorMessage(err)}\n`);
    if (io.env.TSPROF_DEBUG && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
    return 1;
  }
}
