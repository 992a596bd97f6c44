// The share of the event loop that continuous profiling with push takes, and what per-request labels
// add: a service-like workload (async requests: JSON in and out, small allocations, awaits on timers
// and I/O-like turns) run for `seconds` in child processes of their own, each configuration in turn:
//   none          nothing
//   agent         the tsprof agent (heap sampling at 512 KiB, as always)
//   agent+labels  the agent with requestLabels on and every request in withLabels({ route })
//   push          the agent pushing CPU (100 Hz) and heap profiles every 15 s
//   pyroscope     @pyroscope/nodejs (the anchor) at matching settings: wall profiles at 100 Hz with its
//                 CPU-time collection on, heap sampling at 512 KiB, flushed every 15 s
// Both pushers send to one real ingest server on loopback, in the bench's own process, which reads
// every body and answers 200 (the counts are printed, so a pusher that sent nothing shows).
// The cost is 1 − (requests per second with it) / (requests per second with none), per round, the
// rounds rotating the order; medians and the spread are printed.
//
//   npm run bench:setup && npx tsc -p . && node dist/bench/fleet-overhead.js [--reps 2] [--seconds 32] [--heap-mb 100]
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type PyroscopeNodejs, requireAnchor } from './anchors.js';
import { parseBenchFlags } from './support/bench-flags.js';
import { handleRequest } from './support/fleet-workload.js';
import { median, quantile } from './support/stats.js';

type Config = 'none' | 'agent' | 'agent+labels' | 'push' | 'pyroscope';
const configs: Config[] = ['none', 'agent', 'agent+labels', 'push', 'pyroscope'];

const flags = parseBenchFlags('fleet-overhead', {
  reps: { kind: 'int', default: 2, help: 'rounds; each runs every configuration once, in rotating order' },
  seconds: { kind: 'int', default: 32, help: 'seconds each configuration runs the workload (two 15 s push intervals)' },
  'heap-mb': { kind: 'int', default: 100, help: 'live heap the service keeps' },
  concurrency: { kind: 'int', default: 8, help: 'requests in flight at once' },
  child: { kind: 'string', default: '', help: '(internal) run the workload with this configuration' },
  ingest: { kind: 'string', default: '', help: '(internal) the ingest server the pushers send to' },
}).values;


async function runChild(config: Config, seconds: number, heapMb: number, concurrency: number, ingest: string): Promise<{ perSecond: number; cpuMicrosPerRequest: number }> {
  const kept: unknown[] = [];
  while (process.memoryUsage().heapUsed < heapMb * 1e6) for (let i = 0; i < 100_000; i++) kept.push({ id: kept.length, tags: [kept.length] });
  const { startAgent } = await import('../src/agent/index.js');
  const { withLabels } = await import('../src/agent/labels/label-context.js');
  let pyroscope: PyroscopeNodejs | undefined;
  if (config === 'pyroscope') {
    pyroscope = requireAnchor<PyroscopeNodejs>('@pyroscope/nodejs');
    pyroscope.init({
      serverAddress: ingest,
      appName: 'bench',
      flushIntervalMs: 15_000,
      wall: { samplingDurationMs: 15_000, samplingIntervalMicros: 10_000, collectCpuTime: true },
      heap: { samplingIntervalBytes: 512 * 1024, stackDepth: 64 },
    });
    pyroscope.start();
  }
  const agent =
    config === 'none' || config === 'pyroscope'
      ? undefined
      : await startAgent({
          address: '127.0.0.1:0',
          log: () => undefined,
          requestLabels: config === 'agent+labels',
          push: config === 'push' ? { url: ingest, serviceName: 'bench', intervalSeconds: 15 } : undefined,
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
  await pyroscope?.stop();
  if (kept.length === 0) throw new Error('unreachable');
  return { perSecond: done / elapsed, cpuMicrosPerRequest: (cpu.user + cpu.system) / done };
}

/** runConfig runs one configuration in a child process of its own and reads its one-line result. */
function runConfig(config: Config, ingest: string): Promise<{ perSecond: number; cpuMicrosPerRequest: number }> {
  const args = [fileURLToPath(import.meta.url), '--child', config, '--seconds', String(flags.seconds), '--heap-mb', String(flags['heap-mb']), '--concurrency', String(flags.concurrency), '--ingest', ingest];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) =>
    child.on('close', (status) => {
      if (status !== 0) reject(new Error(`${config} child failed: ${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!));
    }),
  );
}

if (flags.child) {
  const result = await runChild(flags.child as Config, flags.seconds as number, flags['heap-mb'] as number, flags.concurrency as number, flags.ingest as string);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
} else {
  // The ingest server both pushers send to: it reads every body and answers at once.
  const received = new Map<string, { uploads: number; bytes: number }>();
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').searchParams.get('name') ?? '(none)';
    const client = (req.headers['user-agent'] ?? '(no user-agent)').split(' ')[0]!;
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      const key = `${client} ${name.replace(/\{.*$/, '')}`;
      const seen = received.get(key) ?? { uploads: 0, bytes: 0 };
      seen.uploads++;
      seen.bytes += bytes;
      received.set(key, seen);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ingest = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const reps = flags.reps as number;
  const results: Record<Config, { perSecond: number; cpuMicrosPerRequest: number }[]> = { none: [], agent: [], 'agent+labels': [], push: [], pyroscope: [] };
  for (let r = 0; r < reps; r++) {
    const order = [...configs.slice(r % configs.length), ...configs.slice(0, r % configs.length)];
    for (const config of order) results[config].push(await runConfig(config, ingest));
  }
  server.close();
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
  const cpuRatio = median(results.push.map((x) => x.cpuMicrosPerRequest)) / median(results.pyroscope.map((x) => x.cpuMicrosPerRequest));
  console.log(`  push vs pyroscope, CPU per request: ${cpuRatio.toFixed(3)}× (below 1: tsprof costs less)`);
  console.log(`uploads received: ${[...received].map(([k, v]) => `${k.trim()}: ${v.uploads} (${(v.bytes / 1024).toFixed(0)} KiB)`).join('; ')}`);
}
