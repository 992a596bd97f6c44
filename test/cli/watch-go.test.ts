import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/cli-capture.js';
import { startService } from '../leak/service-process.js';
import { skipUnless } from '../support/required-tool.js';

// `tsprof watch` reads any /debug/pprof server: here Go's own net/http/pprof,
// in a Go build of the story's leak (a substring cached in a map keeps its
// whole response alive), built with the Go toolchain CI installs.
const source = fileURLToPath(new URL('../../../test/leak/fixtures/leaky-go/main.go', import.meta.url));
let dir: string;
let binary: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsprof-watch-go-'));
  if (skipUnless('go')) return; // the tests below say what to install
  copyFileSync(source, join(dir, 'main.go'));
  binary = join(dir, 'leaky');
  execFileSync('go', ['build', '-o', binary, 'main.go'], { cwd: dir, timeout: 120_000 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function watchBinary(mode: string) {
  const service = await startService(binary, [mode]);
  try {
    const io = captureIO();
    const code = await main(['watch', '-interval=300ms', '-duration=3s', service.url], io);
    return { code, out: io.out(), err: io.err() };
  } finally {
    await service.stop();
  }
}

test("watch on a leaky Go service (net/http/pprof) names main.parseContainerMetricsResponse", { timeout: 150_000, skip: skipUnless('go') }, async () => {
  const r = await watchBinary('leaky');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Growing allocation sites \(1\):\n  main\.parseContainerMetricsResponse \S*main\.go:\d+\n      grows [\d.]+MB\/min, high confidence/);
  assert.match(r.out, /called from main\.main /);
});

test('watch on the fixed Go service reports no growing site', { timeout: 60_000, skip: skipUnless('go') }, async () => {
  const r = await watchBinary('fixed');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Growing allocation sites: none\n/);
});
