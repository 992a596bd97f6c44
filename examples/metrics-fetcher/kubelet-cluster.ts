/**
 * KubeletCluster is the simulated node behind the kubelet simulator: pods
 * with containers whose usage changes every scrape, and whose containers
 * restart now and then (a restart gives a container a new 64-hex id, as
 * containerd does). It renders the cAdvisor families a kubelet serves at
 * /metrics/cadvisor, in the same shape: sorted labels, pod-level rows with
 * empty container/image/name, millisecond timestamps on the usage rows.
 */

import { seededRandom } from './seeded-random.js';

/** KubeletClusterOptions sizes the simulated node. */
export interface KubeletClusterOptions {
  /** Number of pods (default 30). */
  pods?: number;
  /** Containers per pod (default 2). */
  containersPerPod?: number;
  /** Containers restarted (given a new id) per scrape, round-robin (default 1). */
  churn?: number;
  /** Seed of the pseudo-random numbers, so runs can be repeated (default 1). */
  seed?: number;
}

interface SimContainer {
  name: string;
  image: string;
  id: string;
  cpuSeconds: number;
  cpuUserSeconds: number;
  memoryWorkingSet: number;
  memoryCache: number;
  memoryLimit: number;
  cpuQuota: number;
  fsUsage: number;
}

interface SimPod {
  namespace: string;
  name: string;
  uid: string;
  qos: 'burstable' | 'besteffort';
  containers: SimContainer[];
  rxBytes: number;
  txBytes: number;
}

const namespaces = ['default', 'kube-system', 'payments', 'checkout', 'monitoring', 'ingress-nginx'];
const apps = ['api', 'checkout', 'cart', 'search', 'recommender', 'auth', 'billing', 'inventory', 'shipping', 'frontend'];
const sidecars = ['app', 'istio-proxy', 'log-shipper', 'metrics-exporter', 'config-reloader'];

/** KubeletCluster holds the simulated pods and renders one scrape at a time. */
export class KubeletCluster {
  readonly pods: SimPod[] = [];
  private readonly random: () => number;
  private readonly churn: number;
  private nextRestart = 0;
  private scrapes = 0;

  constructor(options: KubeletClusterOptions = {}) {
    const podCount = options.pods ?? 30;
    const containersPerPod = options.containersPerPod ?? 2;
    this.churn = options.churn ?? 1;
    this.random = seededRandom(options.seed ?? 1);
    for (let p = 0; p < podCount; p++) {
      const app = apps[p % apps.length]!;
      const pod: SimPod = {
        namespace: namespaces[p % namespaces.length]!,
        name: `${app}-${this.hex(10)}-${this.hex(5)}`,
        uid: `${this.hex(8)}-${this.hex(4)}-${this.hex(4)}-${this.hex(4)}-${this.hex(12)}`,
        qos: p % 3 === 0 ? 'besteffort' : 'burstable',
        containers: [],
        rxBytes: Math.floor(this.random() * 1e9),
        txBytes: Math.floor(this.random() * 1e9),
      };
      for (let c = 0; c < containersPerPod; c++) {
        const name = c === 0 ? app : sidecars[c % sidecars.length]!;
        pod.containers.push({
          name,
          image: `registry.example.com/${pod.namespace}/${name}:v1.${p % 17}.${c}`,
          id: this.hex(64),
          cpuSeconds: this.random() * 1000,
          cpuUserSeconds: 0,
          memoryWorkingSet: Math.floor(50e6 + this.random() * 400e6),
          memoryCache: Math.floor(this.random() * 100e6),
          memoryLimit: 512 * 1024 * 1024 * (1 + (c % 2)),
          cpuQuota: 100000 * (1 + (p % 4)),
          fsUsage: Math.floor(this.random() * 1e8),
        });
      }
      this.pods.push(pod);
    }
  }

  /** Number of containers on the node. */
  get containerCount(): number {
    return this.pods.reduce((n, p) => n + p.containers.length, 0);
  }

  private hex(length: number): string {
    let s = '';
    while (s.length < length) s += Math.floor(this.random() * 0x100000000).toString(16).padStart(8, '0');
    return s.slice(0, length);
  }

  /** advance moves the node one scrape on: usage changes, `churn` containers restart with new ids. */
  advance(): void {
    this.scrapes++;
    for (const pod of this.pods) {
      pod.rxBytes += Math.floor(this.random() * 1e6);
      pod.txBytes += Math.floor(this.random() * 1e6);
      for (const c of pod.containers) {
        const burned = this.random() * 2;
        c.cpuSeconds += burned;
        c.cpuUserSeconds += burned * 0.7;
        c.memoryWorkingSet = Math.max(1e6, c.memoryWorkingSet + Math.floor((this.random() - 0.5) * 4e6));
        c.memoryCache = Math.max(0, c.memoryCache + Math.floor((this.random() - 0.5) * 1e6));
        c.fsUsage += Math.floor(this.random() * 4096);
      }
    }
    const total = this.containerCount;
    for (let r = 0; r < this.churn && total > 0; r++) {
      const index = this.nextRestart++ % total;
      const pod = this.pods[Math.floor(index / this.pods[0]!.containers.length)]!;
      const container = pod.containers[index % pod.containers.length]!;
      container.id = this.hex(64);
      container.cpuSeconds = 0;
      container.cpuUserSeconds = 0;
    }
  }

  /**
   * renderMetrics yields the exposition in pieces (the HELP/TYPE header of
   * each family, then one piece per pod), so a 50 MB response never has to
   * be one string in the simulator.
   */
  *renderMetrics(nowMs: number = Date.now()): Generator<string> {
    for (const family of families) {
      yield `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`;
      for (const pod of this.pods) yield renderFamilyForPod(family, pod, nowMs);
    }
  }

  /** renderMetricsText is renderMetrics as one string. */
  renderMetricsText(nowMs: number = Date.now()): string {
    return [...this.renderMetrics(nowMs)].join('');
  }
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  /** Extra labels, formatted with a trailing comma, placed in sorted order as cAdvisor does: before `id` (cpu, device) or after `image` (interface). */
  extra?: string;
  extraAfterImage?: boolean;
  /** Whether the rows carry a timestamp (cAdvisor stamps the usage it sampled). */
  timestamped: boolean;
  /** Value of a container row, or undefined for families only reported per pod. */
  container?: (c: SimContainer) => number;
  /** Value of the pod-level row. */
  pod: (p: SimPod) => number;
}

const sum = (p: SimPod, f: (c: SimContainer) => number) => p.containers.reduce((n, c) => n + f(c), 0);

const families: Family[] = [
  { name: 'container_cpu_usage_seconds_total', help: 'Cumulative cpu time consumed in seconds.', type: 'counter', extra: 'cpu="total",', timestamped: true, container: (c) => round6(c.cpuSeconds), pod: (p) => round6(sum(p, (c) => c.cpuSeconds)) },
  { name: 'container_cpu_user_seconds_total', help: 'Cumulative user cpu time consumed in seconds.', type: 'counter', timestamped: true, container: (c) => round6(c.cpuUserSeconds), pod: (p) => round6(sum(p, (c) => c.cpuUserSeconds)) },
  { name: 'container_memory_working_set_bytes', help: 'Current working set in bytes.', type: 'gauge', timestamped: true, container: (c) => c.memoryWorkingSet, pod: (p) => sum(p, (c) => c.memoryWorkingSet) },
  { name: 'container_memory_rss', help: 'Size of RSS in bytes.', type: 'gauge', timestamped: true, container: (c) => c.memoryWorkingSet - (c.memoryWorkingSet % 4096), pod: (p) => sum(p, (c) => c.memoryWorkingSet - (c.memoryWorkingSet % 4096)) },
  { name: 'container_memory_cache', help: 'Number of bytes of page cache memory.', type: 'gauge', timestamped: true, container: (c) => c.memoryCache, pod: (p) => sum(p, (c) => c.memoryCache) },
  { name: 'container_fs_usage_bytes', help: 'Number of bytes that are consumed by the container on this filesystem.', type: 'gauge', extra: 'device="/dev/nvme0n1p1",', timestamped: false, container: (c) => c.fsUsage, pod: (p) => sum(p, (c) => c.fsUsage) },
  { name: 'container_network_receive_bytes_total', help: 'Cumulative count of bytes received', type: 'counter', extra: 'interface="eth0",', extraAfterImage: true, timestamped: true, pod: (p) => p.rxBytes },
  { name: 'container_network_transmit_bytes_total', help: 'Cumulative count of bytes transmitted', type: 'counter', extra: 'interface="eth0",', extraAfterImage: true, timestamped: true, pod: (p) => p.txBytes },
  { name: 'container_spec_memory_limit_bytes', help: 'Memory limit for the container.', type: 'gauge', timestamped: false, container: (c) => c.memoryLimit, pod: () => 0 },
  { name: 'container_spec_cpu_quota', help: 'CPU quota of the container.', type: 'gauge', timestamped: false, container: (c) => c.cpuQuota, pod: (p) => sum(p, (c) => c.cpuQuota) },
];

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** podCgroup is the cgroup path of a pod, as cAdvisor reports it in `id`. */
function podCgroup(pod: SimPod): string {
  return `/kubepods/${pod.qos}/pod${pod.uid}`;
}

function renderFamilyForPod(family: Family, pod: SimPod, nowMs: number): string {
  const before = family.extraAfterImage ? '' : family.extra ?? '';
  const after = family.extraAfterImage ? family.extra ?? '' : '';
  const stamp = family.timestamped ? ` ${nowMs}` : '';
  const cgroup = podCgroup(pod);
  let out = `${family.name}{container="",${before}id="${cgroup}",image="",${after}name="",namespace="${pod.namespace}",pod="${pod.name}"} ${family.pod(pod)}${stamp}\n`;
  if (family.container) {
    for (const c of pod.containers) {
      out +=
        `${family.name}{container="${c.name}",${before}id="${cgroup}/${c.id}",image="${c.image}",${after}` +
        `name="k8s_${c.name}_${pod.name}_${pod.namespace}_${pod.uid}_0",namespace="${pod.namespace}",pod="${pod.name}"} ` +
        `${family.container(c)}${stamp}\n`;
    }
  }
  return out;
}

/** podsForResponseSize is the number of pods that makes a response of about `bytes` bytes. */
export function podsForResponseSize(bytes: number, containersPerPod = 2): number {
  const probe = new KubeletCluster({ pods: 10, containersPerPod, churn: 0 });
  const perPod = Buffer.byteLength(probe.renderMetricsText()) / 10;
  return Math.max(1, Math.round(bytes / perPod));
}
