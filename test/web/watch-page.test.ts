/**
 * `tsprof watch -http`: while the watch runs, the page shows the readings so
 * far and reloads itself (it fetches nothing); when it ends, it plots each
 * series (the total, every growing site) against its fit, with the verdict,
 * and shows the report as the CLI prints it. In Chromium.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { formatLeakReport, judgeProfiles } from '../../src/leak/hunt.js';
import { decodeProfile } from '../../src/profile/decode.js';
import { type WatchUi, serveWatchUi } from '../../src/web/watch-ui.js';
import { skipUnless } from '../support/required-tool.js';
import { type ChromiumSession, launchChromium } from './chromium.js';
import { ensurePageBundle, fixture } from './web-fixtures.js';

/** growingSeries is six heap profiles 10 s apart, heap_t1's values growing by half of themselves each step (as test/cli/watch-files). */
function growingSeries() {
  const base = decodeProfile(readFileSync(fixture('go', 'heap_t1.pb.gz')), 'heap_t1.pb.gz');
  return Array.from({ length: 6 }, (_, i) => ({
    name: `heap-${i}`,
    profile: { ...base, timeNanos: base.timeNanos + BigInt(i) * 10_000_000_000n, samples: { ...base.samples, values: base.samples.values.map((v) => v * (1 + i / 2)) } },
  }));
}

describe('tsprof watch -http in Chromium', { skip: skipUnless('chromium') }, () => {
  let browser: ChromiumSession;
  before(async () => {
    [browser] = await Promise.all([launchChromium(), ensurePageBundle()]);
  });
  after(async () => { await browser?.close(); });

  test('live readings, reloading, then the report with a plot and fit per series', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (c: Buffer) => { printed += c.toString(); });
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => { finish = resolve; });
    const report = judgeProfiles(growingSeries());
    const t0 = Date.UTC(2026, 11, 3, 12);
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => { stop = resolve; });
    const serving = serveWatchUi('http://127.0.0.1:6060', 1000, { http: '127.0.0.1:0', noBrowser: true, stdout: out, stderr: out, cwd: process.cwd(), stop: stopped }, async (ui: WatchUi) => {
      ui.progress(t0, 1 << 20, '');
      ui.progress(t0 + 5000, 3 << 20, 'main.parseContainerMetricsResponse +2MB');
      await finished;
      ui.done(report.growth, report.conclusion, formatLeakReport(report));
    });
    while (!/Serving web UI on (\S+)/.test(printed)) await new Promise((r) => setTimeout(r, 20));
    const url = /Serving web UI on (\S+)/.exec(printed)![1]!;
    const page = await browser.context.newPage();
    await page.goto(url);
    assert.match((await page.textContent('#watch-live'))!, /2 profiles, in use 3MB; most: main\.parseContainerMetricsResponse \+2MB/);
    assert.equal((await page.$$('#watch-live svg.chart circle')).length, 2);
    finish();
    // The live page reloads itself within its period (1 s) and then shows the report.
    await page.waitForSelector('#watch-report', { timeout: 5000 });
    assert.equal(await page.textContent('#watch-conclusion'), report.conclusion);
    assert.equal(await page.textContent('#report-text'), formatLeakReport(report));
    const charts = await page.$$eval('svg.chart', (svgs) => svgs.map((s) => ({ series: s.getAttribute('data-series'), dots: s.querySelectorAll('circle').length, fit: s.querySelector('line.fit') !== null })));
    assert.equal(charts[0]!.series, 'in use (all sites)');
    const site = charts.find((c) => c.series!.startsWith('main.parseContainerMetricsResponse'));
    assert.ok(site, JSON.stringify(charts));
    assert.deepEqual([site.dots, site.fit], [6, true]);
    await page.close();
    // The server outlives the watch until stopped (Ctrl-C in the CLI).
    assert.equal((await fetch(url)).status, 200);
    stop();
    assert.equal(await serving, 0);
  });
});
