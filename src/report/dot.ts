import { type Edge, type GraphNode, type NodeInfo, type Tag, edgeWeightValue, nameComponents, sortEdges } from '../graph/node.js';
import type { Graph } from '../graph/graph.js';
import { maxNodelets } from '../graph/trim.js';
import { autoLabel, scaleValue } from '../profile/units.js';
import { type Report, newTrimmedGraph, percentage, reportLabels, selectOutputUnit } from './report.js';

/** escapeForDot escapes backslashes, quotes and newlines for a DOT string. */
export function escapeForDot(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\l');
}

const cppAnonymousPrefix = /^\(anonymous namespace\)::/;
const goVersion = /^(.*?)\/v(?:[2-9]|[1-9][0-9]+)([./].*)$/;
const shorteners = [
  /^(?:[\w\-.]+\/)+(.+)/,
  /^(?:[a-z]\w*\.)*([A-Z][\w$]*\.(?:<init>|[a-z][\w$]*(?:\$\d+)?))(?:(?:\()|$)/,
  /^(?:[_a-zA-Z]\w*::)+(_*[A-Z]\w*::~?[_a-zA-Z]\w*(?:<.*>)?)/,
];

/** shortenFunctionName drops package paths and parameter lists from a function name, for graph labels. */
export function shortenFunctionName(f: string): string {
  f = f.replace(cppAnonymousPrefix, '');
  f = f.replace(goVersion, '$1$2');
  for (const re of shorteners) {
    const m = re.exec(f);
    if (m && m.length >= 2) return m.slice(1).join('');
  }
  return f;
}

function baseName(p: string): string {
  const parts = p.split('/').filter((x) => x !== '');
  return parts.length > 0 ? parts[parts.length - 1]! : '/';
}

function multilineName(info: NodeInfo): string {
  let name = escapeForDot(shortenFunctionName(info.name));
  name = name.split('::').join('\\n').split('[...]').join('[…]').split('.').join('\\n');
  const copy: NodeInfo = { ...info, name, file: info.file !== '' ? baseName(info.file) : '' };
  return nameComponents(copy).join('\\n') + '\\n';
}

function hex2(x: number): string {
  const v = Math.trunc(x) & 0xff;
  return v.toString(16).padStart(2, '0');
}

/** dotColor maps a score in [-1, 1] to pprof's red (positive) / green (negative) palette. */
export function dotColor(score: number, isBackground: boolean): string {
  const shift = 0.7;
  let saturation = isBackground ? 0.1 : 1.0;
  const value = isBackground ? 0.93 : 0.7;
  score = Math.max(-1, Math.min(1, score));
  if (Math.abs(score) < 0.2) saturation *= Math.abs(score) / 0.2;
  if (score > 0) score = Math.pow(score, 1 - shift);
  if (score < 0) score = -Math.pow(-score, 1 - shift);
  let r: number, g: number;
  if (score < 0) {
    g = value;
    r = value * (1 + saturation * score);
  } else {
    r = value;
    g = value * (1 - saturation * score);
  }
  const b = value * (1 - saturation);
  return `#${hex2(r * 255)}${hex2(g * 255)}${hex2(b * 255)}`;
}

function sortTags(ts: Tag[], flat: boolean): Tag[] {
  return ts.sort((a, b) => {
    if (!flat && a.cum !== b.cum) return Math.abs(b.cum) - Math.abs(a.cum);
    if (a.flat !== b.flat) return Math.abs(b.flat) - Math.abs(a.flat);
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

function tagValue(t: Tag, flat: boolean): number {
  if (flat) return t.flatDiv === 0 ? t.flat : Math.trunc(t.flat / t.flatDiv);
  return t.cumDiv === 0 ? t.cum : Math.trunc(t.cum / t.cumDiv);
}

/** DotBuilder writes one graph in DOT, as pprof's ComposeDot. */
class DotBuilder {
  readonly out: string[] = [];
  constructor(private readonly rpt: Report, private readonly total: number, private readonly title: string) {}

  private fmt(v: number): string { return this.rpt.formatValue(v); }

  legend(labels: string[]): void {
    if (labels.length === 0) return;
    let s = `subgraph cluster_L { "${escapeForDot(labels[0]!)}" [shape=box fontsize=16 label="${labels.map(escapeForDot).join('\\l')}\\l"`;
    if (this.title !== '') s += ` tooltip="${this.title}"`;
    this.out.push(s + '] }\n');
  }

  node(n: GraphNode, id: number, maxFlat: number): void {
    const flat = n.flatValue(), cum = n.cumValue();
    let label = multilineName(n.info);
    const flatValue = this.fmt(flat);
    label += flat !== 0 ? `${flatValue} (${percentage(flat, this.total).trim()})` : '0';
    let cumValue = flatValue;
    if (cum !== flat) {
      label += flat !== 0 ? '\\n' : ' ';
      cumValue = this.fmt(cum);
      label += `of ${cumValue} (${percentage(cum, this.total).trim()})`;
    }
    let fontSize = 8;
    if (maxFlat !== 0 && flat !== 0 && Math.abs(flat) <= maxFlat) fontSize += Math.ceil(16 * Math.sqrt(Math.abs(flat) / maxFlat));
    const score = n.cumValue() / Math.abs(this.total);
    this.out.push(`N${id} [label="${label}" id="node${id}" fontsize=${fontSize} shape=box tooltip="${escapeForDot(n.name())} (${cumValue})" color="${dotColor(score, false)}" fillcolor="${dotColor(score, true)}"]\n`);
  }

  nodelets(n: GraphNode, id: number): boolean {
    let nodelets = '';
    const ts = [...n.labelTags.values()];
    const flatTags = n.out.size > 0;
    sortTags(ts, flatTags);
    ts.splice(maxNodelets);
    ts.forEach((t, i) => {
      const w = tagValue(t, flatTags);
      if (w === 0) return;
      const weight = this.fmt(w);
      nodelets += `N${id}_${i} [label = "${t.name}" id="N${id}_${i}" fontsize=8 shape=box3d tooltip="${weight}"]\n`;
      nodelets += `N${id} -> N${id}_${i} [label=" ${weight}" weight=100 tooltip="${weight}" labeltooltip="${weight}"]\n`;
      const nts = n.numericTags.get(t.name);
      if (nts && nts.size > 0) nodelets += this.numericNodelets([...nts.values()], flatTags, `N${id}_${i}`);
    });
    const plain = n.numericTags.get('');
    if (plain && plain.size > 0) nodelets += this.numericNodelets([...plain.values()], flatTags, `N${id}`);
    this.out.push(nodelets);
    return nodelets !== '';
  }

  private numericNodelets(nts: Tag[], flatTags: boolean, source: string): string {
    let s = '';
    this.collapsedTags(nts, maxNodelets, flatTags).forEach((t, j) => {
      let w = tagValue(t, false);
      let attr = ' style="dotted"';
      if (flatTags || tagValue(t, true) === tagValue(t, false)) {
        w = tagValue(t, true);
        attr = '';
      }
      if (w === 0) return;
      const weight = this.fmt(w);
      s += `N${source}_${j} [label = "${t.name}" id="N${source}_${j}" fontsize=8 shape=box3d tooltip="${weight}"]\n`;
      s += `${source} -> N${source}_${j} [label=" ${weight}" weight=100 tooltip="${weight}" labeltooltip="${weight}"${attr}]\n`;
    });
    return s;
  }

  private collapsedTags(ts: Tag[], count: number, flatTags: boolean): Tag[] {
    sortTags(ts, flatTags);
    if (ts.length <= count) return ts;
    const groups: Tag[][] = ts.slice(0, count).map((t) => [t]);
    for (const t of ts.slice(count)) {
      let g = 0;
      let d = tagDistance(t, groups[0]![0]!);
      for (let i = 1; i < count; i++) {
        const nd = tagDistance(t, groups[i]![0]!);
        if (nd < d) { g = i; d = nd; }
      }
      groups[g]!.push(t);
    }
    return sortTags(groups.map((g) => tagGroup(g)), flatTags);
  }

  edge(e: Edge, from: number, to: number, hasNodelets: boolean): void {
    const inline = e.inline ? '\\n (inline)' : '';
    const wv = edgeWeightValue(e);
    const w = this.fmt(wv);
    let attr = `label=" ${w}${inline}"`;
    const total = this.total;
    if (total !== 0) {
      const weight = 1 + Math.min(Math.abs(Math.trunc((wv * 100) / total)), 100);
      if (weight > 1) attr += ` weight=${weight}`;
      const width = 1 + Math.min(Math.abs(Math.trunc((wv * 5) / total)), 5);
      if (width > 1) attr += ` penwidth=${width}`;
      attr += ` color="${dotColor(wv / Math.abs(total), false)}"`;
    }
    const arrow = e.residual ? '...' : '->';
    const tooltip = `"${escapeForDot(e.src.name())} ${arrow} ${escapeForDot(e.dest.name())} (${w})"`;
    attr += ` tooltip=${tooltip} labeltooltip=${tooltip}`;
    if (e.residual) attr += ' style="dotted"';
    if (hasNodelets) attr += ' minlen=2';
    this.out.push(`N${from} -> N${to} [${attr}]\n`);
  }
}

function tagDistance(t: Tag, u: Tag): number {
  const v = scaleValue(u.value, u.unit, t.unit)[0];
  return v < t.value ? t.value - v : v - t.value;
}

function tagGroup(g: Tag[]): Tag {
  if (g.length === 1) {
    const t = g[0]!;
    return { name: autoLabel(t.value, t.unit), unit: '', value: 0, flat: tagValue(t, true), flatDiv: 0, cum: tagValue(t, false), cumDiv: 0 };
  }
  let min = g[0]!, max = g[0]!;
  let df = min.flatDiv, f = min.flat, dc = min.cumDiv, c = min.cum;
  for (const t of g.slice(1)) {
    if (Math.trunc(scaleValue(t.value, t.unit, min.unit)[0]) < min.value) min = t;
    if (Math.trunc(scaleValue(t.value, t.unit, max.unit)[0]) > max.value) max = t;
    f += t.flat; df += t.flatDiv; c += t.cum; dc += t.cumDiv;
  }
  if (df !== 0) f = Math.trunc(f / df);
  if (dc !== 0) c = Math.trunc(c / dc);
  return { name: autoLabel(min.value, min.unit) + '..' + autoLabel(max.value, max.unit), unit: '', value: 0, flat: f, flatDiv: 0, cum: c, cumDiv: 0 };
}

/** composeDot renders a graph with its legend as DOT text. */
export function composeDot(rpt: Report, g: Graph, labels: string[]): string {
  const title = rpt.options.title;
  const b = new DotBuilder(rpt, rpt.total, title);
  b.out.push(`digraph "${title !== '' ? title : 'unnamed'}" {\n`);
  b.out.push('node [style=filled fillcolor="#f8f8f8"]\n');
  b.legend(labels);
  if (g.nodes.length > 0) {
    const ids = new Map<GraphNode, number>();
    let maxFlat = Math.abs(g.nodes[0]!.flatValue());
    g.nodes.forEach((n, i) => {
      ids.set(n, i + 1);
      maxFlat = Math.max(maxFlat, Math.abs(n.flatValue()));
    });
    const hasNodelets = new Map<GraphNode, boolean>();
    const edges: Edge[] = [];
    for (const n of g.nodes) {
      b.node(n, ids.get(n)!, maxFlat);
      hasNodelets.set(n, b.nodelets(n, ids.get(n)!));
      for (const e of n.out.values()) edges.push(e);
    }
    // An edge may lead to a node dropped for weighing nothing: pprof numbers it N0.
    for (const e of sortEdges(edges)) b.edge(e, ids.get(e.src) ?? 0, ids.get(e.dest) ?? 0, hasNodelets.get(e.src) === true);
  }
  b.out.push('}\n');
  return b.out.join('');
}

/** printDot renders -dot. */
export function printDot(rpt: Report): string {
  const { graph: g, origCount, droppedNodes, droppedEdges } = newTrimmedGraph(rpt);
  selectOutputUnit(rpt, g);
  const labels = reportLabels(rpt, g, origCount, droppedNodes, droppedEdges, true);
  return composeDot(rpt, g, labels);
}
