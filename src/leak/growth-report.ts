import type { Frame, HeapObservation } from './heap-observation.js';
import { defaultSiteOptions, siteSeries, type SiteOptions } from './site-series.js';
import { fitTrend, type Trend } from './trend.js';
import { defaultVerdictOptions, judgeTrend, type Verdict, type VerdictOptions } from './verdict.js';
import type { ExternalSite } from './external-sites.js';

/** SiteGrowth is one allocation site with its series, fit and verdict. */
export interface SiteGrowth {
  site: Frame;
  /** callers is the caller chain of the heaviest stack, from the site's caller up to the root. */
  callers: Frame[];
  /** frames below the site on that stack (runtime frames that did the actual allocation). */
  below: Frame[];
  bytes: number[];
  objects: number[];
  /**
   * objectBytes is the typical size of the objects behind the change: bytes
   * over objects gained across the window (or in use at the end, when the
   * count did not grow). It lets a snapshot's holders be matched to the site.
   */
  objectBytes: number;
  trend: Trend;
  verdict: Verdict;
}

/** GrowthReport is the answer to "what grows, how fast, how sure" over a series of heap profiles. */
export interface GrowthReport {
  /** times of the observations, ms since the epoch. */
  times: number[];
  /** minGrowthBytes is the growth threshold the verdicts used (the option, raised to the sampling floor). */
  minGrowthBytes: number;
  granularity: SiteOptions['granularity'];
  total: { bytes: number[]; trend: Trend; verdict: Verdict };
  /**
   * external is the process's memory outside the V8 heap (process.memoryUsage().external:
   * external strings, Buffer and ArrayBuffer backing stores), judged as the heap is,
   * when every profile carries it.
   */
  external?: {
    bytes: number[];
    arrayBuffers: number[];
    trend: Trend;
    verdict: Verdict;
    /** Sites of the Buffers that grew over the watch, when the agent samples them (externalSites). */
    sites?: ExternalSite[];
  };
  /**
   * liveHeap is the V8 heap in use as the process measured it (heapUsed),
   * exact rather than sampled, when every profile carries it; after the GC
   * the watch asks for by default, it is the live heap. A site's series is a
   * sampled estimate (one sample per ~512 KiB), so a bounded cache refilled
   * with new entries moves by whole samples; the live heap says whether
   * memory really kept growing.
   */
  liveHeap?: { bytes: number[]; trend: Trend; verdict: Verdict };
  /** When the growth fills the V8 heap's limit and the container's memory limit, where the agent said them. */
  limits?: { heap?: TimeToLimit; memory?: TimeToLimit };
  /** growing sites, fastest first. */
  growing: SiteGrowth[];
  /** the other sites, largest in-use last reading first. */
  others: SiteGrowth[];
}

/** GrowthOptions combine how sites are formed and how verdicts are made. */
export interface GrowthOptions {
  sites: SiteOptions;
  verdict: VerdictOptions;
  /**
   * samplingFloor raises minGrowthBytes to this many sampling periods: a
   * sampled heap profile moves in steps of about one period, so a rise of one
   * or two steps over a short watch is the sampler, not the program.
   */
  samplingFloor: number;
  /**
   * liveHeapAfterGc says the profiles were taken right after a full GC (the
   * watch's default), so heapUsed is the live heap and a site's weak rise is
   * checked against it (crossCheckWithLiveHeap). Profiles of unknown origin
   * (files) are not checked: without a GC, heapUsed also holds garbage.
   */
  liveHeapAfterGc?: boolean;
}

/** defaultGrowthOptions: function sites, Node internals skipped, default thresholds. */
export function defaultGrowthOptions(): GrowthOptions {
  return { sites: defaultSiteOptions(), verdict: defaultVerdictOptions(), samplingFloor: 4 };
}

/**
 * analyzeGrowth fits every allocation site's in-use bytes over time and
 * judges it, and the total too. Observations must be in time order.
 */
export function analyzeGrowth(observations: readonly HeapObservation[], options: GrowthOptions = defaultGrowthOptions()): GrowthReport {
  const times = observations.map((o) => o.timeMs);
  const period = Math.max(0, ...observations.map((o) => o.samplingPeriodBytes ?? 0));
  const minGrowthBytes = Math.max(options.verdict.minGrowthBytes, options.samplingFloor * period);
  const verdictOptions = { ...options.verdict, minGrowthBytes };
  const totalBytes = observations.map((o) => o.samples.reduce((sum, s) => sum + s.bytes, 0));
  const totalTrend = fitTrend(totalBytes.map((bytes, i) => ({ timeMs: times[i]!, bytes })));
  const sites: SiteGrowth[] = siteSeries(observations, options.sites).map((series) => {
    const trend = fitTrend(series.bytes.map((bytes, i) => ({ timeMs: times[i]!, bytes })));
    const at = series.stack.indexOf(series.site);
    return {
      site: series.site,
      callers: series.stack.slice(at + 1),
      below: series.stack.slice(0, Math.max(0, at)),
      bytes: series.bytes,
      objects: series.objects,
      objectBytes: typicalObjectBytes(series.bytes, series.objects),
      trend,
      verdict: judgeTrend(trend, verdictOptions),
    };
  });
  const exact = observations.length > 0 && observations.every((o) => o.memory !== undefined);
  // Exact figures, not samples: the sampling floor does not apply, only the threshold.
  const judgeExact = (bytes: number[]) => {
    const trend = fitTrend(bytes.map((b, i) => ({ timeMs: times[i]!, bytes: b })));
    return { bytes, trend, verdict: judgeTrend(trend, { ...options.verdict }) };
  };
  const liveHeap = exact ? judgeExact(observations.map((o) => o.memory!.heapUsed)) : undefined;
  const checked = liveHeap && options.liveHeapAfterGc ? liveHeap : undefined;
  if (checked) for (const site of sites) site.verdict = crossCheckWithLiveHeap(site.verdict, site.trend, checked);
  const growing = sites.filter((s) => s.verdict.kind === 'growing').sort((a, b) => b.trend.slopePerMinute - a.trend.slopePerMinute);
  const others = sites.filter((s) => s.verdict.kind !== 'growing').sort((a, b) => b.trend.last - a.trend.last);
  const report: GrowthReport = {
    times,
    minGrowthBytes,
    granularity: options.sites.granularity,
    total: {
      bytes: totalBytes,
      trend: totalTrend,
      verdict: checked ? crossCheckWithLiveHeap(judgeTrend(totalTrend, verdictOptions), totalTrend, checked) : judgeTrend(totalTrend, verdictOptions),
    },
    growing,
    others,
  };
  if (liveHeap) report.liveHeap = liveHeap;
  if (exact) {
    const external = judgeExact(observations.map((o) => o.memory!.external));
    report.external = { ...external, arrayBuffers: observations.map((o) => o.memory!.arrayBuffers) };
  }
  const limits = timeToLimits(report, observations[observations.length - 1]?.memory);
  if (limits) report.limits = limits;
  return report;
}

/**
 * crossCheckWithLiveHeap weighs a verdict judged on sampled estimates (a
 * site's, or the sampled total's) against the exact live heap. Two signs say
 * a rise is real: the live heap kept rising in the second half of the window
 * by at least half what the estimate claims there (live objects are part of
 * the live heap, so it cannot rise much less than they do), and the heap's
 * own verdict is growth. A high-confidence rise needs one of them; a weaker
 * one needs both, as a full cache's heap creeps on its plateau. A cache that
 * filled early reads as a rise in its sampled estimate when the sampler's
 * draws wander (±25% for a 7 MB set at the 512 KiB default) while the heap
 * has stopped: the verdict then takes the heap's shape, not a growth verdict.
 */
export function crossCheckWithLiveHeap(verdict: Verdict, trend: Trend, heap: { trend: Trend; verdict: Verdict }): Verdict {
  if (verdict.kind !== 'growing') return verdict;
  const claimed = Math.min(trend.lateGrowthBytes, trend.growthBytes / 2);
  const kept = heap.trend.lateGrowthBytes;
  const keptPace = kept >= claimed / 2;
  const heapGrows = heap.verdict.kind === 'growing';
  // Strong sampled evidence needs either sign from the heap; weaker evidence needs both.
  if (verdict.confidence === 'high' ? heapGrows || keptPace : heapGrows && keptPace) return verdict;
  const heapRose = heap.verdict.kind === 'growing' || heap.verdict.kind === 'stepped';
  return {
    kind: heapRose ? 'stepped' : 'noisy',
    confidence: 'medium',
    reason: `its sampled estimate rose (${verdict.reason}), but the live heap, measured exactly, ${heapRose ? `rose by ${formatMB(Math.max(0, kept))} in the second half of the window against ${formatMB(claimed)} estimated` : heap.verdict.kind === 'flat' ? 'stayed flat' : heap.verdict.kind === 'shrinking' ? 'fell' : 'moved without a direction'}`,
  };
}

function formatMB(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(2)} MB`;
}

/** TimeToLimit is how long the measured growth takes to fill a limit. */
export interface TimeToLimit {
  limitBytes: number;
  usedBytes: number;
  /** Bytes per minute of the growth that fills it. */
  growthPerMinute: number;
  minutes: number;
}

/**
 * timeToLimits says when the growth reaches the V8 heap's limit (the heap's
 * growth against heapUsed) and the container's memory limit (the heap's and
 * external memory's growth against the resident set), where the agent gave
 * the limits and something grows.
 */
function timeToLimits(report: GrowthReport, last: HeapObservation['memory']): GrowthReport['limits'] {
  if (!last) return undefined;
  const heapGrowth = report.total.verdict.kind === 'growing' ? report.total.trend.slopePerMinute : 0;
  const externalGrowth = report.external?.verdict.kind === 'growing' ? report.external.trend.slopePerMinute : 0;
  const limits: NonNullable<GrowthReport['limits']> = {};
  const fill = (limitBytes: number, usedBytes: number, growthPerMinute: number): TimeToLimit => ({
    limitBytes,
    usedBytes,
    growthPerMinute,
    minutes: Math.max(0, limitBytes - usedBytes) / growthPerMinute,
  });
  if (last.heapLimit !== undefined && heapGrowth > 0) limits.heap = fill(last.heapLimit, last.heapUsed, heapGrowth);
  if (last.memoryLimit !== undefined && heapGrowth + externalGrowth > 0) limits.memory = fill(last.memoryLimit, last.rss, heapGrowth + externalGrowth);
  return limits.heap || limits.memory ? limits : undefined;
}

function typicalObjectBytes(bytes: readonly number[], objects: readonly number[]): number {
  const n = bytes.length;
  if (n === 0) return 0;
  const gainedObjects = objects[n - 1]! - objects[0]!;
  const gainedBytes = bytes[n - 1]! - bytes[0]!;
  if (gainedObjects > 0 && gainedBytes > 0) return gainedBytes / gainedObjects;
  return objects[n - 1]! > 0 ? bytes[n - 1]! / objects[n - 1]! : 0;
}
