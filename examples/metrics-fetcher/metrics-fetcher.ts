import { get } from 'node:http';
import { parsePrometheusText } from '../../src/prometheus/index.js';
import { CgroupResolver, type ContainerInfo, type ResolverMode } from './cgroup-resolver.js';

/** MetricsFetcherOptions configures the scraping service. */
export interface MetricsFetcherOptions {
  /** The kubelets' /metrics/cadvisor URLs. */
  kubelets: string[];
  /** Pause between scrape rounds in milliseconds (default 1000). */
  intervalMs?: number;
  /** "leaky" (default, as in the story) or "fixed". */
  mode?: ResolverMode;
  /** Forget containers unseen for this many scrapes (default 3). */
  forgetAfterScrapes?: number;
  /** Give up on a kubelet response after this long (default 10 s). */
  timeoutMs?: number;
}

/** ContainerUsage is what the service reports for one container. */
export interface ContainerUsage {
  kubelet: string;
  containerId: string;
  namespace: string;
  pod: string;
  container: string;
  memoryWorkingSetBytes: number;
  memoryRssBytes: number;
  cpuUsageSeconds: number;
  /** CPU cores used since the previous scrape (undefined on first sight). */
  cpuCores?: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * containerIdOf returns the container id at the end of a cAdvisor `id`
 * label (`/kubepods/burstable/pod<uid>/<64 hex>`), or undefined for pod and
 * node cgroups. It is a slice of the label value, hence of the response.
 */
export function containerIdOf(cgroupPath: string): string | undefined {
  const slash = cgroupPath.lastIndexOf('/');
  if (cgroupPath.length - slash - 1 !== 64) return undefined;
  const id = cgroupPath.slice(slash + 1);
  return HEX64.test(id) ? id : undefined;
}

/**
 * MetricsFetcher is the story's service: it scrapes kubelets on an
 * interval, parses each response, resolves every container through the
 * CgroupResolver and keeps the latest per-container memory and CPU.
 */
export class MetricsFetcher {
  readonly resolver: CgroupResolver;
  readonly kubelets: string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Completed scrape rounds. */
  scrapes = 0;
  /** Failed kubelet requests, and the last failure. */
  failures = 0;
  lastError: string | undefined;
  /** Latest usage, per kubelet URL. */
  readonly latest = new Map<string, ContainerUsage[]>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly waiters: { scrapes: number; resolve: () => void }[] = [];

  constructor(options: MetricsFetcherOptions) {
    this.kubelets = [...options.kubelets];
    this.intervalMs = options.intervalMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.resolver = new CgroupResolver(options.mode ?? 'leaky', options.forgetAfterScrapes ?? 3);
  }

  /** start begins the fetch loop (once). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.fetchLoop();
  }

  /** stop ends the fetch loop after the request in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** whenScraped resolves once `count` scrape rounds have completed. */
  whenScraped(count: number): Promise<void> {
    if (this.scrapes >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ scrapes: count, resolve }));
  }

  /**
   * fetchLoop scrapes every kubelet, then sleeps, until stopped. The parse
   * is called right here, so profiles show it under fetchLoop.
   */
  private async fetchLoop(): Promise<void> {
    while (this.running) {
      this.resolver.beginScrape();
      for (const url of this.kubelets) {
        try {
          const bytes = await this.fetchKubeletMetrics(url);
          this.latest.set(url, this.parseContainerMetricsResponse(url, bytes));
        } catch (err) {
          this.failures++;
          this.lastError = `${url}: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      this.resolver.forgetUnseen();
      this.scrapes++;
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        if (this.waiters[i]!.scrapes <= this.scrapes) this.waiters.splice(i, 1)[0]!.resolve();
      }
      if (this.running && this.intervalMs > 0) await this.sleep(this.intervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** fetchKubeletMetrics GETs one kubelet's /metrics/cadvisor and returns the body bytes. */
  fetchKubeletMetrics(url: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const req = get(url, { timeout: this.timeoutMs }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`HTTP ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no response within ${this.timeoutMs} ms`)));
      req.on('error', reject);
    });
  }

  /**
   * parseContainerMetricsResponse turns the response bytes into a string,
   * parses it, and resolves each container row's id through the resolver.
   */
  parseContainerMetricsResponse(kubelet: string, bytes: Buffer): ContainerUsage[] {
    const text = bytes.toString('utf8');
    const { rows } = parsePrometheusText(text);
    const usage = new Map<ContainerInfo, ContainerUsage>();
    for (const row of rows) {
      let cgroup: string | undefined;
      let container = '';
      let pod = '';
      let namespace = '';
      for (const label of row.labels) {
        if (label.name === 'id') cgroup = label.value;
        else if (label.name === 'container') container = label.value;
        else if (label.name === 'pod') pod = label.value;
        else if (label.name === 'namespace') namespace = label.value;
      }
      if (cgroup === undefined || container === '') continue; // pod- and node-level rows
      const containerId = containerIdOf(cgroup);
      if (containerId === undefined) continue;
      const info = this.resolver.resolve(containerId, cgroup);
      let entry = usage.get(info);
      if (entry === undefined) {
        entry = { kubelet, containerId: info.shortId, namespace, pod, container, memoryWorkingSetBytes: 0, memoryRssBytes: 0, cpuUsageSeconds: 0 };
        usage.set(info, entry);
      }
      switch (row.metric) {
        case 'container_memory_working_set_bytes':
          entry.memoryWorkingSetBytes = row.value;
          break;
        case 'container_memory_rss':
          entry.memoryRssBytes = row.value;
          break;
        case 'container_cpu_usage_seconds_total':
          entry.cpuUsageSeconds = row.value;
          break;
      }
    }
    const now = Date.now();
    for (const [info, entry] of usage) {
      if (info.lastCpuSeconds !== undefined && info.lastCpuAt !== undefined && now > info.lastCpuAt) {
        entry.cpuCores = Math.max(0, (entry.cpuUsageSeconds - info.lastCpuSeconds) / ((now - info.lastCpuAt) / 1000));
      }
      info.lastCpuSeconds = entry.cpuUsageSeconds;
      info.lastCpuAt = now;
    }
    return [...usage.values()];
  }
}
