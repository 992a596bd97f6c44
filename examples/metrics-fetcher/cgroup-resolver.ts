/**
 * CgroupResolver turns a container id (the 64-hex tail of a cgroup path)
 * into what the service knows about that container, and caches it keyed by
 * the id, as the story's service did. Containers not seen for
 * `forgetAfterScrapes` scrapes are dropped, so the cache follows the node.
 */

/**
 * ResolverMode: "leaky" keeps the cgroup path as given (a slice of the response) in its record; "fixed" keeps
 * a copy. Ids are copies in both modes: from Node 26, V8 internalizes a string used to look up or set a Map
 * key in place, which frees a sliced key's parent by itself; a record's field is where the story's bug survives.
 */
export type ResolverMode = 'leaky' | 'fixed';

/** ContainerInfo is the cached record of one container. */
export interface ContainerInfo {
  /** The full 64-hex id (a copy). */
  containerId: string;
  /** The cgroup the container was first seen in (in leaky mode: the very string the parser sliced from the response). */
  cgroupPath: string;
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

  /** resolve returns the cached info of a container (seen in cgroupPath), creating it on first sight. */
  resolve(containerId: string, cgroupPath: string = containerId): ContainerInfo {
    let info = this.cache.get(containerId);
    if (info === undefined) {
      // The story's bug, kept on purpose in leaky mode: the record keeps the
      // parser's slice of the whole response, so caching it caches the response.
      const id = copyString(containerId);
      info = {
        containerId: id,
        cgroupPath: this.mode === 'fixed' ? copyString(cgroupPath) : cgroupPath,
        shortId: id.slice(0, 12),
        firstSeenScrape: this.scrape,
        lastSeenScrape: this.scrape,
      };
      this.cache.set(id, info);
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
