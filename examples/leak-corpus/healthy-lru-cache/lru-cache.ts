/**
 * A profile service caches user profiles in a bounded LRU cache (a Map in
 * recency order). It fills in the first seconds, then evicts one entry per
 * miss: memory plateaus. Healthy, though it looks like a growing Map at first.
 */

/** LruCache keeps at most `capacity` entries, evicting the least recently used. */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  /** get returns a cached value and marks it most recently used. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** set stores a value, evicting the oldest entry when full. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** UserProfile is a user's cached profile. */
interface UserProfile {
  userId: string;
  preferences: { key: string; value: string }[];
}

/** profileCache holds the 150 most recent profiles. */
export const profileCache = new LruCache<string, UserProfile>(150);

/** loadProfile builds a user's profile (the expensive lookup the cache saves). */
export function loadProfile(userId: string): UserProfile {
  const preferences: UserProfile['preferences'] = [];
  for (let i = 0; i < 350; i++) preferences.push({ key: `pref.${i}`, value: `${userId}-${i}` });
  return { userId, preferences };
}

/** getProfile answers from the cache, loading on a miss. */
export function getProfile(userId: string): string {
  let profile = profileCache.get(userId);
  if (profile === undefined) {
    profile = loadProfile(userId);
    profileCache.set(userId, profile);
  }
  return JSON.stringify({ userId, cached: profileCache.size });
}
