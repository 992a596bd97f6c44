// Throughput cost of profiling an allocation-heavy HTTP service on loopback:
//   tsprof-heap  the tsprof agent running (heap sampling, 512 KiB)
//   tsprof-cpu   the tsprof agent running and serving /debug/pprof/profile (100 Hz)
//   tsprof-external  the agent with heap sampling and its sampling of Buffer allocations
//                (externalSites, what `tsprof watch` turns on for memory outside the heap)
//   tsprof-track the agent with heap sampling and V8's allocation tracker on (what
//                `tsprof watch -snapshots -track_allocations` turns on between its two snapshots)
//   datadog      @datadog/pprof heap (512 KiB) + time (100 Hz) profiling
// each against the same service with no profiler. For diagnosis, BENCH_CONFIGS=
// also takes raw-cpu (V8's CPU profiler through node:inspector, nothing else), raw-both (that
// plus V8's sampling heap profiler, no agent), agent-raw-cpu (the agent running plus V8's CPU
// profiler on a session of its own, no HTTP request),
// datadog-time and datadog-heap (one half of @datadog/pprof each), and none (the control: nothing is
// switched on in the "on" windows).
//
//   npx tsc -p . && node dist/bench/agent-throughput.js [--reps 3] [--pairs 12] [--window-ms 2000] [--concurrency 8] [--pin] [--rate R] [--attribute]
//
// --attribute also samples the server with Linux perf throughout and prints the share of
// its main thread spent in profiler code, "on" windows against "off" ones (perf-attribution.ts):
// a steadier figure than the throughput ratios, which it complements (it cannot see indirect costs).
// --pin puts the server and the load generator on a core each (taskset); --rate R offers a
// fixed R requests a second instead of as many as the server answers (the cost then shows
// as CPU per request). Neither, nor 15 s windows, made the ratios less noisy here: the spread
// comes mostly from the VM (an in-process loop with nothing toggled varies ±5–10% between
// paired windows), so precision needs many pairs or a quieter machine.
//
// The machine has 2 cores shared with other work, so whole-run throughput swings
// by several times between runs. To see a 1% effect anyway, each server process
// switches its profiler on and off in short windows (off/on/on/off/..., so a
// steady drift cancels) while a separate Node load-generator process keeps it
// busy; every adjacent off/on pair gives one ratio, and the summary is the median
// ratio over all pairs (with quartiles), per configuration, over repetitions run
// in rotating order. Throughput is counted by the server per window; CPU time
// per request (process.cpuUsage) is printed too.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, Agent as HttpAgent } from 'node:http';
import { requireAnchor, type DatadogPprof } from './anchors.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attribute, perfAvailable, profilerFrames, recordPerf, type Attribution } from './perf-attribution.js';
import { parseBenchFlags } from './support/bench-flags.js';
import { quantile } from './support/stats.js';

type Config = 'none' | 'tsprof-heap' | 'tsprof-external' | 'tsprof-track' | 'tsprof-cpu' | 'datadog' | 'datadog-time' | 'datadog-heap' | 'raw-cpu' | 'raw-both' | 'agent-raw-cpu';
const configs: Config[] = (process.env.BENCH_CONFIGS?.split(',') as Config[] | undefined) ?? ['tsprof-heap', 'tsprof-cpu', 'datadog'];
const heapInterval = 512 * 1024;
const cpuIntervalMicros = Number(process.env.BENCH_CPU_INTERVAL ?? 10_000);

const flags = parseBenchFlags('agent-throughput', {
  reps: { kind: 'int', default: 3, help: 'repetitions; each runs every configuration once, in rotating order' },
  pairs: { kind: 'int', default: 12, help: 'off/on window pairs per configuration and repetition' },
  'window-ms': { kind: 'int', default: 2000, help: 'length of one window' },
  concurrency: { kind: 'int', default: 8, help: 'keep-alive clients of the load generator' },
  pin: { kind: 'bool', default: false, help: 'server and load generator on a core each (taskset)' },
  rate: { kind: 'float', default: 0, help: 'fixed offered load in requests/s (0: as fast as the server answers)' },
  attribute: { kind: 'bool', default: false, help: "perf-sample the server and print the profilers' share of its main thread per window" },
  server: { kind: 'string', default: '', help: '(internal) run the service with this configuration' },
  load: { kind: 'int', default: 0, help: '(internal) generate load against this port' },
}).values;
const pin = flags.pin as boolean;
/** -rate R (see the top): CPU per request counts all threads of the server, the profilers' own included. */
const rate = flags.rate as number;
/** -attribute: perf samples the server throughout, and the profilers' share of its main thread per window is printed (see perf-attribution.ts). */
const attributing = flags.attribute as boolean;

interface Window {
  on: boolean;
  requests: number;
  ms: number;
  cpuMicros: number;
  /** CLOCK_MONOTONIC, as perf's timestamps with -k mono. */
  startNs: number;
  endNs: number;
  attribution?: Attribution;
}

/** Profiler switches one configuration on and off inside the server process. */
interface Profiler {
  on(windowMs: number): Promise<void>;
  off(): Promise<void>;
}

/** startRawCpuProfile runs V8's CPU profiler on an inspector session of its own; the result stops it. */
async function startRawCpuProfile(): Promise<() => void> {
  const { InspectorSession } = await import('../src/agent/inspector-session.js');
  const s = new InspectorSession();
  s.call('Profiler.enable');
  s.call('Profiler.setSamplingInterval', { interval: cpuIntervalMicros });
  s.call('Profiler.start');
  return () => {
    s.call('Profiler.stop');
    s.disconnect();
  };
}

async function profilerFor(config: Config): Promise<Profiler> {
  // The control: "on" windows with nothing switched on show the method's own spread and bias.
  if (config === 'none') return { on: async () => {}, off: async () => {} };
  if (config === 'raw-cpu' || config === 'raw-both') {
    const { HeapSampler } = await import('../src/agent/heap-sampler.js');
    let stopCpu: (() => void) | undefined;
    let heap: InstanceType<typeof HeapSampler> | undefined;
    return {
      on: async () => {
        if (config === 'raw-both') {
          heap = new HeapSampler({ interval: heapInterval, stackDepth: 64, allocations: false });
          heap.start();
        }
        stopCpu = await startRawCpuProfile();
      },
      off: async () => {
        stopCpu?.();
        heap?.stop();
        heap = undefined;
      },
    };
  }
  if (config === 'datadog-heap') {
    const { heap } = requireAnchor<DatadogPprof>('@datadog/pprof');
    return {
      on: async () => heap.start(heapInterval, 64),
      off: async () => heap.stop(),
    };
  }
  if (config === 'datadog-time') {
    const { time } = requireAnchor<DatadogPprof>('@datadog/pprof');
    return {
      on: async () => time.start({ intervalMicros: cpuIntervalMicros, durationMillis: 600_000 }),
      off: async () => void time.stop(),
    };
  }
  if (config === 'datadog') {
    const { heap, time } = requireAnchor<DatadogPprof>('@datadog/pprof');
    return {
      on: async () => {
        heap.start(heapInterval, 64);
        time.start({ intervalMicros: cpuIntervalMicros, durationMillis: 600_000 });
      },
      off: async () => {
        time.stop();
        heap.stop();
      },
    };
  }
  const { startAgent } = await import('../src/agent/index.js');
  if (config === 'agent-raw-cpu') {
    // The agent running (heap sampling) plus V8's CPU profiler on a session of its own: no HTTP request.
    let running: Awaited<ReturnType<typeof startAgent>> | undefined;
    let stopCpu: (() => void) | undefined;
    return {
      on: async () => {
        running = await startAgent({ address: '127.0.0.1:0', heapSamplingInterval: heapInterval, cpuSamplingInterval: cpuIntervalMicros });
        stopCpu = await startRawCpuProfile();
      },
      off: async () => {
        stopCpu?.();
        await running?.stop();
      },
    };
  }
  let agent: Awaited<ReturnType<typeof startAgent>> | undefined;
  let profile: Promise<unknown> | undefined;
  const { AllocationTracking } = await import('../src/agent/allocation-tracking.js');
  const tracking = new AllocationTracking();
  return {
    on: async (windowMs) => {
      agent = await startAgent({
        address: '127.0.0.1:0', heapSamplingInterval: heapInterval, cpuSamplingInterval: cpuIntervalMicros,
        ...(config === 'tsprof-external' ? { externalSites: true } : {}),
      });
      // The tracker the agent starts for ?track=start, started the same way (its own inspector session).
      if (config === 'tsprof-track') tracking.start();
      if (config === 'tsprof-cpu') {
        // The agent serves a real profile request, made from outside the process as
        // `tsprof` or `go tool pprof` would make it: the orchestrator fetches it and says when done.
        // One second longer than the window: the window measures the app *during* the
        // profile; turning the profile into pprof afterwards is a per-profile cost of its own.
        const seconds = Math.max(1, Math.round(windowMs / 1000)) + 1;
        profile = new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
        process.stdout.write(`profile ${agent.url}/debug/pprof/profile?seconds=${seconds}\n`);
        // The window opens once the profile runs: its start (V8 walks the heap to log compiled code,
        // 100–200 ms here) is a per-profile pause measured by agent-cpu-start.ts, as @datadog/pprof's
        // time.start() returns before its window opens.
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    off: async () => {
      await profile;
      profile = undefined;
      tracking.cancel();
      await agent?.stop();
      agent = undefined;
    },
  };
}

/** The service: each request builds a few hundred objects, keeps some in a bounded cache, and answers JSON. */
async function runServer(config: Config, pairs: number, windowMs: number): Promise<void> {
  const profiler = await profilerFor(config);
  const cache = new Map<number, unknown>();
  let served = 0;
  const server = createServer((req, res) => {
    served++;
    const items = [];
    for (let i = 0; i < 300; i++) {
      items.push({ id: i, name: `item-${i}-${served}`, price: i * 1.5, tags: ['a', 'b', String(i % 7)], nested: { at: Date.now(), ok: true } });
    }
    cache.set(served % 5000, items.slice(0, 20)); // a bounded in-use heap that keeps changing
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ count: items.length, items: items.slice(0, 50) }));
  });
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.stdout.write(`ready ${(server.address() as { port: number }).port}\n`);
  await new Promise<void>((r) => process.stdin.once('data', () => r())); // the load is running
  await new Promise((r) => setTimeout(r, 2000)); // warm-up: JIT, caches
  const windows: Window[] = [];
  // off, on, on, off, off, on, ...: every pair has one of each, alternating order.
  const plan = Array.from({ length: pairs * 2 }, (_, i) => (Math.floor((i + 1) / 2) % 2 === 1));
  for (const on of plan) {
    if (on) await profiler.on(windowMs);
    const cpu0 = process.cpuUsage();
    const startNs = Number(process.hrtime.bigint());
    const t0 = performance.now();
    const served0 = served;
    await new Promise((r) => setTimeout(r, windowMs));
    const cpu = process.cpuUsage(cpu0);
    const endNs = Number(process.hrtime.bigint());
    windows.push({ on, requests: served - served0, ms: performance.now() - t0, cpuMicros: cpu.user + cpu.system, startNs, endNs });
    if (on) await profiler.off();
  }
  process.stdout.write(JSON.stringify(windows) + '\n');
  process.exit(0);
}

/**
 * Drives the server with `concurrency` keep-alive clients until killed: as fast as it answers,
 * or, with a rate, each client paced to rate / concurrency requests a second.
 */
function runLoad(port: number, concurrency: number, rate: number): void {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  const interval = rate > 0 ? (1000 * concurrency) / rate : 0;
  const client = (first: number) => {
    let due = first;
    const one = () =>
      request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (interval === 0) return one();
          due += interval;
          setTimeout(one, Math.max(0, due - performance.now()));
        });
      })
        .on('error', () => process.exit(0))
        .end();
    one();
  };
  const now = performance.now();
  for (let i = 0; i < concurrency; i++) client(now + (interval * i) / concurrency);
}

function lines(proc: ChildProcess, onLine: (line: string) => void): void {
  let out = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (d: string) => {
    out += d;
    let nl;
    while ((nl = out.indexOf('\n')) >= 0) {
      onLine(out.slice(0, nl));
      out = out.slice(nl + 1);
    }
  });
}

async function measure(config: Config, pairs: number, windowMs: number, concurrency: number): Promise<Window[]> {
  const self = fileURLToPath(import.meta.url);
  // --pin: the profilers' threads then compete with the service on its one core, as in a one-CPU container.
  const pinned = (cpu: number, args: string[]): [string, string[]] => (pin ? ['taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args]);
  const nodeFlags = attributing ? ['--perf-basic-prof'] : []; // names JIT-compiled frames for perf
  const server = spawn(...pinned(1, [...nodeFlags, self, '--server', config, '--pairs', String(pairs), '--window-ms', String(windowMs)]), { stdio: ['pipe', 'pipe', 'inherit'] });
  let load: ChildProcess | undefined;
  const perfDir = attributing ? mkdtempSync(join(tmpdir(), 'tsprof-perf-')) : '';
  const perfFile = join(perfDir, 'server.data');
  let perf: ChildProcess | undefined;
  let perfExited: Promise<unknown> | undefined;
  try {
    const windows = await new Promise<Window[]>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`server exited ${code}`)));
      lines(server, (line) => {
        if (line.startsWith('ready ')) {
          // One recording for the server's whole run, split into windows by time afterwards.
          if (attributing) {
            perf = recordPerf(server.pid!, perfFile);
            perfExited = new Promise((r) => perf!.once('exit', r));
          }
          load = spawn(...pinned(0, [self, '--load', line.split(' ')[1]!, '--concurrency', String(concurrency), '--rate', String(rate)]), { stdio: 'ignore' });
          setTimeout(() => server.stdin!.write('go\n'), 500);
        } else if (line.startsWith('profile ')) {
          void fetch(line.slice('profile '.length))
            .then((r) => r.arrayBuffer())
            .catch(() => undefined)
            .then(() => server.stdin!.write('done\n'));
        } else if (line.startsWith('[')) {
          resolve(JSON.parse(line) as Window[]);
        }
      });
    });
    if (perf) {
      perf.kill('SIGINT'); // (perf also ends by itself when the server exits)
      await perfExited;
      const attributions = await attribute(perfFile, server.pid!, windows);
      windows.forEach((w, i) => (w.attribution = attributions[i]));
    }
    return windows;
  } finally {
    load?.kill('SIGKILL');
    server.kill('SIGKILL');
    if (attributing && process.env.BENCH_PERF_KEEP) {
      // For a closer look: perf report -i FILE (the windows' times are in the JSON the server printed).
      process.stderr.write(`perf recording kept: ${perfFile}, JIT names in /tmp/perf-${server.pid}.map\n`);
    } else if (attributing) {
      rmSync(perfDir, { recursive: true, force: true });
      rmSync(`/tmp/perf-${server.pid}.map`, { force: true });
    }
  }
}

async function orchestrate(): Promise<void> {
  const reps = flags.reps as number;
  const pairs = flags.pairs as number;
  const windowMs = flags['window-ms'] as number;
  const concurrency = flags.concurrency as number;
  if (attributing && !perfAvailable()) {
    console.error('agent-throughput: --attribute needs Linux perf able to sample processes here (Debian: apt install linux-perf)');
    process.exit(2);
  }
  const attributions = new Map<Config, { on: Attribution[]; off: Attribution[] }>(configs.map((c) => [c, { on: [], off: [] }]));
  const ratios = new Map<Config, { rps: number[]; cpu: number[]; offRps: number[] }>(configs.map((c) => [c, { rps: [], cpu: [], offRps: [] }]));
  for (let rep = 0; rep < reps; rep++) {
    for (let k = 0; k < configs.length; k++) {
      const config = configs[(k + rep) % configs.length]!;
      const windows = await measure(config, pairs, windowMs, concurrency);
      for (const w of windows) if (w.attribution) attributions.get(config)![w.on ? 'on' : 'off'].push(w.attribution);
      const r = ratios.get(config)!;
      for (let i = 0; i + 1 < windows.length; i += 2) {
        const [a, b] = [windows[i]!, windows[i + 1]!];
        const on = a.on ? a : b;
        const off = a.on ? b : a;
        const rate = (w: Window) => (w.requests * 1000) / w.ms;
        r.rps.push(rate(on) / rate(off));
        r.cpu.push(on.cpuMicros / on.requests / (off.cpuMicros / off.requests));
        r.offRps.push(rate(off));
      }
      const last = r.rps.slice(-pairs);
      process.stderr.write(`rep ${rep + 1}/${reps} ${config.padEnd(11)} median on/off throughput ${quantile(last, 0.5).toFixed(3)} over ${pairs} pairs\n`);
    }
  }
  console.log(
    `allocation-heavy HTTP service on loopback, ${concurrency} keep-alive clients from a separate Node process` +
      `${rate > 0 ? ` offering ${rate} req/s` : ' (as fast as it answers)'};` +
      ` ${reps} reps × ${pairs} off/on pairs of ${windowMs} ms windows per configuration, rotating order:`,
  );
  if (rate > 0) console.log('  (fixed rate: the cost is CPU per request on/off − 1, what a CPU-bound server would lose in throughput)');
  for (const config of configs) {
    const r = ratios.get(config)!;
    const loss = (x: number) => `${((1 - x) * 100).toFixed(1)}%`;
    console.log(
      `  ${config.padEnd(11)} throughput on/off median ${quantile(r.rps, 0.5).toFixed(3)} (loss ${loss(quantile(r.rps, 0.5))}; quartiles ${quantile(r.rps, 0.25).toFixed(3)}–${quantile(r.rps, 0.75).toFixed(3)})` +
        `  CPU/request on/off ${quantile(r.cpu, 0.5).toFixed(3)} [${quantile(r.cpu, 0.25).toFixed(3)}–${quantile(r.cpu, 0.75).toFixed(3)}]  (baseline ${quantile(r.offRps, 0.5).toFixed(0)} req/s, ${r.rps.length} pairs)`,
    );
  }
  if (attributing) printAttributions(attributions);
}

/**
 * printAttributions prints, per configuration, the share of the server's main-thread samples
 * inside profiler code during the "on" windows, and during the "off" windows as the control
 * (it should be ~0: frames that match without a profiler would show there).
 */
function printAttributions(attributions: Map<Config, { on: Attribution[]; off: Attribution[] }>): void {
  const parts = profilerFrames.map(([part]) => part);
  const sum = (list: Attribution[]) => {
    const main = list.reduce((n, a) => n + a.mainSamples, 0);
    const other = list.reduce((n, a) => n + a.otherSamples, 0);
    const byPart = parts.map((part) => list.reduce((n, a) => n + a.profilerSamples[part]!, 0));
    return { main, other, byPart, total: byPart.reduce((n, x) => n + x, 0) };
  };
  const share = (x: number, of: number) => (100 * x) / Math.max(1, of);
  const pct = (x: number, of: number) => `${share(x, of).toFixed(2)}%`;
  // JIT code that V8 moved or freed can leave a stale name at its old address in the perf map, so a
  // little unrelated time may match in both kinds of window: "net" is on minus off.
  console.log('profilers\' share of the main thread by perf samples (Linux perf, ~1 kHz; net = on windows − off windows; on [off]):');
  for (const [config, { on, off }] of attributions) {
    const a = sum(on);
    const b = sum(off);
    const detail = parts.map((part, i) => `${part} ${pct(a.byPart[i]!, a.main)}`).join(', ');
    console.log(
      `  ${config.padEnd(11)} net ${(share(a.total, a.main) - share(b.total, b.main)).toFixed(2)}%:` +
        ` ${pct(a.total, a.main)} [${pct(b.total, b.main)}] of ${a.main} main-thread samples (${detail});` +
        ` other threads ${pct(a.other, a.main)} of the main thread's time [${pct(b.other, b.main)}]`,
    );
    const frames = new Map<string, number>();
    for (const at of on) for (const [frame, n] of at.frames) frames.set(frame, (frames.get(frame) ?? 0) + n);
    const top = [...frames].sort((x, y) => y[1] - x[1]).slice(0, 4);
    console.log(`      top frames: ${top.map(([frame, n]) => `${frame.slice(0, 70)} ${pct(n, a.main)}`).join('; ')}`);
  }
}

if (flags.server) {
  await runServer(flags.server as Config, flags.pairs as number, flags['window-ms'] as number);
} else if (flags.load) {
  runLoad(flags.load as number, flags.concurrency as number, rate);
} else {
  await orchestrate();
}
