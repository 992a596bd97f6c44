import { startAttachedAgent } from '../attach/attached-agent.js';
import { UsageError, errorMessage } from '../errors.js';
import { defaultGrowthOptions } from '../leak/growth-report.js';
import { formatBytes, formatDuration } from '../leak/format-growth.js';
import { leakExitStatus, leakFound } from '../leak/alarm.js';
import { formatLeakReport, huntLeak, judgeProfiles, type HuntProgress } from '../leak/hunt.js';
import { loadProfile, profileURL } from '../source/load-profile.js';
import { flagUsage, parseFlags, type FlagSpec } from './flags.js';
import { byteSizeFlag, durationFlag } from './quantity-flags.js';
import type { HeapSnapshot } from '../snapshot/heap-snapshot.js';
import type { EarlierSnapshot, SnapshotSeries } from '../snapshot/snapshot-digest.js';
import type { WatchUi } from '../web/watch-ui.js';
import type { CliIO } from './io.js';

const flags: Record<string, FlagSpec> = {
  interval: { kind: 'string', default: '5s', help: 'time between heap profiles (default 5s)' },
  duration: { kind: 'string', default: '0', help: 'how long to watch (e.g. 60s, 5m; default 0 = until Ctrl-C)' },
  snapshots: { kind: 'bool', default: false, help: "also take heap snapshots at start and end (the agent's /debug/pprof/heapsnapshot, enabled explicitly) and explain what holds the growth" },
  track_allocations: { kind: 'bool', default: false, help: 'with -snapshots: the agent tracks allocations between the two snapshots, so the report names where the memory a holder gained was allocated (external strings too); V8 then records a stack for every allocation, which slows allocation-heavy code by two orders of magnitude: for staging, not production' },
  snapshot_dir: { kind: 'string', default: '', help: 'keep the snapshots in this directory (default: a temporary one, removed)' },
  lines: { kind: 'bool', default: false, help: 'allocation sites per source line instead of per function' },
  min_growth: { kind: 'string', default: '1MB', help: 'least growth over the window that can count as a leak (default 1MB, and at least 4 sampling periods)' },
  sample_index: { kind: 'string', default: '', help: 'sample type to follow (default inuse_space, else the profile\'s bytes type)' },
  gc: { kind: 'bool', default: true, help: 'ask the agent to collect garbage before each profile, ?gc=1 (default true; -gc=false to skip)' },
  token: { kind: 'string', default: '', help: 'bearer token for the agent (default $TSPROF_TOKEN)' },
  timeout: { kind: 'string', default: '30s', help: 'timeout of each request (default 30s; snapshot downloads get 10 times that)' },
  json: { kind: 'bool', default: false, help: 'print the report as JSON' },
  fail: { kind: 'bool', default: false, help: `exit with status ${leakExitStatus} when the watch finds a leak (for CI gates; the report is printed all the same)` },
  http: { kind: 'string', default: '', help: 'also show the watch in a web UI at [host]:port: live, then the report with its plots' },
  no_browser: { kind: 'bool', default: false, help: 'with -http: print the URL, open no browser' },
  help: { kind: 'bool', default: false, help: 'show this help' },
};

const usage = `usage: tsprof watch [flags] URL
       tsprof watch [flags] PID
       tsprof watch [flags] PROFILE PROFILE...

Polls a heap profile endpoint (a tsprof agent, or any /debug/pprof server)
and says which allocation sites grow steadily, how fast and how sure.
URL is the agent's origin (http://127.0.0.1:6060) or its /debug/pprof/heap.
Ctrl-C ends the watch early and prints the report. Given saved heap
profiles instead, it judges them in the order of the times they record.
Given the id of a Node process that runs no agent, it attaches to it as
tsprof attach does (SIGUSR1 opens its inspector on loopback; the inspector
is closed again when the watch ends) and watches the same way.

flags:
`;

/**
 * watchCommand is `tsprof watch URL`: poll, judge growth, print the verdict
 * report (text, or JSON with -json). A live progress line goes to stderr on
 * a terminal only, so piped output stays clean.
 */
export async function watchCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags(args, flags);
  const v = parsed.values;
  if (v.help) {
    io.stdout.write(usage + flagUsage(flags));
    return 0;
  }
  if (parsed.args.length === 0) throw new UsageError('watch: want a URL, or heap profile files (see tsprof watch -help)');
  const isPid = parsed.args.length === 1 && /^\d+$/.test(parsed.args[0]!);
  const isUrl = (arg: string) => profileURL(arg) !== undefined || /^[a-z][\w+.-]*:\/\//i.test(arg);
  const intervalMs = durationFlag(v.interval as string, 'interval');
  if (intervalMs <= 0) throw new UsageError('watch: -interval must be positive');
  const durationMs = durationFlag(v.duration as string, 'duration') || Infinity;
  const timeoutMs = durationFlag(v.timeout as string, 'timeout');
  const growth = defaultGrowthOptions();
  growth.sites.granularity = v.lines ? 'lines' : 'functions';
  growth.verdict.minGrowthBytes = byteSizeFlag(v.min_growth as string, 'min_growth');
  const token = (v.token as string) || io.env.TSPROF_TOKEN || undefined;
  const sampleType = v.sample_index ? { sampleType: v.sample_index as string } : {};
  if (v.track_allocations && !v.snapshots) throw new UsageError('watch: -track_allocations goes with -snapshots (the end snapshot is where the allocation traces are read)');
  if (!isPid && (parsed.args.length > 1 || !isUrl(parsed.args[0]!))) {
    if (parsed.args.some(isUrl)) throw new UsageError('watch: give one URL to watch, or profile files, not both');
    if (v.snapshots) throw new UsageError('watch: -snapshots needs a URL of a running agent');
    if (v.track_allocations) throw new UsageError('watch: -track_allocations needs a URL of a running agent');
    const profiles = [];
    for (const name of parsed.args) profiles.push({ name, profile: await loadProfile(name, { cwd: io.cwd }) });
    const report = judgeProfiles(profiles, { growth, ...sampleType });
    io.stdout.write(v.json ? JSON.stringify(report, null, 2) + '\n' : formatLeakReport(report));
    if (v.http !== '') return withWebUi(v, io, parsed.args.join(' '), intervalMs, async (ui) => ui.done(report.growth, report.conclusion, formatLeakReport(report)));
    return v.fail && leakFound(report.growth) ? leakExitStatus : 0;
  }

  // A process id: attach to it and watch the stand-in agent that serves its inspector.
  const attached = isPid ? await startAttachedAgent(Number(parsed.args[0]), { sampleInterval: 512 * 1024, say: (line) => io.stderr.write(`tsprof watch: ${line}\n`) }) : undefined;
  // Ctrl-C ends the watch, not the process: the report is what the user waited for.
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once('SIGINT', onSigint);
  const progress = io.isTerminal ? progressLine(io, attached ? `process ${parsed.args[0]}` : parsed.args[0]!) : undefined;
  const watch = async (ui?: WatchUi) => {
    let snapshots: SnapshotSeries | undefined;
    const report = await huntLeak({
      url: attached?.url ?? parsed.args[0]!,
      intervalMs,
      durationMs,
      snapshots: Boolean(v.snapshots),
      ...(v.track_allocations ? { trackAllocations: true } : {}),
      ...(v.snapshot_dir ? { snapshotDir: v.snapshot_dir as string } : {}),
      // With the web page, the end snapshot (and the start's digest) stay in memory to be browsed there.
      ...(ui ? { onSnapshots: (start: EarlierSnapshot, end: HeapSnapshot) => { snapshots = { earlier: [start], last: end }; } } : {}),
      timeoutMs,
      gc: Boolean(v.gc),
      growth,
      ...sampleType,
      signal: interrupt.signal,
      ...(attached ? { token: attached.token } : token ? { token } : {}),
      ...(progress || ui ? { onProgress: (p: HuntProgress) => { progress?.update(p); if (ui && p.phase === 'watch') ui.progress(Date.now(), p.totalBytes, p.leader ? `${p.leader.functionName} +${formatBytes(p.leader.gainedBytes)}` : '', p.growth); } } : {}),
      ...(ui ? { liveGrowth: true } : {}),
    });
    progress?.clear();
    io.stdout.write(v.json ? JSON.stringify(report, null, 2) + '\n' : formatLeakReport(report));
    ui?.done(report.growth, report.conclusion, formatLeakReport(report), report.held ? { memory: report.held, ...(snapshots ? { snapshots } : {}) } : undefined);
    found = leakFound(report.growth);
  };
  let found = false;
  try {
    if (v.http !== '') return await withWebUi(v, io, attached ? `process ${parsed.args[0]}` : parsed.args[0]!, intervalMs, watch);
    await watch();
    return v.fail && found ? leakExitStatus : 0;
  } finally {
    progress?.clear();
    process.removeListener('SIGINT', onSigint);
    if (attached) io.stderr.write(`tsprof watch: ${await attached.close().catch((err: unknown) => `could not close the inspector: ${errorMessage(err)}`)}\n`);
  }
}

/** withWebUi runs the watch with its web page (tsprof watch -http), serving the report after it until Ctrl-C. */
async function withWebUi(v: Record<string, unknown>, io: CliIO, watching: string, intervalMs: number, run: (ui: WatchUi) => Promise<void>): Promise<number> {
  const [{ serveWatchUi }, { snapshotReportsOf }] = await Promise.all([import('../web/watch-ui.js'), import('./snapshot-command.js')]);
  // The snapshot pages the watch's page links to run the snapshot subcommands' own reports.
  return serveWatchUi(watching, intervalMs, { http: v.http as string, noBrowser: v.no_browser === true, stdout: io.stderr, stderr: io.stderr, cwd: io.cwd }, run, snapshotReportsOf);
}

/** progressLine rewrites one stderr line in place with the watch's state. */
function progressLine(io: CliIO, url: string) {
  let shown = false;
  return {
    update(p: HuntProgress) {
      let text: string;
      if (p.phase === 'snapshot') {
        text = `taking the ${p.which} heap snapshot…`;
      } else {
        const of = Number.isFinite(p.durationMs) ? ` of ${formatDuration(p.durationMs)}` : ' (Ctrl-C to stop)';
        const change = p.totalBytes - p.firstTotalBytes;
        const leader = p.leader ? `; most: ${p.leader.functionName} +${formatBytes(p.leader.gainedBytes)}` : '';
        text = `watching ${url}: ${p.readings} profile${p.readings === 1 ? '' : 's'}, ${formatDuration(p.elapsedMs)}${of}, in use ${formatBytes(p.totalBytes)} (${change >= 0 ? '+' : ''}${formatBytes(change)})${leader}`;
      }
      io.stderr.write(`\r\x1b[K${text}`);
      shown = true;
    },
    clear() {
      if (shown) io.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}
