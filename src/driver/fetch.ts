import { TsprofError } from '../errors.js';
import { pruneByFrameRules } from '../profile/filter.js';
import { mergeProfiles, setLabelOnAll } from '../profile/merge.js';
import { normalizeProfile, scaleProfile, scaleProfilesToCommonUnits } from '../profile/scale.js';
import type { Profile } from '../profile/profile.js';
import { type LoadOptions, loadProfile } from '../source/load-profile.js';
import { compileRegexp } from './regexp.js';

/** SourceSpec says which profiles to read and how to combine them (pprof's source struct). */
export interface SourceSpec {
  sources: string[];
  /** Profiles to subtract (-base) or compare against (-diff_base). */
  base: string[];
  diffBase: boolean;
  normalize: boolean;
  load: LoadOptions;
}

/** combineProfiles merges profiles after converting them to common units; a single profile is returned as is. */
export function combineProfiles(profiles: Profile[]): Profile {
  if (profiles.length === 1) return profiles[0]!;
  return mergeProfiles(scaleProfilesToCommonUnits(profiles));
}

/**
 * fetchProfiles loads every source and base (concurrently), merges them,
 * and subtracts or diffs the base as pprof: the base is negated and merged
 * in, tagged pprof::base for -diff_base so percentages use its total.
 */
export async function fetchProfiles(spec: SourceSpec): Promise<Profile> {
  if (spec.sources.length === 0) throw new TsprofError('no profile source specified');
  const load = (s: string) => loadProfile(s, spec.load);
  const [sources, bases] = await Promise.all([Promise.all(spec.sources.map(load)), Promise.all(spec.base.map(load))]);
  let p = combineProfiles(sources);
  if (bases.length > 0) {
    let base = combineProfiles(bases);
    if (spec.diffBase) base = setLabelOnAll(base, 'pprof::base', 'true');
    if (spec.normalize) p = normalizeProfile(p, base);
    base = scaleProfile(base, -1);
    p = mergeProfiles(scaleProfilesToCommonUnits([p, base]));
  } else if (spec.normalize) {
    throw new TsprofError('must have base profile to normalize by');
  }
  return pruneByFrameRules(p, (src) => compileRegexp('drop_frames', src));
}
