// The share of the event loop that continuous profiling with push takes, and what per-request labels
// add: a service-like workload (async requests: JSON in and out, small allocations, awaits on timers
// and I/O-like turns) run for `seconds` in child processes of their own, each configuration in turn:
//   none          nothing
//   agent         the tsprof agent (heap sampling at 512 KiB, as always)
//   agent+labels  the agent with requestLabels on and every request in withLabels({ route })
//   push          the agent pushing CPU (100 Hz) and heap profiles every 15 s to a server that answers at once
// The cost is 1 − (requests per second with it) / (requests per second with none), per round, the
// rounds rotating the order; medians and the spread are printed.
//
//   npx tsc -p . && node dist/bench/fleet-overhead.js [--reps 2] [--seconds 32] [--heap-mb 100]
//
// (@pyroscope/nodejs, the anchor the issue names for push, is not installed here: bench/package.json
// does not list it; its figure is missing.)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseBenchFlags } from './support/bench-flags.js';
import { handleRequest } from './support/fleet-workload.js';
import { median, quantile } from './support/stats.js';

type Config = 'none' | 'agent' | 'agent+labels' | 'push';
const configs: Config[] = ['none', 'agent', 'agent+labels', 'push'];

const flags = parseBenchFlags('fleet-overhead', {
  reps: { kind: 'int', default: 2, help: 'rounds; each runs every configuration once, in rotating order' },
  seconds: { kind: 'int', default: 32, help: 'seconds each configuration runs the workload (two 15 s push intervals)' },
  'heap-mb': { kind: 'int', default: 100, help: 'live heap the service keeps' },
  concurrency: { kind: 'int', default: 8, help: 'requests in flight at once' },
  child: { kind: 'string', default: '', help: '(internal) run the workload with this configuration' },
}).values;


async function runChild(config: Config, seconds: number, heapMb: number, concurrency: number): Promise<{ perSecond: number; cpuMicrosPerRequest: number }> {
  const kept: unknown[] = [];
  while (process.memoryUsage().heapUsed < heapMb * 1e6) for (let i = 0; i < 100_000; i++) kept.push({ id: kept.length, tags: [kept.length] });
  const { startAgent } = await import('../src/agent/index.js');
  const { withLabels } = await import('../src/agent/labels/label-context.js');
  const agent =
    config === 'none'
      ? undefined
      : await startAgent({
          address: '127.0.0.1:0',
          log: () => undefined,
          requestLabels: config === 'agent+labels',
          push: config === 'push' ? { url: 'http://127.0.0.1:9', serviceName: 'bench', intervalSeconds: 15, http: async () => ({ status: 200, statusText: 'OK', bodyStart: '' }) } : undefined,
        });
  const routes = ['/checkout', '/search', '/cart', '/login'];
  let done = 0;
  let running = true;
  const worker = async (w: number) => {
    for (let n = w; running; n += concurrency) {
      if (config === 'agent+labels') await withLabels({ route: routes[n % routes.length]! }, () => handleRequest(n));
      else await handleRequest(n);
      done++;
    }
  };
  await new Promise((r) => setTimeout(r, 1000)); // the agent's first profiler start, out of the count
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const workers = Array.from({ length: concurrency }, (_, w) => worker(w));
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  await Promise.all(workers);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await agent?.stop({ flushMs: 100 });
  if (kept.length === 0) throw new Error('unreachable');
  return { perSecond: done / elapsed, cpuMicrosPerRequest: (cpu.user + cpu.system) / done };
}

if (flags.child) {
  const result = await runChild(flags.child as Config, flags.seconds as number, flags['heap-mb'] as number, flags.concurrency as number);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
} else {
  const reps = flags.reps as number;
  const results: Record<Config, { perSecond: number; cpuMicrosPerRequest: number }[]> = { none: [], agent: [], 'agent+labels': [], push: [] };
  for (let r = 0; r < reps; r++) {
    const order = [...configs.slice(r % configs.length), ...configs.slice(0, r % configs.length)];
    for (const config of order) {
      const args = [fileURLToPath(import.meta.url), '--child', config, '--seconds', String(flags.seconds), '--heap-mb', String(flags['heap-mb']), '--concurrency', String(flags.concurrency)];
      const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`${config} child failed: ${child.stderr}`);
      results[config].push(JSON.parse(child.stdout));
    }
  }
  console.log(`event-loop cost, ${reps} rounds × ${flags.seconds} s per configuration, heap ~${flags['heap-mb']} MB, ${flags.concurrency} requests in flight:`);
  for (const config of configs) {
    const rates = results[config].map((x) => x.perSecond);
    const costs = results[config].map((x, i) => 1 - x.perSecond / results.none[i]!.perSecond);
    const cpu = median(results[config].map((x) => x.cpuMicrosPerRequest));
    const spread = costs.length > 1 ? ` (rounds: ${costs.map((c) => (c * 100).toFixed(1)).join(', ')}%; q1..q3 ${(quantile(costs, 0.25) * 100).toFixed(1)}..${(quantile(costs, 0.75) * 100).toFixed(1)}%)` : '';
    console.log(
      `  ${config.padEnd(13)} ${median(rates).toFixed(0).padStart(6)} req/s, ${cpu.toFixed(1)} µs CPU/req` +
        (config === 'none' ? '' : `, cost vs none: median ${(median(costs) * 100).toFixed(1)}%${spread}`),
    );
  }
}
