import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { kubeletSimulatorScript, metricsFetcherScript, startChildService, type ChildService } from '../../src/demo/child-service.js';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/cli-capture.js';
import { startService } from '../leak/service-process.js';
import { decodesLargeBuffersExternally } from '../support/external-strings.js';

// The story's service (examples/metrics-fetcher) as real processes: a kubelet
// simulator serving ~1 MB responses, and the fetcher scraping it every 50 ms
// with the tsprof agent, as `tsprof watch` meets it in production.
let simulator: ChildService<{ url: string }>;
before(async () => {
  simulator = await startChildService<{ url: string }>(kubeletSimulatorScript, ['-size', String(1 << 20)]);
});
after(async () => {
  await simulator?.stop();
});

async function watch(url: string, extra: string[] = []) {
  const io = captureIO();
  const code = await main(['watch', '-interval=500ms', '-duration=5s', ...extra, url], io);
  return { code, out: io.out(), err: io.err() };
}

test('watch -snapshots on the leaky metrics fetcher: parseContainerMetricsResponse grows, held by CgroupResolver.cache through sliced strings', { timeout: 60_000 }, async () => {
  const fetcher = await startService(metricsFetcherScript, ['-heap-snapshots', '-kubelet', simulator.info.url, '-interval', '50']);
  try {
    const r = await watch(fetcher.url, ['-snapshots']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /held by CgroupResolver\.cache \(a Map\) → Object\.cgroupPath through \d+ sliced strings of \d+B that keep \d+ strings of [\d.]+(kB|MB) alive/);
    assert.match(r.out, /path: … → CgroupResolver\.cache → Map → Object\.cgroupPath → \(sliced string\) → parent/);
    if (decodesLargeBuffersExternally()) {
      // Node 24+: the ~1 MB responses are external strings, outside V8's heap profile.
      assert.match(r.out, /\nOutside the V8 heap \(external: Buffers, external strings\): [\d.]+MB → [\d.]+MB, growing [\d.]+MB\/min \((high|medium) confidence/);
      assert.match(r.out, /\nVerdict: memory outside the V8 heap \(external: Buffers, external strings\) grows [\d.]+MB\/min \((high|medium|low) confidence\); V8's heap profile does not sample it, so no allocation site is named; it is held by CgroupResolver\.cache \(a Map\) → Object\.cgroupPath through \d+ sliced strings .* alive: copy the slice before keeping it\.\n$/);
    } else {
      assert.match(r.out, /Growing allocation sites \(1\):\n  parseContainerMetricsResponse examples\/metrics-fetcher\/metrics-fetcher\.ts:\d+\n      grows [\d.]+MB\/min, (high|medium) confidence/);
      assert.match(r.out, /\nVerdict: in-use memory allocated in parseContainerMetricsResponse grows [\d.]+MB\/min \((high|medium|low) confidence\); it is held by CgroupResolver\.cache \(a Map\) → Object\.cgroupPath through \d+ sliced strings .* alive: copy the slice before keeping it\.\n$/);
    }
  } finally {
    await fetcher.stop();
  }
});

test('watch on the fixed metrics fetcher reports no growing site', { timeout: 60_000 }, async () => {
  const fetcher = await startService(metricsFetcherScript, ['-fixed', '-kubelet', simulator.info.url, '-interval', '50']);
  try {
    const r = await watch(fetcher.url);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Growing allocation sites: none\n/);
    assert.match(r.out, /Verdict: no allocation site grows steadily/);
  } finally {
    await fetcher.stop();
  }
});
