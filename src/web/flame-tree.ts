import { createLocationNodes } from '../graph/graph.js';
import type { GraphNode } from '../graph/node.js';
import { type Line, sampleHasLabel } from '../profile/profile.js';
import { type Report, trimPath } from '../report/report.js';
import { codeArea } from './code-area.js';
import { type FlameData, codeAreas } from './view-data.js';

/** Nodes narrower than this fraction of the root are left out by default: invisible even zoomed in 1000 times. */
export const defaultMinWidthFraction = 1e-6;

/**
 * buildFlameTree turns the report's (filtered) profile into the flame
 * graph's call tree: one node per distinct path of frames at the report's
 * granularity, values summed from the report's sample index (divided by the
 * mean index for -mean). Samples labelled pprof::base (-diff_base) count as
 * the base. Children are ordered by name, as classic flame graphs do.
 */
export function buildFlameTree(rpt: Report, minWidthFraction = defaultMinWidthFraction): FlameData {
  const o = rpt.options;
  const p = rpt.profile;
  const { locationNodes } = createLocationNodes(p, {
    sampleIndex: o.sampleIndex,
    granularity: o.granularity,
    noInlines: o.noInlines,
    mapFilename: (f) => trimPath(f, o.trimPath, o.sourcePath),
  });
  // Frames: one per graph node, numbered in first-seen order.
  const frameOf = new Map<GraphNode, number>();
  const frames: GraphNode[] = [];
  // A node keeps only what its granularity names; the hover and the code area want the source file
  // and line of the first frame that made it (functions granularity drops files).
  const frameFiles: string[] = [];
  const frameLines: number[] = [];
  const locFrames = locationNodes.map((list, l) => {
    const lines = frameLinesOf(p.locations[l]!.lines, o.noInlines);
    return list.map((n, q) => {
      if (!n) return -1;
      let f = frameOf.get(n);
      if (f === undefined) {
        f = frames.length;
        frameOf.set(n, f);
        frames.push(n);
        const line = lines[q];
        frameFiles.push(n.info.file !== '' ? n.info.file : line ? trimPath(line.function.filename, o.trimPath, o.sourcePath) : '');
        frameLines.push(n.info.lineno || (line ? line.line || line.function.startLine : 0));
      }
      return f;
    });
  });

  // The tree, grown sample by sample: children found through one map keyed by (parent, frame).
  const parent: number[] = [-1];
  const frame: number[] = [-1];
  const value: number[] = [0];
  const valueDiv: number[] = [0];
  const baseValue: number[] = [0];
  const childKey = new Map<number, number>();
  const frameCount = frames.length + 1;
  const s = p.samples;
  const vc = s.valueCount;
  const mi = o.meanIndex;
  const hasLabels = s.labels !== undefined;
  let diff = false;
  for (let i = 0; i < s.count; i++) {
    const v = s.values[i * vc + o.sampleIndex]!;
    const d = mi !== undefined ? s.values[i * vc + mi]! : 0;
    if (v === 0 && d === 0) continue;
    const isBase = hasLabels && sampleHasLabel(p, i, 'pprof::base', 'true');
    if (isBase || v < 0) diff = true;
    let node = 0;
    value[0]! += v;
    valueDiv[0]! += d;
    if (isBase) baseValue[0]! -= v;
    for (let j = s.locationStarts[i + 1]! - 1; j >= s.locationStarts[i]!; j--) {
      const list = locFrames[s.locationIndexes[j]!]!;
      for (let q = list.length - 1; q >= 0; q--) {
        const f = list[q]!;
        if (f < 0) continue;
        const key = node * frameCount + f;
        let child = childKey.get(key);
        if (child === undefined) {
          child = parent.length;
          childKey.set(key, child);
          parent.push(node);
          frame.push(f);
          value.push(0);
          valueDiv.push(0);
          baseValue.push(0);
        }
        node = child;
        value[node]! += v;
        valueDiv[node]! += d;
        if (isBase) baseValue[node]! -= v;
      }
    }
  }
  const n = parent.length;
  const mean = (k: number) => (mi !== undefined ? (valueDiv[k] !== 0 ? value[k]! / valueDiv[k]! : 0) : value[k]!);
  const total = new Float64Array(n);
  const self = new Float64Array(n);
  for (let k = 0; k < n; k++) total[k] = mean(k);
  for (let k = 0; k < n; k++) self[k] = total[k]!;
  for (let k = 1; k < n; k++) self[parent[k]!]! -= total[k]!;
  // Children come after their parent, so one backward pass sums widths.
  const width = new Float64Array(n);
  for (let k = n - 1; k >= 0; k--) {
    width[k]! += Math.abs(self[k]!);
    if (k > 0) width[parent[k]!]! += width[k]!;
  }
  const children: number[][] = Array.from({ length: n }, () => []);
  for (let k = 1; k < n; k++) children[parent[k]!]!.push(k);
  const names = frames.map((f) => f.name());
  for (const list of children) list.sort((a, b) => (names[frame[a]!]! < names[frame[b]!]! ? -1 : names[frame[a]!]! > names[frame[b]!]! ? 1 : 0));

  const out: FlameData = {
    frameNames: names,
    frameFiles,
    frameLines,
    frameAreas: frames.map((f, i) => codeAreas.indexOf(codeArea(f.info.name, frameFiles[i]!))),
    depth: [], frame: [], total: [], self: [], width: [], base: [],
    diff,
    prunedNodes: 0,
    minWidthFraction,
  };
  const minWidth = width[0]! * minWidthFraction;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [k, depth] = stack.pop()!;
    if (k !== 0 && width[k]! < minWidth) {
      out.prunedNodes += subtreeSize(children, k);
      continue;
    }
    out.depth.push(depth);
    out.frame.push(frame[k]!);
    out.total.push(total[k]!);
    out.self.push(self[k]!);
    out.width.push(width[k]!);
    if (diff) out.base.push(baseValue[k]!);
    const list = children[k]!;
    for (let c = list.length - 1; c >= 0; c--) stack.push([list[c]!, depth + 1]);
  }
  return out;
}

/** frameLinesOf lists a location's frames in the order the graph layer makes its nodes (only the outermost with noInlines). */
function frameLinesOf(lines: Line[], noInlines: boolean): Line[] {
  return noInlines && lines.length > 1 ? [lines[lines.length - 1]!] : lines;
}

function subtreeSize(children: number[][], k: number): number {
  let count = 0;
  const stack = [k];
  while (stack.length > 0) {
    const x = stack.pop()!;
    count++;
    for (const c of children[x]!) stack.push(c);
  }
  return count;
}
