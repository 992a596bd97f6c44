import type { V8CpuProfile } from '../source/v8-cpu-profile.js';

/** CpuProfileResult is V8's profile plus the wall-clock start pprof wants. */
export interface CpuProfileResult {
  profile: V8CpuProfile;
  startedAtMs: number;
}
