/**
 * The agent never prints into its host. Under 200 concurrent requests of every
 * kind (timed heap deltas and CPU profiles that queue, 409 and 503 answers, 404s),
 * a real child process with the agent inside prints nothing more than its one
 * start line: no MaxListenersExceededWarning from per-request listeners on a
 * shared signal, no error text. Then it still answers.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fixturesDir, startChildApp, type ChildApp } from './child-app.js';

describe('the agent under 200 concurrent requests', { timeout: 90_000 }, () => {
  let app: ChildApp | undefined;
  after(async () => app?.stop());

  test('prints nothing into the host, answers every request, and keeps serving', async () => {
    app = await startChildApp(join(fixturesDir, 'idle-app.mjs'), { env: { HOLD_MS: '120000' } });
    const base = app.agentUrl + '/debug/pprof';
    const stderrBefore = app.stderr();
    assert.match(stderrBefore, /^tsprof agent: serving http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/\n$/);
    let stdout = '';
    app.proc.stdout!.on('data', (d: string) => (stdout += d));

    const kinds: [string, number][] = [
      ['/heap', 50],
      ['/heap?seconds=1', 40],
      ['/profile?seconds=1', 40],
      ['/heap?debug=1', 20],
      ['/cmdline', 20],
      ['/', 10],
      ['/nope', 10],
      ['/heapsnapshot', 10],
    ];
    // Interleaved, as a mix of clients sends them.
    const paths: string[] = [];
    for (let round = 0; paths.length < 200; round++) for (const [path, count] of kinds) if (round < count) paths.push(path);
    const requests: Promise<{ path: string; status: number }>[] = [];
    for (const path of paths) {
      {
        requests.push(
          fetch(base + path, { signal: AbortSignal.timeout(60_000) }).then(async (res) => {
            await res.arrayBuffer();
            return { path, status: res.status };
          }),
        );
      }
    }
    assert.equal(requests.length, 200);
    const answers = await Promise.all(requests);
    const statuses = (path: string) => new Set(answers.filter((a) => a.path === path).map((a) => a.status));
    assert.deepEqual(statuses('/cmdline'), new Set([200]));
    assert.deepEqual(statuses('/'), new Set([200]));
    // Profile builds queue for the event loop up to a bound; past it the agent says busy (503) rather than pile up.
    for (const path of ['/heap', '/heap?debug=1']) {
      const seen = statuses(path);
      assert.ok(seen.has(200), `${path}: some are served`);
      for (const status of seen) assert.ok([200, 503].includes(status), `${path}: HTTP ${status}`);
    }
    assert.deepEqual(statuses('/nope'), new Set([404]));
    assert.deepEqual(statuses('/heapsnapshot'), new Set([404]), 'snapshots are off unless enabled');
    // Timed requests beyond the agent's 16 wait slots are told to retry (503); one CPU profile runs at a time (409).
    assert.ok(statuses('/heap?seconds=1').has(200), '/heap?seconds=1: some are served');
    for (const path of ['/heap?seconds=1', '/profile?seconds=1']) {
      for (const status of statuses(path)) assert.ok([200, 409, 503].includes(status), `${path}: HTTP ${status}`);
    }

    // The host's output is its own: nothing more than the agent's start line, nothing on stdout.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(app.stderr(), stderrBefore);
    assert.equal(stdout, '');
    // And it still serves, a CPU profile included.
    for (const path of ['/cmdline', '/profile?seconds=1']) {
      const res = await fetch(base + path);
      assert.equal(res.status, 200, path);
      await res.arrayBuffer();
    }
    assert.equal(app.stderr(), stderrBefore);
  });
});
