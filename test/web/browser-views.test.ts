/**
 * The web UI's views in real Chromium: the flame graph (pivot, search,
 * hover, diff colours), top against `-top`, the graph's SVG, source lines,
 * the sample-type menu, and refine round trips through the URL. One browser
 * for the whole file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { type Config, defaultConfig } from '../../src/driver/config.js';
import { generateReport } from '../../src/driver/generate.js';
import { decodeProfile } from '../../src/profile/decode.js';
import type { Profile } from '../../src/profile/profile.js';
import type { WebUi } from '../../src/web/web-server.js';
import { skipUnless } from '../support/required-tool.js';
import { type ChromiumSession, launchChromium } from './chromium.js';
import { topRows } from './top-text.js';
import { fixture, loadFixture, serveFixture } from './web-fixtures.js';

// The callbacks of page.evaluate run in the page: its globals, typed loosely here (the tests compile without the DOM library).
declare const window: any, document: any, location: { hash: string };

function tableRows(page: Page): Promise<string[][]> {
  return page.$$eval('#top-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

/** topRow finds a function's -top row (flat, flat%, sum%, cum, cum%, name). */
async function cliTopRow(profile: Profile, name: string, config: Partial<Config> = {}): Promise<string[]> {
  const row = topRows(await generateReport(profile, { ...defaultConfig(), ...config }, 'top')).find((r) => r[5] === name);
  assert.ok(row, `-top has a row for ${name}`);
  return row;
}

/** locate is where the flame graph drew a frame (its widest box), in page coordinates. */
async function locate(page: Page, name: string): Promise<{ x: number; y: number } | undefined> {
  return page.evaluate((n) => window.tsprofFlame.locate(n) as { x: number; y: number } | undefined, name);
}

/** pixelAt reads the canvas colour at a page position. */
function pixelAt(page: Page, at: { x: number; y: number }): Promise<[number, number, number]> {
  return page.evaluate(({ x, y }) => {
    const canvas = document.getElementById('flame-canvas');
    const r = canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    // Read a little left of the centre line's text: the box's fill.
    const d = canvas.getContext('2d')!.getImageData(Math.round((x - r.left) * dpr), Math.round((y - r.top - 7) * dpr), 1, 1).data;
    return [d[0]!, d[1]!, d[2]!] as [number, number, number];
  }, at);
}

async function hoverText(page: Page, name: string): Promise<string> {
  const at = await locate(page, name);
  assert.ok(at, `${name} is drawn`);
  await page.mouse.move(at.x, at.y);
  await page.waitForSelector('#flame-tooltip:not([hidden])');
  return (await page.textContent('#flame-tooltip')) ?? '';
}

describe('web UI views in Chromium', { skip: skipUnless('chromium') }, () => {
  let browser: ChromiumSession;
  let cpu: Profile;
  let heap: Profile;
  let ui: WebUi;
  let heapUi: WebUi;
  let settingsFile: string;
  let grew: WebUi;
  let shrank: WebUi;
  let sourceRoot: string;
  const at = (server: WebUi, view: string) => server.url.replace(/\/ui\/.*/, `/ui/${view}`);

  before(async () => {
    sourceRoot = mkdtempSync(join(tmpdir(), 'tsprof-web-src-'));
    settingsFile = join(sourceRoot, 'config', 'tsprof', 'settings.json');
    mkdirSync(join(sourceRoot, 'v8'));
    cpSync(fixture('v8', 'leaky-fetcher.js.txt'), join(sourceRoot, 'v8', 'leaky-fetcher.js'));
    const t1 = fixture('go', 'heap_t1.pb.gz'), t2 = fixture('go', 'heap_t2.pb.gz');
    let grewProfile: Profile, shrankProfile: Profile;
    [cpu, heap, grewProfile, shrankProfile] = await Promise.all([
      loadFixture([fixture('v8', 'leaky.cpuprofile')]), loadFixture([t2]), loadFixture([t2], [t1]), loadFixture([t1], [t2]),
    ]);
    [browser, ui, heapUi, grew, shrank] = await Promise.all([
      launchChromium(),
      serveFixture(cpu, { sourcePath: join(sourceRoot, 'v8') }),
      serveFixture(heap, {}, settingsFile),
      serveFixture(grewProfile),
      serveFixture(shrankProfile),
    ]);
  });
  after(async () => {
    await Promise.all([browser?.close(), ui?.close(), heapUi?.close(), grew?.close(), shrank?.close()]);
    rmSync(sourceRoot, { recursive: true, force: true });
  });

  test('top shows the rows of -top, cell for cell', async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(at(ui, 'top'));
    assert.equal(response?.status(), 200);
    const expected = topRows(await generateReport(cpu, { ...defaultConfig(), nodeCount: 500 }, 'top'));
    assert.ok(expected.length > 10, `fixture has rows: ${expected.length}`);
    assert.deepEqual(await tableRows(page), expected);
    await page.close();
  });

  test('flame graph: hover shows name, file:line, self and total as -top prints them', async () => {
    const page = await browser.context.newPage();
    await page.goto(ui.url);
    const [flat, flatPct, , cum, cumPct] = await cliTopRow(cpu, 'fetchKubeletMetrics');
    const text = await hoverText(page, 'fetchKubeletMetrics');
    assert.match(text, /^fetchKubeletMetrics/);
    assert.match(text, /leaky-fetcher\.js:\d+/);
    assert.ok(text.includes(`total: ${cum} (${cumPct})`), text);
    assert.ok(text.includes(`self: ${flat} (${flatPct})`), text);
    await page.mouse.move(1, 1);
    await page.waitForSelector('#flame-tooltip', { state: 'hidden' });
    await page.close();
  });

  test('flame graph: a click pivots (callers above with the cum of -top, callees below), back and forward walk the pivots', async () => {
    const page = await browser.context.newPage();
    await page.goto(ui.url);
    const before = await locate(page, 'parseContainerMetricsResponse');
    assert.ok(before);
    await page.mouse.click(before.x, before.y);
    await page.waitForFunction(() => /pivot=\d+/.test(location.hash));
    const pivot = await locate(page, 'parseContainerMetricsResponse');
    const caller = await locate(page, '(anonymous) leaky-fetcher.js:1');
    const callee = await locate(page, 'slice');
    assert.ok(pivot && caller && callee, 'pivot, its caller and its callee are drawn');
    assert.ok(caller.y < pivot.y && pivot.y < callee.y, `caller ${caller.y} above pivot ${pivot.y} above callee ${callee.y}`);
    assert.equal(await locate(page, 'fetchKubeletMetrics'), undefined, 'a sibling is not in the pivot');
    const [, , , cum, cumPct] = await cliTopRow(cpu, 'parseContainerMetricsResponse');
    assert.ok((await hoverText(page, 'parseContainerMetricsResponse')).includes(`total: ${cum} (${cumPct})`));
    await page.click('#flame-back');
    await page.waitForFunction(() => !/pivot=/.test(location.hash));
    assert.ok(await locate(page, 'fetchKubeletMetrics'), 'back to the whole tree');
    await page.click('#flame-forward');
    await page.waitForFunction(() => /pivot=\d+/.test(location.hash));
    assert.equal(await locate(page, 'fetchKubeletMetrics'), undefined, 'forward to the pivot again');
    await page.close();
  });

  test('flame graph: regexp search highlights matches and gives their total as -focus does', async () => {
    const page = await browser.context.newPage();
    await page.goto(ui.url);
    const box = (await locate(page, 'fetchKubeletMetrics'))!;
    const unmatched = await pixelAt(page, box);
    await page.fill('#flame-search', 'fetchKubelet|parseContainer');
    const legend = await generateReport(cpu, { ...defaultConfig(), focus: 'fetchKubelet|parseContainer' }, 'top');
    const [, value, percent] = /accounting for (\S+), (\S+) of/.exec(legend)!;
    assert.equal(await page.textContent('#flame-search-result'), `matched ${percent} (${value})`);
    const highlighted = await pixelAt(page, box);
    assert.notDeepEqual(highlighted, unmatched);
    assert.deepEqual(highlighted, [0xe0, 0x40, 0xfb], 'matches are drawn magenta');
    const other = await pixelAt(page, (await locate(page, 'executeUserEntryPoint'))!);
    assert.notDeepEqual(other, [0xe0, 0x40, 0xfb], 'non-matches are not');
    await page.fill('#flame-search', '(');
    assert.equal(await page.$eval('#flame-search', (e) => e.classList.contains('bad')), true, 'a bad regexp is marked');
    await page.close();
  });

  test('flame graph: the icicle/flame toggle puts the root at the bottom; an area filter takes its frames out of every stack', async () => {
    const page = await browser.context.newPage();
    await page.goto(ui.url);
    const rootTop = (await locate(page, 'root'))!, childTop = (await locate(page, 'fetchKubeletMetrics'))!;
    assert.ok(rootTop.y < childTop.y, 'icicle: root above');
    await page.click('#flame-orientation');
    const rootBottom = (await locate(page, 'root'))!, childBottom = (await locate(page, 'fetchKubeletMetrics'))!;
    assert.ok(rootBottom.y > childBottom.y, `flame: root below (${rootBottom.y} vs ${childBottom.y})`);
    const appBefore = (await locate(page, 'fetchKubeletMetrics'))!;
    assert.ok(await locate(page, 'executeUserEntryPoint'), 'Node core frames are drawn');
    const colourBefore = await pixelAt(page, appBefore);
    await page.uncheck('input[data-area="node"]');
    assert.equal(await locate(page, 'executeUserEntryPoint'), undefined, 'Node core frames are gone');
    const appAfter = (await locate(page, 'fetchKubeletMetrics'))!, rootAfter = (await locate(page, 'root'))!;
    const [rowsBefore, rowsAfter] = [rootBottom.y - appBefore.y, rootAfter.y - appAfter.y];
    assert.ok(rowsAfter > 0 && rowsAfter < rowsBefore, `the app's frames move nearer the root (${rowsBefore} → ${rowsAfter} px above it)`);
    assert.deepEqual(await pixelAt(page, appAfter), colourBefore, 'app frames keep their colour');
    await page.check('input[data-area="node"]');
    assert.ok(await locate(page, 'executeUserEntryPoint'), 'checked again, they are back');
    await page.close();
  });

  test('flame graph: -diff_base colours growth red and shrinkage green', async () => {
    const page = await browser.context.newPage();
    for (const [server, want] of [[grew, 'red'], [shrank, 'green']] as const) {
      await page.goto(server.url);
      const [r, g, b] = await pixelAt(page, (await locate(page, 'main.parseContainerMetricsResponse'))!);
      if (want === 'red') assert.ok(r > g + 60 && r > b + 60, `growth is red: ${r},${g},${b}`);
      else assert.ok(g > r + 40 && g > b + 40, `shrinkage is green: ${r},${g},${b}`);
      const text = await hoverText(page, 'main.parseContainerMetricsResponse');
      assert.match(text, want === 'red' ? /change: \+/ : /change: -/);
    }
    await page.close();
  });

  test('graph: the Graphviz SVG is on the page, and the wheel zooms it', async () => {
    const page = await browser.context.newPage();
    await page.goto(at(ui, 'graph'));
    const svg = await page.waitForSelector('#graph svg');
    assert.ok((await svg.textContent())?.includes('fetchKubeletMetrics'));
    const before = await svg.getAttribute('viewBox');
    const r = (await svg.boundingBox())!;
    await page.mouse.move(r.x + r.width / 2, r.y + r.height / 2);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction((b) => document.querySelector('#graph svg').getAttribute('viewBox') !== b, before);
    await page.close();
  });

  test('source: the annotated lines of -list, through the URL parameter f', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${at(ui, 'source')}?f=parseContainer`);
    const text = await page.textContent('#report-text');
    const cli = await generateReport(cpu, { ...defaultConfig(), focus: 'parseContainer', sourcePath: join(sourceRoot, 'v8') }, { name: 'list', arg: 'parseContainer' });
    assert.equal(text, cli);
    assert.match(text!, /12\.32ms\s+12\.32ms\s+29:\s+if \(s >= 0 && s < nl\)/);
    await page.close();
  });

  test('refine round trip: select a row, focus through the URL, then reset', async () => {
    const page = await browser.context.newPage();
    await page.goto(at(ui, 'top'));
    await page.click('#top-table tbody tr:has(td.name:text-is("fetchKubeletMetrics"))');
    assert.equal(await page.inputValue('#refine-regexp'), '^fetchKubeletMetrics$');
    await Promise.all([page.waitForURL(/[?&]f=/), page.click('button[data-refine="f"]')]);
    assert.equal(new URL(page.url()).searchParams.get('f'), '^fetchKubeletMetrics$');
    assert.deepEqual(await tableRows(page), topRows(await generateReport(cpu, { ...defaultConfig(), nodeCount: 500, focus: '^fetchKubeletMetrics$' }, 'top')));
    assert.ok((await page.textContent('#legend pre'))?.includes('focus=^fetchKubeletMetrics$'));
    await Promise.all([page.waitForURL((u) => !u.searchParams.has('f')), page.click('button[data-refine="reset"]')]);
    assert.deepEqual(await tableRows(page), topRows(await generateReport(cpu, { ...defaultConfig(), nodeCount: 500 }, 'top')));
    await page.close();
  });

  test('refine from the flame graph: right-click → Ignore drops the frame, and the link works in the other views', async () => {
    const page = await browser.context.newPage();
    await page.goto(ui.url);
    const box = (await locate(page, 'parseContainerMetricsResponse'))!;
    await page.mouse.click(box.x, box.y, { button: 'right' });
    await page.waitForSelector('#flame-menu:not([hidden])');
    await Promise.all([page.waitForURL(/[?&]i=/), page.click('#flame-menu button[data-action="ignore"]')]);
    assert.equal(new URL(page.url()).searchParams.get('i'), '^parseContainerMetricsResponse$');
    assert.equal(await locate(page, 'parseContainerMetricsResponse'), undefined);
    assert.ok(await locate(page, 'fetchKubeletMetrics'));
    await Promise.all([page.waitForURL(/\/ui\/top\?/), page.click('nav a[data-view="top"]')]);
    const names = (await tableRows(page)).map((r) => r[5]);
    assert.ok(names.includes('fetchKubeletMetrics') && !names.includes('parseContainerMetricsResponse'), names.join(','));
    await page.close();
  });

  test('sample-type menu: picking alloc_space sets si and the report follows', async () => {
    const page = await browser.context.newPage();
    await page.goto(at(heapUi, 'top'));
    assert.deepEqual(await page.$$eval('#sample-type option', (os) => os.map((o) => (o as unknown as { value: string }).value)), heap.sampleTypes.map((t) => t.type));
    await Promise.all([page.waitForURL(/si=alloc_space/), page.selectOption('#sample-type', 'alloc_space')]);
    assert.ok((await page.textContent('#legend pre'))?.includes('Type: alloc_space'));
    assert.deepEqual(await tableRows(page), topRows(await generateReport(heap, { ...defaultConfig(), nodeCount: 500, sampleIndex: 'alloc_space' }, 'top')));
    await page.close();
  });

  test('named configurations: save the URL settings under a name, apply them from the Config menu, delete them', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${at(heapUi, 'top')}?si=alloc_space&f=parse`);
    await page.click('#config-menu summary');
    await page.fill('#config-name', 'parse alloc');
    await Promise.all([page.waitForURL(/\/ui\/top\?si=alloc_space&f=parse$/), page.click('button[data-config-action="saveconfig"]')]);
    assert.deepEqual(JSON.parse(readFileSync(settingsFile, 'utf8')), { configs: [{ name: 'parse alloc', query: 'si=alloc_space&f=parse' }] });
    await page.goto(at(heapUi, 'top'));
    assert.ok(!(await page.textContent('#legend pre'))!.includes('Type: alloc_space'));
    await page.click('#config-menu summary');
    await Promise.all([page.waitForURL(/si=alloc_space/), page.click('a[data-config="parse alloc"]')]);
    assert.ok((await page.textContent('#legend pre'))!.includes('Type: alloc_space'));
    assert.equal(new URL(page.url()).searchParams.get('f'), 'parse');
    await page.click('#config-menu summary');
    await Promise.all([page.waitForNavigation(), page.click('.config-item button[data-config-action="deleteconfig"]')]);
    assert.deepEqual(JSON.parse(readFileSync(settingsFile, 'utf8')), { configs: [] });
    assert.equal(await page.$('a[data-config="parse alloc"]'), null);
    await page.close();
  });

  test('saving a configuration is refused from other sites, and for GET', async () => {
    const url = new URL(at(heapUi, 'saveconfig'));
    const post = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end('config=evil&query=f%3Dx');
    });
    assert.equal(await post({ Origin: 'http://evil.example' }), 403);
    assert.equal(await post({ 'Sec-Fetch-Site': 'cross-site', Origin: `http://${url.host}` }), 403);
    assert.equal(await post({}), 403, 'no Origin, no Sec-Fetch-Site');
    assert.equal((await fetch(`${url.href}?config=evil`)).status, 405);
    assert.equal(await post({ Origin: `http://${url.host}` }), 303, 'the same origin may');
    assert.deepEqual(JSON.parse(readFileSync(settingsFile, 'utf8')).configs.map((c: { name: string }) => c.name), ['evil']);
  });

  test('peek and download answer as the CLI', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${at(heapUi, 'peek')}?f=parseContainer`);
    // As pprof's, the web peek takes its regexp from f, which also focuses.
    assert.equal(await page.textContent('#report-text'), await generateReport(heap, { ...defaultConfig(), focus: 'parseContainer' }, { name: 'peek', arg: 'parseContainer' }));
    await page.close();
    const response = await fetch(`${at(heapUi, 'download')}?f=parseContainer`);
    assert.equal(response.status, 200);
    const downloaded = decodeProfile(new Uint8Array(await response.arrayBuffer()), 'download');
    assert.ok(downloaded.samples.count > 0 && downloaded.samples.count < heap.samples.count, `focused: ${downloaded.samples.count} of ${heap.samples.count}`);
  });
});
