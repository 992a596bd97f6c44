// Pull by Grafana Alloy and Parca: the request sequences of their default scrape configs (as the
// README's configs set them up: bearer token, memory at /heap) against a live agent in a child
// process, both collectors at once; the Go-only profiles they scrape by default; TLS.
// (Alloy and Parca themselves cannot run here; their scrapers send these requests: one GET per
// enabled profile type per interval, the CPU one as a delta with seconds = interval − 1 for Alloy,
// seconds = interval for Parca.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { startAgent } from '../../src/agent/index.js';
import { resolveAgentTls } from '../../src/agent/tls-options.js';
import { type ChildApp, fixturesDir, flatByFunction, startChildApp } from './child-app.js';

const token = 'scrape-token-5678';
const tlsDir = join(fixturesDir, 'tls');

interface Scrape {
  path: string;
  status: number;
  body: Buffer;
  ms: number;
}

async function scrape(base: string, path: string, headers: Record<string, string>): Promise<Scrape> {
  const started = Date.now();
  const res = await fetch(base + path, { headers, signal: AbortSignal.timeout(60_000) });
  return { path, status: res.status, body: Buffer.from(await res.arrayBuffer()), ms: Date.now() - started };
}

function decoded(s: Scrape): Profile {
  assert.equal(s.status, 200, `${s.path}: ${s.body.toString('utf8', 0, 300)}`);
  return Profile.decode(gunzipSync(s.body));
}

function sampleTypes(p: Profile): string[] {
  const str = (i: number | bigint) => p.stringTable.strings[Number(i)];
  return p.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`);
}

describe('Alloy and Parca scraping one agent at once', () => {
  let app: ChildApp;
  before(async () => {
    // Collectors scrape from other hosts: bound beyond loopback, with the token; continuous mode on.
    app = await startChildApp(join(fixturesDir, 'cpu-burner.mjs'), {
      env: { TSPROF_ADDR: '0.0.0.0:0', TSPROF_TOKEN: token, TSPROF_CONTINUOUS: '1', BUSY_SHARE: '0.5' },
    });
  });
  after(async () => app?.stop());

  test('one interval of each: every request answered, none 409, CPU profiles as long as asked', async () => {
    const base = app.agentUrl.replace('0.0.0.0', '127.0.0.1') + '/debug/pprof';
    const alloy = { authorization: `Bearer ${token}`, 'user-agent': 'Alloy/v1.5.0', 'x-prometheus-scrape-timeout-seconds': '15' };
    const parca = { authorization: `Bearer ${token}`, 'user-agent': 'Parca/0.22.0' };
    // Alloy's default interval 15 s → process_cpu seconds=14; Parca here at 10 s → seconds=10.
    // A plain `go tool pprof` user asks for a CPU profile in the middle of it.
    const started = Date.now();
    const [alloyCpu, parcaCpu, ...rest] = await Promise.all([
      scrape(base, '/profile?seconds=14', alloy),
      scrape(base, '/profile?seconds=10', parca),
      new Promise<Scrape>((r) => setTimeout(() => r(scrape(base, '/profile?seconds=2', { authorization: `Bearer ${token}` })), 1000)),
      scrape(base, '/heap', alloy),
      scrape(base, '/goroutine', alloy),
      scrape(base, '/mutex', alloy),
      scrape(base, '/block', alloy),
      scrape(base, '/heap', parca),
      scrape(base, '/goroutine', parca),
      scrape(base, '/mutex', parca),
      scrape(base, '/block', parca),
    ]);
    const [adHoc, ...quick] = rest as [Scrape, ...Scrape[]];
    for (const [s, seconds] of [[alloyCpu, 14], [parcaCpu, 10], [adHoc, 2]] as const) {
      const p = decoded(s);
      assert.deepEqual(sampleTypes(p), ['samples/count', 'cpu/nanoseconds']);
      const duration = Number(p.durationNanos) / 1e9;
      assert.ok(duration > seconds - 0.5 && duration < seconds + 2, `${s.path}: ${duration} s`);
      assert.equal(flatByFunction(p, 'cpu').rows[0]!.name, 'burnCpu', s.path);
    }
    assert.ok(Date.now() - started < 20_000, 'the collectors did not queue behind one another');
    for (const s of quick) {
      const p = decoded(s);
      assert.ok(s.ms < 5000, `${s.path} answered in ${s.ms} ms`);
      if (s.path === '/heap') assert.deepEqual(sampleTypes(p), ['inuse_objects/count', 'inuse_space/bytes']);
      else {
        assert.equal(p.sample.length, 0, `${s.path} is empty`);
        assert.deepEqual(sampleTypes(p), s.path === '/goroutine' ? ['goroutine/count'] : ['contentions/count', 'delay/nanoseconds']);
        const comments = p.comment.map((i) => p.stringTable.strings[Number(i)]);
        assert.ok(comments.some((c) => /empty by design/.test(c!)), `${s.path} says why it is empty`);
      }
    }
  });

  test('without the token a collector gets 401, and /allocs (Alloy\'s default memory path) says to use /heap', async () => {
    const base = app.agentUrl.replace('0.0.0.0', '127.0.0.1') + '/debug/pprof';
    assert.equal((await scrape(base, '/heap', {})).status, 401);
    const allocs = await scrape(base, '/allocs', { authorization: `Bearer ${token}` });
    assert.equal(allocs.status, 404);
    assert.match(allocs.body.toString(), /read the in-use heap at \/heap, where Grafana Alloy's profile\.memory and Parca's memory path should point/);
  });
});

describe('TLS', () => {
  const cert = readFileSync(join(tlsDir, 'cert.pem'));

  function httpsText(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      httpsGet(url, { ca: cert, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      }).on('error', reject);
    });
  }

  test('with a certificate and key the agent serves HTTPS only, and the token travels encrypted', async () => {
    const agent = await startAgent({
      address: '127.0.0.1:0',
      token,
      tls: { cert: join(tlsDir, 'cert.pem'), key: join(tlsDir, 'key.pem') },
      log: () => undefined,
    });
    try {
      assert.match(agent.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const ok = await httpsText(`${agent.url}/debug/pprof/cmdline`, { authorization: `Bearer ${token}` });
      assert.equal(ok.status, 200);
      assert.ok(ok.text.includes('\0') || ok.text.length > 0);
      assert.equal((await httpsText(`${agent.url}/debug/pprof/cmdline`, {})).status, 401);
      // Plain HTTP to the same port gets no answer from the profile endpoints.
      const plain = await fetch(agent.url.replace('https:', 'http:') + '/debug/pprof/cmdline').then((r) => r.status, () => 'refused');
      assert.notEqual(plain, 200);
    } finally {
      await agent.stop();
    }
  });

  test('TSPROF_TLS_CERT/KEY name PEM files; a missing half or a bad file is one clear line', () => {
    const env = { TSPROF_TLS_CERT: join(tlsDir, 'cert.pem'), TSPROF_TLS_KEY: join(tlsDir, 'key.pem') };
    assert.ok(resolveAgentTls(undefined, env)!.cert.toString().includes('BEGIN CERTIFICATE'));
    assert.equal(resolveAgentTls(undefined, {}), undefined);
    assert.throws(() => resolveAgentTls(undefined, { TSPROF_TLS_CERT: env.TSPROF_TLS_CERT }), /needs both a certificate \(TSPROF_TLS_CERT\) and its key/);
    assert.throws(() => resolveAgentTls(undefined, { ...env, TSPROF_TLS_KEY: '/nonexistent/key.pem' }), /cannot read the TLS key \(TSPROF_TLS_KEY\) "\/nonexistent\/key.pem"/);
    assert.throws(() => resolveAgentTls(undefined, { TSPROF_TLS_CERT: env.TSPROF_TLS_KEY, TSPROF_TLS_KEY: env.TSPROF_TLS_CERT }), /do not make a TLS context/);
  });
});
