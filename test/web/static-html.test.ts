/**
 * `tsprof -html -output FILE`: one self-contained page, opened from disk in
 * Chromium with the network off, shows the interactive flame graph and the
 * top table, and asks for nothing but itself.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultConfig } from '../../src/driver/config.js';
import { generateReport } from '../../src/driver/generate.js';
import { runCli } from '../support/cli-capture.js';
import { skipUnless } from '../support/required-tool.js';
import { type ChromiumSession, launchChromium } from './chromium.js';
import { topRows } from './top-text.js';
import { ensurePageBundle, fixture, loadFixture } from './web-fixtures.js';

declare const window: any;

describe('tsprof -html', { skip: skipUnless('chromium') }, () => {
  let browser: ChromiumSession;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsprof-html-'));
    [browser] = await Promise.all([launchChromium(), ensurePageBundle()]);
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('writes one file that works from disk with the network disabled', async () => {
    const out = join(dir, 'flame.html');
    const source = fixture('v8', 'leaky.cpuprofile');
    const run = await runCli(['-html', '-output', out, source]);
    assert.equal(run.code, 0, run.stderr);
    const html = readFileSync(out, 'utf8');
    assert.doesNotMatch(html, /<(script|link|img|iframe)[^>]+(src|href)=/i, 'no external resources');

    await browser.context.setOffline(true);
    const page = await browser.context.newPage();
    const requested: string[] = [];
    await page.route('**/*', (route) => {
      requested.push(route.request().url());
      return route.request().url().startsWith('file:') ? route.continue() : route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(out).href);
    const box = await page.evaluate(() => window.tsprofFlame.locate('fetchKubeletMetrics') as { x: number; y: number } | undefined);
    assert.ok(box, 'the flame graph is drawn');
    await page.mouse.move(box.x, box.y);
    await page.waitForSelector('#flame-tooltip:not([hidden])');
    assert.match((await page.textContent('#flame-tooltip'))!, /^fetchKubeletMetrics/);
    await page.mouse.click(box.x, box.y);
    await page.waitForFunction(() => /pivot=\d+/.test(window.location.hash));

    await page.click('button[data-tab="pane-top"]');
    const rows = await page.$$eval('#top-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.deepEqual(rows, topRows(await generateReport(await loadFixture([source]), { ...defaultConfig(), nodeCount: 500 }, 'top')));
    assert.deepEqual(errors, []);
    assert.deepEqual(requested.filter((u) => u !== pathToFileURL(out).href), [], 'nothing but the file itself was requested');
    await page.close();
    await browser.context.setOffline(false);
  });
});
