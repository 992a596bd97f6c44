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
  const growing = sites.filter((s) => s.verdict.kind === 'growing').sort((a, b) => b.trend.slopePerMinute - a.trend.slopePerMinute);
  const others = sites.filter((s) => s.verdict.kind !== 'growing').sort((a, b) => b.trend.last - a.trend.last);
  const report: GrowthReport = {
    times,
    minGrowthBytes,
    granularity: options.sites.granularity,
    total: { bytes: totalBytes, trend: totalTrend, verdict: judgeTrend(totalTrend, verdictOptions) },
    growing,
    others,
  };
  if (observations.length > 0 && observations.every((o) => o.memory !== undefined)) {
    // Exact figures, not samples: the sampling floor does not apply, only the threshold.
    const bytes = observations.map((o) => o.memory!.external);
    const trend = fitTrend(bytes.map((b, i) => ({ timeMs: times[i]!, bytes: b })));
    const exactOptions = { ...options.verdict };
    report.external = { bytes, arrayBuffers: observations.map((o) => o.memory!.arrayBuffers), trend, verdict: judgeTrend(trend, exactOptions) };
  }
  const limits = timeToLimits(report, observations[observations.length - 1]?.memory);
  if (limits) report.limits = limits;
  return report;
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
