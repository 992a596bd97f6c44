import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { decodeProfile } from '../../src/profile/decode.js';
import { encodeProfileGzip } from '../../src/profile/encode.js';
import { captureIO } from '../support/cli-capture.js';

const go = new URL('../../../test/fixtures/go/', import.meta.url).pathname;

async function runWatch(args: string[], cwd = go) {
  const io = captureIO();
  io.cwd = cwd;
  const code = await main(['watch', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

test('watch FILE...: saved profiles are judged in the order of their times', async () => {
  const r = await runWatch(['heap_t2.pb.gz', 'heap_t1.pb.gz']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Heap growth over 528ms: 2 heap profiles, in-use bytes per function\nTotal in use: 14\.72MB → 49\.12MB/);
  assert.match(r.out, /Largest changes \(too few profiles for a verdict\):\n  unknown     48\.12MB now   \+34\.39MB since first  main\.parseContainerMetricsResponse goexp\/main\.go:\d+\n/);
  assert.match(r.out, /Verdict: too few heap profiles \(2\) to judge growth; watch longer\.\n$/);
});

test('watch FILE...: a series written by tsprof itself gets a full verdict', async () => {
  // Six profiles 10 s apart: heap_t1 with every value scaled up by half of itself per step.
  const base = decodeProfile(readFileSync(join(go, 'heap_t1.pb.gz')), 'heap_t1.pb.gz');
  const dir = mkdtempSync(join(tmpdir(), 'tsprof-watch-files-'));
  try {
    const files: string[] = [];
    for (let i = 0; i < 6; i++) {
      const values = base.samples.values.map((v) => v * (1 + i / 2));
      const profile = { ...base, timeNanos: base.timeNanos + BigInt(i) * 10_000_000_000n, samples: { ...base.samples, values } };
      const file = join(dir, `heap-${i}.pb.gz`);
      writeFileSync(file, encodeProfileGzip(profile));
      files.push(file);
    }
    const r = await runWatch(['-json', ...files.reverse()]);
    assert.equal(r.code, 0, r.err);
    // -fail: the same report, and exit status 3 for the leak, so a CI job can gate on it.
    const gated = await runWatch(['-fail', ...files]);
    assert.equal(gated.code, 3, gated.err);
    assert.match(gated.out, /\nVerdict: in-use memory allocated in main\.parseContainerMetricsResponse grows/);
    // A flat series passes the gate: the first profile six times over.
    const flat = await runWatch(['-fail', ...flatSeries(base, dir)]);
    assert.equal(flat.code, 0, flat.out);
    assert.match(flat.out, /\nVerdict: no allocation site grows steadily/);
    const report = JSON.parse(r.out);
    assert.deepEqual(report.growth.growing.map((s: { site: { functionName: string } }) => s.site.functionName), ['main.parseContainerMetricsResponse']);
    // 14051.96 kB × 0.5 every 10 s = 41.17 MB/min, exactly.
    const slope = report.growth.growing[0].trend.slopePerMinute;
    assert.ok(Math.abs(slope - 14051.96 * 1024 * 0.5 * 6) < 1024, `slope ${slope}`);
    // runtime.malg gains 256 kB a step: 1.25 MB in all, under the 4-period (2 MB) floor.
    assert.equal(report.growth.minGrowthBytes, 2 << 20);
    assert.ok(report.growth.others.every((s: { verdict: { kind: string } }) => s.verdict.kind !== 'growing'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** flatSeries writes six profiles 10 s apart with the same values. */
function flatSeries(base: ReturnType<typeof decodeProfile>, dir: string): string[] {
  return Array.from({ length: 6 }, (_, i) => {
    const file = join(dir, `flat-${i}.pb.gz`);
    writeFileSync(file, encodeProfileGzip({ ...base, timeNanos: base.timeNanos + BigInt(i) * 10_000_000_000n }));
    return file;
  });
}

test('watch FILE...: profiles that cannot form a series are one clear error', async () => {
  assert.equal((await runWatch(['heap_t1.pb.gz', 'heap_t1.pb.gz'])).err, 'tsprof: heap_t1.pb.gz and heap_t1.pb.gz were taken at the same time\n');
  assert.equal((await runWatch(['cpu.pb.gz', 'heap_t1.pb.gz'])).err, 'tsprof: cpu.pb.gz: not a heap profile: no bytes sample type (has samples, cpu)\n');
  assert.equal((await runWatch(['../v8/leaky.heapprofile', 'heap_t1.pb.gz'])).err, 'tsprof: ../v8/leaky.heapprofile: the profile records no time, so it cannot be placed in a series\n');
  assert.equal((await runWatch(['nope.pb.gz'])).err, 'tsprof: open nope.pb.gz: no such file or directory\n');
  const mixed = await runWatch(['heap_t1.pb.gz', 'http://127.0.0.1:1/debug/pprof/heap']);
  assert.equal(mixed.code, 2);
  assert.match(mixed.err, /give one URL to watch, or profile files, not both/);
  assert.equal((await runWatch(['-snapshots', 'heap_t1.pb.gz', 'heap_t2.pb.gz'])).code, 2);
});
