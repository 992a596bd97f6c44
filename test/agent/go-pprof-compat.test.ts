// `go tool pprof` (the oracle) and tsprof read a live agent's endpoints and agree on the top function.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type ChildApp, fetchProfile, fixturesDir, flatByFunction, projectRoot, startChildApp } from './child-app.js';
import { skipUnless } from '../support/required-tool.js';

const run = promisify(execFile);
let pprofTmp: string;

/** topFunction is the function of the first row of a `-top` report. */
function topFunction(report: string): string {
  const lines = report.split('\n');
  const header = lines.findIndex((l) => /^\s*flat\s+flat%\s+sum%\s+cum\s+cum%/.test(l));
  assert.ok(header >= 0, `no -top table in:\n${report}`);
  const row = /^\s*\S+\s+\S+%\s+\S+%\s+\S+\s+\S+%\s+(.+)$/.exec(lines[header + 1] ?? '');
  assert.ok(row, `no first row in:\n${report}`);
  return row[1]!.trim();
}

async function goPprofTop(url: string): Promise<string> {
  const { stdout } = await run('go', ['tool', 'pprof', '-top', url], {
    env: { ...process.env, PPROF_TMPDIR: pprofTmp, HOME: pprofTmp },
    timeout: 60_000,
  });
  return topFunction(stdout);
}

async function tsprofTop(url: string): Promise<string> {
  const { stdout } = await run(process.execPath, [join(projectRoot, 'bin', 'tsprof.js'), '-top', url], { timeout: 60_000 });
  return topFunction(stdout);
}

before(() => {
  pprofTmp = mkdtempSync(join(tmpdir(), 'tsprof-go-pprof-'));
});
after(() => rmSync(pprofTmp, { recursive: true, force: true }));

describe('go tool pprof against a live agent', { skip: skipUnless('go') }, () => {
  let heapApp: ChildApp;
  let cpuApp: ChildApp;
  before(async () => {
    [heapApp, cpuApp] = await Promise.all([
      startChildApp(join(fixturesDir, 'retainer.mjs'), { env: { TSPROF_HEAP_INTERVAL: '32768' } }),
      startChildApp(join(fixturesDir, 'cpu-burner.mjs')),
    ]);
  });
  after(async () => {
    await heapApp?.stop();
    await cpuApp?.stop();
  });

  test('/debug/pprof/heap: same top function in go tool pprof, tsprof and the decoded profile', async () => {
    const url = `${heapApp.agentUrl}/debug/pprof/heap`;
    const go = await goPprofTop(url);
    assert.equal(go, 'retainFiftyMegabytes');
    assert.equal(await tsprofTop(url), go);
    assert.equal(flatByFunction(await fetchProfile(url), 'inuse_space').rows[0]!.name, go);
  });

  test('/debug/pprof/profile?seconds=2: same top function in go tool pprof and tsprof', async () => {
    const url = `${cpuApp.agentUrl}/debug/pprof/profile?seconds=2`;
    const go = await goPprofTop(url);
    assert.equal(go, 'burnCpu');
    assert.equal(await tsprofTop(url), go);
  });
});
