// Reliability: bad input → 400, clear statuses, no handles left, no keeping the host alive,
// errors contained and logged once, and 200 concurrent requests while the app serves traffic.
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { Session } from 'node:inspector';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpAgent } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAgent, type RunningAgent } from '../../src/agent/index.js';
import { ErrorLog } from '../../src/agent/error-log.js';
import { HeapSampler } from '../../src/agent/heap-sampler.js';
import { resolveAgentOptions } from '../../src/agent/options.js';
import { handlePprofRequest, type AgentRuntime } from '../../src/agent/pprof-endpoints.js';
import { WorkGate } from '../../src/agent/work-gate.js';
import { plainFrameNamer } from '../../src/source/v8-frames.js';
import { type ChildApp, fixturesDir, startChildApp } from './child-app.js';
import { createAgentRuntime } from '../../src/agent/agent-runtime.js';

describe('request validation', () => {
  let agent: RunningAgent;
  before(async () => {
    agent = await startAgent({ address: '127.0.0.1:0', maxProfileSeconds: 60 });
  });
  after(async () => agent?.stop());

  const bad: [string, RegExp][] = [
    ['/debug/pprof/profile?seconds=abc', /bad seconds="abc": want a whole number of seconds from 1 to 60/],
    ['/debug/pprof/profile?seconds=-1', /bad seconds="-1"/],
    ['/debug/pprof/profile?seconds=0', /bad seconds="0"/],
    ['/debug/pprof/profile?seconds=1.5', /bad seconds="1.5"/],
    ['/debug/pprof/profile?seconds=99999999999', /bad seconds="99999999999"/],
    ['/debug/pprof/profile?seconds=61', /from 1 to 60/],
    ['/debug/pprof/heap?seconds=1e9', /bad seconds="1e9"/],
    ['/debug/pprof/heap?gc=2', /bad gc="2": want 0 or 1/],
    ['/debug/pprof/heap?debug=yes', /bad debug="yes": want 0 or 1/],
  ];
  for (const [path, message] of bad) {
    test(`${path} → 400 with a message`, async () => {
      const res = await fetch(agent.url + path);
      assert.equal(res.status, 400);
      assert.match(await res.text(), message);
    });
  }

  test('an unknown profile → 404 listing what exists', async () => {
    const res = await fetch(`${agent.url}/debug/pprof/nosuchprofile`);
    assert.equal(res.status, 404);
    assert.equal(await res.text(), 'unknown profile: nosuchprofile\navailable: block, cmdline, goroutine, heap, mutex, profile\n');
    const outside = await fetch(`${agent.url}/metrics`);
    assert.equal(outside.status, 404);
    assert.match(await outside.text(), /profiles are under \/debug\/pprof\//);
  });

  test('the index lists the profiles, as Go’s does', async () => {
    for (const path of ['/debug/pprof/', '/debug/pprof']) {
      const res = await fetch(agent.url + path);
      assert.equal(res.status, 200);
      const html = await res.text();
      for (const name of ['cmdline', 'heap', 'profile']) assert.match(html, new RegExp(`<a href="${name}[^"]*">${name}</a>`));
    }
  });

  test('/debug/pprof/cmdline is the command line separated by NUL bytes', async () => {
    const text = await (await fetch(`${agent.url}/debug/pprof/cmdline`)).text();
    assert.deepEqual(text.replace(/\n$/, '').split('\0'), [process.argv[0], ...process.execArgv, ...process.argv.slice(1)]);
  });

  test('HEAD answers at once without taking a profile', async () => {
    const started = Date.now();
    const res = await fetch(`${agent.url}/debug/pprof/profile?seconds=30`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started < 2000);
    const busy = await fetch(`${agent.url}/debug/pprof/profile?seconds=1`);
    assert.equal(busy.status, 200, 'no CPU profile was left running');
    await busy.arrayBuffer();
  });

  test('methods other than GET → 405', async () => {
    const res = await fetch(`${agent.url}/debug/pprof/heap`, { method: 'POST', body: 'x' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });
});

describe('handles and process lifetime', () => {
  test('stop() leaves no handles behind, even with a keep-alive connection open', async () => {
    // The agent's handles are unref'd, so process.getActiveResourcesInfo() does not
    // list them; async_hooks sees every handle created and destroyed.
    const handleTypes = new Set(['TCPSERVERWRAP', 'TCPWRAP', 'Timeout', 'PIPEWRAP', 'FSREQCALLBACK']);
    const live = new Map<number, string>();
    const stacks = new Map<number, string>();
    const hook = createHook({
      init(id, type) {
        if (handleTypes.has(type)) live.set(id, type);
        if (handleTypes.has(type) && process.env.DEBUG_HANDLES) stacks.set(id, new Error().stack ?? '');
      },
      destroy(id) {
        live.delete(id);
      },
    }).enable();
    try {
      const agent = await startAgent({ address: '127.0.0.1:0' });
      const keepAlive = new HttpAgent({ keepAlive: true });
      await new Promise<void>((resolve, reject) => {
        request(`${agent.url}/debug/pprof/heap`, { agent: keepAlive }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('error', reject)
          .end();
      });
      assert.ok([...live.values()].includes('TCPSERVERWRAP'), 'the agent was listening');
      await agent.stop();
      keepAlive.destroy();
      const openedBeforeStop = new Set(live.keys());
      // Node's HTTP date cache keeps an unref'd timer for up to 1 s after a response; let it lapse.
      await new Promise((r) => setTimeout(r, 1100)); // (this timer is the test's own)
      const leftOpen = [...live.keys()].filter((id) => openedBeforeStop.has(id));
      assert.deepEqual(leftOpen.map((id) => live.get(id)), [], `handles still open after stop() ${leftOpen.map((id) => stacks.get(id)).join('\n')}`);
      await agent.stop(); // twice is fine
    } finally {
      hook.disable();
    }
  });

  test('the agent never keeps the process alive: an app that is done exits by itself', async () => {
    const app = await startChildApp(join(fixturesDir, 'idle-app.mjs'), { env: { HOLD_MS: '1500' } });
    const exited = new Promise<number | null>((resolve) => app.proc.once('exit', (code) => resolve(code)));
    // An open keep-alive connection to the agent must not hold the process either.
    const keepAlive = new HttpAgent({ keepAlive: true });
    await new Promise<void>((resolve) => {
      request(`${app.agentUrl}/debug/pprof/cmdline`, { agent: keepAlive }, (res) => res.resume().on('end', resolve)).end();
    });
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 8000))]);
    keepAlive.destroy();
    await app.stop();
    assert.equal(code, 0);
  });
});

describe('errors are contained', () => {
  test('a failing profiler becomes a 500 answer, logged once, and the agent keeps serving', async () => {
    const logged: string[] = [];
    const options = resolveAgentOptions({ address: '127.0.0.1:0', log: (l) => logged.push(l) }, {});
    class BrokenSampler extends HeapSampler {
      override samples(): never {
        throw new Error('V8 said no');
      }
    }
    const stopping = new AbortController();
    const runtime: AgentRuntime = createAgentRuntime({
      options,
      heap: new BrokenSampler({ interval: 524288, stackDepth: 64, allocations: false }),
      namer: plainFrameNamer,
      errors: new ErrorLog(options.log),
      gate: new WorkGate(4),
      stopping: stopping.signal,
    });
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      void handlePprofRequest(runtime, '/debug/pprof', (req.url ?? '').split('?')[0]!.slice('/debug/pprof'.length), req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/debug/pprof/heap`);
        assert.equal(res.status, 500);
        assert.equal(await res.text(), 'tsprof agent: internal error: V8 said no\n');
      }
      assert.deepEqual(logged, ['tsprof agent: serving /debug/pprof/heap: V8 said no']);
      assert.equal((await fetch(`http://127.0.0.1:${port}/debug/pprof/cmdline`)).status, 200);
    } finally {
      server.close();
    }
  });

  test('another inspector client stopping V8’s heap sampler → 503 saying so, then the agent samples again', async () => {
    const agent = await startAgent({ address: '127.0.0.1:0' });
    const other = new Session();
    other.connect();
    try {
      const post = (method: string) => new Promise<void>((resolve) => other.post(method, {}, () => resolve()));
      await post('HeapProfiler.enable');
      await post('HeapProfiler.startSampling'); // V8 has one sampler: this joins ours
      await post('HeapProfiler.stopSampling'); // ... and this stops it for everyone
      const res = await fetch(`${agent.url}/debug/pprof/heap`);
      assert.equal(res.status, 503);
      assert.match(await res.text(), /stopped by another V8 inspector client.*running again, retry later/);
      const again = await fetch(`${agent.url}/debug/pprof/heap`);
      assert.equal(again.status, 200);
      await again.arrayBuffer();
    } finally {
      other.disconnect();
      await agent.stop();
    }
  });

  test('a throwing logger does not throw into the host', () => {
    const log = new ErrorLog(() => {
      throw new Error('stderr closed');
    });
    assert.doesNotThrow(() => log.report('context', new Error('boom')));
  });
});

describe('200 concurrent requests while the app serves its own traffic', () => {
  let app: ChildApp;
  before(async () => {
    app = await startChildApp(join(fixturesDir, 'retainer.mjs'), { env: { RETAIN_MB: '20' } });
  });
  after(async () => app?.stop());

  test('every agent request is answered or cleanly rejected, and every app request succeeds', async () => {
    const appUrl = /app=(\S+)/.exec(app.readyLine)![1]!;
    const paths = [
      '/debug/pprof/heap',
      '/debug/pprof/heap?debug=1',
      '/debug/pprof/heap?gc=1',
      '/debug/pprof/profile?seconds=1',
      '/debug/pprof/',
      '/debug/pprof/cmdline',
      '/debug/pprof/allocs',
      '/debug/pprof/heap?seconds=1',
      '/debug/pprof/nope',
      '/debug/pprof/heap?seconds=x',
    ];
    const agentRequests = Array.from({ length: 200 }, async (_, i) => {
      const path = paths[i % paths.length]!;
      const res = await fetch(app.agentUrl + path, { signal: AbortSignal.timeout(60_000) });
      const body = await res.text();
      return { path, status: res.status, body };
    });
    const appLatencies: number[] = [];
    const appTraffic = (async () => {
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline) {
        const t0 = Date.now();
        const res = await fetch(appUrl, { signal: AbortSignal.timeout(30_000) });
        assert.equal(await res.text(), 'app says hi\n');
        appLatencies.push(Date.now() - t0);
      }
    })();
    const results = await Promise.all(agentRequests);
    await appTraffic;
    const statuses = new Map<number, number>();
    for (const r of results) {
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      const allowed =
        r.path === '/debug/pprof/allocs' || r.path === '/debug/pprof/nope' ? [404] : r.path.endsWith('seconds=x') ? [400] : [200, 409, 503];
      assert.ok(allowed.includes(r.status), `${r.path} → ${r.status} ${r.body.slice(0, 100)}`);
      if (r.status === 409) assert.match(r.body, /CPU profiling already in use/);
      if (r.status === 503) assert.match(r.body, /busy/);
    }
    // Rejections (409 for a second CPU profile, 503 when too many wait) are part of
    // the contract; most requests still get their profile.
    assert.ok((statuses.get(200) ?? 0) >= 80, `answered: ${JSON.stringify([...statuses])}`);
    assert.ok(appLatencies.length >= 5, `the app answered ${appLatencies.length} requests in 3 s`);
  });
});
