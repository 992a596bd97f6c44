import { growF64, growU32 } from '../columns/growable.js';
import { createLocationNodes } from '../graph/graph.js';
import type { GraphNode } from '../graph/node.js';
import { HashIndex } from '../profile/hash-index.js';
import { type Line, sampleHasLabel } from '../profile/profile.js';
import { type Report, trimPath } from '../report/report.js';
import { codeArea } from './code-area.js';
import { type FlameData, codeAreas } from './view-data.js';

/** FlameTreeLimits bound what the page receives: nodes too narrow to ever see are left out. */
export interface FlameTreeLimits {
  /** Nodes narrower than this fraction of the root are left out (default 1e-6: invisible even zoomed in 1000 times). */
  minWidthFraction: number;
  /** At most this many nodes; the narrowest go first (default 250 000, a few MB of JSON). */
  maxNodes: number;
}

/** defaultFlameTreeLimits are the limits of the web UI's flame graph. */
export const defaultFlameTreeLimits: FlameTreeLimits = { minWidthFraction: 1e-6, maxNodes: 250_000 };

/**
 * buildFlameTree turns the report's (filtered) profile into the flame
 * graph's call tree: one node per distinct path of frames at the report's
 * granularity, values summed from the report's sample index (divided by the
 * mean index for -mean). Samples labelled pprof::base (-diff_base) count as
 * the base. Children are ordered by name, as classic flame graphs do.
 */
export function buildFlameTree(rpt: Report, limits: Partial<FlameTreeLimits> = {}): FlameData {
  const { minWidthFraction, maxNodes } = { ...defaultFlameTreeLimits, ...limits };
  const o = rpt.options;
  const p = rpt.profile;
  const { locationNodes } = createLocationNodes(p, {
    sampleIndex: o.sampleIndex,
    granularity: o.granularity,
    noInlines: o.noInlines,
    mapFilename: (f) => trimPath(f, o.trimPath, o.sourcePath),
  });
  // Frames: one per graph node, numbered in first-seen order. A node keeps only what its granularity
  // names; the hover and the code area want the source file and line of the first frame that made it.
  const frameOf = new Map<GraphNode, number>();
  const frames: GraphNode[] = [];
  const frameFiles: string[] = [];
  const frameLines: number[] = [];
  const locFrames = locationNodes.map((list, l) => {
    const lines = frameLinesOf(p.locations[l]!.lines, o.noInlines);
    return Int32Array.from(list, (n, q) => {
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

  // The tree, grown sample by sample in columns; a node's child with a frame is found through one hash index.
  const s = p.samples;
  const parent = growU32(s.count * 4), frame = growU32(s.count * 4);
  const value = growF64(s.count * 4), valueDiv = growF64(s.count * 4), baseValue = growF64(s.count * 4);
  parent.push(0); frame.push(0); value.push(0); valueDiv.push(0); baseValue.push(0);
  const index = new HashIndex(s.count * 2);
  let wantParent = 0, wantFrame = 0;
  const isWanted = (c: number) => parent.a[c] === wantParent && frame.a[c] === wantFrame;
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
    value.a[0]! += v;
    valueDiv.a[0]! += d;
    if (isBase) baseValue.a[0]! -= v;
    for (let j = s.locationStarts[i + 1]! - 1; j >= s.locationStarts[i]!; j--) {
      const list = locFrames[s.locationIndexes[j]!]!;
      for (let q = list.length - 1; q >= 0; q--) {
        const f = list[q]!;
        if (f < 0) continue;
        // Frame numbers are stored +1 so that the root's 0 means "no frame".
        wantParent = node;
        wantFrame = f + 1;
        const h = Math.imul(node ^ Math.imul(f + 1, 0x9e3779b1), 0x85ebca6b) >>> 0;
        let child = index.find(h, isWanted);
        if (child < 0) {
          child = parent.n;
          index.insert(h, child);
          parent.push(node);
          frame.push(f + 1);
          value.push(0);
          valueDiv.push(0);
          baseValue.push(0);
        }
        node = child;
        value.a[node]! += v;
        valueDiv.a[node]! += d;
        if (isBase) baseValue.a[node]! -= v;
      }
    }
  }
  const n = parent.n;
  const par = parent.a, fr = frame.a, val = value.a, div = valueDiv.a, base = baseValue.a;
  const total = new Float64Array(n);
  for (let k = 0; k < n; k++) total[k] = mi !== undefined ? (div[k] !== 0 ? val[k]! / div[k]! : 0) : val[k]!;
  const self = Float64Array.from(total);
  for (let k = 1; k < n; k++) self[par[k]!]! -= total[k]!;
  // Children come after their parent, so one backward pass sums widths.
  const width = new Float64Array(n);
  for (let k = n - 1; k >= 0; k--) {
    width[k]! += Math.abs(self[k]!);
    if (k > 0) width[par[k]!]! += width[k]!;
  }
  const minWidth = Math.max(width[0]! * minWidthFraction, widthForBudget(width, maxNodes));

  // Children lists in one array (counting sort by parent), each ordered by frame name.
  const names = frames.map((f) => f.name());
  const rank = new Int32Array(names.length + 1);
  names.map((_, f) => f).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0)).forEach((f, r) => { rank[f + 1] = r; });
  const childStart = new Uint32Array(n + 1);
  for (let k = 1; k < n; k++) childStart[par[k]! + 1]!++;
  for (let k = 0; k < n; k++) childStart[k + 1]! += childStart[k]!;
  const fill = childStart.slice(0, n);
  const children = new Uint32Array(Math.max(n - 1, 0));
  for (let k = 1; k < n; k++) children[fill[par[k]!]!++] = k;
  for (let k = 0; k < n; k++) {
    const a = childStart[k]!, b = childStart[k + 1]!;
    if (b - a > 1) children.subarray(a, b).sort((x, y) => rank[fr[x]!]! - rank[fr[y]!]!);
  }

  const out: FlameData = {
    frameNames: names,
    frameFiles,
    frameLines,
    frameAreas: frames.map((f, i) => codeAreas.indexOf(codeArea(f.info.name, frameFiles[i]!))),
    depth: [], frame: [], total: [], self: [], width: [], base: [],
    diff,
    prunedNodes: 0,
    minWidthFraction: width[0]! > 0 ? minWidth / width[0]! : minWidthFraction,
  };
  let kept = 0;
  const stack: number[] = [0, 0];
  while (stack.length > 0) {
    const depth = stack.pop()!;
    const k = stack.pop()!;
    if (k !== 0 && width[k]! < minWidth) continue;
    kept++;
    out.depth.push(depth);
    out.frame.push(fr[k]! - 1);
    out.total.push(total[k]!);
    out.self.push(self[k]!);
    if (diff) {
      out.width.push(width[k]!);
      out.base.push(base[k]!);
    }
    for (let c = childStart[k + 1]! - 1; c >= childStart[k]!; c--) stack.push(children[c]!, depth + 1);
  }
  out.prunedNodes = n - kept;
  return out;
}

/** widthForBudget is the smallest width that keeps at most maxNodes nodes (widths shrink downward, so the kept nodes stay a tree). */
function widthForBudget(width: Float64Array, maxNodes: number): number {
  if (width.length <= maxNodes) return 0;
  const sorted = Float64Array.from(width).sort();
  // Strictly above the first width that would overflow the budget.
  return nextUp(sorted[sorted.length - maxNodes - 1]!);
}

function nextUp(x: number): number {
  return x === 0 ? Number.MIN_VALUE : x * (1 + Number.EPSILON);
}

/** frameLinesOf lists a location's frames in the order the graph layer makes its nodes (only the outermost with noInlines). */
function frameLinesOf(lines: Line[], noInlines: boolean): Line[] {
  return noInlines && lines.length > 1 ? [lines[lines.length - 1]!] : lines;
}
