/**
 * Benchmark: tsprof's Prometheus parser against parse-prometheus-text-format
 * on real kubelet-simulator responses of ~1 MB and ~20 MB, side by side in
 * one run, interleaved (the order alternates each round), medians.
 *
 *   npx tsc -p . && node dist/bench/prometheus-parse.js [-rounds N]
 *
 * Each size runs in a fresh Node process (the bench starts itself with
 * `-size 1` and `-size 20`): V8's heap sizing and pretenuring adapt to what
 * ran before, and a 20 MB parse after many 1 MB ones measured ~1.7x slower
 * than in a fresh process, for reasons that are V8's, not the parser's.
 *
 * Reports throughput (MB/s of input; each timed sample is back-to-back
 * parses, the steady state of a scraping service), bytes allocated per parse
 * (from V8's GC statistics: growth of the used heap plus everything the
 * collections in between freed), and the heap the result holds after a full
 * GC (both measured on a separate parse after a full GC).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { get } from 'node:http';
import { GCProfiler, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseFlags } from '../src/cli/flags.js';
import { parsePrometheusText } from '../src/prometheus/index.js';
import { podsForResponseSize } from '../examples/metrics-fetcher/kubelet-cluster.js';
import { startKubeletSimulator } from '../examples/metrics-fetcher/kubelet-simulator.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const anchorParse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => unknown;

const flags = parseFlags(process.argv.slice(2), {
  rounds: { kind: 'int', default: 0, help: 'rounds per size (0: 15 for 1 MB, 7 for 20 MB)' },
  size: { kind: 'int', default: 0, help: 'run only this size in MB, 1 or 20, in this process (0: each in its own process)' },
}).values;
const sizes = [['1 MB', 1, 15], ['20 MB', 20, 7]] as const;

interface Measure {
  ms: number;
  cpuMs: number;
  allocated: number;
  held: number;
}

/**
 * timeParses runs `repeat` parses back to back (the steady state of a
 * service) and returns wall and CPU milliseconds per parse. CPU time (all
 * threads of this process, GC helpers included) is less disturbed by other
 * processes on a shared machine than wall time.
 */
function timeParses(parse: (text: string) => unknown, text: string, repeat: number): { ms: number; cpuMs: number } {
  let keep: unknown;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) keep = parse(text);
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / repeat;
  const used = process.cpuUsage(cpu);
  if (keep === undefined) throw new Error('no result');
  return { ms, cpuMs: (used.user + used.system) / 1000 / repeat };
}

/**
 * measureMemory parses once after a full GC: bytes allocated (the used heap's
 * growth plus what every collection in between freed, from V8's GC
 * statistics) and bytes the result holds (heap after a full GC, minus before).
 */
function measureMemory(parse: (text: string) => unknown, text: string): Omit<Measure, 'ms' | 'cpuMs'> {
  gc();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const profiler = new GCProfiler();
  profiler.start();
  let result: unknown = parse(text);
  const stats = profiler.stop();
  const usedEnd = process.memoryUsage().heapUsed;
  let freed = 0;
  for (const gcRun of stats?.statistics ?? []) freed += gcRun.beforeGC.heapStatistics.usedHeapSize - gcRun.afterGC.heapStatistics.usedHeapSize;
  gc();
  gc();
  const held = process.memoryUsage().heapUsed - heapBefore;
  if (result === undefined) throw new Error('no result');
  result = undefined;
  return { allocated: usedEnd - heapBefore + freed, held };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    }).on('error', reject);
  });
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
if (flags.size === 0) {
  console.log(`node ${process.version}; machine: ${(await import('node:os')).cpus().length} cores, shared with other work (noisy)`);
  console.log('size   parser                          wall ms   MB/s   CPU ms   allocated      held   speed-up (medians)');
  for (const [, megabytes] of sizes) {
    const args = [process.argv[1]!, '-size', String(megabytes), '-rounds', String(flags.rounds)];
    const child = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
}
for (const [label, megabytes, defaultRounds] of sizes.filter(([, m]) => m === flags.size)) {
  const bytes = megabytes << 20;
  const simulator = await startKubeletSimulator({ pods: podsForResponseSize(bytes) });
  await fetchText(simulator.url); // first scrape: all containers fresh
  const text = await fetchText(simulator.url);
  await simulator.close();
  const ours = parsePrometheusText(text);
  if (ours.errors.length > 0) throw new Error(`simulator response did not parse: ${ours.errors[0]!.message}`);
  const rounds = (flags.rounds as number) || defaultRounds;
  const results: Record<'tsprof' | 'anchor', Measure[]> = { tsprof: [], anchor: [] };
  const parsers = { tsprof: parsePrometheusText, anchor: anchorParse };
  // Warm-up: both parsers optimized by the JIT before anything is timed.
  const small = bytes < 2 << 20;
  timeParses(parsePrometheusText, text, small ? 20 : 3);
  timeParses(anchorParse, text, small ? 5 : 1);
  // Each timed sample is ~100 ms or more of back-to-back parses, so timer noise and one-off pauses average out.
  const repeat = { tsprof: Math.max(1, Math.round(100 / timeParses(parsePrometheusText, text, 3).ms)), anchor: small ? 2 : 1 };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['tsprof', 'anchor'] as const) : (['anchor', 'tsprof'] as const);
    for (const who of order) {
      // A full GC and one untimed parse first: each parser is timed in its own steady
      // state, not while collecting the other's garbage (600 MB for the anchor on 20 MB).
      gc();
      timeParses(parsers[who], text, 1);
      results[who].push({ ...timeParses(parsers[who], text, repeat[who]), ...measureMemory(parsers[who], text) });
    }
  }
  const med = (who: 'tsprof' | 'anchor', key: keyof Measure) => median(results[who].map((m) => m[key]));
  const inputMb = Buffer.byteLength(text) / 1e6;
  const row = (who: 'tsprof' | 'anchor', name: string, ratio: string) => {
    console.log(
      `${label.padEnd(7)}${name.padEnd(30)}${med(who, 'ms').toFixed(1).padStart(9)}${(inputMb / (med(who, 'ms') / 1000)).toFixed(0).padStart(7)}` +
        `${med(who, 'cpuMs').toFixed(1).padStart(9)}${(mb(med(who, 'allocated')) + ' MB').padStart(12)}${(mb(med(who, 'held')) + ' MB').padStart(10)}   ${ratio}`,
    );
  };
  row('anchor', 'parse-prometheus-text-format', '');
  row(
    'tsprof',
    'tsprof parsePrometheusText',
    `${(med('anchor', 'ms') / med('tsprof', 'ms')).toFixed(1)}x wall, ${(med('anchor', 'cpuMs') / med('tsprof', 'cpuMs')).toFixed(1)}x CPU (target >= 15x)`,
  );
  console.log(`        (${mb(Buffer.byteLength(text))} MB input, ${ours.rows.length} rows, ${rounds} rounds of ${repeat.tsprof} and ${repeat.anchor} parses)`);
}
