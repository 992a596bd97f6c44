import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { formatBytes } from '../leak/format-growth.js';
import { formatHolder } from '../leak/format-holders.js';
import { findAccumulations, type Holder } from '../leak/holders.js';
import { dominatorLevel } from '../snapshot/dominator-tree.js';
import { nameHolder } from '../snapshot/holder-name.js';
import { dominatorsOf } from '../snapshot/dominators.js';
import { snapshotGrowth } from '../snapshot/growth.js';
import type { HeapSnapshot } from '../snapshot/heap-snapshot.js';
import { findSlicedStringLeaks, largestCollections } from '../snapshot/leak-signatures.js';
import { formatRetainerPath, nodeLabel } from '../snapshot/path-format.js';
import { readHeapSnapshot } from '../snapshot/read-snapshot.js';
import { SnapshotDigest, type SnapshotSeries } from '../snapshot/snapshot-digest.js';
import { directRetainers, retainerPath, retainerTreeOf } from '../snapshot/retainer-paths.js';
import { summarizeByConstructor } from '../snapshot/summary.js';
import { flagUsage, parseFlags, type FlagSpec } from './flags.js';
import type { CliIO } from './io.js';
import type { SnapshotReport } from '../web/snapshot-ui.js';

const flags: Record<string, FlagSpec> = {
  json: { kind: 'bool', default: false, help: 'print the result as JSON' },
  n: { kind: 'int', default: 20, help: 'rows to show (constructors, instances, groups, collections)' },
  internal: { kind: 'bool', default: false, help: "leaks: also list Node's own collections (its module registry, error codes)" },
  http: { kind: 'string', default: '', help: 'browse the snapshots in a web UI at [host]:port: tsprof snapshot -http=:8080 FILE...' },
  no_browser: { kind: 'bool', default: false, help: 'with -http: print the URL, open no browser' },
  help: { kind: 'bool', default: false, help: 'show this help' },
};

const usage = `usage: tsprof snapshot <summary|retainers|dominators|leaks|diff> [flags] FILE...

Reads V8 heap snapshots (.heapsnapshot from v8.writeHeapSnapshot() or
DevTools, gzipped or not; - for stdin) and explains why memory is held.

  summary FILE               objects by constructor: count, shallow and retained size
  retainers FILE TARGET      why TARGET is alive: shortest retainer path from the roots,
                             direct retainers and dominators; TARGET is a node id
                             (@41445 or 41445) or a constructor name (largest instances)
  dominators FILE [TARGET]   the dominator tree, one level: what only TARGET keeps alive
                             (default: the roots), by retained size, with its dominators
  leaks FILE [FILE2 [FILE3]] sliced strings keeping large strings alive, largest collections;
                             with 2 or 3 snapshots of one process, also where what grew
                             accumulates (its holder, entries then and now, the fix)
  -http=[host]:port FILE...  all of these as pages in the browser (diff with 2 or 3 files)
  diff FILE1 FILE2 [FILE3]   objects allocated after FILE1 and still alive in the last
                             file (with 3: allocated between FILE1 and FILE2, alive in FILE3),
                             by constructor and retainer path, and where they accumulate

flags:
`;

/** ReportOptions: the rows to show (-n), and whether Node's own collections are listed (-internal). */
interface ReportOptions {
  limit: number;
  internal: boolean;
}

type Subcommand = (snapshots: SnapshotSeries, files: string[], extra: string[], options: ReportOptions) => { json: unknown; text: string };

/** Each subcommand's files (at least, at most) and the arguments after them (at least, at most). */
const subcommands: Record<string, { files: [number, number]; extra: [number, number]; run: Subcommand }> = {
  summary: { files: [1, 1], extra: [0, 0], run: summaryReport },
  retainers: { files: [1, 1], extra: [1, 1], run: retainersReport },
  dominators: { files: [1, 1], extra: [0, 1], run: dominatorsReport },
  leaks: { files: [1, 3], extra: [0, 0], run: leaksReport },
  diff: { files: [2, 3], extra: [0, 0], run: diffReport },
};

/**
 * snapshotCommand is `tsprof snapshot <summary|retainers|leaks|diff> FILE...`.
 * Text for people by default, JSON with -json; a progress line goes to
 * stderr on a terminal while big files load.
 */
export async function snapshotCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags(args, flags);
  const v = parsed.values;
  const [name, ...rest] = parsed.args;
  if (v.help || name === 'help') {
    io.stdout.write(usage + flagUsage(flags));
    return 0;
  }
  if (v.http !== '') return serveSnapshots(name !== undefined && name in subcommands ? rest : parsed.args, { limit: v.n as number, internal: v.internal === true }, v, io);
  if (name === undefined) throw new UsageError('snapshot: want a subcommand: summary, retainers, dominators, leaks or diff (see tsprof snapshot -help)');
  const sub = subcommands[name];
  if (!sub) throw new UsageError(`snapshot: unknown subcommand ${JSON.stringify(name)}: want summary, retainers, dominators, leaks or diff`);
  // Files come first; a subcommand with exactly one file takes what follows as its extra arguments.
  const fileCount = sub.files[0] === sub.files[1] ? sub.files[0] : rest.length - sub.extra[0];
  const extraCount = rest.length - fileCount;
  if (fileCount < sub.files[0] || fileCount > sub.files[1] || extraCount < sub.extra[0] || extraCount > sub.extra[1]) {
    const want = sub.files[0] === sub.files[1] ? `${sub.files[0]} file` : `${sub.files[0]} to ${sub.files[1]} files`;
    const target = sub.extra[1] === 0 ? '' : sub.extra[0] === 0 ? ' and at most a target' : ' and a target';
    throw new UsageError(`snapshot ${name}: want ${want}${target}, got ${rest.length} arguments`);
  }
  const limit = v.n as number;
  if (limit <= 0) throw new UsageError('snapshot: -n must be positive');
  const files = rest.slice(0, fileCount);
  const result = sub.run(await loadSeries(files, io), files, rest.slice(fileCount), { limit, internal: v.internal === true });
  io.stdout.write(v.json ? JSON.stringify(result.json, null, 2) + '\n' : result.text);
  return 0;
}

/** serveSnapshots is `tsprof snapshot -http=... FILE...`: every subcommand's report as a page, computed by the same code. */
async function serveSnapshots(files: string[], options: ReportOptions, v: Record<string, unknown>, io: CliIO): Promise<number> {
  if (files.length < 1 || files.length > 3) throw new UsageError(`snapshot -http: want 1 to 3 snapshot files, got ${files.length}`);
  const snapshots = await loadSeries(files, io);
  const { serveSnapshotUi } = await import('../web/snapshot-ui.js');
  return serveSnapshotUi(snapshotReportsOf(snapshots, files, options), files, { http: v.http as string, noBrowser: v.no_browser === true, stdout: io.stdout, stderr: io.stderr, cwd: io.cwd });
}

/**
 * snapshotReportsOf runs the subcommands' reports for the snapshot web pages
 * (tsprof snapshot -http, and the watch's page): diff and leaks read every
 * snapshot (leaks adds where what grew accumulates), the others the last.
 */
export function snapshotReportsOf(snapshots: SnapshotSeries, files: string[], options: ReportOptions = { limit: 20, internal: false }): SnapshotReport {
  const last = files.length - 1;
  return (report, extra) => report === 'diff' || report === 'leaks'
    ? subcommands[report]!.run(snapshots, files, extra, options)
    : subcommands[report]!.run({ earlier: [], last: snapshots.last }, [files[last]!], extra, options);
}

/**
 * loadSeries reads the snapshots one at a time and keeps of each but the last
 * only its digest (the ids and collection sizes the growth analysis reads),
 * so three large snapshots never sit in memory together.
 */
async function loadSeries(files: string[], io: CliIO): Promise<SnapshotSeries> {
  const earlier: SnapshotDigest[] = [];
  for (const file of files.slice(0, -1)) earlier.push(new SnapshotDigest(await load(file, io)));
  return { earlier, last: await load(files[files.length - 1]!, io) };
}

async function load(file: string, io: CliIO): Promise<HeapSnapshot> {
  if (file === '-') return readHeapSnapshot(io.stdin as AsyncIterable<Uint8Array>, { name: 'stdin' });
  const path = resolve(io.cwd, file);
  let shown = false;
  const onProgress = io.isTerminal
    ? (read: number, total: number | undefined) => {
        if (!total || total < 32 << 20) return;
        shown = true;
        io.stderr.write(`\r\x1b[Kreading ${file}: ${Math.floor((100 * read) / total)}% of ${formatBytes(total)}`);
      }
    : undefined;
  try {
    return await readHeapSnapshot(path, { name: file, ...(onProgress ? { onProgress } : {}) });
  } finally {
    if (shown) io.stderr.write('\r\x1b[K');
  }
}

function summaryReport({ last: s }: SnapshotSeries, [file]: string[], _extra: string[], { limit }: ReportOptions) {
  const rows = summarizeByConstructor(s);
  const total = dominatorsOf(s).retainedSize[s.rootOrdinal]!;
  const lines = [
    `File: ${file}`,
    `Objects: ${s.nodeCount - 1}, total size ${formatBytes(total)}; showing top ${Math.min(limit, rows.length)} of ${rows.length} constructors by retained size`,
    '',
    table(['count', 'shallow', 'shallow%', 'retained', 'retained%', 'constructor'], rows.slice(0, limit).map((r) => [
      String(r.count), formatBytes(r.shallowSize), percent(r.shallowSize, total), formatBytes(r.retainedSize), percent(r.retainedSize, total), r.className,
    ])),
  ];
  return { json: { file, objects: s.nodeCount - 1, totalSize: total, constructors: rows.slice(0, limit) }, text: lines.join('\n') + '\n' };
}

function retainersReport({ last: snapshot }: SnapshotSeries, [file]: string[], [target]: string[], { limit }: ReportOptions) {
  const nodes = findTarget(snapshot, target!, limit);
  const { retainedSize, dominator } = dominatorsOf(snapshot);
  const { distance } = retainerTreeOf(snapshot);
  const direct = directRetainers(snapshot, nodes);
  const described = nodes.map((n) => {
    const retainers = direct.get(n)!.slice(0, limit).map(({ from, edge }) => ({
      id: snapshot.nodeId[from]!, label: nodeLabel(snapshot, from), edge: snapshot.edgeNameOf(edge), edgeType: snapshot.edgeTypeName(edge), retainedSize: retainedSize[from]!,
    }));
    const dominators: { id: number; label: string }[] = [];
    for (let d = dominator[n]!, hops = 0; hops < 64; d = dominator[d]!, hops++) {
      dominators.push({ id: snapshot.nodeId[d]!, label: nodeLabel(snapshot, d) });
      if (d === snapshot.rootOrdinal) break;
    }
    return {
      id: snapshot.nodeId[n]!,
      label: nodeLabel(snapshot, n),
      type: snapshot.nodeTypeName(n),
      selfSize: snapshot.nodeSelfSize[n]!,
      retainedSize: retainedSize[n]!,
      distance: distance[n]!,
      path: formatRetainerPath(snapshot, retainerPath(snapshot, n)),
      heldAs: nameHolder(snapshot, n).text,
      retainers,
      dominators,
    };
  });
  const text: string[] = [`File: ${file}`, /^@?\d+$/.test(target!) ? '' : `Largest ${nodes.length} instance${nodes.length === 1 ? '' : 's'} of ${target} by retained size`, ''];
  for (const d of described) {
    text.push(`${d.label} @${d.id}: self ${formatBytes(d.selfSize)}, retained ${formatBytes(d.retainedSize)}, ${d.distance < 0 ? 'unreachable' : `distance ${d.distance}`}`);
    text.push(`  path: ${d.distance < 0 ? '(not reachable from the roots through strong references)' : d.path}`);
    if (d.distance >= 0) text.push(`  held as: ${d.heldAs}`);
    text.push(`  dominators: ${d.dominators.map((x) => `${x.label} @${x.id}`).join(' ← ')}`);
    text.push('  retainers:');
    for (const r of d.retainers) text.push(`    ${r.label} @${r.id} ${r.edgeType} ${JSON.stringify(r.edge)} (retains ${formatBytes(r.retainedSize)})`);
    text.push('');
  }
  return { json: { file, target, nodes: described }, text: text.filter((l, i) => l !== '' || i > 1).join('\n') };
}

function dominatorsReport({ last: snapshot }: SnapshotSeries, [file]: string[], [target]: string[], { limit }: ReportOptions) {
  const node = target === undefined || target === '' ? snapshot.rootOrdinal : findTarget(snapshot, target, 1, 'dominators')[0]!;
  const level = dominatorLevel(snapshot, node, limit);
  const { retainedSize } = dominatorsOf(snapshot);
  const total = retainedSize[snapshot.rootOrdinal]!;
  const object = (n: number) => ({ id: snapshot.nodeId[n]!, label: nodeLabel(snapshot, n), type: snapshot.nodeTypeName(n) });
  const children = level.children.map((c) => ({ ...object(c.node), ...(c.edge !== undefined ? { edge: c.edge } : {}), retainedSize: c.retainedSize, selfSize: c.selfSize, children: c.children }));
  const self = { ...object(node), retainedSize: retainedSize[node]!, selfSize: snapshot.nodeSelfSize[node]! };
  const name = (n: number) => `${nodeLabel(snapshot, n)} @${snapshot.nodeId[n]!}`;
  const text = [
    `File: ${file}`,
    `${name(node)}: retained ${formatBytes(self.retainedSize)} (${percent(self.retainedSize, total)} of the heap)`,
    ...(level.chain.length > 0 ? [`  dominators: ${level.chain.map(name).join(' → ')} → ${name(node)}`] : []),
    level.childCount === 0
      ? 'It keeps nothing else alive by itself.'
      : `It alone keeps ${level.childCount} object${level.childCount === 1 ? '' : 's'} alive; showing the ${children.length} largest by retained size:`,
  ];
  if (children.length > 0) {
    text.push('', table(['retained', 'retained%', 'shallow', 'children', 'object (how the one above holds it)'], children.map((c) => [
      formatBytes(c.retainedSize), percent(c.retainedSize, total), formatBytes(c.selfSize), String(c.children), `${c.label} @${c.id}${c.edge !== undefined ? `  .${c.edge}` : ''}`,
    ])));
  }
  return {
    json: { file, node: self, dominators: level.chain.map(object), childCount: level.childCount, children },
    text: text.join('\n') + '\n',
  };
}

/** findTarget reads a node id (`@123` or `123`) or a constructor name (its largest instances). */
function findTarget(s: HeapSnapshot, target: string, limit: number, verb = 'retainers'): number[] {
  if (/^@?\d+$/.test(target)) {
    const id = Number(target.replace('@', ''));
    const n = s.ordinalOfId(id);
    if (n < 0) throw new UsageError(`snapshot ${verb}: no object with id ${id} in the snapshot`);
    return [n];
  }
  const { retainedSize } = dominatorsOf(s);
  const matches: number[] = [];
  for (let n = 0; n < s.nodeCount; n++) if (s.classNameOf(n) === target || nodeLabel(s, n) === target) matches.push(n);
  if (matches.length === 0) throw new UsageError(`snapshot ${verb}: no object of constructor ${JSON.stringify(target)} in the snapshot`);
  return matches.sort((a, b) => retainedSize[b]! - retainedSize[a]!).slice(0, limit);
}

function leaksReport({ earlier, last: s }: SnapshotSeries, files: string[], _extra: string[], { limit, internal }: ReportOptions) {
  const file = files[files.length - 1]!;
  const sliced = findSlicedStringLeaks(s);
  const collections = largestCollections(s, { limit, includeNodeInternals: internal });
  const text: string[] = [`File: ${file}`, ''];
  const leaks = sliced.filter((l) => !l.transient);
  const transient = sliced.filter((l) => l.transient);
  if (leaks.length === 0) text.push('Sliced strings: none keeps a whole string alive from the heap.');
  else text.push('Sliced strings keeping whole strings alive (each slice points at its parent instead of copying):');
  const describe = (l: (typeof sliced)[number]) => {
    text.push(`  ${formatBytes(l.keptBytes)} in ${l.parents} string${l.parents === 1 ? '' : 's'} kept by ${l.slices} slice${l.slices === 1 ? '' : 's'} of ${formatBytes(l.usedBytes)}`);
    text.push(`    ${l.signature}`);
    if (l.holder) {
      const share = l.holder.retainedSize >= l.keptBytes && l.holder.retainedSize > 0 ? `, ${percent(l.keptBytes, l.holder.retainedSize)} of it these strings` : '';
      text.push(`    held by ${l.holder.label} @${l.holder.id} (retains ${formatBytes(l.holder.retainedSize)}${share})`);
    }
    if (!l.transient) text.push(`    fix: ${l.remedy}`);
  };
  leaks.forEach(describe);
  if (transient.length > 0) {
    text.push('Transient, held only by the running stack (gone when the current call returns):');
    transient.forEach(describe);
  }
  const accumulations = earlier.length > 0 ? findAccumulations(earlier[0]!, s, limit) : undefined;
  if (accumulations) text.push('', ...accumulationLines(accumulations, files));
  text.push('', 'Largest collections by retained size:');
  text.push(table(['retained', 'entries', 'kind', 'id', 'path'], collections.map((c) => [formatBytes(c.retainedSize), String(c.entries), c.kind, `@${c.id}`, c.path])));
  return { json: { file, ...(accumulations ? { files, accumulations } : {}), slicedStrings: sliced, collections }, text: text.join('\n') + '\n' };
}

/**
 * accumulationLines is the holder analysis the watch prints (the owners of
 * what grew from the first snapshot to the last), for the snapshot verbs.
 */
function accumulationLines(holders: Holder[], files: string[]): string[] {
  const heading = `Where what grew from ${files[0]} to ${files[files.length - 1]} accumulates (the owners of the new objects):`;
  if (holders.length === 0) return [heading, '  nothing: no object owns a share of the new objects (≥ 5%) beyond Node\'s own'];
  return [heading, ...holders.flatMap((h) => formatHolder(h).map((line) => line.slice(4)))];
}

function diffReport({ earlier, last: s }: SnapshotSeries, files: string[], _extra: string[], { limit }: ReportOptions) {
  const growth = snapshotGrowth([...earlier, s], { limit });
  const last = files[files.length - 1]!;
  const scheme = files.length === 3 ? `allocated between ${files[0]} and ${files[1]}, still alive in ${last}` : `allocated after ${files[0]}, still alive in ${last}`;
  const text = [
    `New objects ${scheme}: ${growth.newObjects} objects, ${formatBytes(growth.newBytes)}`,
    '',
    table(['count', 'shallow', 'retained', 'constructor', 'path (in the last snapshot)'], growth.groups.map((g) => [
      String(g.count), formatBytes(g.shallowSize), formatBytes(g.retainedSize), g.className, g.path,
    ])),
  ];
  const accumulations = findAccumulations(earlier[0]!, s, limit);
  text.push('', ...accumulationLines(accumulations, files));
  return { json: { files, ...growth, accumulations }, text: text.join('\n') + '\n' };
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(2)}%` : '0.00%';
}

/** table right-aligns all columns but the last, as pprof's -top does. */
function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padStart(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}
