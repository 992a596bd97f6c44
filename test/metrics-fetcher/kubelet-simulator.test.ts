import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeletCluster, podsForResponseSize } from '../../examples/metrics-fetcher/kubelet-cluster.js';
import { startKubeletSimulator } from '../../examples/metrics-fetcher/kubelet-simulator.js';
import { containerIdOf } from '../../examples/metrics-fetcher/metrics-fetcher.js';
import { parsePrometheusText, type PrometheusRow } from '../../src/prometheus/index.js';

const label = (row: PrometheusRow, name: string) => row.labels.find((l) => l.name === name)?.value;

async function scrape(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('kubelet simulator', () => {
  it('serves the cAdvisor container_* families with HELP/TYPE and kubelet labels over loopback HTTP', async () => {
    const simulator = await startKubeletSimulator({ pods: 4, containersPerPod: 3 });
    try {
      assert.match(simulator.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics\/cadvisor$/);
      const first = await scrape(simulator.url);
      assert.equal(first.status, 200);
      assert.match(first.type!, /^text\/plain; version=0\.0\.4/);
      const { rows, errors, metadata } = parsePrometheusText(first.text);
      assert.deepEqual(errors, []);
      for (const family of [
        'container_cpu_usage_seconds_total',
        'container_memory_working_set_bytes',
        'container_memory_rss',
        'container_memory_cache',
        'container_fs_usage_bytes',
        'container_network_receive_bytes_total',
        'container_network_transmit_bytes_total',
        'container_spec_memory_limit_bytes',
      ]) {
        assert.ok(metadata.get(family)?.help, `HELP of ${family}`);
        assert.ok(metadata.get(family)?.type, `TYPE of ${family}`);
        assert.ok(rows.some((r) => r.metric === family), `rows of ${family}`);
      }
      for (const row of rows) {
        for (const name of ['container', 'id', 'image', 'name', 'namespace', 'pod']) assert.notEqual(label(row, name), undefined, `${name} on ${row.metric}`);
      }
      const containerRows = rows.filter((r) => label(r, 'container') !== '');
      const podRows = rows.filter((r) => label(r, 'container') === '');
      assert.ok(podRows.length > 0 && podRows.every((r) => label(r, 'image') === '' && label(r, 'name') === '' && containerIdOf(label(r, 'id')!) === undefined));
      assert.ok(containerRows.every((r) => /^\/kubepods\/\w+\/pod[0-9a-f-]{36}\/[0-9a-f]{64}$/.test(label(r, 'id')!)));
      assert.equal(new Set(containerRows.map((r) => label(r, 'id'))).size, 12);
      assert.ok(rows.some((r) => r.timestamp !== undefined) && rows.some((r) => r.timestamp === undefined));

      const second = parsePrometheusText((await scrape(simulator.url)).text).rows;
      const cpu = (rs: PrometheusRow[]) => rs.filter((r) => r.metric === 'container_cpu_usage_seconds_total').map((r) => r.value);
      assert.notDeepEqual(cpu(second), cpu(rows), 'values change per scrape');
      const ids = (rs: PrometheusRow[]) => new Set(rs.map((r) => label(r, 'id')!).filter((id) => containerIdOf(id)));
      const [before, now] = [ids(rows), ids(second)];
      assert.equal([...now].filter((id) => !before.has(id)).length, 1, 'one container restarted with a new id (churn 1)');
      assert.equal(simulator.scrapes, 2);
      assert.equal((await scrape(simulator.url.replace('/metrics/cadvisor', '/metrics'))).status, 404);
    } finally {
      await simulator.close();
    }
  });

  it('sizes responses from ~100 KB to ~50 MB by pods', () => {
    for (const bytes of [100_000, 1 << 20, 50_000_000]) {
      const cluster = new KubeletCluster({ pods: podsForResponseSize(bytes) });
      cluster.advance();
      const size = Buffer.byteLength(cluster.renderMetricsText());
      assert.ok(Math.abs(size - bytes) / bytes < 0.1, `asked ${bytes}, got ${size}`);
    }
  });

  it('is repeatable for a seed', () => {
    const a = new KubeletCluster({ pods: 3, seed: 7 }).renderMetricsText(0);
    assert.equal(new KubeletCluster({ pods: 3, seed: 7 }).renderMetricsText(0), a);
    assert.notEqual(new KubeletCluster({ pods: 3, seed: 8 }).renderMetricsText(0), a);
  });
});
