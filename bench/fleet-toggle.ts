// What keeping V8's CPU profiler alive costs (ContinuousCpuProfiler at 100 Hz, a boundary every
// second), and what per-request labels cost, on one process's main thread: the same CPU-bound
// async workload (fleet-overhead.ts's requests) runs in windows, the feature switched on and off in
// the order off/on/on/off/… so a steady drift of the shared machine cancels; each adjacent off/on
// pair gives one ratio of requests done, and the median ratio over all pairs is the cost.
//
//   npx tsc -p . && node dist/bench/fleet-toggle.js [--pairs 16] [--window-ms 1500]
import { parseBenchFlags } from './support/bench-flags.js';
import { handleRequest } from './support/fleet-workload.js';
import { median, quantile } from './support/stats.js';

const flags = parseBenchFlags('fleet-toggle', {
  pairs: { kind: 'int', default: 16, help: 'off/on window pairs per feature' },
  'window-ms': { kind: 'int', default: 1500, help: 'length of one window' },
  'heap-mb': { kind: 'int', default: 30, help: 'live heap kept (the profiler start walks it once per on window, outside the count)' },
}).values;

const { ContinuousCpuProfiler } = await import('../src/agent/continuous/continuous-cpu-profiler.js');
const { labelTimeline, withLabels } = await import('../src/agent/labels/label-context.js');

const kept: unknown[] = [];
while (process.memoryUsage().heapUsed < (flags['heap-mb'] as number) * 1e6) for (let i = 0; i < 100_000; i++) kept.push({ id: kept.length, tags: [kept.length] });


/** Feature is something switched on and off between windows. */
interface Feature {
  name: string;
  on(): void;
  off(): void;
  /** Whether requests run inside withLabels. */
  labelled: boolean;
}

let boundaryTimer: NodeJS.Timeout | undefined;
const profiler = new ContinuousCpuProfiler(10_000);
const features: Feature[] = [
  {
    name: 'CPU profiler kept alive (100 Hz, a boundary each second)',
    labelled: false,
    on() {
      profiler.start();
      boundaryTimer = setInterval(() => profiler.rotate(), 1000);
    },
    off() {
      clearInterval(boundaryTimer);
      profiler.stop();
    },
  },
  { name: 'per-request labels (hook + withLabels per request)', labelled: true, on: () => labelTimeline.start(), off: () => labelTimeline.stop() },
];

const routes = ['/checkout', '/search', '/cart', '/login'];
async function window(ms: number, labelled: boolean): Promise<number> {
  let done = 0;
  let running = true;
  const worker = async (w: number) => {
    for (let n = w; running; n += 8) {
      if (labelled) await withLabels({ route: routes[n % 4]! }, () => handleRequest(n));
      else await handleRequest(n);
      done++;
    }
  };
  const workers = Array.from({ length: 8 }, (_, w) => worker(w));
  await new Promise((r) => setTimeout(r, ms));
  running = false;
  await Promise.all(workers);
  return done;
}

const pairs = flags.pairs as number;
const windowMs = flags['window-ms'] as number;
for (const feature of features) {
  const ratios: number[] = [];
  for (let p = 0; p < pairs; p++) {
    const order = p % 2 === 0 ? [false, true] : [true, false];
    const counts: Record<string, number> = {};
    for (const on of order) {
      if (on) feature.on();
      await new Promise((r) => setTimeout(r, 150)); // the first start's heap walk, out of the count
      counts[String(on)] = await window(windowMs, feature.labelled && on);
      if (on) feature.off();
    }
    ratios.push(counts.true! / counts.false!);
  }
  const cost = (r: number) => ((1 - r) * 100).toFixed(1);
  console.log(
    `${feature.name}: cost median ${cost(median(ratios))}% (q1..q3 ${cost(quantile(ratios, 0.75))}..${cost(quantile(ratios, 0.25))}%, ${pairs} pairs of ${windowMs} ms windows)`,
  );
}
if (kept.length === 0) throw new Error('unreachable');
