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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotReportsOf } from '../../src/cli/snapshot-command.js';
import { joinHolders } from '../../src/leak/holders.js';
import { formatLeakReport, judgeProfiles } from '../../src/leak/hunt.js';
import { readHeapSnapshot } from '../../src/snapshot/read-snapshot.js';
import { SnapshotDigest } from '../../src/snapshot/snapshot-digest.js';
import { writeLeakingSnapshots } from '../support/leaking-snapshots.js';
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

/**
 * startWatchPage serves the watch's page for `run` (the CLI's part, played by the test) until
 * stop() is called: the URL it prints, the serving promise, and stop.
 */
async function startWatchPage(reloadMs: number, run: (ui: WatchUi) => Promise<void>, snapshotReports?: Parameters<typeof serveWatchUi>[4]) {
  const out = new PassThrough();
  let printed = '';
  out.on('data', (c: Buffer) => { printed += c.toString(); });
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  const serving = serveWatchUi('http://127.0.0.1:6060', reloadMs, { http: '127.0.0.1:0', noBrowser: true, stdout: out, stderr: out, cwd: process.cwd(), stop: stopped }, run, snapshotReports);
  while (!/Serving web UI on (\S+)/.test(printed)) await new Promise((r) => setTimeout(r, 20));
  return { url: /Serving web UI on (\S+)/.exec(printed)![1]!, serving, stop };
}

describe('tsprof watch -http in Chromium', { skip: skipUnless('chromium') }, () => {
  let browser: ChromiumSession;
  before(async () => {
    [browser] = await Promise.all([launchChromium(), ensurePageBundle()]);
  });
  after(async () => { await browser?.close(); });

  test('live readings, reloading, then the report with a plot and fit per series', async () => {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => { finish = resolve; });
    const report = judgeProfiles(growingSeries());
    const t0 = Date.UTC(2026, 11, 3, 12);
    const { url, serving, stop } = await startWatchPage(1000, async (ui: WatchUi) => {
      ui.progress(t0, 1 << 20, '');
      ui.progress(t0 + 5000, 3 << 20, 'main.parseContainerMetricsResponse +2MB');
      await finished;
      ui.done(report.growth, report.conclusion, formatLeakReport(report));
    });
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

  test('live: each series judged on the readings so far (from the third), per growing site, with its fit', async () => {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => { finish = resolve; });
    const soFar = judgeProfiles(growingSeries()).growth;
    const { url, serving, stop } = await startWatchPage(60_000, async (ui: WatchUi) => {
      soFar.times.forEach((t, i) => ui.progress(t, soFar.total.bytes[i]!, '', i >= 2 ? judgeProfiles(growingSeries().slice(0, i + 1)).growth : undefined));
      await finished;
    });
    const page = await browser.context.newPage();
    await page.goto(url);
    const charts = await page.$$eval('#watch-live svg.chart', (svgs) => svgs.map((s) => ({ series: s.getAttribute('data-series'), dots: s.querySelectorAll('circle').length, fit: s.querySelector('line.fit') !== null })));
    assert.equal(charts[0]!.series, 'in use (all sites)');
    const site = charts.find((c) => c.series!.startsWith('main.parseContainerMetricsResponse'));
    assert.ok(site, JSON.stringify(charts));
    assert.deepEqual([site.dots, site.fit], [6, true], 'the readings so far, with their fit');
    assert.match((await page.textContent('#watch-live'))!, /\/min — growing/);
    await page.close();
    finish();
    stop();
    assert.equal(await serving, 0);
  });

  test('with snapshots: why it is held, each holder\'s path a chain of links into the snapshots\' own pages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsprof-watch-page-'));
    let stop = () => {};
    try {
      const [first, , last] = await writeLeakingSnapshots(dir);
      const [start, end] = [await readHeapSnapshot(first!), await readHeapSnapshot(last!)];
      const report = judgeProfiles(growingSeries());
      const held = joinHolders(report.growth, start, end);
      const served = await startWatchPage(1000, async (ui: WatchUi) => {
        ui.done(report.growth, report.conclusion, formatLeakReport(report), { memory: held, snapshots: { earlier: [new SnapshotDigest(start)], last: end } });
      }, snapshotReportsOf);
      const { url, serving } = served;
      stop = served.stop;
      const page = await browser.context.newPage();
      await page.goto(url);
      const holders = (await page.textContent('#watch-holders'))!;
      assert.match(holders, /held by `global\.registry` \(a Map, 500 → 1500 entries of Session/);
      assert.match(holders, /fix: evict or bound the cache/);
      const chains = await page.$$eval('#watch-holders .chain', (ds) => ds.map((d) => d.textContent));
      assert.ok(chains.includes('(root) → global.registry → Map'), JSON.stringify(chains));
      // The chain: each object on the path from the roots is a link to its retainers in the end snapshot.
      const registry = held.accumulations.find((h) => h.holder === '`global.registry`')!;
      const mapId = registry.pathIds!.at(-1)!;
      assert.equal(registry.nodeId, mapId, 'the holder is the last object of its path');
      const links = await page.$$eval('#watch-holders a[data-node]', (as) => as.map((a) => a.getAttribute('data-node')));
      assert.ok(links.includes(String(mapId)), `the Map @${mapId} is a link: ${links.join(' ')}`);
      await Promise.all([page.waitForURL(new RegExp(`/ui/snapshot/retainers\\?target=%40${mapId}$`)), page.click(`#watch-holders a[data-node="${mapId}"] >> nth=0`)]);
      const text = (await page.textContent('#report-text'))!;
      assert.equal(text, snapshotReportsOf({ earlier: [start], last: end }, ['start.heapsnapshot', 'end.heapsnapshot'])('retainers', [`@${mapId}`]).text);
      assert.match(text, /path: global\.registry → Map/);
      // From there the snapshot pages work as under tsprof snapshot -http: the dominator tree under the Map.
      await page.goto(url + `snapshot/dominators?target=%40${mapId}`);
      // The Map keeps its hash table, and the table the 1500 Sessions (and a few V8 slots).
      const table = /^\s*\S+\s+\S+\s+\S+\s+(\d+)\s+\(array\) @\d+  \.\(table\)$/m.exec((await page.textContent('#report-text'))!);
      assert.ok(table && Number(table[1]) >= 1500, `the Map's table dominates the sessions: ${table?.[0]}`);
      await page.goto(url + 'snapshot');
      assert.match(page.url(), /\/ui\/snapshot\/$/);
      await page.close();
      stop();
      assert.equal(await serving, 0);
    } finally {
      stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
