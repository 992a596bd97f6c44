import { once } from 'node:events';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type Config, type ConfigField, configFieldByName, configFields, setConfigValue } from '../driver/config.js';
import { compileRegexp } from '../driver/regexp.js';
import { generateReportChunks, prepareReport, type ReportName, reportCommands, sampleIndexByName } from '../driver/generate.js';
import { errorMessage } from '../errors.js';
import type { Profile } from '../profile/profile.js';
import { profileLabels } from '../report/report.js';
import type { CliIO } from './io.js';

/**
 * The interactive shell of `tsprof PROFILE` on a terminal, as pprof's: read a
 * command at the `(pprof) ` prompt, print its report, repeat. Settings typed
 * as `name=value` persist for the session; options given on a command line
 * (`top 5 parse -runtime -cum >out.txt`) apply to that command only.
 *
 * As in pprof, reports go to stdout, and everything about the session
 * (greeting, help, options, errors) to stderr, so `2>/dev/null` leaves only
 * reports. A mistyped command prints one line and the shell goes on.
 */

const PROMPT = '(pprof) ';
/** pprof writes `name = value //: comment` in its option listing; the same marker may end an assignment. */
const COMMENT_START = '//:';
const HISTORY_LIMIT = 1000;

/** ShellCommandHelp is the shell's help for one report command of the driver's table. */
interface ShellCommandHelp {
  /** The usage line and the lines after it, for `help <command>`. */
  usage: string[];
}

/** reportUsage builds the usage text of the report commands that take the common options. */
function reportUsage(name: string, cum: boolean): string[] {
  return [
    `${name} [n] [focus_regex]* [-ignore_regex]*${cum ? ' [-cum]' : ''} >f`,
    'Include up to n samples',
    'Include samples matching focus_regex, and exclude ignore_regex.',
    ...(cum ? ['-cum sorts the output by cumulative weight'] : []),
    'Optionally save the report on the file f',
  ];
}

function regexpUsage(name: string, what: string): string[] {
  return [
    `${name} <func_regex> [-focus_regex]* [-ignore_regex]* >f`,
    `${what} for functions matching func_regex.`,
    'Include samples matching focus_regex, and exclude ignore_regex.',
    'Optionally save the report on the file f',
  ];
}

/** commandHelp is the shell's usage text per report command (descriptions come from the driver's table). */
const commandHelp: Readonly<Record<ReportName, ShellCommandHelp>> = {
  top: { usage: reportUsage('top', true) },
  text: { usage: reportUsage('text', true) },
  tree: { usage: reportUsage('tree', true) },
  peek: { usage: regexpUsage('peek', 'Show callers and callees') },
  list: { usage: regexpUsage('list', 'Show annotated source') },
  traces: { usage: ['traces [focus_regex]* [-ignore_regex]* >f', 'Print every sample with its stack.'] },
  tags: { usage: ['tags [tag_regex]* [-ignore_regex]* >f', 'List tags with key:value matching tag_regex and exclude ignore_regex.'] },
  raw: { usage: ['raw >f', 'Print the profile as it was decoded.'] },
  dot: { usage: [...reportUsage('dot', false).filter((l) => !l.startsWith('-cum'))] },
  svg: { usage: ['svg [n] [focus_regex]* [-ignore_regex]* >f', 'Render the call graph to an SVG file (in-process Graphviz).', 'Without >f, the file goes to $PPROF_TMPDIR or ~/pprof.'] },
  proto: { usage: ['proto >f', 'Write the profile, with the current filters applied, as gzipped protobuf.', 'Without >f, the file goes to $PPROF_TMPDIR or ~/pprof.'] },
  comments: { usage: ['comments', 'Print the comments stored in the profile.'] },
};

/** Reports written to a file rather than the terminal when no `>f` is given. */
const fileExtension: Partial<Record<ReportName, string>> = { svg: 'svg', proto: 'pb.gz' };

/** moreHelp adds detail to the driver's one-line help of a setting, for `help <setting>`. */
const moreHelp: Readonly<Record<string, string[]>> = {
  focus: ['Discard samples that do not include a node matching this regexp.', 'Matching includes the function name, filename or object name.'],
  ignore: ['Discard samples that include a node matching this regexp.', 'Matching includes the function name, filename or object name.'],
  hide: ['Discard nodes that match this regexp; other nodes of the same samples are kept.'],
  show: ['Only show nodes that match this regexp.'],
  show_from: ['Drop every frame above the highest frame matching this regexp.'],
  prune_from: ['Drop the frames matching this regexp and everything below them.'],
  tagfocus: ['Use name=value to match a specific tag.', 'Numeric examples: 1kb, 1kb:10kb, memory=32mb:   String examples: foo, mytag=foo.*bar'],
  tagignore: ['Use name=value to match a specific tag.', 'Numeric examples: 1kb, 1kb:10kb, memory=32mb:   String examples: foo, mytag=foo.*bar'],
  nodecount: ['On graphs, dotted edges stand for paths through removed nodes.', 'top shows 10 nodes unless a count is given.'],
  trim: ['Set to false to see the whole profile, untrimmed.'],
  unit: ['minimum: the smallest unit that keeps every value readable; auto: each value its own unit;', 'or a unit such as bytes, kB, MB, ns, ms, s.'],
  mean: ['For memory profiles: the average size of an allocation.'],
  relative_percentages: ['If unset, percentages are relative to the whole profile before focusing.'],
};

/** choiceHelp describes each value of the choice settings, for the option groups of `help`. */
const choiceHelp: Readonly<Record<string, string>> = {
  functions: 'Aggregate at the function level.',
  filefunctions: 'Aggregate at the function level, told apart by file.',
  files: 'Aggregate at the file level.',
  lines: 'Aggregate at the source code line level.',
  addresses: 'Aggregate at the address level.',
  flat: 'Sort entries based on own weight',
  cum: 'Sort entries based on cumulative weight',
};

/**
 * ShellState is what a session remembers: the settings, which `name=value`
 * replaces with a new Config each time (a Config is never changed in place).
 */
interface ShellState {
  profile: Profile;
  config: Config;
  io: CliIO;
}

/** ParsedCommand is a report command line, read: the report, its argument and its one-off config. */
interface ParsedCommand {
  name: ReportName;
  arg: string | undefined;
  config: Config;
}

/** ShellInputError is a mistyped line: printed as one line, the session goes on. */
class ShellInputError extends Error {}

/**
 * runShell runs pprof's interactive mode on profile until `quit`, `exit` or
 * end of input, starting from config (the command line's settings). Returns
 * the exit status (0). On a real terminal it offers line editing, completion
 * and a history kept in $TSPROF_HISTORY (default ~/.tsprof_history; empty: none).
 */
export async function runShell(profile: Profile, config: Config, io: CliIO): Promise<number> {
  // Headers are printed once in the greeting, not above every report (as pprof).
  const state: ShellState = { profile, config: { ...config, compactLabels: true }, io };
  greet(state);

  const stdout = io.stdout as NodeJS.WritableStream & { isTTY?: boolean };
  const editing = io.isTerminal && stdout.isTTY === true;
  const historyFile = editing ? historyPath(io) : undefined;
  const rl = createInterface({
    input: io.stdin,
    output: io.stdout,
    terminal: editing,
    prompt: PROMPT,
    history: historyFile ? readHistory(historyFile) : [],
    historySize: HISTORY_LIMIT,
    removeHistoryDuplicates: true,
    completer: (line: string): [string[], string] => complete(state, line),
  });
  let closed = false;
  rl.on('close', () => { closed = true; });
  // Piped input may end (closing readline) while its lines are still being
  // run: the prompt is then written directly, before each one, as pprof does.
  const prompt = () => (editing && !closed ? rl.prompt() : io.stdout.write(PROMPT));
  rl.on('SIGINT', () => {
    // ^C drops the line being typed, as in a shell; ^D or quit leaves.
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    io.stdout.write('^C\n');
    rl.prompt();
  });

  prompt();
  let quit = false;
  for await (const line of rl) {
    if (historyFile && line.trim() !== '') appendHistory(historyFile, line);
    quit = !(await runLine(state, line));
    if (quit) break;
    prompt();
  }
  if (!closed) rl.close();
  // After ^D the cursor still sits after the prompt: leave the terminal on a fresh line.
  if (editing && !quit) io.stdout.write('\n');
  return 0;
}

/** greet prints the profile's header lines, as pprof does on entering interactive mode. */
function greet(state: ShellState): void {
  const { io } = state;
  try {
    const report = prepareReport(state.profile, state.config, { name: 'top' });
    io.stderr.write(profileLabels(report).map((l) => l + '\n').join(''));
    if (report.total === 0 && state.profile.sampleTypes.length > 1) {
      io.stderr.write('No samples were found with the default sample value type.\nTry "sample_index" command to analyze different sample values.\n\n');
    }
  } catch (err) {
    io.stderr.write(errorMessage(err) + '\n');
  }
  io.stderr.write('Entering interactive mode (type "help" for commands, "o" for options)\n');
}

/** runLine executes one input line; false means the session ends. */
async function runLine(state: ShellState, input: string): Promise<boolean> {
  const { io } = state;
  for (const line of expandShortcuts(state.profile, input)) {
    try {
      const assignment = parseAssignment(line);
      if (assignment) {
        assign(state, assignment.name, assignment.value);
        continue;
      }
      const tokens = line.split(/\s+/).filter((t) => t !== '');
      if (tokens.length === 0) continue;
      const [first, ...rest] = tokens as [string, ...string[]];
      switch (first) {
        case 'exit': case 'quit': case 'q':
          return false;
        case 'help':
          io.stderr.write(helpText(state.profile, rest.join(' ')));
          continue;
        case 'o': case 'options':
          io.stderr.write(optionsText(state));
          continue;
      }
      await runReport(state, parseCommandLine(state, first, rest));
    } catch (err) {
      io.stderr.write(errorMessage(err) + '\n');
    }
  }
  return true;
}

/**
 * expandShortcuts turns the shell's shorthands into lines: `:` clears every
 * filter, and a sample type's name (`alloc_space`, `mean_alloc_space`,
 * `total_alloc_space`) selects that sample value.
 */
function expandShortcuts(profile: Profile, input: string): string[] {
  const line = input.trim();
  if (line === ':') return ['focus=', 'ignore=', 'hide=', 'tagfocus=', 'tagignore='];
  for (const { type } of profile.sampleTypes) {
    if (line === type) return [`sample_index=${type}`];
    if (line === `mean_${type}`) return ['mean=true', `sample_index=${type}`];
    if (line === `total_${type}`) return ['mean=false', `sample_index=${type}`];
  }
  return [line];
}

/**
 * parseAssignment recognizes `name=value` and a bare setting name (`focus`,
 * `lines`, `call_tree`); value is undefined for a bare name.
 */
function parseAssignment(line: string): { name: string; value: string | undefined } | undefined {
  const eq = line.indexOf('=');
  const name = (eq < 0 ? line : line.slice(0, eq)).trim();
  if (name === '' || /\s/.test(name) || !configFieldByName(name)) return undefined;
  if (eq < 0) return { name, value: undefined };
  let value = line.slice(eq + 1);
  const comment = value.lastIndexOf(COMMENT_START);
  if (comment >= 0) value = value.slice(0, comment);
  return { name, value: value.trim() };
}

/** assign applies `name=value`; a bare name selects a choice, turns a boolean on, or shows a value. */
function assign(state: ShellState, name: string, value: string | undefined): void {
  const field = configFieldByName(name)!;
  const isChoice = field.name !== name;
  if (value === undefined && !isChoice && field.kind !== 'bool') {
    state.io.stderr.write(optionLine(state, field) + '\n');
    return;
  }
  let text = value ?? '';
  if (field.name === 'sample_index' && !isChoice) {
    // Store the type's name: a number's meaning could change with the next profile.
    const index = sampleIndexByName(state.profile, text);
    text = state.profile.sampleTypes[index]!.type;
  }
  // Check a regexp when it is typed, not at the next report, so the mistake
  // is reported where it was made and the old value stays.
  if (REGEXP_SETTINGS.has(field.name) && text !== '') compileRegexp(field.name, text);
  state.config = setConfigValue(state.config, name, text);
}

/** The settings holding a plain regexp (tagfocus/tagignore also take ranges and key=value). */
const REGEXP_SETTINGS: ReadonlySet<string> = new Set(['focus', 'ignore', 'hide', 'show', 'show_from', 'prune_from', 'tagshow', 'taghide']);

/** parseCommandLine reads `cmd[N] [arg] [N] [re]* [-re]* [-cum] [>file]` into a report to run and its one-off config. */
function parseCommandLine(state: ShellState, first: string, rest: string[]): ParsedCommand {
  let name = first;
  const args = [...rest];
  if (!isReport(name)) {
    // top10 is top 10.
    const digits = /^([a-z]+)(\d+)$/.exec(name);
    if (digits && isReport(digits[1]!)) {
      name = digits[1]!;
      args.unshift(digits[2]!);
    }
  }
  if (!isReport(name)) {
    if (configFieldByName(name)) throw new ShellInputError(`did you mean: ${name}=${args[0] ?? '<val>'}`);
    throw new ShellInputError(`unrecognized command: ${JSON.stringify(name)}`);
  }
  const spec = reportCommands[name];
  let arg: string | undefined;
  if (spec.hasParam) {
    arg = args.shift();
    if (arg === undefined) throw new ShellInputError(`command ${name} requires an argument`);
  }
  let config = { ...state.config };
  const focus: string[] = [];
  const ignore: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (/^\d+$/.test(token)) {
      config.nodeCount = Number.parseInt(token, 10);
    } else if (token.startsWith('>')) {
      const file = token.length > 1 ? token.slice(1) : args[++i];
      if (file === undefined) throw new ShellInputError('unexpected end of line after >');
      config.output = file;
    } else if (token === '-cum' || token === '--cum') {
      config.sort = 'cum';
    } else if (token.startsWith('-') && token.length > 1) {
      ignore.push(token.slice(1));
    } else {
      focus.push(token);
    }
  }
  const join = (regexps: string[]) => regexps.join('|');
  if (name === 'tags') {
    if (focus.length > 0) config = setConfigValue(config, 'tagfocus', join(focus));
    if (ignore.length > 0) config = setConfigValue(config, 'tagignore', join(ignore));
  } else {
    if (focus.length > 0) config.focus = join(focus);
    if (ignore.length > 0) config.ignore = join(ignore);
  }
  // A screenful by default: the whole list is one `top 0` or `nodecount=0` away.
  if ((name === 'top' || name === 'text') && config.nodeCount === -1) config.nodeCount = 10;
  return { name, arg, config };
}

function isReport(name: string): name is ReportName {
  return Object.hasOwn(reportCommands, name);
}

/**
 * runReport generates the report and prints it, or writes it to its file,
 * chunk by chunk: `traces` or `raw` of a large profile is far bigger than
 * the profile and is never held whole.
 */
async function runReport(state: ShellState, command: ParsedCommand): Promise<void> {
  const { io } = state;
  const warn = (message: string) => io.stderr.write(message + '\n');
  const chunks = await generateReportChunks(state.profile, command.config, { name: command.name, arg: command.arg }, { warn, cwd: io.cwd });
  let output = command.config.output;
  const extension = fileExtension[command.name];
  if (output === '' && extension !== undefined) output = newReportFile(io, extension);
  if (output === '') {
    for (const chunk of chunks) {
      if (!io.stdout.write(chunk)) await once(io.stdout, 'drain');
    }
    return;
  }
  const path = resolve(io.cwd, output);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'w');
    for (const chunk of chunks) writeSync(fd, typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  } catch (err) {
    throw new ShellInputError(`writing ${output}: ${errorMessage(err)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  io.stderr.write(`Generating report in ${path}\n`);
}

/**
 * newReportFile picks a fresh profileNNN.ext in $PPROF_TMPDIR (default
 * ~/pprof), where pprof also puts graphs made in interactive mode, so
 * binary or markup output never floods the terminal.
 */
function newReportFile(io: CliIO, extension: string): string {
  const dir = io.env.PPROF_TMPDIR || join(io.env.HOME || io.cwd, 'pprof');
  mkdirSync(dir, { recursive: true });
  for (let n = 1; ; n++) {
    const path = join(dir, `profile${String(n).padStart(3, '0')}.${extension}`);
    if (!existsSync(path)) return path;
  }
}

/** helpText is `help` (commands and settings) or `help <name>` (one of them). */
function helpText(profile: Profile, topic: string): string {
  const sampleTypes = `Or use sample_index=name, with name in [${profile.sampleTypes.map((t) => t.type).join(' ')}].`;
  if (topic === '') return overviewHelp();
  if (isReport(topic)) return [reportCommands[topic].description, '  Usage:', ...commandHelp[topic].usage.map((l) => '    ' + l), '', ''].join('\n');
  const field = configFieldByName(topic);
  if (field) {
    const lines = field.name === topic ? [field.help, ...(moreHelp[topic] ?? [])] : [choiceHelp[topic] ?? field.help];
    if (topic === 'sample_index') lines.push(sampleTypes);
    return lines.join('\n') + '\n\n';
  }
  throw new ShellInputError(`Unknown command: ${topic}`);
}

function overviewHelp(): string {
  const row = (name: string, text: string) => `    ${name.padEnd(16)} ${text}`;
  const commands = (Object.keys(reportCommands) as ReportName[]).sort().map((name) => row(name, reportCommands[name].description));
  commands.push(row('o/options', 'List options and their current values'), row('q/quit/exit/^D', 'Exit'));
  const plain = configFields.filter((f) => !f.choices).map((f) => row(f.name, f.help)).sort();
  const groups = configFields
    .filter((f) => f.choices)
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((f) => [row(f.name, ''), ...f.choices!.map((c) => '  ' + row(c, choiceHelp[c] ?? ''))]);
  return [
    '  Commands:', ...commands, '',
    '  Options:', ...plain, '',
    '  Option groups (only set one per group):', ...groups,
    '  :   Clear focus/ignore/hide/tagfocus/tagignore', '',
    '  type "help <cmd|option>" for more information', '',
  ].join('\n').replace(/ +$/gm, '') + '\n';
}

/** optionsText lists every setting and its current value, as pprof's `o`. */
function optionsText(state: ShellState): string {
  return configFields.map((f) => optionLine(state, f)).sort().join('\n') + '\n';
}

function optionLine(state: ShellState, field: ConfigField): string {
  let value = String(state.config[field.key]);
  let comment = '';
  if (field.choices) {
    comment = `[${[...field.choices].sort().join(' | ')}]`;
  } else if (field.name === 'sample_index') {
    const types = state.profile.sampleTypes.map((t) => t.type);
    if (value === '' && types.length > 0) value = types[sampleIndexByName(state.profile, '')]!;
    comment = `[${types.join(' | ')}]`;
  } else if (field.name === 'nodecount' && value === '-1') {
    comment = 'default';
  } else if (value === '') {
    value = '""';
  }
  return `  ${field.name.padEnd(25)} = ${value.padEnd(20)} ${comment === '' ? '' : `${COMMENT_START} ${comment}`}`.trimEnd();
}

/**
 * complete offers completions for readline: command and setting names for
 * the first word, setting names after `help`, and function names (matched
 * anywhere in the name, as pprof) for a report's regexp arguments.
 */
function complete(state: ShellState, line: string): [string[], string] {
  const words = line.split(/\s+/);
  const last = words[words.length - 1] ?? '';
  const names = [...Object.keys(reportCommands), 'help', 'options', 'quit', 'exit', ...configFields.map((f) => f.name), ...configFields.flatMap((f) => f.choices ?? [])];
  if (words.length === 1) return [names.filter((n) => n.startsWith(last)).sort(), last];
  if (words.length === 2 && words[0] === 'help') return [names.filter((n) => n.startsWith(last)).sort(), last];
  if (!isReport(words[0] ?? '') || words[0] === 'tags') return [[], last];
  const negated = last.startsWith('-');
  const part = negated ? last.slice(1) : last;
  if (part === '') return [[], last];
  const matches = new Set<string>();
  for (const fn of state.profile.functions) {
    if (fn.name.includes(part)) matches.add((negated ? '-' : '') + fn.name);
    if (matches.size > 50) break;
  }
  return [[...matches].sort(), last];
}

/** historyPath is where the command history lives: $TSPROF_HISTORY, else ~/.tsprof_history; undefined for none. */
function historyPath(io: CliIO): string | undefined {
  if (io.env.TSPROF_HISTORY !== undefined) return io.env.TSPROF_HISTORY === '' ? undefined : io.env.TSPROF_HISTORY;
  return io.env.HOME ? join(io.env.HOME, '.tsprof_history') : undefined;
}

/** readHistory loads the newest commands first, as readline wants them, and keeps the file from growing without end. */
function readHistory(path: string): string[] {
  let lines: string[];
  try {
    lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  } catch {
    return [];
  }
  const kept = lines.slice(-HISTORY_LIMIT);
  if (kept.length < lines.length) {
    try {
      writeFileSync(path, kept.map((l) => l + '\n').join(''));
    } catch {
      // Keep the long file rather than fail the session.
    }
  }
  return kept.reverse();
}

function appendHistory(path: string, line: string): void {
  try {
    appendFileSync(path, line.replaceAll('\n', ' ') + '\n');
  } catch {
    // A history that cannot be saved must not stop the session.
  }
}
