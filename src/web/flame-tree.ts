import { createLocationNodes } from '../graph/graph.js';
import type { GraphNode } from '../graph/node.js';
import { type Line, sampleHasLabel } from '../profile/profile.js';
import { type Report, trimPath } from '../report/report.js';
import { ChildTable } from './child-table.js';
import { codeArea } from './code-area.js';
import { childLists, nameRank } from './flame-model.js';
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

  // Each location's frames, outermost first, in one flat column (the walk below is the hot loop).
  const locStart = new Uint32Array(locFrames.length + 1);
  for (let l = 0; l < locFrames.length; l++) locStart[l + 1] = locStart[l]! + locFrames[l]!.length;
  const locFrame = new Int32Array(locStart[locFrames.length]!);
  for (let l = 0; l < locFrames.length; l++) locFrame.set(locFrames[l]!.slice().reverse(), locStart[l]!);

  // The tree, grown sample by sample in columns; a node's child with a frame is found through one hash table.
  const s = p.samples;
  let cap = Math.max(1024, s.count * 2);
  let par = new Uint32Array(cap), fr = new Uint32Array(cap);
  let val = new Float64Array(cap), div = new Float64Array(cap), base = new Float64Array(cap);
  let n = 1;
  const grow = () => {
    cap *= 2;
    const more = <T extends Uint32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (size: number) => T)(cap);
      b.set(a);
      return b;
    };
    par = more(par); fr = more(fr); val = more(val); div = more(div); base = more(base);
  };
  const index = new ChildTable(s.count * 2);
  const vc = s.valueCount;
  const mi = o.meanIndex;
  const hasLabels = s.labels !== undefined;
  const starts = s.locationStarts, locs = s.locationIndexes, values = s.values;
  let diff = false;
  let pathFrame: Int32Array = new Int32Array(64), pathNode: Int32Array = new Int32Array(64);
  let pathLength = 0;
  for (let i = 0; i < s.count; i++) {
    const v = values[i * vc + o.sampleIndex]!;
    const d = mi !== undefined ? values[i * vc + mi]! : 0;
    if (v === 0 && d === 0) continue;
    const isBase = hasLabels && sampleHasLabel(p, i, 'pprof::base', 'true');
    if (isBase || v < 0) diff = true;
    let node = 0;
    // Samples often share their outer frames with the one before: follow its path while it lasts.
    let depth = 0;
    let onPath = true;
    for (let j = starts[i + 1]! - 1; j >= starts[i]!; j--) {
      const l = locs[j]!;
      for (let q = locStart[l]!, end = locStart[l + 1]!; q < end; q++) {
        const f = locFrame[q]!;
        if (f < 0) continue;
        if (depth === pathFrame.length) {
          pathFrame = grown(pathFrame);
          pathNode = grown(pathNode);
        }
        let child: number;
        if (onPath && depth < pathLength && pathFrame[depth] === f) {
          child = pathNode[depth]!;
        } else {
          onPath = false;
          child = index.childOf(node, f, n);
          pathFrame[depth] = f;
          pathNode[depth] = child;
        }
        depth++;
        if (child === n) {
          if (n === cap) grow();
          par[n] = node;
          // Frame numbers are stored +1 so that the root's 0 means "no frame".
          fr[n] = f + 1;
          n++;
        }
        node = child;
      }
    }
    pathLength = depth;
    // Values go to the leaf alone; totals are summed up the tree afterwards (one write per sample, not per frame).
    val[node]! += v;
    div[node]! += d;
    if (isBase) base[node]! -= v;
  }
  // Children come after their parent: one backward pass turns the leaves' values into subtree sums.
  for (let k = n - 1; k > 0; k--) {
    val[par[k]!]! += val[k]!;
    div[par[k]!]! += div[k]!;
    base[par[k]!]! += base[k]!;
  }
  const total = new Float64Array(n);
  for (let k = 0; k < n; k++) total[k] = mi !== undefined ? (div[k] !== 0 ? val[k]! / div[k]! : 0) : val[k]!;
  const self = Float64Array.from(total);
  for (let k = 1; k < n; k++) self[par[k]!]! -= total[k]!;
  // Likewise for widths.
  const width = new Float64Array(n);
  for (let k = n - 1; k >= 0; k--) {
    width[k]! += Math.abs(self[k]!);
    if (k > 0) width[par[k]!]! += width[k]!;
  }
  const minWidth = Math.max(width[0]! * minWidthFraction, widthForBudget(width, maxNodes));

  // Children lists, each ordered by frame name.
  const names = frames.map((f) => f.name());
  const rank = nameRank(names);
  // Frames are stored +1; the root (0) is never a child.
  const { start: childStart, kids: children } = childLists(par, n, (x, y) => rank[fr[x]! - 1]! - rank[fr[y]! - 1]!);

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

/**
 * widthForBudget is a width that keeps at most maxNodes nodes (widths shrink
 * downward, so the kept nodes stay a tree): the lower edge of the first
 * bucket, in a histogram of widths by eighths of a power of two, that would
 * overflow the budget. Linear time; it may keep up to 9% fewer than maxNodes.
 */
function widthForBudget(width: Float64Array, maxNodes: number): number {
  if (width.length <= maxNodes) return 0;
  const bucketOf = (w: number) => (w <= 0 ? 0 : Math.max(0, Math.min(8191, Math.floor(Math.log2(w) * 8) + 4096)));
  const counts = new Uint32Array(8192);
  for (let k = 0; k < width.length; k++) counts[bucketOf(width[k]!)]!++;
  let kept = 0;
  for (let b = counts.length - 1; b > 0; b--) {
    if (kept + counts[b]! > maxNodes) return 2 ** ((b + 1 - 4096) / 8);
    kept += counts[b]!;
  }
  return Number.MIN_VALUE;
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** frameLinesOf lists a location's frames in the order the graph layer makes its nodes (only the outermost with noInlines). */
function frameLinesOf(lines: Line[], noInlines: boolean): Line[] {
  return noInlines && lines.length > 1 ? [lines[lines.length - 1]!] : lines;
}
