// Attributing a process's CPU time to profiler code with Linux perf (Debian's linux-perf).
//
// Throughput on/off ratios on a shared VM swing by ±5–10% per window, far more than the 1–3%
// being measured. A sampling profiler of the profilers is far steadier: perf samples the
// server's threads at ~1 kHz, and a sample counts as the profilers' cost when its call stack
// holds a frame of their code (V8's sampling heap profiler, V8's CPU sampler and its signal
// path, the agent's JavaScript and node:inspector, @datadog/pprof's addon). The share of the
// main thread's samples with such a frame is the CPU the profilers take from the event loop,
// which is what a CPU-bound server loses in throughput. What it cannot see: indirect costs
// (caches, LAB refills outside those frames), which is why the on/off ratios stay the headline.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** What a profiler's frames look like in a perf call stack, by the part of the profiler they belong to. */
export const profilerFrames: ReadonlyArray<readonly [part: string, pattern: RegExp]> = [
  ['heap sampler', /SamplingHeapProfiler::/],
  [
    'CPU sampler',
    /sampler::|CpuSampler|TickSample|ProfilerListener|CpuProfiler|ProfilerCodeObserver|ProfilerEventsProcessor|CodeEventDispatcher|__restore_rt|do_signal|get_signal|rt_sigreturn|setup_rt_frame/,
  ],
  // The agent's JavaScript and the inspector; @datadog/pprof's addon and JavaScript, and @pyroscope/nodejs's (built on it).
  ['agent / addon', /\/src\/agent\/|node:inspector|inspector::|dd_pprof|\bdd::|@datadog\/pprof|@pyroscope\/nodejs|\/pprof-format\//],
];

/** Attribution sums the samples of one time span: main-thread samples, and those inside profiler code. */
export interface Attribution {
  mainSamples: number;
  /** Main-thread samples with a profiler frame, per part (a sample counts once, for its first matching part). */
  profilerSamples: Record<string, number>;
  /** Samples of all other threads (GC helpers, V8's profiler thread), for the off/on difference. */
  otherSamples: number;
  /** The matching frame of each attributed sample, counted: what exactly the cost was. */
  frames: Map<string, number>;
}

/** perfAvailable tells whether `perf record` can sample a process here. */
export function perfAvailable(): boolean {
  const probe = spawnSync('perf', ['record', '-e', 'cpu-clock', '-o', '/dev/null', '--', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
}

/**
 * recordPerf samples process pid (all its threads, with call stacks) into file until stopped
 * with SIGINT. Timestamps are CLOCK_MONOTONIC, the clock of process.hrtime(), so the process
 * can say when each of its windows began and ended: a recording per window, started when the
 * window is announced, would start late on a loaded machine and reach into the next window.
 */
export function recordPerf(pid: number, file: string): ChildProcess {
  const args = ['record', '-q', '-k', 'mono', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(pid), '-o', file];
  return spawn('perf', args, { stdio: 'ignore' });
}

/** A stretch of time in CLOCK_MONOTONIC nanoseconds (process.hrtime.bigint()). */
export interface TimeSpan {
  startNs: number;
  endNs: number;
}

/**
 * attribute reads a recording made by recordPerf and sums it per span (samples outside every
 * span are left out); mainTid is the process id (its main thread).
 */
export async function attribute(file: string, mainTid: number, spans: TimeSpan[]): Promise<Attribution[]> {
  const script = spawn('perf', ['script', '-i', file, '-F', 'tid,time,ip,sym,dso'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const results: Attribution[] = spans.map(() => ({
    mainSamples: 0,
    profilerSamples: Object.fromEntries(profilerFrames.map(([part]) => [part, 0])),
    otherSamples: 0,
    frames: new Map(),
  }));
  let result: Attribution | undefined; // the current sample's span, if any
  let main = false;
  let matched: string | undefined;
  let frame = '';
  const finish = () => {
    if (result && main && matched !== undefined) {
      result.profilerSamples[matched]!++;
      result.frames.set(frame, (result.frames.get(frame) ?? 0) + 1);
    }
    matched = undefined;
  };
  for await (const line of createInterface({ input: script.stdout! })) {
    if (line === '') continue;
    const header = /^\s*(\d+)\s+(\d+)\.(\d+):\s*$/.exec(line);
    if (header) {
      // A sample's first line: thread id and time (seconds.microseconds); its stack frames follow, indented.
      finish();
      const ns = Number(header[2]) * 1e9 + Number(header[3]!.padEnd(9, '0'));
      const at = spans.findIndex((span) => ns >= span.startNs && ns < span.endNs);
      result = at >= 0 ? results[at] : undefined;
      main = Number(header[1]) === mainTid;
      if (result && main) result.mainSamples++;
      else if (result) result.otherSamples++;
    } else if (result && main && matched === undefined) {
      for (const [part, pattern] of profilerFrames) {
        if (pattern.test(line)) {
          matched = part;
          // `address symbol (dso)`: keep the symbol.
          frame = line.trim().replace(/^[0-9a-f]+ /, '').replace(/ \([^)]*\)$/, '');
          break;
        }
      }
    }
  }
  finish();
  return results;
}
