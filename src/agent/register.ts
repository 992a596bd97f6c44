/**
 * `node --import tsprof/agent app.js`, or `import 'tsprof/agent'` first thing:
 * starts the agent configured by the environment (TSPROF_ADDR, TSPROF_TOKEN,
 * TSPROF_HEAP_INTERVAL, TSPROF_ALLOCS, TSPROF_CPU_INTERVAL, TSPROF_HEAP_SNAPSHOTS,
 * TSPROF_CONTINUOUS, TSPROF_TLS_CERT/KEY, TSPROF_REQUEST_LABELS, TSPROF_HTTP_LABELS,
 * and for pushing to Pyroscope TSPROF_PUSH_URL and the rest of TSPROF_PUSH_*,
 * TSPROF_SERVICE_NAME, TSPROF_LABELS, TSPROF_TENANT).
 * It never throws into the app: a failure to start is one line on stderr and
 * the app runs on unprofiled. There is no top-level await, so CommonJS
 * `require` of this module works too.
 */
import { isMainThread } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { startAgent, type RunningAgent } from './index.js';

/**
 * agentReady resolves to the running agent, or undefined when it could not
 * start. In a worker thread (workers inherit `--import tsprof/agent`) it starts
 * nothing: the main thread's agent profiles every worker (`?thread=`), and a
 * second agent per worker would print into the host or fight for the port.
 */
export const agentReady: Promise<RunningAgent | undefined> = !isMainThread ? Promise.resolve(undefined) : startAgent().then(
  (agent) => {
    if (process.env.TSPROF_QUIET !== '1') process.stderr.write(`tsprof agent: serving ${agent.url}/debug/pprof/\n`);
    return agent;
  },
  (err: unknown) => {
    process.stderr.write(`${errorMessage(err)}; profiling is off\n`);
    return undefined;
  },
);
