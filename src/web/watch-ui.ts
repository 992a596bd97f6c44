import type { GrowthReport } from '../leak/growth-report.js';
import { renderPage } from './page-html.js';
import type { ServeOptions } from './serve-web-ui.js';
import { serveUntilStopped } from './serve-web-ui.js';
import { startUiServer } from './ui-server.js';
import type { WatchPageData, WatchSeries } from './view-data.js';

/** WatchUi is the state `tsprof watch -http` shows: the CLI feeds it progress, then the report. */
export interface WatchUi {
  /** progress records one reading: its time, the in-use total, and the site that rose most so far. */
  progress(time: number, totalBytes: number, leader: string): void;
  /** done shows the report: its growth (plotted), conclusion and text (as the CLI prints it). */
  done(growth: GrowthReport, conclusion: string, text: string): void;
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
 * series plotted against its fit, until interrupted after the watch (or,
 * given options.stop, until the watch is done and stop resolves).
 */
export async function serveWatchUi(watching: string, intervalMs: number, options: ServeOptions, run: (ui: WatchUi) => Promise<void>): Promise<number> {
  const page: WatchPageData = {
    kind: 'watch', title: `tsprof watch ${watching}`, watching, live: true, reloadMs: Math.max(1000, Math.min(intervalMs, 10_000)),
    progress: { times: [], totalBytes: [], leader: '' }, times: [], series: [], conclusion: '', text: '',
  };
  const ui: WatchUi = {
    progress(time, totalBytes, leader) {
      page.progress.times.push(time);
      page.progress.totalBytes.push(totalBytes);
      page.progress.leader = leader;
    },
    done(growth, conclusion, text) {
      Object.assign(page, { live: false, times: growth.times, series: seriesOf(growth), conclusion, text });
    },
  };
  // The server outlives the watch: Ctrl-C during the watch ends the watch (the CLI's own handler), and
  // one after it ends the server. A failed watch ends the server at once, and its error is the command's.
  let release!: () => void;
  const stop = new Promise<void>((resolve) => { release = resolve; });
  let watched: Promise<void> = Promise.resolve();
  const status = await serveUntilStopped(async (address, log) => {
    const server = await startUiServer(address, async (name) => (name === '' || name === 'watch' ? { kind: 'page', html: renderPage(page) } : undefined), log);
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
