import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadToFile, heapProfileUrl, heapSnapshotUrl } from './agent-client.js';
import { analyzeGrowth, defaultGrowthOptions, type GrowthOptions, type GrowthReport } from './growth-report.js';
import { conclusion, formatGrowthReport } from './format-growth.js';
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
  token?: string;
  /** timeoutMs per heap profile request (default 30 s; snapshot downloads get 10× that). */
  timeoutMs?: number;
  gc?: boolean;
  /** sampleType to follow (default inuse_space). */
  sampleType?: string;
  growth?: GrowthOptions;
  signal?: AbortSignal;
  onProgress?: (progress: HuntProgress) => void;
  clock?: Clock;
}

/** HuntProgress is reported while hunting: polling progress, or a snapshot step. */
export type HuntProgress = ({ phase: 'watch' } & WatchProgress) | { phase: 'snapshot'; which: 'start' | 'end'; bytes?: number };

/** LeakReport is the whole answer of a hunt: what grows (and how fast, how sure) and, with snapshots, why it is held. */
export interface LeakReport {
  url: string;
  growth: GrowthReport;
  /** stoppedEarly says why the watch ended before its duration ('interrupted', or a poll's error). */
  stoppedEarly?: string;
  /** conclusion is the one-line answer. */
  conclusion: string;
}

/**
 * huntLeak watches an agent's heap profile, judges each allocation site's
 * growth, and (with snapshots) joins the growing sites with what holds their
 * memory, into one report.
 */
export async function huntLeak(options: HuntOptions): Promise<LeakReport> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const request = { timeoutMs, ...(options.token ? { token: options.token } : {}) };
  const growthOptions = options.growth ?? defaultGrowthOptions();
  let snapshotDir: string | undefined;
  try {
    const watched = await watchHeap({
      ...request,
      url: options.url,
      intervalMs: options.intervalMs,
      durationMs: options.durationMs,
      ...(options.gc !== undefined ? { gc: options.gc } : {}),
      ...(options.sampleType !== undefined ? { sampleType: options.sampleType } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      onProgress: (p) => options.onProgress?.({ phase: 'watch', ...p }),
    });
    const growth = analyzeGrowth(watched.observations, growthOptions);
    const report: LeakReport = { url: heapProfileUrl(options.url, false).href, growth, conclusion: conclusion(growth) };
    if (watched.stoppedEarly !== undefined) report.stoppedEarly = watched.stoppedEarly;
    return report;
  } finally {
    if (snapshotDir) await rm(snapshotDir, { recursive: true, force: true });
  }
}

/** formatLeakReport renders a LeakReport as text for a person. */
export function formatLeakReport(report: LeakReport): string {
  const head = report.stoppedEarly ? `(watch ended early: ${report.stoppedEarly})\n` : '';
  return head + formatGrowthReport(report.growth);
}
