/**
 * The corpus harness: runs each case's service, points `tsprof watch
 * -snapshots` at its agent (both as child processes, as a user would), and
 * judges the verdict line against the manifest. Shared by the corpus test
 * and bench/leak-corpus.ts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CorpusCase } from './manifest.js';

/** repoRoot is the checkout this compiled file lives in (dist/examples/leak-corpus/ → ../../../). */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const tsprofBin = fileURLToPath(new URL('../../../bin/tsprof.js', import.meta.url));

/** CorpusRunOptions say how to watch each case. */
export interface CorpusRunOptions {
  /** The Node executable that runs the services and tsprof (default: this one). */
  node?: string;
  /** The watch's interval and duration, as `tsprof watch` takes them (e.g. '5s', '60s'). */
  interval: string;
  duration: string;
  /** How long (ms) a service runs before the watch starts, as a deployed service has warmed up (default 3000). */
  warmupMs?: number;
  /** How many cases run side by side (default 1). */
  concurrency?: number;
  /** Keep each case's snapshots in a directory of its own under this one (default: not kept). */
  snapshotDir?: string;
  /** Called as each case finishes. */
  onResult?(result: CorpusResult): void;
}

/** CorpusResult is what the watch said about one case, judged. */
export interface CorpusResult {
  case: CorpusCase;
  /** The watch's exit status, its stdout and stderr. */
  code: number | null;
  out: string;
  err: string;
  /** The verdict line ('' if none). */
  verdict: string;
  /** The verdict raises an alarm (growth or a leak). */
  alarm: boolean;
  /** The verdict names the expected site / holder (leaks only). */
  siteFound: boolean;
  holderFound: boolean;
  /** The case passes: a leak with site and holder named, or a healthy case with no alarm. */
  pass: boolean;
  seconds: number;
}

/** verdictLine returns the last 'Verdict:' line of a watch's output, or ''. */
export function verdictLine(out: string): string {
  const lines = out.split('\n').filter((l) => l.startsWith('Verdict:'));
  return lines[lines.length - 1] ?? '';
}

/** raisesAlarm says whether a verdict reports growth or a leak (as opposed to flat, plateau, too few profiles). */
export function raisesAlarm(verdict: string): boolean {
  if (/no allocation site grows steadily; total in use is (flat|noisy|stepped|shrinking|unknown)/.test(verdict)) return false;
  return /\bgrow(s|ing)\b|\bleak/i.test(verdict);
}

/** judgeCase compares a watch's output with what the manifest expects of the case. */
export function judgeCase(c: CorpusCase, code: number | null, out: string, err: string, seconds: number): CorpusResult {
  const verdict = verdictLine(out);
  const alarm = raisesAlarm(verdict);
  const siteFound = c.site !== undefined && new RegExp(`\\b${c.site.functionName}\\b`).test(verdict);
  const holderFound = c.holder !== undefined && c.holder.pattern.test(verdict);
  const pass = code === 0 && (c.kind === 'leak' ? alarm && siteFound && holderFound : !alarm && verdict !== '');
  return { case: c, code, out, err, verdict, alarm, siteFound, holderFound, pass, seconds };
}

/** runCorpusCase starts one case's service, watches it, stops it, and judges the verdict. */
export async function runCorpusCase(c: CorpusCase, options: CorpusRunOptions): Promise<CorpusResult> {
  const node = options.node ?? process.execPath;
  const started = Date.now();
  const script = fileURLToPath(new URL(`./${c.name}/main.js`, import.meta.url));
  const service = spawn(node, [script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let serviceErr = '';
  service.stderr!.on('data', (d: Buffer) => (serviceErr += d.toString()));
  try {
    const agent = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${c.name}: no ready line within 30s; stderr: ${serviceErr}`)), 30_000);
      service.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /"agent":"(http:\/\/[^"]+)"/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      service.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${c.name}: service exited (${code}) before it was ready; stderr: ${serviceErr}`));
      });
    });
    await new Promise((resolve) => setTimeout(resolve, options.warmupMs ?? 3000));
    const keep = options.snapshotDir ? [`-snapshot_dir=${join(options.snapshotDir, c.name)}`] : [];
    const watch = spawn(node, [tsprofBin, 'watch', '-snapshots', `-interval=${options.interval}`, `-duration=${options.duration}`, ...keep, agent], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    watch.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    watch.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = (await once(watch, 'exit')) as [number | null];
    return judgeCase(c, code, out, err, (Date.now() - started) / 1000);
  } catch (e) {
    return judgeCase(c, null, '', `${(e as Error).message}`, (Date.now() - started) / 1000);
  } finally {
    if (service.exitCode === null && service.signalCode === null) {
      service.kill('SIGKILL');
      await once(service, 'exit');
    }
  }
}

/** runCorpus runs the cases, `concurrency` at a time, and returns their results in manifest order. */
export async function runCorpus(cases: CorpusCase[], options: CorpusRunOptions): Promise<CorpusResult[]> {
  const results: CorpusResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const at = next++;
      results[at] = await runCorpusCase(cases[at]!, options);
      options.onResult?.(results[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
  return results;
}

/** formatCorpusTable renders results as a markdown table: site found? holder found? false alarm? */
export function formatCorpusTable(results: CorpusResult[]): string {
  const mark = (b: boolean) => (b ? 'yes' : 'no');
  const rows = ['| case | family | kind | site named | holder named | alarm | pass | verdict |', '|---|---|---|---|---|---|---|---|'];
  for (const r of results) {
    const verdict = (r.verdict || (r.err.split('\n')[0] ?? '') || '(no verdict)').replace(/\|/g, '\\|').slice(0, 220);
    const site = r.case.kind === 'leak' ? mark(r.siteFound) : '-';
    const holder = r.case.kind === 'leak' ? mark(r.holderFound) : '-';
    const alarm = r.case.kind === 'healthy' ? (r.alarm ? 'FALSE ALARM' : 'quiet') : mark(r.alarm);
    rows.push(`| ${r.case.name} | ${r.case.family} | ${r.case.kind} | ${site} | ${holder} | ${alarm} | ${r.pass ? 'PASS' : 'fail'} | ${verdict} |`);
  }
  const leaks = results.filter((r) => r.case.kind === 'leak');
  const healthy = results.filter((r) => r.case.kind === 'healthy');
  rows.push('');
  rows.push(
    `leaks: site named ${leaks.filter((r) => r.siteFound).length}/${leaks.length}, holder named ${leaks.filter((r) => r.holderFound).length}/${leaks.length}, both ${leaks.filter((r) => r.pass).length}/${leaks.length}; healthy: false alarms ${healthy.filter((r) => r.alarm).length}/${healthy.length}`,
  );
  return rows.join('\n') + '\n';
}
