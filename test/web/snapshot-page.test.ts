/**
 * `tsprof snapshot -http`: the heap snapshot pages in Chromium show the
 * CLI's own reports (summary, leaks, diff, retainers), with constructors and
 * object ids as links, so the dominators and retainers are followed by clicking.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli-capture.js';
import { skipUnless } from '../support/required-tool.js';
import { type ChromiumSession, launchChromium } from './chromium.js';
import { type ServedCli, serveWithCli } from './cli-server.js';
import { ensurePageBundle, fixture } from './web-fixtures.js';

describe('tsprof snapshot -http in Chromium', { skip: skipUnless('chromium') }, () => {
  const fixed = fixture('v8', 'fixed.heapsnapshot.gz');
  const leaky = fixture('v8', 'leaky.heapsnapshot.gz');
  let browser: ChromiumSession;
  let served: ServedCli;
  const cli = async (...args: string[]) => {
    const run = await runCli(['snapshot', ...args]);
    assert.equal(run.code, 0, run.stderr);
    return run.stdout.toString('utf8');
  };
  before(async () => {
    await ensurePageBundle();
    [browser, served] = await Promise.all([launchChromium(), serveWithCli(['snapshot', '-http=127.0.0.1:0', '-no_browser', fixed, leaky])]);
  });
  after(async () => {
    await Promise.all([browser?.close(), served?.stop()]);
  });

  test('summary, leaks and diff are the CLI reports', async () => {
    const page = await browser.context.newPage();
    for (const [view, args] of [['summary', ['summary', leaky]], ['leaks', ['leaks', fixed, leaky]], ['diff', ['diff', fixed, leaky]]] as const) {
      await page.goto(served.url + view);
      assert.equal(await page.textContent('#report-text'), await cli(...args), view);
    }
    await page.close();
  });

  test('the dominator tree opens level by level by clicking, from the roots down to the cache; the opened object links to its retainers', async () => {
    const page = await browser.context.newPage();
    await page.goto(served.url);
    await Promise.all([page.waitForURL(/\/dominators$/), page.click('nav a[data-view="dominators"]')]);
    assert.equal(await page.textContent('#report-text'), await cli('dominators', leaky));
    for (const [id, name] of [['6047', 'global'], ['6161', 'CgroupResolver'], ['41445', 'Map']] as const) {
      await Promise.all([page.waitForURL(new RegExp(`dominators\\?target=%40${id}$`)), page.click(`#report-text a[data-node="${id}"] >> nth=-1`)]);
      assert.equal(await page.textContent('#report-text'), await cli('dominators', leaky, `@${id}`), name);
    }
    await Promise.all([page.waitForURL(/retainers\?target=%4041445$/), page.click('#report-text a[data-retainers="41445"]')]);
    assert.match((await page.textContent('#report-text'))!, /path: global\.resolver → CgroupResolver\.cache → Map/);
    await page.close();
  });

  test('a constructor links to its retainers, whose dominators and retainers link on to theirs', async () => {
    const page = await browser.context.newPage();
    await page.goto(served.url);
    await Promise.all([page.waitForURL(/retainers\?target=CgroupResolver/), page.click('a[data-constructor="CgroupResolver"]')]);
    assert.equal(await page.textContent('#report-text'), await cli('retainers', leaky, 'CgroupResolver'));
    const chain = await page.$$eval('#report-text a[data-node]', (as) => as.map((a) => a.getAttribute('data-node')!));
    assert.ok(chain.length >= 2, `ids are links: ${chain.join(' ')}`);
    const holder = chain[1]!;
    await Promise.all([page.waitForURL(new RegExp(`target=%40${holder}$`)), page.click(`#report-text a[data-node="${holder}"] >> nth=0`)]);
    assert.equal(await page.textContent('#report-text'), await cli('retainers', leaky, `@${holder}`));
    await page.fill('#snapshot-target', '@1');
    await Promise.all([page.waitForURL(/target=%401$/), page.click('form.refine button[type="submit"]')]);
    assert.match((await page.textContent('#report-text'))!, /no object with id 1 in the snapshot|@1:/);
    await page.close();
  });
});
