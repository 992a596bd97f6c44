/**
 * Debian's Chromium driven by playwright-core (no browser download), as the
 * web UI's browser tests use it: headless, no network services of its own, a
 * new empty profile directory each time. Tests skip it with skipUnless('chromium').
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

/** chromiumPath is Debian's chromium binary (TSPROF_CHROMIUM overrides it). */
export const chromiumPath = process.env.TSPROF_CHROMIUM ?? '/usr/bin/chromium';

/** ChromiumSession is one running browser with its throwaway profile directory. */
export interface ChromiumSession {
  context: BrowserContext;
  close(): Promise<void>;
}

/** launchChromium starts headless Chromium with a fresh --user-data-dir (playwright passes it for persistent contexts). */
export async function launchChromium(): Promise<ChromiumSession> {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'tsprof-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
