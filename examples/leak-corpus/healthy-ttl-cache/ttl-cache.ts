/**
 * A rate-quote service caches quotes for 4 seconds. A sweeper removes
 * expired entries every second, so the cache holds about 4 s of traffic.
 */

/** TtlCache stores entries that expire after `ttlMs`. */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(readonly ttlMs: number) {}

  /** set stores a value until its time to live runs out. */
  set(key: string, value: V): void {
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }

  /** get returns a value that has not expired. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > Date.now() ? entry.value : undefined;
  }

  /** sweep removes the expired entries. */
  sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** quoteCache keeps quotes for 4 seconds. */
export const quoteCache = new TtlCache<{ legs: { from: string; to: string; rate: number }[] }>(4000);

/** computeQuote builds the legs of one quote. */
export function computeQuote(quoteId: string): { legs: { from: string; to: string; rate: number }[] } {
  const legs: { from: string; to: string; rate: number }[] = [];
  for (let i = 0; i < 350; i++) legs.push({ from: `${quoteId}-A${i}`, to: `B${i}`, rate: 1 + i / 1000 });
  return { legs };
}

/** getQuote answers from the cache, computing on a miss. */
export function getQuote(quoteId: string): string {
  let quote = quoteCache.get(quoteId);
  if (quote === undefined) {
    quote = computeQuote(quoteId);
    quoteCache.set(quoteId, quote);
  }
  return JSON.stringify({ quoteId, cached: quoteCache.size });
}
