import type { Frame } from './heap-observation.js';
import type { GrowthReport, SiteGrowth } from './growth-report.js';
import { formatP } from './verdict.js';

/** GrowthFormatOptions bound how much of a growth report is printed. */
export interface GrowthFormatOptions {
  /** otherSites is how many non-growing sites to list (largest first). */
  otherSites: number;
  /** callerDepth is how many callers of a growing site to show. */
  callerDepth: number;
}

/**
 * formatGrowthReport renders the verdicts as text for a person: the total,
 * then each growing site with its rate, confidence, evidence and caller
 * chain, then the largest other sites with what they do, then a one-line
 * conclusion.
 */
export function formatGrowthReport(report: GrowthReport, options: GrowthFormatOptions = { otherSites: 5, callerDepth: 4 }): string {
  const lines: string[] = [];
  const n = report.times.length;
  const span = n > 1 ? report.times[n - 1]! - report.times[0]! : 0;
  lines.push(`Heap growth over ${formatDuration(span)}: ${n} heap profile${n === 1 ? '' : 's'}, in-use bytes per ${report.granularity === 'lines' ? 'source line' : 'function'}`);
  const total = report.total;
  lines.push(
    `Total in use: ${formatBytes(total.trend.first)} → ${formatBytes(total.trend.last)}, ${describeTrend(total.trend.slopePerMinute, total.verdict.kind)} (${total.verdict.confidence} confidence: ${total.verdict.reason})`,
  );
  const live = report.liveHeap;
  if (live) {
    lines.push(
      `Live V8 heap (heapUsed, measured exactly): ${formatBytes(live.trend.first)} → ${formatBytes(live.trend.last)}, ${describeTrend(live.trend.slopePerMinute, live.verdict.kind)} (${live.verdict.confidence} confidence: ${live.verdict.reason})`,
    );
  }
  const external = report.external;
  if (external) {
    lines.push(
      `Outside the V8 heap (external: Buffers, external strings): ${formatBytes(external.trend.first)} → ${formatBytes(external.trend.last)}, ${describeTrend(external.trend.slopePerMinute, external.verdict.kind)} (${external.verdict.confidence} confidence: ${external.verdict.reason})`,
    );
    for (const site of external.sites?.slice(0, 3) ?? []) {
      const what = site.strings
        ? `+${formatBytes(site.bytesNow)} of the external strings it made, alive at the end and new since the start (end snapshot)`
        : `sampled Buffers alive ${formatBytes(site.bytesThen)} → ${formatBytes(site.bytesNow)}`;
      lines.push(`  allocated in ${frameName(site.site)} via ${site.via}: ${what}`);
    }
  }
  lines.push('');
  if (report.growing.length > 0) {
    lines.push(`Growing allocation sites (${report.growing.length}):`);
    for (const site of report.growing) lines.push(...formatGrowingSite(site, options.callerDepth));
  } else {
    lines.push('Growing allocation sites: none');
  }
  const tooFew = report.total.verdict.kind === 'unknown';
  const others = tooFew ? [...report.others].sort((a, b) => Math.abs(b.trend.last - b.trend.first) - Math.abs(a.trend.last - a.trend.first)) : report.others;
  // Sites that held something only in between say nothing at the end.
  const shown = others.filter((s) => s.trend.last > 0 || s.trend.first > 0).slice(0, options.otherSites);
  if (shown.length > 0) {
    lines.push('');
    lines.push(tooFew ? 'Largest changes (too few profiles for a verdict):' : 'Other sites, largest in use first:');
    for (const site of shown) {
      const change = site.trend.last - site.trend.first;
      lines.push(
        `  ${site.verdict.kind.padEnd(9)} ${formatBytes(site.trend.last).padStart(9)} now ${formatSigned(change).padStart(10)} since first  ${frameName(site.site)}`,
      );
    }
  }
  lines.push('');
  lines.push(...timeToLimitLines(report));
  lines.push(conclusion(report));
  return lines.join('\n') + '\n';
}

/** timeToLimitLines says when the growth fills the heap's and the container's limits, at the measured rate. */
export function timeToLimitLines(report: GrowthReport): string[] {
  const limits = report.limits;
  if (!limits) return [];
  const parts: string[] = [];
  if (limits.heap) parts.push(`the V8 heap (${formatBytes(limits.heap.usedBytes)} of its ${formatBytes(limits.heap.limitBytes)} limit) is full in about ${formatMinutes(limits.heap.minutes)}`);
  if (limits.memory) parts.push(`the container's memory (${formatBytes(limits.memory.usedBytes)} resident of its ${formatBytes(limits.memory.limitBytes)} limit) in about ${formatMinutes(limits.memory.minutes)}`);
  return [`At this rate ${parts.join('; ')}.`];
}

/** formatMinutes prints a time to come: 45s, 12m, 3h20m, 2.5 days. */
export function formatMinutes(minutes: number): string {
  if (minutes < 1) return `${Math.max(1, Math.round(minutes * 60))}s`;
  if (minutes < 60) return `${Math.round(minutes)}m`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h${String(Math.round(minutes % 60)).padStart(2, '0')}m`;
  return `${(minutes / 1440).toFixed(1)} days`;
}

function formatGrowingSite(site: SiteGrowth, depth: number): string[] {
  const t = site.trend;
  const out = [
    `  ${frameName(site.site)}`,
    `      grows ${formatBytes(t.slopePerMinute)}/min, ${site.verdict.confidence} confidence: ${formatBytes(t.first)} → ${formatBytes(t.last)}; τ=${t.tau.toFixed(2)}, p=${formatP(t.pRising)}, R²=${t.rSquared.toFixed(2)}, steadiness ${t.steadiness.toFixed(2)} (least squares: ${formatBytes(t.leastSquaresSlopePerMinute)}/min, R²=${t.leastSquaresRSquared.toFixed(2)})`,
  ];
  if (site.below.length > 0) out.push(`      allocated by ${site.below.map(frameName).reverse().join(' → ')}`);
  if (site.callers.length > 0) {
    const chain = site.callers.slice(0, depth).map(frameName);
    if (site.callers.length > depth) chain.push('…');
    out.push(`      called from ${chain.join(' ← ')}`);
  }
  return out;
}

/** conclusion is the one-line answer: what grows and how fast, or that nothing does. */
export function conclusion(report: GrowthReport): string {
  const top = report.growing[0];
  const external = report.external;
  const externalGrows = external?.verdict.kind === 'growing';
  if (report.total.verdict.kind === 'unknown') return `Verdict: too few heap profiles (${report.times.length}) to judge growth; watch longer.`;
  if (!top) {
    if (externalGrows) {
      const site = external!.sites?.[0];
      const grows = `Verdict: memory outside the V8 heap (external: Buffers, external strings) grows ${formatBytes(external!.trend.slopePerMinute)}/min (${external!.verdict.confidence} confidence)`;
      if (site) {
        const gained = site.strings ? `+${formatBytes(site.bytesNow)} of the external strings it made alive at the end, new since the start` : `+${formatBytes(site.bytesNow - site.bytesThen)} of sampled Buffers alive`;
        return `${grows}, allocated in ${site.site.functionName || '(anonymous)'} via ${site.via} (${gained}).`;
      }
      return `${grows}; V8's heap profile does not sample it, so no allocation site is named.`;
    }
    if (report.total.verdict.kind === 'growing' && report.total.verdict.confidence === 'high') {
      // The total rises steadily, with high confidence, though no single site does (JIT inlining can move a
      // site's samples to its caller mid-watch). A medium rise is often a service warming up: no alarm for it.
      const gainer = [...report.others].sort((a, b) => b.trend.last - b.trend.first - (a.trend.last - a.trend.first))[0];
      const best = gainer && gainer.trend.last > gainer.trend.first ? `; the largest gain is in ${gainer.site.functionName || '(anonymous)'} (+${formatBytes(gainer.trend.last - gainer.trend.first)})` : '';
      return `Verdict: in-use memory grows ${formatBytes(report.total.trend.slopePerMinute)}/min (${report.total.verdict.confidence} confidence), though no single allocation site grows steadily${best}.`;
    }
    return `Verdict: no allocation site grows steadily; total in use is ${report.total.verdict.kind} at ${formatBytes(report.total.trend.last)}.`;
  }
  const more = report.growing.length > 1 ? ` (and ${report.growing.length - 1} more growing site${report.growing.length > 2 ? 's' : ''})` : '';
  const outside = externalGrows ? `; memory outside the V8 heap grows ${formatBytes(external!.trend.slopePerMinute)}/min too` : '';
  // The V8 builtin the site called to allocate, as "renderPage via join" (Node's own frames are in the report).
  const called = top.below[top.below.length - 1];
  const via = called && called.file === '' && called.functionName !== '' ? ` via ${called.functionName}` : '';
  return `Verdict: in-use memory allocated in ${siteName(top)}${via} grows ${formatBytes(top.trend.slopePerMinute)}/min (${top.verdict.confidence} confidence)${more}${outside}.`;
}

/**
 * siteName is a growing site as the verdict names it: its function, and for an
 * anonymous one (a callback) also the named function of the app that called it:
 * "(anonymous) job-runner.ts:19 (called from buildJobRecord)".
 */
function siteName(site: SiteGrowth): string {
  const name = site.site.functionName || '(anonymous)';
  if (!name.startsWith('(anonymous)')) return name;
  const caller = site.callers.find((f) => f.file !== '' && !f.file.startsWith('node:') && f.functionName !== '' && !f.functionName.startsWith('(anonymous)'));
  return caller ? `${name} (called from ${caller.functionName})` : name;
}

/** frameName renders a frame as `function file:line`. */
export function frameName(frame: Frame): string {
  const where = frame.file ? ` ${frame.file}${frame.line > 0 ? `:${frame.line}` : ''}` : '';
  return `${frame.functionName || '(anonymous)'}${where}`;
}

function describeTrend(slope: number, kind: string): string {
  if (kind === 'growing' || kind === 'shrinking') return `${kind} ${formatBytes(Math.abs(slope))}/min`;
  return kind;
}

/** formatBytes prints bytes with pprof's binary units: 512B, 1.50kB, 12.31MB. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let u = 0;
  while (value >= 1024 && u < units.length - 1) {
    value /= 1024;
    u++;
  }
  return `${sign}${u === 0 ? Math.round(value) : value.toFixed(2)}${units[u]}`;
}

function formatSigned(bytes: number): string {
  return (bytes >= 0 ? '+' : '') + formatBytes(bytes);
}

/** formatDuration prints ms as 850ms, 12.5s, 3m05s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
