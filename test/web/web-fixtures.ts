/**
 * What the web UI tests share: the page bundle built once (as `npm run build`
 * does), the fixture profiles, and an in-process web UI on loopback.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type Config } from '../../src/driver/config.js';
import { fetchProfiles } from '../../src/driver/fetch.js';
import type { Profile } from '../../src/profile/profile.js';
import { type PageBuild, buildPageBundle } from '../../src/web/build-page.js';
import { type WebUi, startWebUi } from '../../src/web/web-server.js';

/** fixture is a path under test/fixtures. */
export const fixture = (...parts: string[]) => join(process.cwd(), 'test', 'fixtures', ...parts);

let built: Promise<PageBuild> | undefined;

/** ensurePageBundle builds the page code once per test process (the compiled tests may be newer than the last build). */
export function ensurePageBundle(): Promise<PageBuild> {
  built ??= buildPageBundle();
  return built;
}

/** loadFixture reads profiles as the CLI does (sources, optional -diff_base). */
export function loadFixture(sources: string[], diffBase: string[] = []): Promise<Profile> {
  return fetchProfiles({ sources, base: diffBase, diffBase: diffBase.length > 0, normalize: false, load: {} });
}

/**
 * serveFixture starts the web UI on 127.0.0.1 with any free port, after
 * building the page. Saved configurations go to settingsFile, by default a
 * file in a fresh temporary directory: tests never touch the user's settings.
 */
export async function serveFixture(profile: Profile, config: Partial<Config> = {}, settingsFile = join(mkdtempSync(join(tmpdir(), 'tsprof-settings-')), 'settings.json')): Promise<WebUi> {
  await ensurePageBundle();
  return startWebUi({ profile, config: { ...defaultConfig(), ...config }, address: { host: '127.0.0.1', port: 0 }, settingsFile });
}
