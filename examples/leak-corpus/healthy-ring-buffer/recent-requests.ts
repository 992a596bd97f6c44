/**
 * A debug endpoint shows the last 150 requests. They are kept in a
 * fixed-size ring buffer: it fills in the first seconds, then each new
 * record overwrites the oldest.
 */

/** RingBuffer keeps the last `capacity` items. */
export class RingBuffer<T> {
  private readonly slots: (T | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** push stores an item, overwriting the oldest when full. */
  push(item: T): void {
    this.slots[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  get size(): number {
    return this.count;
  }
}

/** RequestRecord is what the debug page shows of one request. */
interface RequestRecord {
  requestId: string;
  headers: { name: string; value: string }[];
}

/** recentRequests holds the last 150 request records. */
export const recentRequests = new RingBuffer<RequestRecord>(150);

/** captureRequest builds the debug record of one request. */
export function captureRequest(requestId: string): RequestRecord {
  const headers: RequestRecord['headers'] = [];
  for (let i = 0; i < 350; i++) headers.push({ name: `x-debug-${i}`, value: `${requestId}/${i}` });
  return { requestId, headers };
}

/** recordRequest keeps a request's record for the debug page. */
export function recordRequest(requestId: string): string {
  recentRequests.push(captureRequest(requestId));
  return JSON.stringify({ requestId, recent: recentRequests.size });
}
