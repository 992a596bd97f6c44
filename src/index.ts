// Public library surface of tsprof; each area re-exports what users may call.
export { TsprofError, UsageError } from './errors.js';
export { startAgent, pprofHandler, type AgentOptions, type RunningAgent, type PprofHandler, type PprofHandlerOptions } from './agent/index.js';
export { withLabels, currentLabels, type LabelSet } from './agent/labels/label-context.js';
// Reading and reporting pprof profiles (what `tsprof -top` does, as a library).
export type { Profile } from './profile/profile.js';
export { decodeProfile } from './profile/decode.js';
export { encodeProfile, encodeProfileGzip } from './profile/encode.js';
export { loadProfile } from './source/load-profile.js';
export { defaultConfig, setConfigValue, type Config } from './driver/config.js';
export { generateReport } from './driver/generate.js';
// Heap snapshots and leak hunting.
export { readHeapSnapshot, dominatorsOf, summarizeByConstructor, findSlicedStringLeaks, largestCollections, snapshotGrowth } from './snapshot/index.js';
export { huntLeak, judgeProfiles, formatLeakReport, type LeakReport } from './leak/hunt.js';
