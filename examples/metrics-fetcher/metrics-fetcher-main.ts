/**
 * The story's service as a process:
 *
 *   node metrics-fetcher-main.js -kubelet URL [-kubelet URL ...] [-fixed]
 *        [-interval MS] [-forget-after N] [-port N] [-agent-port N] [-no-agent] [-heap-snapshots] [-external-sites]
 *
 * It scrapes the kubelets, serves /containers and /stats, and runs the tsprof
 * agent (heap profiles at /debug/pprof/heap). When listening it prints one
 * JSON line: {"mode", "results", "agent"} (the URLs), so a parent process
 * (tsprof demo, the tests) knows where to look.
 */
import { parseFlags } from '../../src/cli/flags.js';
import { startAgent } from '../../src/agent/index.js';
import { MetricsFetcher } from './metrics-fetcher.js';
import { startResultsServer } from './results-server.js';

const flags = parseFlags(process.argv.slice(2), {
  kubelet: { kind: 'strings', help: "a kubelet's /metrics/cadvisor URL (repeatable)" },
  fixed: { kind: 'bool', default: false, help: 'copy container ids before caching them (the fix)' },
  interval: { kind: 'int', default: 1000, help: 'milliseconds between scrape rounds' },
  'forget-after': { kind: 'int', default: 3, help: 'forget containers unseen for this many scrapes' },
  port: { kind: 'int', default: 0, help: 'port of /containers and /stats on 127.0.0.1 (0: any free port)' },
  'agent-port': { kind: 'int', default: 0, help: 'port of the tsprof agent on 127.0.0.1 (0: any free port)' },
  'no-agent': { kind: 'bool', default: false, help: 'do not start the tsprof agent' },
  'heap-interval': { kind: 'int', default: 0, help: "the agent's heap sampling interval in bytes (0: the agent's default)" },
  'heap-snapshots': { kind: 'bool', default: false, help: 'let the agent serve heap snapshots (/debug/pprof/heapsnapshot)' },
  'external-sites': { kind: 'bool', default: false, help: 'let the agent sample allocations outside the V8 heap (Buffers, external strings; /debug/pprof/external)' },
}).values;

const kubelets = flags.kubelet as string[];
if (kubelets.length === 0) {
  process.stderr.write('metrics-fetcher: give at least one -kubelet URL\n');
  process.exit(2);
}
const agent = flags['no-agent']
  ? undefined
  : await startAgent({
      address: `127.0.0.1:${flags['agent-port'] as number}`,
      heapSnapshots: flags['heap-snapshots'] as boolean,
      externalSites: flags['external-sites'] as boolean,
      ...((flags['heap-interval'] as number) > 0 ? { heapSamplingInterval: flags['heap-interval'] as number } : {}),
    });
const fetcher = new MetricsFetcher({
  kubelets,
  intervalMs: flags.interval as number,
  mode: flags.fixed ? 'fixed' : 'leaky',
  forgetAfterScrapes: flags['forget-after'] as number,
});
const results = await startResultsServer(fetcher, flags.port as number);
fetcher.start();
process.stdout.write(JSON.stringify({ mode: fetcher.resolver.mode, results: results.url, agent: agent?.url ?? null }) + '\n');

async function shutdown() {
  await fetcher.stop();
  await results.close();
  await agent?.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
