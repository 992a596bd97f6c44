/**
 * The benchmark table: every bench `npm run bench` knows, what it measures,
 * the anchor it is measured against, the target, and what must be installed
 * for it to run. Benches not listed here are parts of these (child
 * programs, input makers, modules).
 */

/** Requirement is something a bench needs besides tsprof itself. */
export type Requirement =
  /** An anchor package in bench/node_modules (`npm run bench:setup`). */
  | { kind: 'anchor'; name: string }
  /** A command on the PATH, or at an absolute path. */
  | { kind: 'command'; name: string; install: string }
  /** A cached input file, made by another bench script. */
  | { kind: 'input'; path: () => string; make: string };

/** Bench is one row of the table. */
export interface Bench {
  /** Name on the command line, and the file dist/bench/NAME.js. */
  name: string;
  /** What is measured, in one line. */
  measures: string;
  /** The project tsprof is measured against, with its version where it matters. */
  anchor: string;
  /** The target for the ratio, if it sets one. */
  target: string;
  /** Roughly how long a run at the default flags takes here. */
  duration: string;
  requires: Requirement[];
}

const gnuTime: Requirement = { kind: 'command', name: '/usr/bin/time', install: 'apt-get install -y time' };

/** benches lists the runnable benchmarks, in the order `all` runs them. */
export function benches(largeProfilePath: () => string): Bench[] {
  return [
    {
      name: 'agent-external-sampler',
      measures: "cost of the agent's Buffer allocation sampling (externalSites) on a Buffer-heavy loop: ns per op, off and on",
      anchor: 'the same loop without the sampler',
      target: 'none set (the sampler is off unless enabled); its cost is stated',
      duration: '~10 s',
      requires: [],
    },
    {
      name: 'prometheus-parse',
      measures: 'parse time of ~1 MB and ~20 MB kubelet /metrics responses, each parser in processes of its own',
      anchor: 'parse-prometheus-text-format 1.1.1',
      target: '≥ 15× the anchor\'s throughput',
      duration: '~3 min',
      requires: [{ kind: 'anchor', name: 'parse-prometheus-text-format' }],
    },
    {
      name: 'snapshot-vs-memlab',
      measures: 'parse + dominators + summary of a 365 MB Node heap snapshot: wall time and peak RSS',
      anchor: 'memlab 2.0.5 (`memlab analyze object-size`)',
      target: '≥ 3× faster, ≤ 0.5× peak memory',
      duration: '~2 min a round, plus ~1 min once to write the snapshot',
      requires: [{ kind: 'anchor', name: 'memlab' }, gnuTime],
    },
    {
      name: 'holders-vs-memlab',
      measures: 'holder analysis of three ≥ 200 MB snapshots of a leaking process (`tsprof snapshot diff`): wall time and peak RSS',
      anchor: 'memlab 2.0.5 (`memlab find-leaks`)',
      target: '≥ 3× faster, ≤ 0.5× peak memory',
      duration: 'a few minutes a round, plus a few minutes once to write the snapshots',
      requires: [{ kind: 'anchor', name: 'memlab' }, gnuTime],
    },
    {
      name: 'pprof-top',
      measures: '`-top` on a 1.4 M-sample heap profile (101 MB decoded): wall, CPU, peak RSS',
      anchor: 'go tool pprof (Go 1.19)',
      target: '≤ 0.5× wall time and peak memory',
      duration: '~8 min (pprof takes ~1–2 min a run)',
      requires: [
        { kind: 'command', name: 'go', install: 'apt-get install -y golang-go' },
        gnuTime,
        { kind: 'input', path: largeProfilePath, make: 'node dist/bench/pprof-make-profile.js (~7 min, once)' },
      ],
    },
    {
      name: 'web-flamegraph',
      measures: 'launch until /ui/flamegraph answers 200 on the 1.4 M-sample profile; then in Chromium: paint, page size, hover and pivot frame times',
      anchor: 'go tool pprof -http -no_browser (Go 1.19, d3 flame graph), under ulimit -v',
      target: '≤ 0.1× pprof\'s time to the flame graph',
      duration: '~3 min (pprof runs out of memory at 8 GB after ~45 s)',
      requires: [
        { kind: 'command', name: 'go', install: 'apt-get install -y golang-go' },
        { kind: 'command', name: '/usr/bin/chromium', install: 'apt-get install -y chromium' },
        { kind: 'input', path: largeProfilePath, make: 'node dist/bench/pprof-make-profile.js (~7 min, once)' },
      ],
    },
    {
      name: 'agent-throughput',
      measures: 'throughput and CPU per request of a loopback HTTP service with the profiler on vs off (-attribute: perf shares)',
      anchor: '@datadog/pprof 5.x (heap + time profilers)',
      target: 'heap sampling ≤ 1% loss; during a CPU profile ≤ 3%',
      duration: '~10 min at `--reps 3 --pairs 10 --window-ms 3000`',
      requires: [{ kind: 'anchor', name: '@datadog/pprof' }],
    },
    {
      name: 'agent-heap-latency',
      measures: 'event-loop block of one /debug/pprof/heap on 12,000 allocation sites',
      anchor: '@datadog/pprof 5.x (`heap.profile()` + `encode()`)',
      target: 'none set (compared with the anchor)',
      duration: '~3 min',
      requires: [{ kind: 'anchor', name: '@datadog/pprof' }],
    },
    {
      name: 'agent-cpu-start',
      measures: 'longest event-loop block while a 1 s CPU profile starts, on a ~470 MB heap',
      anchor: '@datadog/pprof 5.x (`time.start()` … `time.stop()`)',
      target: 'none set (compared with the anchor)',
      duration: '~3 min',
      requires: [{ kind: 'anchor', name: '@datadog/pprof' }],
    },
    {
      name: 'fleet-boundary',
      measures: 'event-loop pause at each continuous CPU profile boundary and at each heap read, 100 and 500 MB heaps',
      anchor: '@datadog/pprof 5.x (`time.stop(true)` + `encode()`, `heap.profile()`), and no profiler',
      target: 'boundary ≤ 10 ms and no worse than the anchor',
      duration: '~5 min',
      requires: [{ kind: 'anchor', name: '@datadog/pprof' }],
    },
    {
      name: 'fleet-overhead',
      measures: 'requests/s and CPU per request of an async workload: no profiler, agent, agent + labels, push every 15 s, @pyroscope/nodejs',
      anchor: '@pyroscope/nodejs 0.6 at matching settings (wall 100 Hz with CPU time, heap 512 KiB, 15 s flush), pushing to the same loopback server',
      target: 'push ≤ 1.5% of the event loop, and no worse than @pyroscope/nodejs',
      duration: '~9 min at --reps 2',
      requires: [],
    },
    {
      name: 'fleet-toggle',
      measures: 'cost of the kept-alive CPU profiler and of per-request labels, switched on and off in paired windows in one process',
      anchor: 'the same windows switched off',
      target: 'labels < 1% or off by default with the cost stated',
      duration: '~2 min',
      requires: [],
    },
  ];
}
