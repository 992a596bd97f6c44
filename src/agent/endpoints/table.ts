import type { Endpoint } from './endpoint.js';
import { serveExternal } from './external.js';
import { type GoOnlyProfile, goOnlyReasons, serveGoOnly } from './go-only.js';
import { serveHeap } from './heap.js';
import { serveHeapSnapshot } from './heap-snapshot.js';
import { serveCpu } from './profile.js';
import { sendText } from './responses.js';

/** cmdline is /cmdline: the process's command line, NUL-separated as Go's. */
function cmdline(): string {
  return [process.argv[0] ?? 'node', ...process.execArgv, ...process.argv.slice(1)].join('\x00');
}

/** goOnly is the entry of a Go profile Node.js has no counterpart of (collectors scrape them by default). */
function goOnly(name: GoOnlyProfile): Endpoint {
  return { name, description: `Empty, as Go collectors expect it: ${goOnlyReasons[name]}`, linkQuery: '?debug=1', available: () => true, serve: (ctx) => serveGoOnly(ctx, name) };
}

/** The agent's command table: every endpoint under the prefix. */
export const endpoints: Endpoint[] = [
  {
    name: 'allocs',
    perThread: true,
    description: 'A sampling of all memory allocations since the agent started (alloc_space by default).',
    linkQuery: '?debug=1',
    available: (rt) => rt.heap.settings.allocations,
    unavailableReason:
      'allocation sampling is off; start the agent with allocationSampling: true or TSPROF_ALLOCS=1 ' +
      '(V8 cannot keep allocations since the start beside the in-use heap), or read the in-use heap at /heap, ' +
      'where Grafana Alloy\'s profile.memory and Parca\'s memory path should point',
    serve: (ctx) => serveHeap(ctx, 'allocs'),
  },
  goOnly('block'),
  {
    name: 'cmdline',
    description: 'The command line of this process, arguments separated by NUL bytes.',
    linkQuery: '',
    available: () => true,
    serve: async (ctx) => sendText(ctx.res, 200, cmdline()),
  },
  goOnly('goroutine'),
  {
    name: 'external',
    description: 'A sampling of the Buffers and ArrayBuffers alive (memory outside the V8 heap) by allocation stack. ?gc=1 collects garbage first.',
    linkQuery: '?debug=1',
    available: (rt) => rt.external !== undefined,
    unavailableReason: 'external allocation sampling is off; enable it with externalSites: true or TSPROF_EXTERNAL_SITES=1',
    serve: (ctx) => serveExternal(ctx, ctx.runtime.external!),
  },
  {
    name: 'heap',
    perThread: true,
    description:
      'A sampling of memory allocations of live objects (inuse_space by default). ?gc=1 collects garbage first; ?seconds=N gives the change over N seconds.',
    linkQuery: '?debug=1',
    available: () => true,
    serve: (ctx) => serveHeap(ctx, 'heap'),
  },
  {
    name: 'heapsnapshot',
    perThread: true,
    description: 'A V8 heap snapshot (.heapsnapshot JSON) of this process: holds heap contents; enabled explicitly.',
    linkQuery: '',
    available: (rt) => rt.options.heapSnapshots,
    unavailableReason: 'heap snapshots are off, as they return heap contents; enable them with heapSnapshots: true or TSPROF_HEAP_SNAPSHOTS=1',
    serve: serveHeapSnapshot,
  },
  goOnly('mutex'),
  {
    name: 'profile',
    perThread: true,
    description: 'CPU profile. ?seconds=N sets the duration (default 30). One at a time.',
    linkQuery: '?seconds=30',
    available: () => true,
    serve: serveCpu,
  },
];

