import { type Graph, type Granularity, buildGraph } from '../graph/graph.js';
import { keySet, nodesAboveCutoff, removeRedundantEdges, selectTopNodes, sortNodes, trimLowFrequencyEdges, trimLowFrequencyTags, trimTree } from '../graph/trim.js';
import { goFixed, goG } from '../profile/go-format.js';
import { type Profile, sampleHasLabel } from '../profile/profile.js';
import { autoLabel, scaleValue, scaledLabel } from '../profile/units.js';
import { zoneName } from './zone-name.js';

/** OutputFormat is a report family. */
export type OutputFormat = 'text' | 'tree' | 'traces' | 'dot' | 'tags' | 'raw' | 'list' | 'proto' | 'topproto';

/** ReportOptions are the report layer's own options (the driver derives them from its Config). */
export interface ReportOptions {
  outputFormat: OutputFormat;
  cumSort: boolean;
  callTree: boolean;
  dropNegative: boolean;
  compactLabels: boolean;
  /** Multiplies every value before printing (1/divide_by). */
  ratio: number;
  title: string;
  activeFilters: string[];
  numLabelUnits: Map<string, string>;
  nodeCount: number;
  nodeFraction: number;
  edgeFraction: number;
  sampleIndex: number;
  meanIndex?: number;
  /** The printed sample type ("inuse_space", "mean_alloc_space"). */
  sampleType: string;
  sampleUnit: string;
  /** Output unit; "minimum" is resolved per report to the unit fitting the smallest node. */
  outputUnit: string;
  /** peek/list/tree regexp. */
  symbol?: RegExp;
  sourcePath: string;
  trimPath: string;
  granularity: Granularity;
  noInlines: boolean;
  /** Where -list looks for sources when sourcePath is empty (default process.cwd()). */
  cwd?: string;
}

/** Report is a profile ready to print: its options, total and value formatter. */
export class Report {
  /** The unit values print in; starts as options.outputUnit and may be narrowed by selectOutputUnit. */
  outputUnit: string;

  constructor(readonly profile: Profile, readonly options: ReportOptions, readonly total: number) {
    this.outputUnit = options.outputUnit;
  }

  /** formatValue prints a sample value scaled by ratio in the output unit. */
  formatValue(v: number): string {
    const r = this.options.ratio;
    if (r > 0 && r !== 1) v = Math.trunc(v * r);
    return scaledLabel(v, this.options.sampleUnit, this.outputUnit);
  }
}

/**
 * computeTotal sums |value| over samples (divided for -mean). When samples
 * carry the diff-base label, the total is that of the base alone, so
 * -diff_base percentages are relative to the base.
 */
export function computeTotal(p: Profile, sampleIndex: number, meanIndex: number | undefined): number {
  const s = p.samples;
  const vc = s.valueCount;
  let total = 0, div = 0, diffTotal = 0, diffDiv = 0;
  const hasLabels = s.labels !== undefined;
  for (let i = 0; i < s.count; i++) {
    let v = s.values[i * vc + sampleIndex]!;
    const d = meanIndex !== undefined ? s.values[i * vc + meanIndex]! : 0;
    if (v < 0) v = -v;
    total += v;
    div += d;
    if (hasLabels && sampleHasLabel(p, i, 'pprof::base', 'true')) {
      diffTotal += v;
      diffDiv += d;
    }
  }
  if (diffTotal > 0) {
    total = diffTotal;
    div = diffDiv;
  }
  return div !== 0 ? Math.trunc(total / div) : total;
}

/** percentage formats value/total as pprof: "  100%", "12.34%", or two significant digits below 1%. */
export function percentage(value: number, total: number): string {
  let ratio = 0;
  if (total !== 0) ratio = Math.abs(value / total) * 100;
  if (ratio >= 99.95 && ratio <= 100.05) return '  100%';
  if (ratio >= 1.0) return goFixed(ratio, 2).padStart(5, ' ') + '%';
  return goG(ratio, 2).padStart(5, ' ') + '%';
}

/** TrimmedGraph is a graph after node/edge trimming, with what was dropped (for the legend). */
export interface TrimmedGraph {
  graph: Graph;
  origCount: number;
  droppedNodes: number;
  droppedEdges: number;
}

function graphFor(rpt: Report, kept: Set<string> | undefined): Graph {
  const o = rpt.options;
  const objNames = o.outputFormat === 'raw' || o.outputFormat === 'list';
  return buildGraph(rpt.profile, {
    sampleIndex: o.sampleIndex,
    meanIndex: o.meanIndex,
    granularity: o.granularity,
    noInlines: o.noInlines,
    objNames,
    callTree: o.callTree && o.outputFormat === 'dot',
    dropNegative: o.dropNegative,
    keptNodes: kept,
    collectTags: o.outputFormat === 'dot',
    formatTag: (v, unit) => scaledLabel(v, unit, rpt.outputUnit),
    mapFilename: (f) => trimPath(f, o.trimPath, o.sourcePath),
  });
}

/**
 * trimPath removes build-machine prefixes from a source path (pprof
 * -trim_path): the configured prefixes and /proc/self/cwd; with no
 * -trim_path, everything up to a directory named like a -source_path entry.
 */
export function trimPath(path: string, trim: string, searchPath: string): string {
  const sPath = path.replace(/\\/g, '/');
  if (trim === '') {
    for (const dir of searchPath.split(':').filter((d) => d !== '')) {
      const want = '/' + baseName(dir.replace(/\\/g, '/')) + '/';
      const found = sPath.indexOf(want);
      if (found !== -1) return path.slice(found + want.length);
    }
  }
  const prefixes = [...trim.replace(/\\/g, '/').split(':').filter((d) => d !== ''), '/proc/self/cwd/./', '/proc/self/cwd/'];
  for (let prefix of prefixes) {
    if (!prefix.endsWith('/')) prefix += '/';
    if (sPath.startsWith(prefix)) return path.slice(prefix.length);
  }
  return path;
}

/** newTrimmedGraph builds the graph and trims it by nodefraction, nodecount and edgefraction (pprof's order). */
export function newTrimmedGraph(rpt: Report): TrimmedGraph {
  const o = rpt.options;
  const visualMode = o.outputFormat === 'dot';
  const callTree = o.callTree && o.outputFormat === 'dot';
  const order = visualMode ? 'entropy' : o.cumSort ? 'cum' : 'flat';
  let g = graphFor(rpt, undefined);
  let totalValue = 0;
  for (const n of g.nodes) totalValue += n.flat;
  const nodeCutoff = Math.abs(Math.trunc(totalValue * o.nodeFraction));
  const edgeCutoff = Math.abs(Math.trunc(totalValue * o.edgeFraction));
  let droppedNodes = 0;
  if (nodeCutoff > 0) {
    const kept = nodesAboveCutoff(g.nodes, nodeCutoff);
    if (kept.length !== g.nodes.length) {
      droppedNodes = g.nodes.length - kept.length;
      if (callTree) trimTree(g, new Set(kept));
      else g = graphFor(rpt, keySet(kept));
    }
  }
  const origCount = g.nodes.length;
  sortNodes(g.nodes, order);
  if (o.nodeCount > 0) {
    trimLowFrequencyTags(g, nodeCutoff);
    trimLowFrequencyEdges(g, edgeCutoff);
    const kept = selectTopNodes(g, o.nodeCount, visualMode);
    if (kept.length !== g.nodes.length) {
      if (callTree) trimTree(g, new Set(kept));
      else g = graphFor(rpt, keySet(kept));
      sortNodes(g.nodes, order);
    }
  }
  trimLowFrequencyTags(g, nodeCutoff);
  const droppedEdges = trimLowFrequencyEdges(g, edgeCutoff);
  if (visualMode) removeRedundantEdges(g);
  return { graph: g, origCount, droppedNodes, droppedEdges };
}

/** selectOutputUnit resolves "minimum" to the unit that prints the smallest node with enough digits. */
export function selectOutputUnit(rpt: Report, g: Graph): void {
  const o = rpt.options;
  if (rpt.outputUnit !== 'minimum' || g.nodes.length === 0) return;
  let minValue = 0;
  for (const n of g.nodes) {
    let nodeMin = Math.abs(n.flatValue());
    if (nodeMin === 0) nodeMin = Math.abs(n.cumValue());
    if (nodeMin > 0 && (minValue === 0 || nodeMin < minValue)) minValue = nodeMin;
  }
  let maxValue = rpt.total;
  if (minValue === 0) minValue = maxValue;
  const r = o.ratio;
  if (r > 0 && r !== 1) {
    minValue = Math.trunc(minValue * r);
    maxValue = Math.trunc(maxValue * r);
  }
  const minUnit = scaleValue(minValue, o.sampleUnit, 'minimum')[1];
  const maxUnit = scaleValue(maxValue, o.sampleUnit, 'minimum')[1];
  let unit = minUnit;
  if (minUnit !== maxUnit && minValue * 100 < maxValue) unit = scaleValue(100 * minValue, o.sampleUnit, 'minimum')[1];
  rpt.outputUnit = unit !== '' ? unit : o.sampleUnit;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** formatProfileTime prints a profile time as pprof's header: "Jan 2, 2006 at 3:04pm (MST)", local zone. */
export function formatProfileTime(timeNanos: bigint): string {
  const d = new Date(Number(timeNanos / 1000000n));
  const h = d.getHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const min = String(d.getMinutes()).padStart(2, '0');
  return `${months[d.getMonth()]} ${d.getDate()}, ${d.getFullYear()} at ${h12}:${min}${h < 12 ? 'am' : 'pm'} (${zoneName(d)})`;
}

function baseName(p: string): string {
  const parts = p.split('/').filter((x) => x !== '');
  return parts.length > 0 ? parts[parts.length - 1]! : p === '' ? '.' : '/';
}

/** profileLabels are the header lines: File, Build ID, comments, Type, Time, Duration. */
export function profileLabels(rpt: Report): string[] {
  const label: string[] = [];
  const p = rpt.profile;
  const o = rpt.options;
  const m0 = p.mappings[0];
  if (m0) {
    if (m0.file !== '') label.push('File: ' + baseName(m0.file));
    if (m0.buildId !== '') label.push('Build ID: ' + m0.buildId);
  }
  for (const c of p.comments) if (!c.startsWith('#')) label.push(c);
  if (o.sampleType !== '') label.push('Type: ' + o.sampleType);
  if (p.timeNanos !== 0n) label.push('Time: ' + formatProfileTime(p.timeNanos));
  if (p.durationNanos !== 0) {
    const duration = autoLabel(p.durationNanos, 'nanoseconds');
    const [totalNanos, totalUnit] = scaleValue(rpt.total, o.sampleUnit, 'nanoseconds');
    let ratio = '';
    if (totalUnit === 'ns' && totalNanos !== 0) ratio = '(' + percentage(Math.trunc(totalNanos), p.durationNanos) + ')';
    label.push(`Duration: ${duration}, Total samples = ${rpt.formatValue(rpt.total)} ${ratio}`);
  }
  return label;
}

function genLabel(d: number, n: string, l: string, f: string): string {
  return `Dropped ${d} ${d > 1 ? n + 's' : n} (${l} <= ${f})`;
}

/** reportLabels are the header plus the "Showing nodes…", "Dropped…" and "Showing top…" lines. */
export function reportLabels(rpt: Report, g: Graph, origCount: number, droppedNodes: number, droppedEdges: number, fullHeaders: boolean): string[] {
  const o = rpt.options;
  const label: string[] = fullHeaders || !o.compactLabels ? profileLabels(rpt) : [];
  let flatSum = 0;
  for (const n of g.nodes) flatSum += n.flatValue();
  if (o.activeFilters.length > 0) {
    label.push('Active filters:');
    for (let s of o.activeFilters) {
      if ([...s].length > 80) s = [...s].slice(0, 80).join('') + '…';
      label.push('   ' + s);
    }
  }
  label.push(`Showing nodes accounting for ${rpt.formatValue(flatSum)}, ${percentage(flatSum, rpt.total).trim()} of ${rpt.formatValue(rpt.total)} total`);
  if (rpt.total !== 0) {
    if (droppedNodes > 0) label.push(genLabel(droppedNodes, 'node', 'cum', rpt.formatValue(Math.abs(Math.trunc(rpt.total * o.nodeFraction)))));
    if (droppedEdges > 0) label.push(genLabel(droppedEdges, 'edge', 'freq', rpt.formatValue(Math.abs(Math.trunc(rpt.total * o.edgeFraction)))));
    if (g.nodes.length > 0 && g.nodes.length < origCount) label.push(`Showing top ${g.nodes.length} nodes out of ${origCount}`);
  }
  if (fullHeaders) label.push('\nSee https://git.io/JfYMW for how to read the graph');
  return label;
}
