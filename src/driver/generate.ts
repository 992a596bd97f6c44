import { TsprofError, UsageError } from '../errors.js';
import { mergeProfiles } from '../profile/merge.js';
import type { Profile } from '../profile/profile.js';
import { type OutputFormat, Report, type ReportOptions, computeTotal } from '../report/report.js';
import { printText } from '../report/text.js';
import type { Config } from './config.js';
import { applyFocus, numLabelUnits, type Warn } from './focus.js';
import { compileRegexp } from './regexp.js';

/** ReportName is a report the driver can generate (pprof's command names). */
export type ReportName = 'top' | 'text' | 'tree' | 'peek' | 'list' | 'traces' | 'tags' | 'raw' | 'dot' | 'svg' | 'proto' | 'comments';

/** ReportCommand is a report and its argument (the regexp of peek/list, a node count for top). */
export interface ReportCommand {
  name: ReportName;
  arg?: string;
}

/** CommandSpec is one entry of the command table. */
interface CommandSpec {
  format: OutputFormat | 'comments';
  /** Takes a regexp argument (peek, list). */
  hasParam: boolean;
  /** Writes binary output (proto). */
  binary?: boolean;
  description: string;
}

/** reportCommands is the command table: name → output family. */
export const reportCommands: Readonly<Record<ReportName, CommandSpec>> = {
  top: { format: 'text', hasParam: false, description: 'Outputs top entries in text form' },
  text: { format: 'text', hasParam: false, description: 'Outputs top entries in text form' },
  tree: { format: 'tree', hasParam: false, description: 'Outputs a text rendering of call graph' },
  peek: { format: 'tree', hasParam: true, description: 'Output callers/callees of functions matching regexp' },
  list: { format: 'list', hasParam: true, description: 'Output annotated source for functions matching regexp' },
  traces: { format: 'traces', hasParam: false, description: 'Outputs all profile samples in text form' },
  tags: { format: 'tags', hasParam: false, description: 'Outputs all tags in the profile' },
  raw: { format: 'raw', hasParam: false, description: 'Outputs a text representation of the raw profile' },
  dot: { format: 'dot', hasParam: false, description: 'Outputs a graph in DOT format' },
  svg: { format: 'dot', hasParam: false, description: 'Outputs a graph in SVG format' },
  proto: { format: 'proto', hasParam: false, binary: true, description: 'Outputs the profile in compressed protobuf format' },
  comments: { format: 'comments', hasParam: false, description: 'Output all profile comments' },
};

/** GenerateOptions carry the side channels of report generation. */
export interface GenerateOptions {
  /** Receives warnings such as "Focus expression matched no samples" (default: dropped). */
  warn?: Warn;
  /** Where -list finds sources when source_path is empty (default process.cwd()). */
  cwd?: string;
}

/** parseReportCommand reads "top", "top 10", "peek RE" or a ReportCommand. */
export function parseReportCommand(command: ReportCommand | string): ReportCommand {
  if (typeof command !== 'string') return command;
  const text = command.trim();
  const sp = text.search(/\s/);
  const name = (sp < 0 ? text : text.slice(0, sp)) as ReportName;
  const arg = sp < 0 ? undefined : text.slice(sp + 1).trim();
  if (!(name in reportCommands)) throw new UsageError(`unrecognized command: ${JSON.stringify(name)}`);
  return arg === undefined || arg === '' ? { name } : { name, arg };
}

/** applyCommandOverrides adjusts cfg for the command as pprof does (peek/list never trim, top shows all nodes, ...). */
export function applyCommandOverrides(name: ReportName, cfg: Config): Config {
  const c = { ...cfg };
  let trim = c.trim;
  switch (name) {
    case 'peek': trim = false; break;
    case 'list': trim = false; c.granularity = 'lines'; break;
    case 'text': case 'top': if (c.nodeCount === -1) c.nodeCount = 0; break;
    default: if (c.nodeCount === -1) c.nodeCount = 80;
  }
  const format = reportCommands[name].format;
  if (format === 'proto' || format === 'raw') {
    trim = false;
    c.granularity = 'addresses';
    c.noInlines = false;
  }
  if (!trim) {
    c.nodeCount = 0;
    c.nodeFraction = 0;
    c.edgeFraction = 0;
  }
  return c;
}

/** sampleIndexByName resolves -sample_index (a name, "inuse_"-less name, or number; default: default_sample_type or the last). */
export function sampleIndexByName(p: Profile, sampleIndex: string): number {
  const types = p.sampleTypes.map((t) => t.type);
  if (sampleIndex === '') {
    if (p.defaultSampleType !== '') {
      const i = types.indexOf(p.defaultSampleType);
      if (i >= 0) return i;
    }
    return types.length - 1;
  }
  if (/^[+-]?\d+$/.test(sampleIndex)) {
    const i = Number.parseInt(sampleIndex, 10);
    if (i < 0 || i >= types.length) throw new TsprofError(`sample_index ${sampleIndex} is outside the range [0..${types.length - 1}]`);
    return i;
  }
  const noInuse = sampleIndex.replace(/^inuse_/, '');
  const i = types.findIndex((t) => t === sampleIndex || t === noInuse);
  if (i >= 0) return i;
  throw new TsprofError(`sample_index ${JSON.stringify(sampleIndex)} must be one of: [${types.join(' ')}]`);
}

function reportOptions(p: Profile, units: Map<string, string>, cfg: Config, format: OutputFormat): ReportOptions {
  if (p.sampleTypes.length === 0) throw new TsprofError('profile has no samples');
  const index = sampleIndexByName(p, cfg.sampleIndex);
  const st = p.sampleTypes[index]!;
  if (cfg.divideBy === 0) throw new TsprofError('zero divisor specified');
  const filters: string[] = [];
  const add = (k: string, v: string) => { if (v !== '') filters.push(`${k}=${v}`); };
  add('focus', cfg.focus);
  add('ignore', cfg.ignore);
  add('hide', cfg.hide);
  add('show', cfg.show);
  add('show_from', cfg.showFrom);
  add('tagfocus', cfg.tagFocus);
  add('tagignore', cfg.tagIgnore);
  add('tagshow', cfg.tagShow);
  add('taghide', cfg.tagHide);
  const m0 = p.mappings[0];
  const title = m0 && m0.file !== '' ? m0.file.split('/').filter((x) => x !== '').pop() ?? '' : '';
  return {
    outputFormat: format,
    cumSort: cfg.sort === 'cum',
    callTree: cfg.callTree,
    dropNegative: cfg.dropNegative,
    compactLabels: cfg.compactLabels,
    ratio: 1 / cfg.divideBy,
    title,
    activeFilters: filters,
    numLabelUnits: units,
    nodeCount: cfg.nodeCount,
    nodeFraction: cfg.nodeFraction,
    edgeFraction: cfg.edgeFraction,
    sampleIndex: index,
    meanIndex: cfg.mean ? 0 : undefined,
    sampleType: cfg.mean ? 'mean_' + st.type : st.type,
    sampleUnit: st.unit,
    outputUnit: cfg.unit,
    sourcePath: cfg.sourcePath,
    trimPath: cfg.trimPath,
    granularity: cfg.granularity,
    noInlines: cfg.noInlines,
  };
}

const compactedProfiles = new WeakMap<Profile, Profile>();

/** compacted is the profile with duplicate samples merged, computed once per profile (the shell asks again and again). */
function compacted(p: Profile): Profile {
  let c = compactedProfiles.get(p);
  if (!c) {
    c = mergeProfiles([p]);
    compactedProfiles.set(p, c);
  }
  return c;
}

/**
 * prepareReport runs pprof's report pipeline up to printing: command
 * overrides, sample index, total (before focusing unless
 * relative_percentages), then the filters. Returns the Report to print.
 */
export function prepareReport(profile: Profile, config: Config, command: ReportCommand, options: GenerateOptions = {}): Report {
  const spec = reportCommands[command.name];
  if (!spec) throw new UsageError(`unrecognized command: ${JSON.stringify(command.name)}`);
  const warn = options.warn ?? (() => {});
  let cfg = config;
  if ((command.name === 'top' || command.name === 'text') && command.arg !== undefined) {
    if (!/^\d+$/.test(command.arg)) throw new UsageError(`${command.name}: want a node count, got ${JSON.stringify(command.arg)}`);
    cfg = { ...cfg, nodeCount: Number.parseInt(command.arg, 10) };
  }
  cfg = applyCommandOverrides(command.name, cfg);
  let p = profile;
  // Sample identity shows in these formats: compact duplicates as pprof's loader does.
  if (spec.format === 'traces' || spec.format === 'raw' || spec.format === 'proto') p = compacted(p);
  const { units, ignored } = numLabelUnits(p);
  for (const [k, us] of ignored) warn(`For tag ${k} used unit ${units.get(k)}, also encountered unit(s) ${us.join(', ')}`);
  if (cfg.relativePercentages) p = applyFocus(p, units, cfg, warn);
  const format = spec.format === 'comments' ? 'raw' : spec.format;
  const ropt = reportOptions(p, units, cfg, format);
  if (spec.hasParam) {
    if (command.arg === undefined || command.arg === '') throw new UsageError(`${command.name}: missing regexp argument`);
    ropt.symbol = compileRegexp('argument', command.arg);
  }
  if (options.cwd !== undefined) ropt.cwd = options.cwd;
  const total = computeTotal(p, ropt.sampleIndex, ropt.meanIndex);
  if (!cfg.relativePercentages) p = applyFocus(p, units, cfg, warn);
  return new Report(p, ropt, total);
}

/**
 * generateReport prints one report of profile under config, exactly as
 * `go tool pprof -<command>` would. command is a ReportCommand or text like
 * "top", "top 10", "peek parse"; default "top". For "proto" use generateReportBytes.
 */
export async function generateReport(profile: Profile, config: Config, command: ReportCommand | string = 'top', options: GenerateOptions = {}): Promise<string> {
  const cmd = parseReportCommand(command);
  if (cmd.name === 'proto') throw new UsageError('proto output is binary: use generateReportBytes');
  return [...(await generateReportChunks(profile, config, cmd, options))].join('');
}

/**
 * generateReportChunks renders a report as a sequence of pieces: text
 * reports as strings (traces and raw in many pieces, so that gigabytes of
 * output never need to be one string), proto as one gzip Uint8Array.
 */
export async function generateReportChunks(profile: Profile, config: Config, command: ReportCommand | string = 'top', options: GenerateOptions = {}): Promise<Iterable<string | Uint8Array>> {
  const cmd = parseReportCommand(command);
  if (cmd.name === 'comments') return [profile.comments.map((c) => c + '\n').join('')];
  const rpt = prepareReport(profile, config, cmd, options);
  // Each report family's module is loaded when first used: a plain `-top` starts faster.
  switch (cmd.name) {
    case 'top': case 'text': return [printText(rpt)];
    case 'tree': case 'peek': return [(await import('../report/tree.js')).printTree(rpt)];
    case 'traces': return (await import('../report/traces.js')).traceChunks(rpt);
    case 'tags': return [(await import('../report/tags.js')).printTags(rpt)];
    case 'raw': return (await import('../report/raw.js')).rawChunks(rpt.profile);
    case 'dot': return [(await import('../report/dot.js')).printDot(rpt)];
    case 'svg': {
      const dot = (await import('../report/dot.js')).printDot(rpt);
      return [await (await import('../report/svg.js')).renderSvg(dot)];
    }
    case 'list': return [(await import('../report/source.js')).printSource(rpt)];
    case 'proto': {
      let p = rpt.profile;
      if (rpt.options.ratio > 0 && rpt.options.ratio !== 1) p = scaleProfileTrunc(p, rpt.options.ratio);
      return [(await import('../profile/encode.js')).encodeProfileGzip(p)];
    }
  }
  throw new UsageError(`unrecognized command: ${JSON.stringify(cmd.name)}`);
}

/** generateReportBytes renders a report as bytes: gzip protobuf for "proto", UTF-8 text otherwise. */
export async function generateReportBytes(profile: Profile, config: Config, command: ReportCommand | string = 'top', options: GenerateOptions = {}): Promise<Uint8Array> {
  const parts = [...(await generateReportChunks(profile, config, command, options))];
  return Buffer.concat(parts.map((x) => (typeof x === 'string' ? Buffer.from(x, 'utf8') : x)));
}

/** scaleProfileTrunc scales values as pprof's proto output does (truncating, keeping zero samples). */
function scaleProfileTrunc(p: Profile, ratio: number): Profile {
  const values = p.samples.values.map((v) => Math.trunc(v * ratio));
  return { ...p, samples: { ...p.samples, values } };
}
