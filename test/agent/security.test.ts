// Security: loopback by default, a token for anything else, 401 without it, snapshots only when enabled.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TsprofError } from '../../src/errors.js';
import { startAgent, type RunningAgent } from '../../src/agent/index.js';
import { resolveAgentOptions } from '../../src/agent/options.js';
import { fixturesDir, projectRoot, registerModule } from './child-app.js';

const token = 's3cret-token-for-tests';

describe('agent addresses', () => {
  test('the default address is 127.0.0.1:6060', () => {
    const resolved = resolveAgentOptions({}, {});
    assert.equal(resolved.host, '127.0.0.1');
    assert.equal(resolved.port, 6060);
    assert.equal(resolveAgentOptions({}, { TSPROF_ADDR: '127.0.0.1:7070' }).port, 7070);
  });

  test('startAgent binds loopback when given only a port', async () => {
    const agent = await startAgent({ address: '127.0.0.1:0' });
    try {
      assert.match(agent.address, /^127\.0\.0\.1:\d+$/);
      assert.equal(agent.url, `http://${agent.address}`);
    } finally {
      await agent.stop();
    }
  });

  for (const address of ['0.0.0.0:0', ':0', '[::]:0', '192.168.1.10:6060']) {
    test(`a reachable address (${address}) without a token refuses to start with a clear error`, async () => {
      await assert.rejects(startAgent({ address }), (err: unknown) => {
        assert.ok(err instanceof TsprofError);
        assert.match(err.message, /refusing to listen on .* without a token.*TSPROF_TOKEN/);
        return true;
      });
    });
  }

  test('a malformed address is a clear error', async () => {
    await assert.rejects(startAgent({ address: 'localhost' }), /address "localhost" is not host:port/);
    await assert.rejects(startAgent({ address: '127.0.0.1:99999' }), /is not host:port/);
  });

  test('a port in use is a clear error, not a crash', async () => {
    const first = await startAgent({ address: '127.0.0.1:0' });
    try {
      await assert.rejects(startAgent({ address: first.address }), /cannot listen on 127\.0\.0\.1:\d+: the address is in use/);
    } finally {
      await first.stop();
    }
  });

  test('`--import tsprof/agent` with a reachable address and no token: one line on stderr, the app runs on', async () => {
    const proc = spawn(process.execPath, ['--import', registerModule, join(fixturesDir, 'retainer.mjs')], {
      cwd: projectRoot,
      env: { ...process.env, TSPROF_ADDR: '0.0.0.0:0', TSPROF_TOKEN: '', RETAIN_MB: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line; stderr ${stderr}`)), 15000);
        proc.stdout.on('data', () => {
          if (stdout.includes('ready')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      await new Promise((r) => setTimeout(r, 200));
      assert.match(stderr, /^tsprof agent: refusing to listen on 0\.0\.0\.0:0 without a token.*; profiling is off\n$/);
      const appUrl = /app=(\S+)/.exec(stdout)![1]!;
      assert.equal(await (await fetch(appUrl)).text(), 'app says hi\n');
    } finally {
      proc.kill('SIGKILL');
    }
  });
});

describe('token', () => {
  let agent: RunningAgent;
  after(async () => agent?.stop());

  test('with a token, requests without `Authorization: Bearer <token>` get 401; with it, 200', async () => {
    // Listening on all interfaces is allowed with a token; the test talks over loopback only.
    agent = await startAgent({ address: '0.0.0.0:0', token });
    const base = `http://127.0.0.1:${agent.port}/debug/pprof`;
    for (const headers of <Record<string, string>[]>[{}, { Authorization: 'Bearer wrong-token-123' }, { Authorization: token }, { Authorization: `Basic ${token}` }]) {
      for (const path of ['/', '/heap', '/profile?seconds=1', '/cmdline', '/nope']) {
        const res = await fetch(base + path, { headers });
        assert.equal(res.status, 401, `${path} with ${JSON.stringify(headers)}`);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
        assert.match(await res.text(), /unauthorized: send the agent token as "Authorization: Bearer <token>"/);
      }
    }
    const ok = await fetch(`${base}/heap`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-type'), 'application/octet-stream');
    await ok.arrayBuffer();
  });

  test('a token too short to be a secret is refused', async () => {
    await assert.rejects(startAgent({ address: '127.0.0.1:0', token: 'abc' }), /at least 8 characters/);
  });
});

describe('heap snapshots', () => {
  test('are not served unless enabled, and the 404 says how to enable them', async () => {
    const agent = await startAgent({ address: '127.0.0.1:0' });
    try {
      const res = await fetch(`${agent.url}/debug/pprof/heapsnapshot`);
      assert.equal(res.status, 404);
      assert.match(await res.text(), /heap snapshots are off.*TSPROF_HEAP_SNAPSHOTS=1/);
      assert.doesNotMatch(await (await fetch(`${agent.url}/debug/pprof/`)).text(), /heapsnapshot/);
    } finally {
      await agent.stop();
    }
  });

  test('when enabled, /debug/pprof/heapsnapshot streams a V8 .heapsnapshot', async () => {
    const agent = await startAgent({ address: '127.0.0.1:0', heapSnapshots: true });
    try {
      const res = await fetch(`${agent.url}/debug/pprof/heapsnapshot`);
      assert.equal(res.status, 200);
      const snapshot = JSON.parse(await res.text()) as { snapshot: { meta: { node_fields: string[] }; node_count: number } };
      assert.ok(snapshot.snapshot.meta.node_fields.includes('self_size'));
      assert.ok(snapshot.snapshot.node_count > 1000);
    } finally {
      await agent.stop();
    }
  });
});
