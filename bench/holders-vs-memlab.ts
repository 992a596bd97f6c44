/**
 * Benchmark: tsprof's holder analysis of three heap snapshots of one leaking
 * process against `memlab find-leaks` on the same files, side by side in one
 * run, interleaved (the order alternates each round), medians and ratios.
 *
 *   npx tsc -p . && node dist/bench/holders-vs-memlab.js [-rounds 3] [-scale 1]
 *
 * The snapshots (baseline, target, final; each ≥ 200 MB at scale 1) are written
 * once by dist/bench/snapshot-leak-program.js and cached in the bench cache
 * (never in the repository). Each run is its own process under GNU time:
 * - tsprof: `tsprof snapshot diff BASELINE TARGET FINAL`: what was allocated
 *   between baseline and target and is alive in final, by class and path, and
 *   where it accumulates (the holder, its entries then and now, the fix), as
 *   the watch's report names it;
 * - memlab: `memlab find-leaks --baseline … --target … --final …` (memlab 2.x),
 *   which parses the three snapshots, finds the objects allocated between
 *   baseline and target and alive in final, and clusters their retainer traces;
 *   with `--trace-all-objects`: its default leak filter is a browser's (detached DOM,
 *   unmounted components) and finds nothing in a Node service's snapshots; run with
 *   its own launcher's flags (`--expose-gc --max-old-space-size=4096`),
 *   raised to 16 GB when 4 GB is not enough for three snapshots.
 * Each tool's answer is checked: tsprof must name the leaking Map (`reportCache`) as the holder;
 * memlab, which lists leaked objects by class, the leaked `RenderedReport`s.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorPath } from './anchors.js';
import { benchCacheDir } from './pprof-large-profile.js';
import { parseBenchFlags } from './support/bench-flags.js';
import { median, roundOrder } from './support/stats.js';
import { type TimedRun, timedRun } from './support/timed-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const flags = parseBenchFlags('holders-vs-memlab', {
  rounds: { kind: 'int', default: 3, help: 'rounds (each runs both tools once)' },
  scale: { kind: 'float', default: 1, help: 'heap size of the generated process (1 ≈ 300 MB a snapshot)' },
  memlab_heap_mb: { kind: 'int', default: 4096, help: "memlab's --max-old-space-size (its launcher's is 4096)" },
}).values;
const snapshotDir = join(benchCacheDir(), `leaking-service-x${flags.scale}`);
const names = ['baseline', 'target', 'final'] as const;
const files = names.map((n) => join(snapshotDir, `${n}.heapsnapshot`));
const minBytes = 200 * 1024 * 1024;

async function ensureSnapshots(): Promise<void> {
  if (files.every((f) => existsSync(f) && statSync(f).size >= minBytes)) return;
  const partial = `${snapshotDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  process.stdout.write(`generating three snapshots in ${snapshotDir} (takes a few minutes)…\n`);
  await timedRun([process.execPath, '--max-old-space-size=16384', join(here, 'snapshot-leak-program.js'), partial, String(flags.scale)]);
  rmSync(snapshotDir, { recursive: true, force: true });
  renameSync(partial, snapshotDir);
  for (const f of files) if (statSync(f).size < minBytes) throw new Error(`${f} is under 200 MB: raise -scale`);
}

const memlabWorkDir = mkdtempSync(join(tmpdir(), 'tsprof-bench-memlab-'));
const tools = {
  tsprof: () => timedRun([process.execPath, join(root, 'bin', 'tsprof.js'), 'snapshot', 'diff', ...files]),
  memlab: () =>
    timedRun([
      process.execPath, '--expose-gc', `--max-old-space-size=${flags.memlab_heap_mb}`, anchorPath('memlab', 'bin/memlab'),
      'find-leaks', '--baseline', files[0]!, '--target', files[1]!, '--final', files[2]!, '--work-dir', memlabWorkDir, '--trace-all-objects',
    ]),
};

/** answers checks that a tool's output names the leak; a benchmark of a wrong answer measures nothing. */
function answers(tool: keyof typeof tools, r: TimedRun): string {
  const out = r.stdout;
  if (tool === 'tsprof') {
    const line = out.split('\n').find((l) => l.includes('held by') && l.includes('reportCache'));
    if (!line) throw new Error(`tsprof did not name reportCache:\n${out.slice(-3000)}`);
    return line.trim();
  }
  // memlab prints the leaked objects by class (its retainer traces go to its work directory): the
  // 10,000 RenderedReports of the leaking round are its answer.
  const line = out.split('\n').find((l) => l.includes('reportCache') || l.includes('RenderedReport'));
  if (!line) throw new Error(`memlab did not name reportCache or RenderedReport:\n${out.slice(-3000)}`);
  return line.trim();
}

try {
  await ensureSnapshots();
  const sizes = files.map((f) => statSync(f).size / 1024 / 1024);
  process.stdout.write(`snapshots: ${names.map((n, i) => `${n} ${sizes[i]!.toFixed(0)} MB`).join(', ')} in ${snapshotDir}\n`);
  const results: Record<keyof typeof tools, TimedRun[]> = { tsprof: [], memlab: [] };
  for (let round = 0; round < (flags.rounds as number); round++) {
    for (const tool of roundOrder(round, ['tsprof', 'memlab'] as const)) {
      const r = await tools[tool]();
      results[tool].push(r);
      const answer = answers(tool, r);
      process.stdout.write(`round ${round + 1} ${tool.padEnd(6)} ${(r.wallMs / 1000).toFixed(2)} s  ${r.peakRssMiB.toFixed(0)} MB\n`);
      if (round === 0) process.stdout.write(`  ${answer.slice(0, 220)}\n`);
    }
  }
  const t = { wall: median(results.tsprof.map((r) => r.wallMs)), rss: median(results.tsprof.map((r) => r.peakRssMiB)) };
  const m = { wall: median(results.memlab.map((r) => r.wallMs)), rss: median(results.memlab.map((r) => r.peakRssMiB)) };
  process.stdout.write(`\nmedians over ${flags.rounds} rounds (three snapshots, ${sizes.map((s) => s.toFixed(0)).join(' + ')} MB):\n`);
  process.stdout.write(`tool     wall       peak RSS\n`);
  process.stdout.write(`tsprof   ${(t.wall / 1000).toFixed(2).padStart(7)} s  ${t.rss.toFixed(0).padStart(6)} MB\n`);
  process.stdout.write(`memlab   ${(m.wall / 1000).toFixed(2).padStart(7)} s  ${m.rss.toFixed(0).padStart(6)} MB\n`);
  process.stdout.write(`ratio    ${(m.wall / t.wall).toFixed(2)}× faster, ${(t.rss / m.rss).toFixed(2)}× the peak memory (targets: ≥ 3× faster, ≤ 0.5× memory)\n`);
} finally {
  rmSync(memlabWorkDir, { recursive: true, force: true });
}
