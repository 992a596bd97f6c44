import { UsageError } from '../errors.js';
import { renderPage } from './page-html.js';
import { type ServeOptions, serveUntilStopped } from './serve-web-ui.js';
import { startUiServer, type UiRoute } from './ui-server.js';
import type { SnapshotPageData, SnapshotReportName } from './view-data.js';

/**
 * SnapshotReport runs one `tsprof snapshot` subcommand's report (the CLI's
 * own code, passed in by the CLI) on the loaded snapshots: summary, leaks
 * and retainers of the last snapshot, diff of them all.
 */
export type SnapshotReport = (report: SnapshotReportName, extra: string[]) => { json: unknown; text: string };

const reports: Readonly<Record<string, SnapshotReportName>> = { '': 'summary', summary: 'summary', leaks: 'leaks', retainers: 'retainers', dominators: 'dominators', diff: 'diff' };

/**
 * snapshotRoute answers the snapshot pages (summary, dominators, leaks,
 * retainers, diff) of the loaded snapshots: each the text of its `tsprof
 * snapshot` subcommand, computed by the CLI's own code (`report`). The watch's
 * page mounts it under `snapshot/` for the snapshots it took.
 */
export function snapshotRoute(report: SnapshotReport, files: string[]): UiRoute {
  const cache = new Map<string, string>();
  return async (name, url) => {
    const kind = reports[name];
    if (kind === undefined) return undefined;
    if (kind === 'diff' && files.length < 2) return { kind: 'status', status: 404, text: 'diff needs two or three snapshots: tsprof snapshot -http=... OLD.heapsnapshot NEW.heapsnapshot' };
    const target = url.searchParams.get('target') ?? '';
    const key = `${kind}?${target}`;
    let html = cache.get(key);
    if (html === undefined) {
      let result = { json: undefined as unknown, text: 'Give an object: a node id (@123) or a constructor name.\n' };
      if (kind !== 'retainers' || target !== '') {
        try {
          result = report(kind, kind === 'retainers' || (kind === 'dominators' && target !== '') ? [target] : []);
        } catch (err) {
          // A target that is not in the snapshot is the user's input: shown on the page, not an error page.
          if (!(err instanceof UsageError)) throw err;
          result = { json: undefined, text: (err as Error).message + '\n' };
        }
      }
      const data: SnapshotPageData = { kind: 'snapshot', report: kind, title: `${files[files.length - 1]} ${kind}`, files, target, text: result.text, json: result.json, canDiff: files.length >= 2 };
      html = renderPage(data);
      if (cache.size >= 32) cache.delete(cache.keys().next().value!);
      cache.set(key, html);
    }
    return { kind: 'page', html };
  };
}

/**
 * serveSnapshotUi is `tsprof snapshot -http=[host]:port FILE...`: the heap
 * snapshot's summary by constructor, its leak signatures, the retainers of
 * any object (object ids are links, so its dominators are a chain of links),
 * the dominator tree opened level by level and, with two or three snapshots,
 * their diff, with the access rules of every tsprof web UI.
 */
export function serveSnapshotUi(report: SnapshotReport, files: string[], options: ServeOptions): Promise<number> {
  const route = snapshotRoute(report, files);
  return serveUntilStopped((address, log) => startUiServer(address, route, log), options);
}
