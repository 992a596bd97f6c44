import { encodeProfile } from '../../profile/encode.js';
import { mergeProfiles, setLabelOnAll } from '../../profile/merge.js';
import type { Profile } from '../../profile/profile.js';
import { threadLabel, type ThreadInfo } from './thread-info.js';
import type { BuildGate } from './worker-heap-sampler.js';

/** BuiltProfile is a profile ready to send: pprof bytes, or tsprof's model for ?debug=1 (PprofBuilder is one). */
export interface BuiltProfile {
  encode(): Uint8Array;
  toProfile(): Profile;
}

/** ThreadProfile is one thread's profile, for merging. */
export interface ThreadProfile {
  thread: ThreadInfo;
  profile: Profile;
}

/** The sample labels `?thread=all` sets: the threadId (numeric, 0 for the main thread) and the thread's name. */
export const threadIdLabel = 'thread';
export const threadNameLabel = 'thread_name';
const threadIdUnit = 'id';

/**
 * mergeThreadProfiles merges the threads' profiles into one (`?thread=all`):
 * every sample carries a numeric `thread` label with its threadId (numeric, so
 * that go tool pprof's `-tagfocus thread=3` selects it: it reads a number there
 * as a range) and, when the thread has a name, a `thread_name` label.
 * `comments` come first, then the threads' own, each prefixed with its thread.
 */
export function mergeThreadProfiles(parts: ThreadProfile[], comments: string[] = []): BuiltProfile {
  const labelled = parts.map(({ thread, profile }) => {
    // With a unit: pprof drops a numeric label of 0 (the main thread) that has none.
    const withId = setLabelOnAll(profile, threadIdLabel, thread.threadId, threadIdUnit);
    const withName = thread.name === '' ? withId : setLabelOnAll(withId, threadNameLabel, thread.name);
    // A thread's own remarks (inferred sizes, lines, inlined calls) say whose they are.
    return { ...withName, comments: profile.comments.map((c) => `${threadLabel(thread)}: ${c}`) };
  });
  const merged = mergeProfiles(labelled);
  // The threads were profiled over the same time, not one after another (which merging assumes).
  const durationNanos = Math.max(0, ...parts.map((p) => p.profile.durationNanos));
  const profile: Profile = { ...merged, durationNanos, comments: [...comments, ...merged.comments] };
  return { encode: () => encodeProfile(profile), toProfile: () => profile };
}

/**
 * buildMerged builds each thread's profile with `build` (the same builder as
 * for one thread), then merges them on `gate` (merging blocks the event loop too).
 */
export async function buildMerged<T>(
  results: { thread: ThreadInfo; value: T }[],
  build: (value: T) => Promise<BuiltProfile>,
  gate: BuildGate,
  comments: string[],
): Promise<BuiltProfile> {
  const parts: ThreadProfile[] = [];
  for (const { thread, value } of results) parts.push({ thread, profile: (await build(value)).toProfile() });
  return gate.run(() => mergeThreadProfiles(parts, comments));
}
