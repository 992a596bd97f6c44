/**
 * Benchmark: `tsprof -top` against `go tool pprof -top` on the same large real
 * heap profile, each run as a child process, timed and measured for peak RSS
 * by GNU time, interleaved so both see the same machine load; prints medians
 * and the ratios against the targets (≤ 0.5× pprof's time and peak memory).
 *
 *   npx tsc -p . && node dist/bench/pprof-make-profile.js   # once: writes the cached profile
 *   node dist/bench/pprof-top.js [-runs 3] [-profile FILE]
 *
 * pprof is run as the tool binary itself ($(go env GOTOOLDIR)/pprof): `go tool
 * pprof` would add the go command's own start-up to pprof's time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchFlags } from './support/bench-flags.js';
import { defaultLargeProfilePath } from './pprof-large-profile.js';
import { median, roundOrder } from './support/stats.js';
import { type TimedRun, timedRun } from './support/timed-process.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const tsprofBin = join(projectRoot, 'bin', 'tsprof.js');

/** tableRows keeps the report's rows and summary lines, dropping the File/Type/Time header that names the tool's view of the file. */
function tableRows(report: string): string[] {
  return report.split('\n').filter((line) => !/^(File|Build ID|Type|Time|Duration):/.test(line));
}

async function main(): Promise<void> {
  const flags = parseBenchFlags('pprof-top', {
    runs: { kind: 'int', default: 3, help: 'measured runs of each tool (after one warm-up each)' },
    profile: { kind: 'string', default: defaultLargeProfilePath(), help: 'the large profile (see pprof-make-profile)' },
  });
  const runs = flags.values.runs as number;
  const profile = flags.values.profile as string;
  if (!existsSync(profile)) {
    throw new Error(`${profile} does not exist: run node dist/bench/pprof-make-profile.js first`);
  }
  const pprofBin = join(execFileSync('go', ['env', 'GOTOOLDIR'], { encoding: 'utf8' }).trim(), 'pprof');
  const tools = {
    tsprof: [process.execPath, tsprofBin, '-top', profile],
    pprof: [pprofBin, '-top', profile],
  };
  // Neither tool may wander off to a symbolization server or open a browser.
  const scratch = mkdtempSync(join(tmpdir(), 'tsprof-bench-'));
  const env = { ...process.env, PPROF_TMPDIR: scratch, PPROF_BINARY_PATH: scratch };
  const measure = (argv: string[]) => timedRun(argv, env);
  try {
    process.stdout.write(`profile: ${profile}\nnode ${process.version}; ${execFileSync('go', ['version'], { encoding: 'utf8' }).trim()}\n`);
    // Warm-up: the file in the page cache, and a check that both print the same report.
    const warm = { tsprof: await measure(tools.tsprof), pprof: await measure(tools.pprof) };
    const same = tableRows(warm.tsprof.stdout).join('\n') === tableRows(warm.pprof.stdout).join('\n');
    process.stdout.write(same ? 'reports: identical rows\n' : 'reports: DIFFER (first lines below)\n');
    if (!same) {
      process.stdout.write(`--- tsprof\n${warm.tsprof.stdout.split('\n').slice(0, 12).join('\n')}\n--- pprof\n${warm.pprof.stdout.split('\n').slice(0, 12).join('\n')}\n`);
    }

    const results: Record<'tsprof' | 'pprof', TimedRun[]> = { tsprof: [], pprof: [] };
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first, so neither always follows the other's cache and memory churn.
      for (const tool of roundOrder(i, ['tsprof', 'pprof'] as const)) {
        const run = await measure(tools[tool]);
        results[tool].push(run);
        process.stdout.write(`run ${i + 1} ${tool.padEnd(6)} ${(run.wallMs / 1000).toFixed(2).padStart(7)} s wall ${(run.cpuMs / 1000).toFixed(2).padStart(7)} s cpu ${run.peakRssMiB.toFixed(0).padStart(6)} MiB\n`);
      }
    }

    const stat = (tool: 'tsprof' | 'pprof', pick: (r: TimedRun) => number) => median(results[tool].map(pick));
    const row = (label: string, tool: 'tsprof' | 'pprof') =>
      `${label.padEnd(20)} ${(stat(tool, (r) => r.wallMs) / 1000).toFixed(2).padStart(8)} s ${(stat(tool, (r) => r.cpuMs) / 1000).toFixed(2).padStart(8)} s ${stat(tool, (r) => r.peakRssMiB).toFixed(0).padStart(8)} MiB\n`;
    const ratio = (pick: (r: TimedRun) => number) => stat('tsprof', pick) / stat('pprof', pick);
    const timeRatio = ratio((r) => r.wallMs);
    const rssRatio = ratio((r) => r.peakRssMiB);
    process.stdout.write(
      `\nmedian of ${runs} runs            wall        cpu    peak RSS\n` +
        row('tsprof -top', 'tsprof') +
        row('go tool pprof -top', 'pprof') +
        `${'ratio tsprof/pprof'.padEnd(20)} ${timeRatio.toFixed(3).padStart(8)}x ${ratio((r) => r.cpuMs).toFixed(3).padStart(8)}x ${rssRatio.toFixed(3).padStart(8)}x\n` +
        `target <= 0.5x wall time and peak RSS: ${timeRatio <= 0.5 && rssRatio <= 0.5 ? 'met' : 'NOT met'}\n`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`pprof-top: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
