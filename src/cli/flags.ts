import { UsageError } from '../errors.js';

/** FlagKind is how a flag's value is read, as in Go's flag package. */
export type FlagKind = 'bool' | 'string' | 'int' | 'float' | 'strings';

/** FlagSpec declares one flag: its kind, default and help line. */
export interface FlagSpec {
  kind: FlagKind;
  default?: boolean | string | number | string[];
  help: string;
}

/** FlagValues maps flag names to parsed values; unset flags hold their defaults. */
export type FlagValues = Record<string, boolean | string | number | string[] | undefined>;

/** ParsedArgs is the result of parseFlags: values, which flags were set, and positional arguments. */
export interface ParsedArgs {
  values: FlagValues;
  /** Names of flags that appeared on the command line, in order. */
  set: string[];
  args: string[];
}

const boolWords: Record<string, boolean> = {
  '1': true, t: true, T: true, true: true, TRUE: true, True: true,
  '0': false, f: false, F: false, false: false, FALSE: false, False: false,
};

/**
 * parseFlags reads a command line the way Go's flag package does, so
 * `go tool pprof` command lines work unchanged: `-flag`, `--flag`,
 * `-flag=value`, `-flag value` (not for booleans, which take `-flag=false`).
 * Unlike Go it also accepts flags after positional arguments; `--` ends flags.
 */
export function parseFlags(argv: readonly string[], specs: Record<string, FlagSpec>): ParsedArgs {
  const values: FlagValues = {};
  for (const [name, spec] of Object.entries(specs)) {
    values[name] = spec.kind === 'strings' ? [...((spec.default as string[] | undefined) ?? [])] : spec.default;
  }
  const set: string[] = [];
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (arg.length < 2 || arg[0] !== '-') {
      args.push(arg);
      continue;
    }
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (body === '' || body.startsWith('-') || body.startsWith('=')) throw new UsageError(`bad flag syntax: ${arg}`);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const spec = specs[name];
    if (!spec) throw new UsageError(`flag provided but not defined: -${name}`);
    let text: string | undefined = eq < 0 ? undefined : body.slice(eq + 1);
    if (spec.kind === 'bool') {
      if (text === undefined) {
        values[name] = true;
      } else {
        const b = boolWords[text];
        if (b === undefined) throw new UsageError(`invalid boolean value ${JSON.stringify(text)} for -${name}`);
        values[name] = b;
      }
    } else {
      if (text === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: -${name}`);
        text = argv[++i]!;
      }
      values[name] = convert(name, spec, text, values[name]);
    }
    set.push(name);
  }
  return { values, set, args };
}

function convert(name: string, spec: FlagSpec, text: string, previous: FlagValues[string]) {
  switch (spec.kind) {
    case 'string':
      return text;
    case 'strings':
      return [...((previous as string[] | undefined) ?? []), text];
    case 'int': {
      if (!/^[+-]?\d+$/.test(text.trim())) throw new UsageError(`invalid value ${JSON.stringify(text)} for flag -${name}: parse error`);
      return Number.parseInt(text, 10);
    }
    case 'float': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n)) throw new UsageError(`invalid value ${JSON.stringify(text)} for flag -${name}: parse error`);
      return n;
    }
    default:
      throw new UsageError(`flag -${name}: unsupported kind`);
  }
}

/** flagUsage renders the flag table for `-help`. */
export function flagUsage(specs: Record<string, FlagSpec>): string {
  return Object.entries(specs)
    .map(([name, spec]) => {
      const arg = spec.kind === 'bool' ? '' : spec.kind === 'int' || spec.kind === 'float' ? ' n' : ' value';
      return `  -${name}${arg}\n        ${spec.help}`;
    })
    .join('\n') + '\n';
}
