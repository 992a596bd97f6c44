import { type CliIO, processIO } from './io.js';
import { type Command, runCommand } from './run-command.js';

/**
 * Our own verbs; anything else is a pprof command line. Each verb's module
 * is loaded only when used, so `tsprof -top file` does not pay for the rest.
 * `demo` is an application above the CLI (it runs pprof commands itself,
 * through runCommand, never through main): this table is the one place the
 * CLI names it.
 */
const verbs: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('../demo/demo-command.js')).demoCommand,
  watch: async () => (await import('./watch-command.js')).watchCommand,
  snapshot: async () => (await import('./snapshot-command.js')).snapshotCommand,
  attach: async () => (await import('./attach-command.js')).attachCommand,
};

const pprof = async (): Promise<Command> => (await import('./pprof-command.js')).pprofCommand;

/** main runs the tsprof CLI with argv (without node and script) and returns the exit status. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const verb = argv[0] !== undefined && Object.hasOwn(verbs, argv[0]) ? verbs[argv[0]] : undefined;
  return verb ? runCommand(verb, argv.slice(1), io) : runCommand(pprof, argv, io);
}
