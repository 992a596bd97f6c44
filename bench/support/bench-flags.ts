import { type FlagSpec, type FlagValues, flagUsage, parseFlags } from '../../src/cli/flags.js';
import { UsageError } from '../../src/errors.js';

/** BenchFlags is a bench's parsed command line: flag values, and the positional arguments. */
export interface BenchFlags {
  values: FlagValues;
  args: string[];
}

/**
 * parseBenchFlags reads a bench's command line with the CLI's own flag parser
 * (Go-style `-flag value`, `--flag value`, `-flag=value`). `-help` prints the
 * flag table; a bad flag is one line naming the bench, then the table, and
 * exit status 2.
 */
export function parseBenchFlags(bench: string, specs: Record<string, FlagSpec>, argv: readonly string[] = process.argv.slice(2)): BenchFlags {
  const withHelp: Record<string, FlagSpec> = { ...specs, help: { kind: 'bool', default: false, help: 'print these flags and exit' } };
  try {
    const { values, args } = parseFlags(argv, withHelp);
    if (values['help'] === true) {
      process.stdout.write(`usage: ${bench} [flags]\n${flagUsage(specs)}`);
      process.exit(0);
    }
    return { values, args };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${bench}: ${err.message}\n${flagUsage(specs)}`);
    process.exit(2);
  }
}
