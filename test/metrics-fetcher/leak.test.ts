import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { podsForResponseSize } from '../../examples/metrics-fetcher/kubelet-cluster.js';
import { startKubeletSimulator, type RunningKubeletSimulator } from '../../examples/metrics-fetcher/kubelet-simulator.js';
import { MetricsFetcher } from '../../examples/metrics-fetcher/metrics-fetcher.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
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

  it('leaky mode: after 40 scrapes the heap after GC has grown by at least 30 MB', async () => {
    const start = heapAfterGc();
    let fetcher: MetricsFetcher | undefined = new MetricsFetcher({ kubelets: [simulator.url], intervalMs: 0, mode: 'leaky' });
    await scrape(fetcher, 40);
    const grown = heapAfterGc() - start;
    assert.ok(fetcher.resolver.cache.size < 300, `the cache follows the node: ${fetcher.resolver.cache.size} containers`);
    assert.ok(grown >= 30 * MB, `grew only ${(grown / MB).toFixed(1)} MB`);
    fetcher = undefined;
    // Dropping the fetcher drops its cache, and with it every response: the memory was held, not lost.
    assert.ok(heapAfterGc() - start < 10 * MB);
  });

  it('fixed mode: after 40 scrapes the heap stays within 5 MB of its size after 5', async () => {
    const fetcher = new MetricsFetcher({ kubelets: [simulator.url], intervalMs: 0, mode: 'fixed' });
    await scrape(fetcher, 5);
    const afterFive = heapAfterGc();
    await scrape(fetcher, 40);
    const drift = heapAfterGc() - afterFive;
    assert.ok(fetcher.scrapes >= 40);
    assert.ok(Math.abs(drift) <= 5 * MB, `drifted ${(drift / MB).toFixed(1)} MB`);
    assert.ok(fetcher.latest.get(simulator.url)!.length > 200, 'it still reports every container');
  });
});
