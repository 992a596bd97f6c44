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
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from '../src/cli/flags.js';
import { defaultLargeProfilePath } from './pprof-large-profile.js';

/** One measured run of one tool. */
interface Run {
  seconds: number;
  /** User + system CPU time: less disturbed than wall time by the other jobs on the machine. */
  cpuSeconds: number;
  peakRssKiB: number;
  stdout: string;
}

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const tsprofBin = join(projectRoot, 'bin', 'tsprof.js');

/** measure runs argv under GNU time and returns wall time, peak RSS and stdout. */
function measure(argv: string[]): Promise<Run> {
  const scratch = mkdtempSync(join(tmpdir(), 'tsprof-bench-'));
  const timeFile = join(scratch, 'time');
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Neither tool may wander off to a symbolization server or open a browser.
      env: { ...process.env, PPROF_TMPDIR: scratch, PPROF_BINARY_PATH: scratch },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`${argv.join(' ')} exited ${code}: ${Buffer.concat(err).toString().trim().slice(0, 500)}`);
        // The last line is ours: GNU time may put a status line before it.
        const [seconds, kib, user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(/\s+/).map(Number);
        resolve({ seconds: seconds!, cpuSeconds: user! + system!, peakRssKiB: kib!, stdout: Buffer.concat(out).toString() });
      } catch (e) {
        reject(e);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** tableRows keeps the report's rows and summary lines, dropping the File/Type/Time header that names the tool's view of the file. */
function tableRows(report: string): string[] {
  return report.split('\n').filter((line) => !/^(File|Build ID|Type|Time|Duration):/.test(line));
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), {
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

  process.stdout.write(`profile: ${profile}\nnode ${process.version}; ${execFileSync('go', ['version'], { encoding: 'utf8' }).trim()}\n`);
  // Warm-up: the file in the page cache, and a check that both print the same report.
  const warm = { tsprof: await measure(tools.tsprof), pprof: await measure(tools.pprof) };
  const same = tableRows(warm.tsprof.stdout).join('\n') === tableRows(warm.pprof.stdout).join('\n');
  process.stdout.write(same ? 'reports: identical rows\n' : 'reports: DIFFER (first lines below)\n');
  if (!same) {
    process.stdout.write(`--- tsprof\n${warm.tsprof.stdout.split('\n').slice(0, 12).join('\n')}\n--- pprof\n${warm.pprof.stdout.split('\n').slice(0, 12).join('\n')}\n`);
  }

  const results: Record<'tsprof' | 'pprof', Run[]> = { tsprof: [], pprof: [] };
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so neither always follows the other's cache and memory churn.
    const order: Array<'tsprof' | 'pprof'> = i % 2 === 0 ? ['tsprof', 'pprof'] : ['pprof', 'tsprof'];
    for (const tool of order) {
      const run = await measure(tools[tool]);
      results[tool].push(run);
      process.stdout.write(`run ${i + 1} ${tool.padEnd(6)} ${run.seconds.toFixed(2).padStart(7)} s wall ${run.cpuSeconds.toFixed(2).padStart(7)} s cpu ${(run.peakRssKiB / 1024).toFixed(0).padStart(6)} MiB\n`);
    }
  }

  const stat = (tool: 'tsprof' | 'pprof', pick: (r: Run) => number) => median(results[tool].map(pick));
  const row = (label: string, tool: 'tsprof' | 'pprof') =>
    `${label.padEnd(20)} ${stat(tool, (r) => r.seconds).toFixed(2).padStart(8)} s ${stat(tool, (r) => r.cpuSeconds).toFixed(2).padStart(8)} s ${(stat(tool, (r) => r.peakRssKiB) / 1024).toFixed(0).padStart(8)} MiB\n`;
  const ratio = (pick: (r: Run) => number) => stat('tsprof', pick) / stat('pprof', pick);
  const timeRatio = ratio((r) => r.seconds);
  const rssRatio = ratio((r) => r.peakRssKiB);
  process.stdout.write(
    `\nmedian of ${runs} runs            wall        cpu    peak RSS\n` +
      row('tsprof -top', 'tsprof') +
      row('go tool pprof -top', 'pprof') +
      `${'ratio tsprof/pprof'.padEnd(20)} ${timeRatio.toFixed(3).padStart(8)}x ${ratio((r) => r.cpuSeconds).toFixed(3).padStart(8)}x ${rssRatio.toFixed(3).padStart(8)}x\n` +
      `target <= 0.5x wall time and peak RSS: ${timeRatio <= 0.5 && rssRatio <= 0.5 ? 'met' : 'NOT met'}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`pprof-top: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
