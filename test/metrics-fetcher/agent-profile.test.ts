import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { Profile } from 'pprof-format';
import { decodesLargeBuffersExternally } from '../support/external-strings.js';
import { kubeletSimulatorScript, metricsFetcherScript, startChildService, type ChildService } from '../../src/demo/child-service.js';

interface FetcherInfo {
  mode: string;
  results: string;
  agent: string;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return (await res.json()) as T;
}

/** cumulativeShare is the share of inuse_space whose stack holds a function named `name`. */
function cumulativeShare(gzipped: Uint8Array, name: string): { share: number; total: number } {
  const profile = Profile.decode(gunzipSync(gzipped));
  const strings = profile.stringTable.strings;
  const index = profile.sampleType.findIndex((t) => strings[Number(t.type)] === 'inuse_space');
  assert.ok(index >= 0, 'the heap profile has inuse_space');
  const functionName = new Map(profile.function.map((f) => [Number(f.id), strings[Number(f.name)]]));
  const locationNames = new Map(profile.location.map((l) => [Number(l.id), l.line.map((line) => functionName.get(Number(line.functionId)))]));
  let total = 0;
  let matching = 0;
  for (const sample of profile.sample) {
    const value = Number(sample.value[index]);
    total += value;
    if (sample.locationId.some((id) => locationNames.get(Number(id))?.includes(name))) matching += value;
  }
  return { share: matching / total, total };
}

describe('the leaky fetcher under the tsprof agent', { timeout: 60_000 }, () => {
  const children: ChildService<unknown>[] = [];
  after(async () => {
    await Promise.all(children.map((c) => c.stop()));
  });

  // Where this Node decodes ~1 MB responses into external strings (Node 24+), the heap profile cannot
  // see them: the profile is then read on responses small enough to stay on the V8 heap, twice as many.
  const external = decodesLargeBuffersExternally();
  const responseBytes = external ? 512 * 1024 : 1 << 20;
  const scrapes = external ? 80 : 40;

  it('inuse_space puts parseContainerMetricsResponse (cum) at 60% or more, and the service serves its results', async () => {
    const simulator = await startChildService<{ url: string }>(kubeletSimulatorScript, ['-size', String(responseBytes)]);
    children.push(simulator);
    const fetcher = await startChildService<FetcherInfo>(metricsFetcherScript, ['-kubelet', simulator.info.url, '-interval', '20']);
    children.push(fetcher);
    assert.equal(fetcher.info.mode, 'leaky');
    let stats = await getJson<{ scrapes: number; failures: number }>(`${fetcher.info.results}/stats`);
    for (let waited = 0; stats.scrapes < scrapes && waited < 30_000; waited += 200) {
      await new Promise((r) => setTimeout(r, 200));
      stats = await getJson(`${fetcher.info.results}/stats`);
    }
    assert.ok(stats.scrapes >= scrapes, `only ${stats.scrapes} scrapes`);
    assert.equal(stats.failures, 0);

    const res = await fetch(`${fetcher.info.agent}/debug/pprof/heap`);
    assert.equal(res.status, 200);
    const { share, total } = cumulativeShare(new Uint8Array(await res.arrayBuffer()), 'parseContainerMetricsResponse');
    // ~1 MB held per scrape (or per two scrapes of 512 KiB); the sampled estimate varies by a few MB.
    assert.ok(total > 25e6, `in-use bytes ${total}: the leak should hold ~1 MB per scrape`);
    assert.ok(share >= 0.6, `parseContainerMetricsResponse holds ${(share * 100).toFixed(1)}% of in-use bytes`);

    const containers = await getJson<{ containerId: string; memoryWorkingSetBytes: number; pod: string; cpuUsageSeconds: number }[]>(
      `${fetcher.info.results}/containers`,
    );
    assert.ok(containers.length > 200 * (responseBytes / (1 << 20)), `${containers.length} containers`);
    assert.ok(containers.every((c) => /^[0-9a-f]{12}$/.test(c.containerId) && c.memoryWorkingSetBytes > 0 && c.pod !== ''));
  });
});
