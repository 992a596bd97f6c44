// Public library surface of tsprof; each area re-exports what users may call.
export { TsprofError, UsageError } from './errors.js';
export { startAgent, pprofHandler, type AgentOptions, type RunningAgent, type PprofHandler, type PprofHandlerOptions } from './agent/index.js';
