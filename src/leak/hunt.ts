import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TsprofError, errorMessage } from '../errors.js';
import type { HeapSnapshot } from '../snapshot/heap-snapshot.js';
import { readHeapSnapshot } from '../snapshot/read-snapshot.js';
import { SnapshotDigest } from '../snapshot/snapshot-digest.js';
import { downloadToFile, heapProfileUrl, heapSnapshotUrl, type AgentRequestOptions } from './agent-client.js';
import { analyzeGrowth, defaultGrowthOptions, type GrowthOptions, type GrowthReport } from './growth-report.js';
import { conclusion, formatGrowthReport, timeToLimitLines } from './format-growth.js';
import { type ExternalReading, externalProfileUrl, externalSites, readExternalObservation } from './external-sites.js';
import { externalStringSites } from './external-strings.js';
import { formatHeldMemory, heldConclusion } from './format-holders.js';
import { joinHolders, type HeldMemory } from './holders.js';
import { observationsFromProfiles, type NamedProfile } from './profile-series.js';
import { watchHeap, type Clock, type WatchProgress } from './watch-heap.js';

/** HuntOptions configure huntLeak. */
export interface HuntOptions {
  /** url of the agent: an origin (http://127.0.0.1:6060) or its /debug/pprof/heap endpoint. */
  url: string;
  /** durationMs to watch; Infinity until signal aborts. */
  durationMs: number;
  intervalMs: number;
  /** snapshots also takes heap snapshots at start and end and explains what holds the growth. */
  snapshots: boolean;
  /** snapshotDir keeps the snapshots there (start.heapsnapshot, end.heapsnapshot); default a temporary directory, removed after. */
  snapshotDir?: string;
  /**
   * trackAllocations (with snapshots) has the agent track allocations from the
   * start snapshot to the end one, so the end snapshot names where each new
   * object was allocated: the site of memory the heap profile misses (external
   * strings on Node 24+). It costs the host while on.
   */
  trackAllocations?: boolean;
  /** onSnapshots receives the start snapshot's digest and the end snapshot once read (the watch's web page browses them). */
  onSnapshots?: (start: SnapshotDigest, end: HeapSnapshot) => void;
  token?: string;
  /** timeoutMs per heap profile request (default 30 s; snapshot downloads get 10× that). */
  timeoutMs?: number;
  /** gc asks the agent to collect garbage before each profile (default true). */
  gc?: boolean;
  /** sampleType to follow (default inuse_space). */
  sampleType?: string;
  growth?: GrowthOptions;
  signal?: AbortSignal;
  onProgress?: (progress: HuntProgress) => void;
  /** With onProgress: judge the readings so far at each one (from the third), for a live page. */
  liveGrowth?: boolean;
  clock?: Clock;
}

/** HuntProgress is reported while hunting: polling progress, or a snapshot step. */
export type HuntProgress = ({ phase: 'watch'; growth?: GrowthReport } & WatchProgress) | { phase: 'snapshot'; which: 'start' | 'end' };

/** LeakReport is the whole answer of a hunt: what grows (and how fast, how sure) and, with snapshots, why it is held. */
export interface LeakReport {
  /** url is what was watched: the heap profile endpoint, or the profile files judged. */
  url: string;
  growth: GrowthReport;
  /** held explains the growing sites from heap snapshots (with the snapshots option). */
  held?: HeldMemory;
  /** snapshotError says why the end snapshot could not be taken or read, when it could not. */
  snapshotError?: string;
  /** stoppedEarly says why the watch ended before its duration ('interrupted', or a poll's error). */
  stoppedEarly?: string;
  /** conclusion is the one-line answer: where, how fast, how sure, and (with snapshots) why and the fix. */
  conclusion: string;
}

/**
 * huntLeak watches an agent's heap profile, judges each allocation site's
 * growth, and with snapshots joins the growing sites with what holds their
 * memory, into one report. The first snapshot is taken once the endpoint
 * has answered with a heap profile (so a wrong URL fails fast) and before
 * the watch's time grid starts; the last one after the last profile, also
 * when the watch is interrupted.
 */
export async function huntLeak(options: HuntOptions): Promise<LeakReport> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const request: AgentRequestOptions = { timeoutMs, ...(options.token ? { token: options.token } : {}) };
  const snapshotRequest: AgentRequestOptions = { ...request, timeoutMs: timeoutMs * 10 };
  const heapUrl = heapProfileUrl(options.url, false);
  const snapshotUrl = heapSnapshotUrl(heapUrl);
  let dir: string | undefined;
  let temporary = false;
  const take = async (which: 'start' | 'end') => {
    options.onProgress?.({ phase: 'snapshot', which });
    const file = join(dir!, `${which}.heapsnapshot`);
    const url = new URL(snapshotUrl);
    if (options.trackAllocations) {
      url.searchParams.set('track', which === 'start' ? 'start' : 'stop');
      // The agent ends tracking by itself a while after the watch should have: it never runs on unasked.
      if (which === 'start') url.searchParams.set('track_seconds', String(Math.ceil(Math.min(options.durationMs, 23 * 3600_000) / 1000) + 120));
    }
    await downloadSnapshot(url, file, snapshotRequest);
    return file;
  };
  try {
    if (options.snapshots) {
      if (options.snapshotDir) await mkdir((dir = options.snapshotDir), { recursive: true });
      else {
        dir = await mkdtemp(join(tmpdir(), 'tsprof-watch-'));
        temporary = true;
      }
    }
    let startFile: string | undefined;
    // The agent's sampled Buffers (when it samples them) at the start and end: the sites of external memory.
    const externalUrl = externalProfileUrl(heapUrl);
    let externalStart: ExternalReading | undefined;
    let externalEnd: ExternalReading | undefined;
    const beforeWatch = async () => {
      externalStart = await readExternalObservation(externalUrl, request, Date.now());
      if (options.snapshots) startFile = await take('start');
    };
    const growthOptions = { ...(options.growth ?? defaultGrowthOptions()), liveHeapAfterGc: options.gc ?? true };
    const watched = await watchHeap({
      ...request,
      url: options.url,
      intervalMs: options.intervalMs,
      durationMs: options.durationMs,
      ...(options.gc !== undefined ? { gc: options.gc } : {}),
      ...(options.sampleType !== undefined ? { sampleType: options.sampleType } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      beforeWatch,
      onProgress: (p) => {
        const live = options.liveGrowth && p.observations.length >= 3 ? { growth: analyzeGrowth(p.observations, growthOptions) } : {};
        options.onProgress?.({ phase: 'watch', ...p, ...live });
      },
    });
    const growth = analyzeGrowth(watched.observations, growthOptions);
    if (externalStart && growth.external) {
      externalEnd = await readExternalObservation(externalUrl, request, Date.now());
      if (externalEnd) growth.external.sites = externalSites(externalStart.live, externalEnd.live);
    }
    const report: LeakReport = { url: heapUrl.href, growth, conclusion: conclusion(growth) };
    if (watched.stoppedEarly !== undefined) report.stoppedEarly = watched.stoppedEarly;
    if (startFile) {
      try {
        const endFile = await take('end');
        // One parsed snapshot at a time: of the start, only its digest is kept.
        const start = new SnapshotDigest(await readHeapSnapshot(startFile));
        const end = await readHeapSnapshot(endFile);
        // External strings the agent saw made, still alive in the end snapshot: sites of external memory too.
        if (growth.external && externalEnd && externalEnd.strings.length > 0) {
          const sites = [...(growth.external.sites ?? []), ...externalStringSites(externalEnd.strings, start, end)];
          growth.external.sites = sites.sort((a, b) => b.bytesNow - b.bytesThen - (a.bytesNow - a.bytesThen));
        }
        report.held = joinHolders(growth, start, end);
        options.onSnapshots?.(start, end);
        if (!temporary) report.held.files = { start: startFile, end: endFile };
        report.conclusion = heldConclusion(growth, report.held);
      } catch (err) {
        report.snapshotError = errorMessage(err);
      }
    }
    return report;
  } finally {
    if (temporary && dir) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * judgeProfiles gives the growth verdicts of heap profiles already on disk,
 * ordered by the time each records: the same report as a watch, without the
 * snapshots.
 */
export function judgeProfiles(profiles: readonly NamedProfile[], options: { sampleType?: string; growth?: GrowthOptions } = {}): LeakReport {
  const growth = analyzeGrowth(observationsFromProfiles(profiles, options.sampleType), options.growth ?? defaultGrowthOptions());
  return { url: profiles.map((p) => p.name).join(' '), growth, conclusion: conclusion(growth) };
}

/** downloadSnapshot streams the agent's heap snapshot to a file, with a hint when the endpoint is off. */
async function downloadSnapshot(url: URL, file: string, request: AgentRequestOptions): Promise<void> {
  try {
    await downloadToFile(url, file, request);
  } catch (err) {
    if (err instanceof TsprofError && /: HTTP 404\b/.test(err.message)) {
      throw new TsprofError(`${url.href}: HTTP 404: the agent serves heap snapshots only when enabled (TSPROF_HEAP_SNAPSHOTS=1, or startAgent({ heapSnapshots: true }))`);
    }
    throw err;
  }
}

/** formatLeakReport renders a LeakReport as text for a person: growth verdicts, then what holds the memory, then the conclusion. */
export function formatLeakReport(report: LeakReport): string {
  const parts: string[] = [];
  if (report.stoppedEarly) parts.push(`(watch ended early: ${report.stoppedEarly})\n`);
  // The growth report ends with its own verdict line; with snapshots the joined conclusion replaces it.
  const growthText = formatGrowthReport(report.growth);
  parts.push(report.held || report.snapshotError ? growthText.replace(/\n(At this rate .*\n)?Verdict: .*\n$/, '\n') : growthText);
  const limits = timeToLimitLines(report.growth).map((l) => `${l}\n`).join('');
  if (report.held) parts.push(formatHeldMemory(report.held), `\n${limits}${report.conclusion}\n`);
  else if (report.snapshotError) parts.push(`Heap snapshots: ${report.snapshotError}\n`, `\n${limits}${report.conclusion}\n`);
  return parts.join('');
}
