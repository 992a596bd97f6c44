import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/cli-capture.js';
import { startService } from '../leak/service-process.js';
import { decodesLargeBuffersExternally } from '../support/external-strings.js';

const tsprofBin = fileURLToPath(new URL('../../../bin/tsprof.js', import.meta.url));
const leakyService = fileURLToPath(new URL('../leak/fixtures/leaky-service.js', import.meta.url));

async function watch(url: string, extra: string[] = [], isTerminal = false) {
  const io = captureIO({ isTerminal });
  const code = await main(['watch', '-interval=300ms', '-duration=3s', ...extra, url], io);
  return { code, out: io.out(), err: io.err() };
}

// Where this Node decodes ~1 MB responses into external strings (Node 24+), the V8 heap profile
// cannot see them: the site is then watched on responses small enough to stay on the V8 heap.
const externalResponses = decodesLargeBuffersExternally();
const siteResponseBytes = externalResponses ? 512 * 1024 : 1 << 20;

test('watch names the leaking allocation site of a real leaky service', { timeout: 60_000 }, async () => {
  const service = await startService(leakyService, ['leaky'], { EVERY_MS: '100', RESPONSE_BYTES: String(siteResponseBytes) });
  try {
    const r = await watch(service.url);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '', 'no progress noise when not a terminal');
    assert.match(r.out, /Growing allocation sites \(1\):\n  parseContainerMetricsResponse test\/leak\/fixtures\/leaky-service\.ts:\d+\n      grows [\d.]+MB\/min, high confidence/);
    assert.match(r.out, /called from scrapeOnce /);
    assert.match(r.out, /Verdict: in-use memory allocated in parseContainerMetricsResponse grows [\d.]+MB\/min \(high confidence\)\./);
    // ~1 MiB every 100 ms is ~600 MB/min (half that for 512 KiB); allow for timer slack on a busy machine.
    const rate = Number(/grows ([\d.]+)MB\/min, high/.exec(r.out)![1]);
    const scale = siteResponseBytes / (1 << 20);
    assert.ok(rate > 200 * scale && rate < 700 * scale, `rate ${rate} MB/min`);
  } finally {
    await service.stop();
  }
});

test('watch finds no growing site in the fixed service; -json on a terminal keeps progress on stderr', { timeout: 60_000 }, async () => {
  const service = await startService(leakyService, ['fixed'], { EVERY_MS: '100' });
  try {
    const r = await watch(service.url, ['-json'], true);
    assert.equal(r.code, 0, `${r.err}\n${service.diagnostics()}`);
    // One rewritten line per profile, cleared at the end.
    assert.match(r.err, /^\r\x1b\[Kwatching http:\/\/127\.0\.0\.1:\d+: 1 profile, \d+ms of 3\.0s, in use [\d.]+[kM]?B \(\+0B\)/);
    assert.ok((r.err.match(/\r\x1b\[Kwatching/g) ?? []).length >= 9);
    assert.ok(r.err.endsWith('\r\x1b[K'));
    const report = JSON.parse(r.out);
    assert.deepEqual(report.growth.growing, []);
    assert.ok(report.growth.times.length >= 9, `readings: ${report.growth.times.length}`);
    assert.notEqual(report.growth.total.verdict.kind, 'growing');
    assert.match(report.conclusion, /^Verdict: no allocation site grows steadily/);
  } finally {
    await service.stop();
  }
});

test('Ctrl-C ends an open-ended watch with the report (end snapshot included), exit 0', { timeout: 60_000 }, async () => {
  const service = await startService(leakyService, ['leaky'], { EVERY_MS: '100', TSPROF_HEAP_SNAPSHOTS: '1' });
  try {
    const cli = spawn(process.execPath, [tsprofBin, 'watch', '-snapshots', '-interval=300ms', service.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    cli.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((resolve) => setTimeout(resolve, 4000));
    cli.kill('SIGINT');
    const [code] = (await once(cli, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.match(out, /^\(watch ended early: interrupted\)\nHeap growth over [\d.]+s: \d+ heap profiles/);
    assert.match(out, /held by CgroupResolver\.cache \(a Map\) → Object\.cgroupPath through \d+ sliced strings/);
    if (externalResponses) assert.match(out, /Verdict: memory outside the V8 heap \(external: Buffers, external strings\) grows .*; it is held by CgroupResolver\.cache/);
    else assert.match(out, /Verdict: in-use memory allocated in parseContainerMetricsResponse grows .*; it is held by CgroupResolver\.cache/);
  } finally {
    await service.stop();
  }
});
