import type { Config } from '../driver/config.js';
import type { Profile } from '../profile/profile.js';
import type { ListenAddress } from './listen-address.js';
import { renderPage } from './page-html.js';
import { defaultSettingsFile, deleteConfig, readSavedConfigs, saveConfig, settingsQuery } from './saved-configs.js';
import { type UiAnswer, type WebUi, readBody, sameOrigin, startUiServer } from './ui-server.js';
import { configFromQuery } from './url-config.js';
import type { ViewName } from './view-data.js';
import { computeView, downloadProfile } from './views.js';

export type { WebUi } from './ui-server.js';

/** WebUiOptions say what the web UI shows and where it listens. */
export interface WebUiOptions {
  profile: Profile;
  /** The command line's settings; each request's URL parameters apply on top. */
  config: Config;
  address: ListenAddress;
  /** Receives report warnings and request errors, one line each. */
  log?: (line: string) => void;
  /** Where -list finds sources (default process.cwd()). */
  cwd?: string;
  /** Where named configurations are saved (default: tsprof's settings file in the user's config directory). */
  settingsFile?: string;
}

const views: Readonly<Record<string, ViewName>> = {
  '': 'flamegraph',
  flamegraph: 'flamegraph',
  top: 'top',
  graph: 'graph',
  peek: 'peek',
  source: 'source',
};

/** How many computed pages to keep, keyed by view and URL parameters (moving between views and back is common). */
const pageCacheSize = 16;

/** startWebUi serves the profile's views (flamegraph, top, graph, peek, source, download) under /ui/, as pprof's -http. */
export function startWebUi(options: WebUiOptions): Promise<WebUi> {
  const cache = new Map<string, string>();
  const log = options.log ?? (() => {});
  const settingsFile = options.settingsFile ?? defaultSettingsFile();
  const text = (status: number, message: string): UiAnswer => ({ kind: 'status', status, text: message });
  return startUiServer(options.address, async (name, url, req) => {
    if (name === 'saveconfig' || name === 'deleteconfig') {
      if (req.method !== 'POST') return text(405, `${name}: POST only`);
      if (!sameOrigin(req)) return text(403, `forbidden: ${name} is only accepted from the web UI's own pages`);
      const form = new URLSearchParams(await readBody(req, 64 * 1024));
      const query = new URLSearchParams(form.get('query') ?? '');
      if (name === 'saveconfig') saveConfig(settingsFile, form.get('config') ?? '', query);
      else deleteConfig(settingsFile, form.get('config') ?? '');
      cache.clear();
      const back = views[form.get('view') ?? ''] ?? 'flamegraph';
      const q = settingsQuery(query);
      return { kind: 'redirect', location: back + (q === '' ? '' : '?' + q) };
    }
    const cfg = configFromQuery(options.config, url.searchParams);
    if (name === 'download') return { kind: 'file', type: 'application/octet-stream', body: await downloadProfile(options.profile, cfg), filename: 'profile.pb.gz' };
    const view = views[name];
    if (view === undefined) return undefined;
    const key = view + '?' + [...url.searchParams].sort().map(([k, v]) => `${k}=${v}`).join('&');
    let html = cache.get(key);
    if (html === undefined) {
      const data = await computeView(view, { profile: options.profile, config: cfg, symbol: url.searchParams.get('f') ?? '', generate: { warn: log, cwd: options.cwd } });
      html = renderPage({ ...data, configs: readSavedConfigs(settingsFile) });
      if (cache.size >= pageCacheSize) cache.delete(cache.keys().next().value!);
      cache.set(key, html);
    }
    return { kind: 'page', html };
  }, log);
}
