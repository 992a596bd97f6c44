/**
 * Benchmark: tsprof's heap snapshot engine against memlab on the same real
 * Node heap snapshot (≥ 200 MB), side by side in one run, interleaved (the
 * order alternates each round), medians and ratios.
 *
 *   npx tsc -p . && node dist/bench/snapshot-vs-memlab.js [-rounds 3] [-scale 1]
 *
 * Each run is its own process under GNU time (/usr/bin/time), so wall time includes
 * Node's start-up for both and peak RSS is the whole process's:
 * - tsprof: dist/bench/snapshot-analyze.js FILE — read + dominators + summary;
 * - memlab: `memlab analyze object-size --snapshot FILE` (memlab 2.x CLI, no
 *   browser needed), which parses the snapshot, computes dominators and
 *   retained sizes and lists the largest objects; run with the flags of its
 *   own launcher (`--expose-gc --max-old-space-size=4096`), as `npx memlab` does.
 *
 * The snapshot is made once by dist/bench/snapshot-heap-program.js and cached
 * in .bench-cache beside the project directory (or $TSPROF_BENCH_CACHE), never in
 * the repository.
 */
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchFlags } from './support/bench-flags.js';
import { anchorPath } from './anchors.js';
import { benchCacheDir } from './pprof-large-profile.js';
import { median, roundOrder } from './support/stats.js';
import { type TimedRun, timedRun } from './support/timed-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const flags = parseBenchFlags('snapshot-vs-memlab', {
  rounds: { kind: 'int', default: 3, help: 'rounds (each runs both tools once)' },
  scale: { kind: 'float', default: 1, help: 'heap size of the generated process (1 ≈ 300 MB snapshot)' },
}).values;
const cacheDir = benchCacheDir();
const snapshotFile = join(cacheDir, `node20-service-x${flags.scale}.heapsnapshot`);
const minBytes = 200 * 1024 * 1024;

async function ensureSnapshot(): Promise<void> {
  if (existsSync(snapshotFile) && statSync(snapshotFile).size >= minBytes) return;
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${snapshotFile}.partial`;
  process.stdout.write(`generating ${snapshotFile} (takes a minute or two)…\n`);
  await timedRun([process.execPath, '--max-old-space-size=16384', join(here, 'snapshot-heap-program.js'), partial, String(flags.scale)]);
  renameSync(partial, snapshotFile);
  if (statSync(snapshotFile).size < minBytes) throw new Error(`${snapshotFile} is under 200 MB: raise -scale`);
}

const tools = {
  tsprof: () => timedRun([process.execPath, join(here, 'snapshot-analyze.js'), snapshotFile]),
  memlab: () => timedRun([process.execPath, '--expose-gc', '--max-old-space-size=4096', anchorPath('memlab', 'bin/memlab'), 'analyze', 'object-size', '--snapshot', snapshotFile]),
};

await ensureSnapshot();
const size = statSync(snapshotFile).size;
process.stdout.write(`snapshot: ${snapshotFile}, ${(size / 1024 / 1024).toFixed(0)} MB\n`);
const results: Record<keyof typeof tools, TimedRun[]> = { tsprof: [], memlab: [] };
for (let round = 0; round < (flags.rounds as number); round++) {
  for (const tool of roundOrder(round, ['tsprof', 'memlab'] as const)) {
    const r = await tools[tool]();
    results[tool].push(r);
    process.stdout.write(`round ${round + 1} ${tool.padEnd(6)} ${(r.wallMs / 1000).toFixed(2)} s  ${r.peakRssMiB.toFixed(0)} MB\n`);
    if (tool === 'tsprof' && round === 0) process.stdout.write(`  ${r.stdout.trim()}\n`);
  }
}
const t = { wall: median(results.tsprof.map((r) => r.wallMs)), rss: median(results.tsprof.map((r) => r.peakRssMiB)) };
const m = { wall: median(results.memlab.map((r) => r.wallMs)), rss: median(results.memlab.map((r) => r.peakRssMiB)) };
process.stdout.write(`\nmedians over ${flags.rounds} rounds (snapshot ${(size / 1024 / 1024).toFixed(0)} MB):\n`);
process.stdout.write(`tool     wall       peak RSS\n`);
process.stdout.write(`tsprof   ${(t.wall / 1000).toFixed(2).padStart(7)} s  ${t.rss.toFixed(0).padStart(6)} MB\n`);
process.stdout.write(`memlab   ${(m.wall / 1000).toFixed(2).padStart(7)} s  ${m.rss.toFixed(0).padStart(6)} MB\n`);
process.stdout.write(`ratio    ${(m.wall / t.wall).toFixed(2)}× faster, ${(t.rss / m.rss).toFixed(2)}× the peak memory (targets: ≥ 3× faster, ≤ 0.5× memory)\n`);
