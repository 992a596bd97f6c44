import { TsprofError } from '../errors.js';
import type { Profile } from '../profile/profile.js';
import type { HeapObservation } from './heap-observation.js';
import { heapObservationFromProfile } from './profile-observation.js';
import { StackInterner } from './stack-interner.js';

/** NamedProfile is a loaded profile with the name it came from (a file), for messages. */
export interface NamedProfile {
  name: string;
  profile: Profile;
}

/**
 * observationsFromProfiles turns saved heap profiles (say, the ones a demo or
 * a cron job left on disk) into a time series, ordered by the time each
 * profile records. A profile without a time, or two taken at the same time,
 * cannot be placed on the time axis: that is an error naming them.
 */
export function observationsFromProfiles(profiles: readonly NamedProfile[], sampleType?: string): HeapObservation[] {
  const interner = new StackInterner();
  const seen = new Map<number, string>();
  const observations = profiles.map(({ name, profile }) => {
    if (profile.timeNanos <= 0n) throw new TsprofError(`${name}: the profile records no time, so it cannot be placed in a series`);
    const observation = heapObservationFromProfile(profile, name, { interner, ...(sampleType !== undefined ? { sampleType } : {}) });
    const other = seen.get(observation.timeMs);
    if (other !== undefined) throw new TsprofError(`${other} and ${name} were taken at the same time`);
    seen.set(observation.timeMs, name);
    return observation;
  });
  return observations.sort((a, b) => a.timeMs - b.timeMs);
}
