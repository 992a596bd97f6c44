import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { TsprofError, UsageError } from '../errors.js';
import { type Config, configFields, defaultConfig } from '../driver/config.js';
import { fetchProfiles } from '../driver/fetch.js';
import { type ReportCommand, type ReportName, generateReportChunks, reportCommands } from '../driver/generate.js';
import type { Profile } from '../profile/profile.js';
import { type FlagSpec, flagUsage, parseFlags } from './flags.js';
import type { CliIO } from './io.js';

/** Flags that pick the sample value, as pprof's shorthands for -sample_index. */
const sampleShorthands: Record<string, string> = {
  inuse_space: 'inuse_space',
  inuse_objects: 'inuse_objects',
  alloc_space: 'alloc_space',
  alloc_objects: 'alloc_objects',
  total_delay: 'delay',
  mean_delay: 'delay',
  contentions: 'contentions',
};

/** pprofFlagSpecs builds the flag table: source flags, every Config field, and one flag per report. */
function pprofFlagSpecs(): Record<string, FlagSpec> {
  const specs: Record<string, FlagSpec> = {
    base: { kind: 'strings', help: 'Source of base profile for profile subtraction' },
    diff_base: { kind: 'strings', help: 'Source of base profile for comparison' },
    seconds: { kind: 'int', default: -1, help: 'Length of time for dynamic profiles' },
    timeout: { kind: 'int', default: -1, help: 'Timeout in seconds for fetching a profile' },
    add_comment: { kind: 'string', default: '', help: 'Annotation string to record in the profile' },
    symbolize: { kind: 'string', default: '', help: 'Options for profile symbolization (accepted, not used: profiles are symbolized)' },
    http: { kind: 'string', default: '', help: 'Present interactive web UI at the specified http host:port' },
    no_browser: { kind: 'bool', default: false, help: 'Skip opening a browser for the interactive web UI' },
    html: { kind: 'bool', default: false, help: 'Outputs one self-contained HTML file: the flame graph and top table' },
    help: { kind: 'bool', default: false, help: 'Show this help' },
  };
  for (const name of Object.keys(sampleShorthands)) specs[name] = { kind: 'bool', default: false, help: `Display ${name.replace('_', ' ')}` };
  const defaults = defaultConfig() as unknown as Record<string, unknown>;
  for (const f of configFields) {
    if (f.choices) {
      for (const c of f.choices) specs[c] = { kind: 'bool', default: false, help: `${f.name}=${c}` };
      continue;
    }
    specs[f.name] = { kind: f.kind, default: defaults[f.key] as FlagSpec['default'], help: f.help };
  }
  for (const name of unsupportedReports) specs[name] = { kind: name === 'disasm' || name === 'weblist' ? 'string' : 'bool', default: name === 'disasm' || name === 'weblist' ? '' : false, help: 'not supported by tsprof' };
  for (const [name, cmd] of Object.entries(reportCommands)) {
    specs[name] = cmd.hasParam
      ? { kind: 'string', default: '', help: `${cmd.description} (matching regexp)` }
      : { kind: 'bool', default: false, help: cmd.description };
  }
  return specs;
}

/** pprof reports tsprof does not produce: named in the error rather than called unknown flags. */
const unsupportedReports = ['gif', 'pdf', 'png', 'ps', 'eog', 'evince', 'gv', 'web', 'weblist', 'disasm', 'callgrind', 'kcachegrind', 'topproto'];

const usageHeader = `usage: tsprof [options] source...

Reads pprof profiles (file, gzip or raw protobuf; "-" for stdin; http(s) URL;
V8 .cpuprofile/.heapprofile) and prints the reports of \`go tool pprof\`.
Without a report flag on a terminal, starts the interactive shell.

Reports: -top -text -tree -peek=RE -list=RE -traces -tags -raw -dot -svg -proto -html
Web UI:  -http=[host]:port [-no_browser]
Options:
`;

/** configFromFlags turns parsed flags into a Config (the only place flags become settings). */
function configFromFlags(values: Record<string, unknown>, set: string[]): Config {
  const cfg = defaultConfig() as unknown as Record<string, unknown>;
  for (const f of configFields) {
    if (f.choices) {
      const chosen = f.choices.filter((c) => values[c] === true);
      if (chosen.length > 1) throw new UsageError(`conflicting options set: [${chosen.join(' ')}]`);
      if (chosen.length === 1) cfg[f.key] = chosen[0];
      continue;
    }
    if (set.includes(f.name)) cfg[f.key] = values[f.name];
  }
  const config = cfg as unknown as Config;
  for (const [flag, index] of Object.entries(sampleShorthands)) {
    if (values[flag] !== true) continue;
    if (config.sampleIndex === '') config.sampleIndex = index;
  }
  if (values.mean_delay === true) config.mean = true;
  return config;
}

function chosenCommand(values: Record<string, unknown>): ReportCommand | undefined {
  let cmd: ReportCommand | undefined;
  for (const [name, spec] of Object.entries(reportCommands)) {
    const v = values[name];
    const on = spec.hasParam ? typeof v === 'string' && v !== '' : v === true;
    if (!on) continue;
    if (cmd) throw new UsageError('must set at most one output format');
    cmd = spec.hasParam ? { name: name as ReportName, arg: v as string } : { name: name as ReportName };
  }
  return cmd;
}

/**
 * pprofCommand is `tsprof [flags] source...`: go tool pprof's command
 * line, printing the chosen report to stdout (or -output FILE).
 */
export async function pprofCommand(args: string[], io: CliIO): Promise<number> {
  const specs = pprofFlagSpecs();
  const parsed = parseFlags(args, specs);
  const values = parsed.values as Record<string, unknown>;
  if (values.help === true) {
    io.stdout.write(usageHeader + flagUsage(Object.fromEntries(Object.entries(specs).filter(([name]) => !unsupportedReports.includes(name)))));
    return 0;
  }
  for (const name of unsupportedReports) {
    if (values[name] === true || (typeof values[name] === 'string' && values[name] !== '')) {
      throw new UsageError(`-${name} is not supported by tsprof: use -svg or -dot for graphs, -top/-tree/-peek/-list/-traces for text`);
    }
  }
  const config = configFromFlags(values, parsed.set);
  const command = chosenCommand(values);
  if (parsed.args.length === 0) throw new UsageError('no profile source specified (usage: tsprof [options] source...; -help for options)');
  const base = values.base as string[];
  const diffBase = values.diff_base as string[];
  if (base.length > 0 && diffBase.length > 0) throw new UsageError('-base and -diff_base flags cannot both be specified');
  if (config.normalize && base.length === 0 && diffBase.length === 0) throw new UsageError('must have base profile to normalize by');
  const web = values.http !== '' || values.html === true;
  // A bad -http address fails before a large profile is loaded.
  if (values.http !== '') (await import('../web/listen-address.js')).parseListenAddress(values.http as string);
  if (web && command) throw new UsageError('must set at most one output format');
  if (!command && !web && !io.isTerminal) {
    throw new UsageError('no report flag given and not on a terminal: add one of -top, -tree, -peek=RE, -list=RE, -traces, -tags, -raw, -dot, -svg, -proto (see -help)');
  }
  const seconds = values.seconds as number;
  const timeout = values.timeout as number;
  let profile: Profile = await fetchProfiles({
    sources: parsed.args,
    base: diffBase.length > 0 ? diffBase : base,
    diffBase: diffBase.length > 0,
    normalize: config.normalize,
    load: {
      seconds: seconds > 0 ? seconds : undefined,
      timeoutMs: timeout > 0 ? timeout * 1000 : undefined,
      stdin: io.stdin,
      cwd: io.cwd,
      log: (line) => io.stderr.write(line + '\n'),
      maxBytes: Number(io.env.TSPROF_MAX_DECODED_BYTES) > 0 ? Number(io.env.TSPROF_MAX_DECODED_BYTES) : undefined,
    },
  });
  const comment = values.add_comment as string;
  if (comment !== '') profile = { ...profile, comments: [...profile.comments, comment] };

  if (values.http !== '') return (await import('../web/serve-web-ui.js')).serveWebUi(profile, config, { http: values.http as string, noBrowser: values.no_browser === true, stdout: io.stdout, stderr: io.stderr, cwd: io.cwd });
  const chunks = values.html === true
    ? [await (await import('../web/static-html.js')).staticHtml(profile, config, { warn: (m) => io.stderr.write(m + '\n'), cwd: io.cwd })]
    : undefined;
  if (!command && !chunks) {
    // Loaded only when used, so report runs do not pay for readline and the shell.
    const { runShell } = await import('./shell.js');
    return runShell(profile, config, io);
  }
  if (command?.name === 'proto' && config.output === '' && io.isTerminal) {
    throw new UsageError('-proto writes binary: give -output FILE or redirect stdout');
  }
  const output = chunks ?? await generateReportChunks(profile, config, command!, { warn: (m) => io.stderr.write(m + '\n'), cwd: io.cwd });
  if (config.output !== '') {
    io.stderr.write(`Generating report in ${config.output}\n`);
    const file = createWriteStream(resolve(io.cwd, config.output));
    try {
      await writeAll(file, output);
      file.end();
      await once(file, 'finish');
    } catch (err) {
      file.destroy();
      throw new TsprofError(`writing ${config.output}: ${(err as Error).message}`);
    }
    return 0;
  }
  try {
    await writeAll(io.stdout, output);
  } catch (err) {
    // The reader went away (`tsprof -traces big | head`): not an error, as for any Unix filter.
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    throw err;
  }
  return 0;
}

/** writeAll writes the report's pieces in order, waiting for the stream to drain (output can be gigabytes). */
async function writeAll(out: NodeJS.WritableStream, chunks: Iterable<string | Uint8Array>): Promise<void> {
  let failure: Error | undefined;
  const onError = (err: Error) => { failure = err; };
  out.on('error', onError);
  try {
    for (const chunk of chunks) {
      if (failure) throw failure;
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(out, 'error')]);
    }
    await new Promise<void>((done, fail) => out.write('', (err) => (err ? fail(err) : done())));
    if (failure) throw failure;
  } finally {
    out.removeListener('error', onError);
  }
}
