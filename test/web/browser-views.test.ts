/**
 * The web UI's views in real Chromium: the flame graph (pivot, search,
 * hover, diff colours), top against `-top`, the graph's SVG, source lines,
 * and a refine round trip through the URL. One browser for the whole file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { defaultConfig } from '../../src/driver/config.js';
import { generateReport } from '../../src/driver/generate.js';
import type { Profile } from '../../src/profile/profile.js';
import type { WebUi } from '../../src/web/web-server.js';
import { skipUnless } from '../support/required-tool.js';
import { type ChromiumSession, launchChromium } from './chromium.js';
import { fixture, loadFixture, serveFixture } from './web-fixtures.js';

/** topRows parses `-top` text into its cells: flat, flat%, sum%, cum, cum%, name. */
function topRows(text: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\s+flat\s+flat%\s+sum%\s+cum\s+cum%/.test(l));
  return lines.slice(start + 1).filter((l) => l.trim() !== '').map((l) => {
    const m = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s{2}(.*)$/.exec(l)!;
    return m.slice(1, 7);
  });
}

async function tableRows(page: Page): Promise<string[][]> {
  return page.$$eval('#top-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

describe('web UI views in Chromium', { skip: skipUnless('chromium') }, () => {
  let browser: ChromiumSession;
  let cpu: Profile;
  let ui: WebUi;
  let sourceRoot: string;

  before(async () => {
    sourceRoot = mkdtempSync(join(tmpdir(), 'tsprof-web-src-'));
    mkdirSync(join(sourceRoot, 'v8'));
    cpSync(fixture('v8', 'leaky-fetcher.js.txt'), join(sourceRoot, 'v8', 'leaky-fetcher.js'));
    cpu = await loadFixture([fixture('v8', 'leaky.cpuprofile')]);
    [browser, ui] = await Promise.all([launchChromium(), serveFixture(cpu, { sourcePath: join(sourceRoot, 'v8') })]);
  });
  after(async () => {
    await Promise.all([browser?.close(), ui?.close()]);
    rmSync(sourceRoot, { recursive: true, force: true });
  });

  test('top shows the rows of -top, cell for cell', async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(ui.url.replace(/\/ui\/.*/, '/ui/top'));
    assert.equal(response?.status(), 200);
    const expected = topRows(await generateReport(cpu, { ...defaultConfig(), nodeCount: 500 }, 'top'));
    assert.ok(expected.length > 10, `fixture has rows: ${expected.length}`);
    assert.deepEqual(await tableRows(page), expected);
    await page.close();
  });
});
