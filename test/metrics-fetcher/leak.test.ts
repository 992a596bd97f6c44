import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { podsForResponseSize } from '../../examples/metrics-fetcher/kubelet-cluster.js';
import { startKubeletSimulator, type RunningKubeletSimulator } from '../../examples/metrics-fetcher/kubelet-simulator.js';
import { MetricsFetcher } from '../../examples/metrics-fetcher/metrics-fetcher.js';
import { decodesLargeBuffersExternally } from '../support/external-strings.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;

/**
 * heldAfterGc is the memory the process holds after a full GC: the V8 heap and
 * what lies outside it (external strings and Buffers). On Node 24+ each ~1 MB
 * response is an external string, so the leak shows in `external`, not `heapUsed`.
 */
function heldAfterGc(): { heap: number; external: number; total: number } {
  gc();
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return { heap: heapUsed, external, total: heapUsed + external };
}

async function scrape(fetcher: MetricsFetcher, rounds: number): Promise<void> {
  fetcher.start();
  await fetcher.whenScraped(rounds);
  await fetcher.stop();
  assert.equal(fetcher.failures, 0, fetcher.lastError);
}

describe('the story leak, on ~1 MB kubelet responses over real HTTP', { timeout: 60_000 }, () => {
  let simulator: RunningKubeletSimulator;
  before(async () => {
    simulator = await startKubeletSimulator({ pods: podsForResponseSize(1 << 20) });
  });
  after(() => simulator.close());

  it('leaky mode: after 40 scrapes the memory held after GC has grown by at least 30 MB (V8 heap, or external strings on Node 24+)', async () => {
    const start = heldAfterGc();
    let fetcher: MetricsFetcher | undefined = new MetricsFetcher({ kubelets: [simulator.url], intervalMs: 0, mode: 'leaky' });
    await scrape(fetcher, 40);
    const end = heldAfterGc();
    assert.ok(fetcher.resolver.cache.size < 300, `the cache follows the node: ${fetcher.resolver.cache.size} containers`);
    // The pinned responses are where this Node keeps decoded strings of ~1 MB.
    const grown = decodesLargeBuffersExternally() ? end.external - start.external : end.heap - start.heap;
    assert.ok(grown >= 30 * MB, `grew only ${(grown / MB).toFixed(1)} MB (heap ${((end.heap - start.heap) / MB).toFixed(1)}, external ${((end.external - start.external) / MB).toFixed(1)})`);
    fetcher = undefined;
    // Dropping the fetcher drops its cache, and with it every response: the memory was held, not lost.
    // The last scrape's references go with the turn of the event loop it ended in; give them that long.
    let dropped = heldAfterGc();
    for (let waited = 0; dropped.total - start.total >= 10 * MB && waited < 2000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      dropped = heldAfterGc();
    }
    assert.ok(dropped.total - start.total < 10 * MB, `still held: heap ${((dropped.heap - start.heap) / MB).toFixed(1)} MB, external ${((dropped.external - start.external) / MB).toFixed(1)} MB`);
  });

  it('fixed mode: after 40 scrapes the memory held (heap + external) stays within 5 MB of its size after 5', async () => {
    const fetcher = new MetricsFetcher({ kubelets: [simulator.url], intervalMs: 0, mode: 'fixed' });
    await scrape(fetcher, 5);
    const afterFive = heldAfterGc().total;
    await scrape(fetcher, 40);
    const drift = heldAfterGc().total - afterFive;
    assert.ok(fetcher.scrapes >= 40);
    assert.ok(Math.abs(drift) <= 5 * MB, `drifted ${(drift / MB).toFixed(1)} MB`);
    assert.ok(fetcher.latest.get(simulator.url)!.length > 200, 'it still reports every container');
  });
});
