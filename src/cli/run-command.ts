import { TsprofError, errorMessage } from '../errors.js';
import type { CliIO } from './io.js';

/** A Command runs one verb of the CLI and resolves to the exit status. */
export type Command = (args: string[], io: CliIO) => Promise<number>;

/**
 * runCommand loads a command (verbs are loaded lazily) and runs it as the
 * binary does: a TsprofError becomes its one line on stderr and its exit
 * status; anything else is an internal error, one line too, with the stack
 * only when TSPROF_DEBUG is set.
 */
export async function runCommand(load: () => Promise<Command>, args: string[], io: CliIO): Promise<number> {
  try {
    const command = await load();
    return await command(args, io);
  } catch (err) {
    if (err instanceof TsprofError) {
      io.stderr.write(`tsprof: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`tsprof: internal error: ${errorMessage(err)}\n`);
    if (io.env.TSPROF_DEBUG && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
    return 1;
  }
}
