import type { Profile } from '../profile/profile.js';
import { EdgeTable } from './edge-table.js';
import type { GraphNode, Tag } from './node.js';

/** joinedLabels is sample i's string labels as sorted "key:value" pairs joined by a literal backslash-n (as pprof), the identity of a label tag. */
export function joinedLabels(p: Profile, i: number): string {
  const t = p.samples.labels;
  if (!t) return '';
  const parts: string[] = [];
  for (let j = t.starts[i]!; j < t.starts[i + 1]!; j++) {
    if (t.str[j] === 0) continue;
    const key = p.strings[t.key[j]!]!;
    // The diff-base marker is bookkeeping, not a label to show (pprof removes it before graphing).
    if (key !== 'pprof::base') parts.push(key + ':' + p.strings[t.str[j]!]!);
  }
  if (parts.length === 0) return '';
  parts.sort();
  return parts.join('\\n');
}

/**
 * TagCollector gathers the label tags of -dot's nodelets. Each sample's
 * tags are resolved (and their values formatted) once, then added per node
 * in typed (node, tag) tables: per frame there is no string work at all.
 */
export class TagCollector {
  private readonly ids = new Map<string, number>();
  private readonly tags: { labels: string; numeric: boolean; name: string; unit: string; value: number }[] = [];
  private readonly formatted = new Map<string, string>();
  private readonly cum = new EdgeTable(1024);
  private readonly flat = new EdgeTable(1024);
  /** Tag ids of the current sample. */
  private current: number[] = [];

  constructor(
    private readonly p: Profile,
    /** The one graph option tags need (GraphOptions has it; naming that type here would make graph.ts and this file import each other). */
    private readonly o: { formatTag?: (value: number, unit: string) => string },
  ) {}

  private id(key: string, labels: string, numeric: boolean, name: string, unit: string, value: number): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.tags.length;
      this.tags.push({ labels, numeric, name, unit, value });
      this.ids.set(key, id);
    }
    return id;
  }

  /** beginSample resolves sample i's tags: its joined string labels, and its numeric "bytes" labels (the only ones pprof's reports keep). */
  beginSample(i: number): void {
    const p = this.p;
    const labels = joinedLabels(p, i);
    this.current = [];
    if (labels !== '') this.current.push(this.id('L\u0000' + labels, labels, false, labels, '', 0));
    const lt = p.samples.labels;
    if (!lt) return;
    const format = this.o.formatTag ?? ((v: number) => String(v));
    for (let j = lt.starts[i]!; j < lt.starts[i + 1]!; j++) {
      if (lt.str[j] !== 0 || p.strings[lt.key[j]!] !== 'bytes') continue;
      const unit = lt.unit[j] !== 0 ? p.strings[lt.unit[j]!]! : 'bytes';
      const v = lt.num[j]!;
      const fk = unit + '\u0000' + v;
      let name = this.formatted.get(fk);
      if (name === undefined) {
        name = format(v, unit);
        this.formatted.set(fk, name);
      }
      this.current.push(this.id('N\u0000' + labels + '\u0000' + name, labels, true, name, unit, v));
    }
  }

  /** add weighs the current sample's tags on node (by id), as flat or cumulative weight. */
  add(node: number, w: number, dw: number, flat: boolean): void {
    const table = flat ? this.flat : this.cum;
    for (const id of this.current) {
      const e = table.find(node, id, false, false);
      table.weight[e]! += w;
      table.weightDiv[e]! += dw;
    }
  }

  /** materialize writes the gathered tags onto the nodes (nodes[id] is the node of that id). */
  materialize(nodes: GraphNode[]): void {
    const tagOf = (node: GraphNode, id: number): Tag => {
      const info = this.tags[id]!;
      let m: Map<string, Tag>;
      if (info.numeric) {
        m = node.numericTags.get(info.labels) ?? new Map<string, Tag>();
        node.numericTags.set(info.labels, m);
      } else m = node.labelTags;
      let t = m.get(info.name);
      if (!t) {
        t = { name: info.name, unit: info.unit, value: info.value, flat: 0, flatDiv: 0, cum: 0, cumDiv: 0 };
        m.set(info.name, t);
      }
      return t;
    };
    for (const [table, flat] of [[this.cum, false], [this.flat, true]] as const) {
      for (let e = 0; e < table.size; e++) {
        const t = tagOf(nodes[table.src[e]!]!, table.dest[e]!);
        if (flat) { t.flat += table.weight[e]!; t.flatDiv += table.weightDiv[e]!; } else { t.cum += table.weight[e]!; t.cumDiv += table.weightDiv[e]!; }
      }
    }
  }
}
