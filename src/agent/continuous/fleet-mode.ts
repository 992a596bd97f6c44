import type { AgentRuntime } from '../agent-runtime.js';
import { installHttpRouteLabels } from '../labels/http-route-labels.js';
import { labelTimeline } from '../labels/label-context.js';
import { PyroscopePusher } from '../push/pyroscope-pusher.js';
import { ContinuousCpuProfiler } from './continuous-cpu-profiler.js';

/** How often an idle keep-alive profile is renewed, so its samples never pile up. */
const keepAliveRenewMs = 60_000;

/** FleetMode is what runs beside the endpoints in continuous mode: the pusher, or a keep-alive profile. */
export interface FleetMode {
  /** The pusher, when pushing to Pyroscope. */
  pusher: PyroscopePusher | undefined;
  /** stop ends profiling and flushes the uploads until deadlineMs has passed. */
  stop(deadlineMs?: number): Promise<void>;
}

/**
 * startFleetMode starts what the options ask for: label tracking for withLabels
 * (and the node:http route hook) when asked; with `push`, a pusher (which
 * keeps the CPU profiler alive itself); with `continuous` alone, a keep-alive
 * profile renewed every minute (its samples dropped), so CPU profile requests
 * start without a heap walk and run side by side. It never throws: a profiler
 * V8 refuses is logged once and the agent goes on without it.
 */
export function startFleetMode(runtime: AgentRuntime): FleetMode {
  const labels = startLabels(runtime);
  const profiling = startProfiling(runtime);
  return {
    pusher: profiling.pusher,
    stop: async (deadlineMs) => {
      try {
        await profiling.stop(deadlineMs);
      } catch (err) {
        // Stopping must finish (the agent closes its server next) whatever V8 answers.
        runtime.errors.report('stopping continuous profiling', err);
      } finally {
        labels();
      }
    },
  };
}

/** startLabels turns label tracking (and the HTTP hook) on as asked; returns how to turn them off. */
function startLabels(runtime: AgentRuntime): () => void {
  const { options } = runtime;
  if (!options.requestLabels) return () => undefined;
  labelTimeline.start();
  const uninstall = options.httpRouteLabels ? installHttpRouteLabels() : () => undefined;
  return () => {
    uninstall();
    labelTimeline.stop();
  };
}

function startProfiling(runtime: AgentRuntime): FleetMode {
  const { options } = runtime;
  if (options.push) {
    const pusher = new PyroscopePusher(runtime, options.push);
    pusher.start();
    return { pusher, stop: (deadlineMs) => pusher.stop(deadlineMs) };
  }
  if (!options.continuous) return { pusher: undefined, stop: async () => undefined };
  const anchor = new ContinuousCpuProfiler(options.cpuSamplingInterval);
  let timer: NodeJS.Timeout | undefined;
  try {
    anchor.start();
    timer = setInterval(() => {
      try {
        anchor.rotate();
      } catch (err) {
        runtime.errors.report('continuous CPU profiler', err);
      }
    }, keepAliveRenewMs);
    timer.unref();
  } catch (err) {
    runtime.errors.report('continuous CPU profiler could not start', err);
  }
  return {
    pusher: undefined,
    stop: async () => {
      if (timer) clearInterval(timer);
      anchor.stop();
    },
  };
}
