// Throughput cost of the agent on an allocation-heavy HTTP service on loopback:
// no profiler, tsprof's agent (heap sampling only), tsprof during a CPU profile, and
// @datadog/pprof heap + time profiling at the same settings (512 KiB, 100 Hz).
//
//   npx tsc -p . && node dist/bench/agent-throughput.js [--reps 7] [--seconds 4] [--concurrency 8]
//
// Each measurement is a fresh server process and a separate load-generator process
// (Node, keep-alive, fixed concurrency, bounded by time). Modes are interleaved in a
// rotating order over the repetitions; the summary gives medians, the spread, and
// the ratio to the no-profiler baseline, both as requests per second and as server
// CPU time per request (less sensitive to other work on the machine).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, Agent as HttpAgent } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

type Mode = 'baseline' | 'tsprof-heap' | 'tsprof-cpu' | 'datadog';
const modes: Mode[] = ['baseline', 'tsprof-heap', 'tsprof-cpu', 'datadog'];
const heapInterval = 512 * 1024;
const cpuIntervalMicros = 10_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

// ---------- server process ----------

/** The service: each request builds a few hundred objects, keeps some in a bounded cache, and answers JSON. */
async function runServer(mode: Mode): Promise<void> {
  let agentUrl = '';
  if (mode === 'tsprof-heap' || mode === 'tsprof-cpu') {
    const { startAgent } = await import('../src/agent/index.js');
    agentUrl = (await startAgent({ address: '127.0.0.1:0', heapSamplingInterval: heapInterval, cpuSamplingInterval: cpuIntervalMicros })).url;
  } else if (mode === 'datadog') {
    const require = createRequire(import.meta.url);
    const { heap, time } = require('@datadog/pprof') as typeof import('@datadog/pprof');
    heap.start(heapInterval, 64);
    time.start({ intervalMicros: cpuIntervalMicros, durationMillis: 600_000 });
  }
  const cache = new Map<number, unknown>();
  let served = 0;
  const server = createServer((req, res) => {
    if (req.url === '/__stats') {
      const cpu = process.cpuUsage();
      res.end(JSON.stringify({ served, cpuMicros: cpu.user + cpu.system }));
      return;
    }
    served++;
    const items = [];
    for (let i = 0; i < 300; i++) {
      items.push({ id: i, name: `item-${i}-${served}`, price: i * 1.5, tags: ['a', 'b', String(i % 7)], nested: { at: Date.now(), ok: true } });
    }
    cache.set(served % 5000, items.slice(0, 20)); // a bounded in-use heap that changes
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ count: items.length, items: items.slice(0, 50) }));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`ready ${(server.address() as { port: number }).port} ${agentUrl}\n`);
  });
}

// ---------- load generator process ----------

/** Drives the server with `concurrency` keep-alive clients for `seconds`; prints completed requests. */
async function runLoad(port: number, seconds: number, concurrency: number): Promise<void> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  const deadline = Date.now() + seconds * 1000;
  let completed = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        await one();
        completed++;
      }
    }),
  );
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ completed, seconds })}\n`);
}

// ---------- orchestration ----------

function firstLine(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    proc.once('exit', (code) => reject(new Error(`child exited ${code} before answering`)));
  });
}

async function getJson(url: string): Promise<{ served: number; cpuMicros: number }> {
  return (await (await fetch(url)).json()) as { served: number; cpuMicros: number };
}

async function load(port: number, seconds: number, concurrency: number): Promise<number> {
  const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--load', String(port), String(seconds), String(concurrency)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await firstLine(proc);
  return (JSON.parse(line) as { completed: number }).completed;
}

interface Measurement {
  mode: Mode;
  requestsPerSecond: number;
  cpuMicrosPerRequest: number;
}

async function measure(mode: Mode, seconds: number, concurrency: number): Promise<Measurement> {
  const server = spawn(process.execPath, [fileURLToPath(import.meta.url), '--server', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [, port, agentUrl] = (await firstLine(server)).split(' ');
    await load(Number(port), 1.5, concurrency); // warm up (JIT, caches)
    let profile: Promise<unknown> | undefined;
    if (mode === 'tsprof-cpu') {
      profile = fetch(`${agentUrl}/debug/pprof/profile?seconds=${Math.ceil(seconds) + 1}`).then((r) => r.arrayBuffer());
      await new Promise((r) => setTimeout(r, 200)); // the profile is running before the window opens
    }
    const before = await getJson(`http://127.0.0.1:${port}/__stats`);
    const completed = await load(Number(port), seconds, concurrency);
    const after = await getJson(`http://127.0.0.1:${port}/__stats`);
    await profile;
    return {
      mode,
      requestsPerSecond: completed / seconds,
      cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, after.served - before.served),
    };
  } finally {
    server.kill('SIGKILL');
  }
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.ceil(at)]! - s[lo]!) * (at - lo);
}

async function orchestrate(): Promise<void> {
  const reps = arg('--reps', 7);
  const seconds = arg('--seconds', 4);
  const concurrency = arg('--concurrency', 8);
  const results: Measurement[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const order = modes.map((_, i) => modes[(i + rep) % modes.length]!);
    for (const mode of order) {
      const m = await measure(mode, seconds, concurrency);
      results.push(m);
      process.stderr.write(`rep ${rep + 1}/${reps} ${mode.padEnd(11)} ${m.requestsPerSecond.toFixed(0)} req/s, ${m.cpuMicrosPerRequest.toFixed(1)} µs CPU/req\n`);
    }
  }
  const of = (mode: Mode) => results.filter((r) => r.mode === mode);
  const base = of('baseline');
  const baseRps = quantile(base.map((r) => r.requestsPerSecond), 0.5);
  const baseCpu = quantile(base.map((r) => r.cpuMicrosPerRequest), 0.5);
  console.log(`allocation-heavy HTTP service, ${reps} interleaved reps × ${seconds} s, ${concurrency} keep-alive clients (medians, [quartiles]):`);
  for (const mode of modes) {
    const rps = of(mode).map((r) => r.requestsPerSecond);
    const cpu = of(mode).map((r) => r.cpuMicrosPerRequest);
    const medRps = quantile(rps, 0.5);
    const medCpu = quantile(cpu, 0.5);
    console.log(
      `  ${mode.padEnd(11)} ${medRps.toFixed(0).padStart(6)} req/s [${quantile(rps, 0.25).toFixed(0)}–${quantile(rps, 0.75).toFixed(0)}]` +
        `  ratio ${(medRps / baseRps).toFixed(3)} (loss ${((1 - medRps / baseRps) * 100).toFixed(1)}%)` +
        `   ${medCpu.toFixed(1)} µs CPU/req [${quantile(cpu, 0.25).toFixed(1)}–${quantile(cpu, 0.75).toFixed(1)}]  ratio ${(medCpu / baseCpu).toFixed(3)}`,
    );
  }
}

if (process.argv.includes('--server')) {
  await runServer(process.argv[process.argv.indexOf('--server') + 1] as Mode);
} else if (process.argv.includes('--load')) {
  const i = process.argv.indexOf('--load');
  await runLoad(Number(process.argv[i + 1]), Number(process.argv[i + 2]), Number(process.argv[i + 3]));
} else {
  await orchestrate();
}
