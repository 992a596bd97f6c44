/**
 * CgroupResolver turns a container id (the 64-hex tail of a cgroup path)
 * into what the service knows about that container, and caches it keyed by
 * the id, as the story's service did. Containers not seen for
 * `forgetAfterScrapes` scrapes are dropped, so the cache follows the node.
 */

/** ResolverMode: "leaky" keys the cache with the id as given (a slice of the response); "fixed" with a copy. */
export type ResolverMode = 'leaky' | 'fixed';

/** ContainerInfo is the cached record of one container. */
export interface ContainerInfo {
  /** The full 64-hex id (in leaky mode: the very string the parser sliced from the response). */
  containerId: string;
  /** The 12-hex short id, as `docker ps` shows it. */
  shortId: string;
  firstSeenScrape: number;
  lastSeenScrape: number;
  /** CPU seconds at the previous scrape, for a rate. */
  lastCpuSeconds?: number;
  lastCpuAt?: number;
}

/**
 * copyString returns a copy of s that shares no memory with it. V8 has no
 * explicit copy: concatenating makes a rope, and slicing the rope first
 * flattens it into a fresh string, so the result points at those 65
 * characters instead of at whatever s was sliced from.
 */
export function copyString(s: string): string {
  return (' ' + s).slice(1);
}

/** CgroupResolver caches ContainerInfo by container id. */
export class CgroupResolver {
  readonly cache = new Map<string, ContainerInfo>();
  private scrape = 0;

  constructor(
    readonly mode: ResolverMode = 'leaky',
    readonly forgetAfterScrapes = 3,
  ) {}

  /** beginScrape starts a new scrape round; resolve() stamps what it sees with it. */
  beginScrape(): void {
    this.scrape++;
  }

  /** resolve returns the cached info of a container, creating it on first sight. */
  resolve(containerId: string): ContainerInfo {
    let info = this.cache.get(containerId);
    if (info === undefined) {
      // The story's bug, kept on purpose in leaky mode: the key is the parser's
      // slice of the whole response, so caching it caches the response.
      const key = this.mode === 'fixed' ? copyString(containerId) : containerId;
      info = { containerId: key, shortId: key.slice(0, 12), firstSeenScrape: this.scrape, lastSeenScrape: this.scrape };
      this.cache.set(key, info);
    } else {
      info.lastSeenScrape = this.scrape;
    }
    return info;
  }

  /** forgetUnseen drops containers not seen in the last forgetAfterScrapes scrapes and returns how many. */
  forgetUnseen(): number {
    let dropped = 0;
    for (const [id, info] of this.cache) {
      if (this.scrape - info.lastSeenScrape >= this.forgetAfterScrapes) {
        this.cache.delete(id);
        dropped++;
      }
    }
    return dropped;
  }
}
