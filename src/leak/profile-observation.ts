import { TsprofError } from '../errors.js';
import { appFramesOf } from '../profile/agent-self.js';
import { processMemoryOf } from '../profile/process-memory.js';
import type { Profile } from '../profile/profile.js';
import type { Frame, HeapObservation, HeapSample } from './heap-observation.js';
import { StackInterner } from './stack-interner.js';

/** ObservationOptions choose the value and the time of a profile's observation. */
export interface ObservationOptions {
  /** sampleType to read; default inuse_space, else the profile's default, else its last bytes type. */
  sampleType?: string;
  /** timeMs to file the observation under; default the profile's own timestamp. */
  timeMs?: number;
  /** interner shares frames and stacks with the other observations of a series. */
  interner?: StackInterner;
}

/**
 * heapObservationFromProfile reduces a heap profile to in-use bytes per
 * stack. Inlined frames are expanded (a Location's lines are innermost
 * first), so a site inlined into its caller is still found by name.
 */
export function heapObservationFromProfile(profile: Profile, sourceName: string, options: ObservationOptions = {}): HeapObservation {
  const index = bytesSampleIndex(profile, sourceName, options.sampleType);
  // inuse_space pairs with inuse_objects: together they give the typical object size of a site.
  const objectsType = profile.sampleTypes[index]!.type.replace(/_space$/, '_objects');
  const objectsIndex = profile.sampleTypes.findIndex((t) => t.type === objectsType && t.unit === 'count');
  const intern = options.interner ?? new StackInterner();
  const frameCache = new Map<number, Frame[]>();
  const framesOf = (locationIndex: number): Frame[] => {
    let frames = frameCache.get(locationIndex);
    if (!frames) {
      const location = profile.locations[locationIndex]!;
      frames = location.lines.map((l) => intern.frame(l.function.name, l.function.filename, l.line));
      if (frames.length === 0) frames = [intern.frame(`0x${location.address.toString(16)}`, '', 0)];
      frameCache.set(locationIndex, frames);
    }
    return frames;
  };
  // Allocations the agent made for itself (its caches warming up) are not the app's; in the app's stacks
  // the agent's wrappers (of Buffer#toString, Buffer's factories) are left out: the site is the app's.
  const appFrames = appFramesOf(profile.comments);
  const { samples } = profile;
  // Samples with the same stack (one per object size, as pprof heap profiles have) become one.
  const byStack = new Map<readonly Frame[], HeapSample>();
  for (let i = 0; i < samples.count; i++) {
    const bytes = samples.values[i * samples.valueCount + index]!;
    if (bytes === 0) continue;
    const frames: Frame[] = [];
    for (let j = samples.locationStarts[i]!; j < samples.locationStarts[i + 1]!; j++) frames.push(...framesOf(samples.locationIndexes[j]!));
    const app = appFrames(frames);
    if (!app) continue;
    const stack = intern.stack(app);
    const objects = objectsIndex < 0 ? 0 : samples.values[i * samples.valueCount + objectsIndex]!;
    const merged = byStack.get(stack);
    if (merged) {
      merged.bytes += bytes;
      merged.objects += objects;
    } else {
      byStack.set(stack, { stack, bytes, objects });
    }
  }
  const timeMs = options.timeMs ?? Number(profile.timeNanos / 1_000_000n);
  const samplingPeriodBytes = profile.periodType?.unit === 'bytes' ? profile.period : 0;
  const memory = processMemoryOf(profile.comments);
  return { timeMs, samples: [...byStack.values()], samplingPeriodBytes, ...(memory ? { memory } : {}) };
}

/** bytesSampleIndex picks the in-use bytes value of a heap profile, or says why there is none. */
export function bytesSampleIndex(profile: Profile, sourceName: string, wanted?: string): number {
  const types = profile.sampleTypes;
  if (wanted !== undefined) {
    const i = types.findIndex((t) => t.type === wanted);
    if (i < 0) throw new TsprofError(`${sourceName}: no sample type ${wanted} (has ${types.map((t) => t.type).join(', ')})`);
    return i;
  }
  const inuse = types.findIndex((t) => t.type === 'inuse_space');
  if (inuse >= 0) return inuse;
  const byDefault = types.findIndex((t) => t.type === profile.defaultSampleType && t.unit === 'bytes');
  if (byDefault >= 0) return byDefault;
  for (let i = types.length - 1; i >= 0; i--) if (types[i]!.unit === 'bytes') return i;
  throw new TsprofError(`${sourceName}: not a heap profile: no bytes sample type (has ${types.map((t) => t.type).join(', ') || 'none'})`);
}
