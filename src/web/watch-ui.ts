import { holderPhrase } from '../leak/format-holders.js';
import type { GrowthReport } from '../leak/growth-report.js';
import type { Holder, HeldMemory } from '../leak/holders.js';
import type { SnapshotSeries } from '../snapshot/snapshot-digest.js';
import { renderPage } from './page-html.js';
import type { ServeOptions } from './serve-web-ui.js';
import { serveUntilStopped } from './serve-web-ui.js';
import { type SnapshotReport, snapshotRoute } from './snapshot-ui.js';
import { startUiServer, type UiRoute } from './ui-server.js';
import type { WatchHolder, WatchPageData, WatchSeries } from './view-data.js';

/** The names the watch's two snapshots go by on their pages. */
const snapshotFiles = ['start.heapsnapshot', 'end.heapsnapshot'];

/** WatchUi is the state `tsprof watch -http` shows: the CLI feeds it progress, then the report. */
export interface WatchUi {
  /** progress records one reading: its time, the in-use total, the site that rose most so far, and the readings judged so far. */
  progress(time: number, totalBytes: number, leader: string, growthSoFar?: GrowthReport): void;
  /**
   * done shows the report: its growth (plotted), conclusion and text (as the CLI prints it), and with
   * snapshots what holds the memory, each path a chain of links into the snapshots' pages (`snapshots`).
   */
  done(growth: GrowthReport, conclusion: string, text: string, held?: { memory: HeldMemory; snapshots?: SnapshotSeries }): void;
}

/**
 * watchHoldersOf lists the holders the page shows: each growing site's
 * first, then the external memory's, then the other accumulation points, once each.
 */
export function watchHoldersOf(held: HeldMemory): WatchHolder[] {
  const out: WatchHolder[] = [];
  const seen = new Set<string>();
  const add = (h: Holder | undefined, site?: string) => {
    if (!h || seen.has(h.holder)) return;
    seen.add(h.holder);
    const labels = h.path.split(' → ');
    const ids = h.pathIds?.length === labels.length ? h.pathIds : undefined;
    let steps: WatchHolder['steps'] = labels.map((label, i) => (ids ? { label, id: ids[i]!, ...(h.pathEdges?.[i] !== undefined ? { edge: h.pathEdges[i] } : {}) } : { label }));
    // V8 14 (Node 26) roots the user's objects at the native context; its global object starts the chain, as before.
    steps = steps.filter((step, i) => !(step.label.startsWith('system / NativeContext') && steps[i + 1]?.label === 'global'));
    out.push({
      ...(site ? { site } : {}),
      text: holderPhrase(h),
      steps,
      ...(h.nodeId !== undefined ? { nodeId: h.nodeId } : {}),
      ...(h.remedy ? { remedy: h.remedy } : {}),
    });
  };
  for (const s of held.sites) add(s.holders[0], `${s.site.functionName}${s.site.file ? ` ${s.site.file}${s.site.line > 0 ? ':' + s.site.line : ''}` : ''}`);
  add(held.external?.holders[0], 'memory outside the V8 heap');
  for (const h of held.accumulations) add(h);
  return out;
}

/** seriesOf lists what the report's plots show: the total, external memory, and each growing site. */
export function seriesOf(growth: GrowthReport): WatchSeries[] {
  const out: WatchSeries[] = [{ label: 'in use (all sites)', bytes: growth.total.bytes, slopePerMinute: growth.total.trend.slopePerMinute, verdict: growth.total.verdict.reason }];
  if (growth.external) out.push({ label: 'external (Buffers, external strings)', bytes: growth.external.bytes, slopePerMinute: growth.external.trend.slopePerMinute, verdict: growth.external.verdict.reason });
  for (const g of growth.growing) {
    const where = g.site.file !== '' ? ` ${g.site.file}${g.site.line > 0 ? ':' + g.site.line : ''}` : '';
    out.push({ label: `${g.site.functionName}${where}`, bytes: g.bytes, slopePerMinute: g.trend.slopePerMinute, verdict: `${g.verdict.kind} (${g.verdict.confidence}): ${g.verdict.reason}` });
  }
  return out;
}

/**
 * serveWatchUi serves the watch's page while run() watches: live progress
 * (the page reloads itself; it fetches nothing), then the report with each
 * series plotted against its fit and, with snapshots, what holds the memory
 * with links into the snapshots' pages (run by `snapshotReports`), until interrupted after the watch (or,
 * given options.stop, until the watch is done and stop resolves).
 */
export async function serveWatchUi(
  watching: string,
  intervalMs: number,
  options: ServeOptions,
  run: (ui: WatchUi) => Promise<void>,
  snapshotReports?: (snapshots: SnapshotSeries, files: string[]) => SnapshotReport,
): Promise<number> {
  const page: WatchPageData = {
    kind: 'watch', title: `tsprof watch ${watching}`, watching, live: true, reloadMs: Math.max(1000, Math.min(intervalMs, 10_000)),
    progress: { times: [], totalBytes: [], leader: '' }, times: [], series: [], conclusion: '', text: '', holders: [], snapshotPages: false,
  };
  let snapshots: UiRoute | undefined;
  const ui: WatchUi = {
    progress(time, totalBytes, leader, growthSoFar) {
      page.progress.times.push(time);
      page.progress.totalBytes.push(totalBytes);
      page.progress.leader = leader;
      if (growthSoFar) Object.assign(page.progress, { seriesTimes: growthSoFar.times, series: seriesOf(growthSoFar) });
    },
    done(growth, conclusion, text, held) {
      if (held?.snapshots && snapshotReports) snapshots = snapshotRoute(snapshotReports(held.snapshots, snapshotFiles), snapshotFiles);
      Object.assign(page, { live: false, times: growth.times, series: seriesOf(growth), conclusion, text, holders: held ? watchHoldersOf(held.memory) : [], snapshotPages: snapshots !== undefined });
    },
  };
  // The server outlives the watch: Ctrl-C during the watch ends the watch (the CLI's own handler), and
  // one after it ends the server. A failed watch ends the server at once, and its error is the command's.
  let release!: () => void;
  const stop = new Promise<void>((resolve) => { release = resolve; });
  let watched: Promise<void> = Promise.resolve();
  const status = await serveUntilStopped(async (address, log) => {
    const server = await startUiServer(address, async (name, url, req) => {
      if (name === '' || name === 'watch') return { kind: 'page', html: renderPage(page) };
      // The snapshots' own pages, under snapshot/ (their links are relative, so they stay there).
      if (snapshots && (name === 'snapshot' || name.startsWith('snapshot/'))) return name === 'snapshot' ? { kind: 'redirect', location: 'snapshot/' } : snapshots(name.slice('snapshot/'.length), url, req);
      return undefined;
    }, log);
    watched = run(ui);
    watched.then(() => {
      if (options.stop) return void options.stop.then(release);
      options.stderr.write('tsprof watch: the report stays on the web page; Ctrl-C ends the server\n');
      const onSignal = () => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); release(); };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }, () => release());
    return server;
  }, { ...options, stop });
  await watched;
  return status;
}
