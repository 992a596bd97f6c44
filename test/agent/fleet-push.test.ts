// Push to Grafana Pyroscope, against a loopback receiver. A real Pyroscope server cannot run here
// (no network, no container runtime), so fleet-pyroscope-receiver.ts implements its documented
// /ingest wire contract, as its handler reads it, and these tests check the agent against that:
// service name and labels, time ranges, sample types and the series they map to, intervals, auth
// headers; and the server down, slow, refusing, coming back, with bounded memory and a queue that drops.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import { startAgent, type RunningAgent } from '../../src/agent/index.js';
import { readFileSync } from 'node:fs';
import { resolvePushOptions, tsprofVersion } from '../../src/agent/push/push-options.js';
import { projectRoot } from './child-app.js';
import { UploadQueue, UploadRejectedError, type Upload } from '../../src/agent/push/upload-queue.js';
import type { Profile } from '../../src/profile/profile.js';
import { type IngestedProfile, type PyroscopeReceiver, startPyroscopeReceiver } from './fleet-pyroscope-receiver.js';

const token = 'push-token-1234';

/** burnCpuForPush keeps the CPU busy for ms, in a function the CPU profile must name. */
function burnCpuForPush(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) for (let i = 0; i < 10_000; i++) x += Math.sqrt(i);
  return x;
}

function functionNames(profile: Profile): Set<string> {
  return new Set(profile.functions.map((f) => f.name));
}

async function until(what: string, ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('push to Pyroscope: the ingest contract', () => {
  let receiver: PyroscopeReceiver;
  let agent: RunningAgent | undefined;
  const logged: string[] = [];
  after(async () => {
    await agent?.stop({ flushMs: 100 });
    await receiver?.close();
  });

  test('every interval a CPU profile of that interval and a heap profile, named and labelled as Pyroscope reads them', async () => {
    receiver = await startPyroscopeReceiver();
    agent = await startAgent({
      address: '127.0.0.1:0',
      log: (line) => logged.push(line),
      push: { url: receiver.url, serviceName: 'checkout-svc', labels: { region: 'eu-west-1', pod: 'checkout-7f9' }, intervalSeconds: 1, token, tenant: 'team-a' },
    });
    const burner = setInterval(() => burnCpuForPush(60), 100);
    try {
      await until('three CPU and three heap profiles', () => receiver.received.filter((r) => r.metricName === 'process_cpu').length >= 3 && receiver.received.filter((r) => r.metricName === 'memory').length >= 3);
    } finally {
      clearInterval(burner);
    }
    assert.deepEqual(receiver.refused, [], 'nothing the server would refuse');
    const cpu = receiver.received.filter((r) => r.metricName === 'process_cpu');
    const heap = receiver.received.filter((r) => r.metricName === 'memory');
    for (const r of receiver.received) {
      assert.equal(r.serviceName, 'checkout-svc');
      assert.equal(r.labels.region, 'eu-west-1');
      assert.equal(r.labels.pod, 'checkout-7f9');
      // As the official Node SDK: the runtime and its version.
      assert.equal(r.labels['process.runtime.name'], 'nodejs');
      assert.equal(r.labels['process.runtime.version'], process.versions.node);
      assert.equal(r.spyName, 'nodespy');
      assert.equal(r.headers.authorization, `Bearer ${token}`);
      assert.equal(r.headers['x-scope-orgid'], 'team-a');
      assert.ok(r.untilSeconds >= r.fromSeconds);
    }
    for (const r of cpu) {
      assert.deepEqual(r.profile.sampleTypes, [{ type: 'samples', unit: 'count' }, { type: 'cpu', unit: 'nanoseconds' }]);
      assert.equal(r.sampleRate, 100, '100 Hz');
      const span = r.untilSeconds - r.fromSeconds;
      assert.ok(span >= 0 && span <= 2, `a 1 s interval spans ${span} s`);
      // The profile's own clock lies within the span the query names.
      const startSeconds = Number(r.profile.timeNanos / 1_000_000_000n);
      assert.ok(startSeconds >= r.fromSeconds - 1 && startSeconds <= r.untilSeconds, `profile starts at ${startSeconds}, span ${r.fromSeconds}..${r.untilSeconds}`);
      assert.ok(r.profile.durationNanos > 0.5e9 && r.profile.durationNanos < 2.5e9, `duration ${r.profile.durationNanos / 1e9} s`);
    }
    // Intervals follow one another without gaps or overlaps beyond a second's rounding.
    for (let i = 1; i < cpu.length; i++) {
      assert.ok(cpu[i]!.fromSeconds >= cpu[i - 1]!.untilSeconds - 1 && cpu[i]!.fromSeconds <= cpu[i - 1]!.untilSeconds, `interval ${i} follows ${i - 1}`);
    }
    const gaps = cpu.slice(1).map((r, i) => r.receivedAtMs - cpu[i]!.receivedAtMs);
    assert.ok(gaps.every((g) => g > 400 && g < 2500), `uploads ~1 s apart: ${gaps.join(', ')} ms`);
    assert.ok(cpu.some((r) => functionNames(r.profile).has('burnCpuForPush')), 'the busy function is in the CPU profiles');
    for (const r of heap) {
      assert.deepEqual(r.profile.sampleTypes.map((t) => t.type), ['inuse_objects', 'inuse_space']);
      assert.equal(r.sampleRate, undefined);
    }
    assert.deepEqual(logged, [], 'a healthy push logs nothing');
  });

  test('stop() uploads the last partial interval before it returns', async () => {
    const before = receiver.received.length;
    await agent!.stop();
    agent = undefined;
    assert.ok(receiver.received.length >= before + 2, `${receiver.received.length - before} more uploads at stop`);
  });
});

describe('push to Pyroscope: stop() as a host\'s last act', () => {
  test('a host with nothing else left to run stays up until stop() has sent the last profiles, then exits 0', async () => {
    const { spawn } = await import('node:child_process');
    const { join } = await import('node:path');
    const receiver = await startPyroscopeReceiver();
    try {
      const agentModule = join(projectRoot, 'dist', 'src', 'agent', 'index.js');
      // The uploads' sockets and the queue's timers are unref'd; only the flush itself may hold the process.
      const script = `
        const { startAgent } = await import(${JSON.stringify(agentModule)});
        const agent = await startAgent({ address: '127.0.0.1:0', log: () => {}, push: { url: ${JSON.stringify(receiver.url)}, serviceName: 'shutdown', intervalSeconds: 60 } });
        const end = Date.now() + 300; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);
        await agent.stop();
        process.stdout.write('stopped ' + (x > 0));
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(status, 0, 'not 13 (a top-level await left pending when the loop ran dry)');
      assert.equal(out, 'stopped true');
      const kinds = receiver.received.filter((r) => r.serviceName === 'shutdown').map((r) => r.profile.sampleTypes[0]!.type);
      assert.ok(kinds.includes('cpu') || kinds.includes('samples'), `the last CPU profile arrived: ${kinds.join(' ')}`);
      assert.ok(kinds.includes('inuse_objects'), `the last heap profile arrived: ${kinds.join(' ')}`);
    } finally {
      await receiver.close();
    }
  });
});

describe('push to Pyroscope: heap profiles spaced out', () => {
  test('heapIntervalSeconds sends the heap every N intervals, covering the span since the last one', async () => {
    const receiver = await startPyroscopeReceiver();
    const agent = await startAgent({
      address: '127.0.0.1:0',
      log: () => undefined,
      push: { url: receiver.url, serviceName: 'spaced-svc', intervalSeconds: 1, heapIntervalSeconds: 2 },
    });
    try {
      await until('six CPU profiles', () => receiver.received.filter((r) => r.metricName === 'process_cpu').length >= 6);
    } finally {
      await agent.stop({ flushMs: 100 });
      await receiver.close();
    }
    const cpu = receiver.received.filter((r) => r.metricName === 'process_cpu').length;
    const heap = receiver.received.filter((r) => r.metricName === 'memory');
    assert.ok(heap.length >= 2 && heap.length <= Math.ceil(cpu / 2) + 1, `${heap.length} heap profiles for ${cpu} CPU ones`);
    for (const h of heap.slice(0, -1)) assert.ok(h.untilSeconds - h.fromSeconds >= 1, 'a heap profile spans two intervals');
  });
});

describe('push to Pyroscope: the server down, slow, refusing', () => {
  test('server down: bounded queue dropping the oldest, one log line, then recovery when it comes up', async () => {
    const port = await freePort();
    const logged: string[] = [];
    const agent = await startAgent({
      address: '127.0.0.1:0',
      log: (line) => logged.push(line),
      push: { url: `http://127.0.0.1:${port}`, serviceName: 'down-svc', intervalSeconds: 1, maxQueuedProfiles: 4, firstBackoffMs: 100, maxBackoffMs: 300 },
    });
    let receiver: PyroscopeReceiver | undefined;
    try {
      await new Promise((r) => setTimeout(r, 4500));
      const outage = logged.filter((l) => /pushing profiles to .* fails/.test(l));
      assert.equal(outage.length, 1, `one line per outage: ${JSON.stringify(logged)}`);
      assert.match(outage[0]!, /connection refused/);
      assert.ok(!outage[0]!.includes('\n'));
      receiver = await startPyroscopeReceiver(port);
      await until('the queue to drain after recovery', () => receiver!.received.length >= 4);
      // What arrives is the newest four of the outage (the oldest were dropped), then the new ones.
      const firstBatch = receiver.received.slice(0, 4);
      assert.deepEqual(receiver.refused, []);
      assert.ok(firstBatch.every((r) => r.serviceName === 'down-svc'));
      const oldest = Math.min(...firstBatch.map((r) => r.fromSeconds));
      const startedSeconds = Math.floor((Date.now() - 4500 - 2000) / 1000);
      assert.ok(oldest > startedSeconds + 1, 'the first profiles of the outage were dropped');
      assert.equal(logged.filter((l) => /fails/.test(l)).length, 1, 'recovery adds no second outage line');
    } finally {
      await agent.stop({ flushMs: 200 });
      await receiver?.close();
    }
  });

  test('slow server: uploads time out and retry, memory stays within the bounds, the event loop never waits', async () => {
    const receiver = await startPyroscopeReceiver();
    receiver.delayMs = Infinity;
    const logged: string[] = [];
    const maxQueuedBytes = 64 * 1024;
    const agent = await startAgent({
      address: '127.0.0.1:0',
      log: (line) => logged.push(line),
      push: { url: receiver.url, serviceName: 'slow-svc', intervalSeconds: 1, maxQueuedProfiles: 3, maxQueuedBytes, requestTimeoutMs: 300, firstBackoffMs: 50, maxBackoffMs: 100 },
    });
    let worstLagMs = 0;
    let last = Date.now();
    const probe = setInterval(() => {
      const now = Date.now();
      worstLagMs = Math.max(worstLagMs, now - last - 20);
      last = now;
    }, 20);
    try {
      await new Promise((r) => setTimeout(r, 4000));
      assert.ok(receiver.requests >= 3, `${receiver.requests} attempts reached the server`);
      assert.equal(receiver.received.length, 0);
      assert.equal(logged.filter((l) => /no answer within 300 ms/.test(l)).length, 1, JSON.stringify(logged));
      // The agent's queue is within its bounds (its stats are on the pusher; read through a stop with a short deadline).
      const started = Date.now();
      await agent.stop({ flushMs: 200 });
      assert.ok(Date.now() - started < 1500, `stop() kept its deadline: ${Date.now() - started} ms`);
      assert.ok(worstLagMs < 250, `the event loop waited ${worstLagMs} ms at worst`);
    } finally {
      clearInterval(probe);
      await agent.stop();
      await receiver.close();
    }
  });

  test('a refusal (4xx) is not retried; a 503 is, and the profiles then arrive', async () => {
    const receiver = await startPyroscopeReceiver();
    receiver.failWith = 503;
    const logged: string[] = [];
    const agent = await startAgent({
      address: '127.0.0.1:0',
      log: (line) => logged.push(line),
      push: { url: receiver.url, serviceName: 'flaky-svc', intervalSeconds: 1, firstBackoffMs: 50, maxBackoffMs: 100 },
    });
    try {
      await until('some attempts', () => receiver.requests >= 3);
      assert.equal(logged.filter((l) => /HTTP 503/.test(l)).length, 1, JSON.stringify(logged));
      receiver.failWith = undefined;
      await until('profiles after the 503s', () => receiver.received.length >= 2);
      receiver.failWith = 400;
      const attempts = receiver.requests;
      await until('two refused uploads', () => receiver.requests >= attempts + 2);
      assert.ok(logged.some((l) => /refused a (cpu|heap) profile: HTTP 400/.test(l)), JSON.stringify(logged));
    } finally {
      await agent.stop({ flushMs: 100 });
      await receiver.close();
    }
  });
});

describe('the upload queue', () => {
  const upload = (n: number, bytes = 10): Upload => ({ url: new URL(`http://x/ingest?n=${n}`), contentType: 'x', body: new Uint8Array(bytes), kind: 'cpu' });

  test('keeps the newest within maxItems and maxBytes, dropping the oldest first', async () => {
    const sent: number[] = [];
    let up = false;
    const queue = new UploadQueue({
      send: async (u) => {
        if (!up) throw new Error('down');
        sent.push(Number(u.url.searchParams.get('n')));
      },
      maxItems: 3,
      maxBytes: 1000,
      log: () => undefined,
      destination: 'http://x',
      firstBackoffMs: 10,
      maxBackoffMs: 10,
    });
    for (let n = 1; n <= 6; n++) queue.enqueue(upload(n));
    await new Promise((r) => setTimeout(r, 5)); // the first attempt (of 1) fails
    assert.equal(queue.stats.queued, 3);
    assert.equal(queue.stats.dropped, 3);
    up = true;
    await until('the queue to drain', () => queue.stats.queued === 0, 2000);
    assert.deepEqual(sent, [4, 5, 6]);
    queue.enqueue(upload(7, 600));
    queue.enqueue(upload(8, 600));
    await queue.close(500);
    assert.ok(queue.stats.queuedBytes === 0);
  });

  test('a byte bound drops old profiles even when few are queued', () => {
    const queue = new UploadQueue({ send: () => new Promise(() => undefined), maxItems: 100, maxBytes: 1000, log: () => undefined, destination: 'http://x' });
    for (let n = 1; n <= 5; n++) queue.enqueue(upload(n, 400));
    // One is in flight (kept); of the rest only what fits beside it stays.
    assert.ok(queue.stats.queuedBytes <= 1000 + 400, `${queue.stats.queuedBytes} bytes queued`);
    assert.ok(queue.stats.dropped >= 2);
    void queue.close(0);
  });

  test('refusals are dropped at once and logged once per distinct answer', async () => {
    const logged: string[] = [];
    let calls = 0;
    const queue = new UploadQueue({
      send: async () => {
        calls++;
        throw new UploadRejectedError('HTTP 400 Bad Request: invalid label name');
      },
      maxItems: 10,
      maxBytes: 10_000,
      log: (l) => logged.push(l),
      destination: 'http://x',
    });
    for (let n = 1; n <= 3; n++) queue.enqueue(upload(n));
    await until('all tried', () => calls === 3, 2000);
    assert.equal(queue.stats.rejected, 3);
    assert.equal(logged.length, 1);
    await queue.close(0);
  });
});

describe('push configuration', () => {
  test('the environment configures it, with the runtime labels the official SDK adds', () => {
    const resolved = resolvePushOptions(undefined, {
      TSPROF_PUSH_URL: 'https://profiles.example.com/pyroscope',
      TSPROF_SERVICE_NAME: 'cart',
      TSPROF_LABELS: 'env=prod, region=eu',
      TSPROF_PUSH_INTERVAL: '30s',
      TSPROF_PUSH_USER: '12345',
      TSPROF_PUSH_PASSWORD: 'secret',
      TSPROF_TENANT: 'tenant-1',
    })!;
    assert.equal(resolved.serviceName, 'cart');
    assert.equal(resolved.intervalMs, 30_000);
    assert.equal(resolved.labels.env, 'prod');
    assert.equal(resolved.labels.region, 'eu');
    assert.equal(resolved.labels['process.runtime.name'], 'nodejs');
    assert.equal(resolved.headers.authorization, `Basic ${Buffer.from('12345:secret').toString('base64')}`);
    assert.equal(resolved.headers['x-scope-orgid'], 'tenant-1');
    assert.equal(resolvePushOptions(undefined, {}), undefined, 'no URL, no push');
  });

  test('the version in otel.scope.version is the package\'s', () => {
    const pkg = JSON.parse(readFileSync(`${projectRoot}/package.json`, 'utf8')) as { version: string };
    assert.equal(tsprofVersion, pkg.version);
    assert.equal(resolvePushOptions({ url: 'http://p:4040' })!.labels['otel.scope.version'], pkg.version);
  });

  test('bad settings are one clear line naming the setting', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ TSPROF_PUSH_URL: 'pyroscope:4040x' }, /must be http: or https:|not a URL/],
      [{ TSPROF_PUSH_URL: 'http://p:4040', TSPROF_LABELS: 'bad-name=x' }, /label name "bad-name" is not allowed/],
      [{ TSPROF_PUSH_URL: 'http://p:4040', TSPROF_LABELS: 'env' }, /TSPROF_LABELS entry "env" is not key=value/],
      [{ TSPROF_PUSH_URL: 'http://p:4040', TSPROF_LABELS: 'env=a}b' }, /label env has value/],
      [{ TSPROF_PUSH_URL: 'http://p:4040', TSPROF_SERVICE_NAME: 'my app' }, /service name "my app" is not allowed/],
      [{ TSPROF_PUSH_URL: 'http://p:4040', TSPROF_PUSH_INTERVAL: 'often' }, /TSPROF_PUSH_INTERVAL "often"/],
      [{ TSPROF_PUSH_URL: 'http://p:4040', TSPROF_PUSH_INTERVAL: '0s' }, /push interval/],
      [{ TSPROF_PUSH_URL: 'http://p:4040', TSPROF_PUSH_HEAP_INTERVAL: '5s', TSPROF_PUSH_INTERVAL: '15s' }, /heap push interval \(seconds\) must be from 15/],
      [{ TSPROF_PUSH_URL: 'http://p:4040', TSPROF_PUSH_USER: 'u' }, /needs both/],
      [{ TSPROF_PUSH_URL: 'http://p:4040', TSPROF_PUSH_TOKEN: 't', TSPROF_PUSH_USER: 'u', TSPROF_PUSH_PASSWORD: 'p' }, /not both/],
    ];
    for (const [env, message] of cases) {
      assert.throws(() => resolvePushOptions(undefined, env), (err: Error) => message.test(err.message) && !err.message.includes('\n'), JSON.stringify(env));
    }
  });
});

export type { IngestedProfile };
