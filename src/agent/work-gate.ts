import { HttpError } from './http-error.js';

/**
 * WorkGate runs the agent's event-loop-blocking jobs (building profiles) one at
 * a time, yielding to the app between jobs so its own traffic keeps flowing,
 * and turns requests away with 503 once too many are waiting.
 */
export class WorkGate {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly maxWaiting: number) {}

  /** run queues job behind the others; throws HttpError 503 when the queue is full. */
  async run<T>(job: () => T | Promise<T>): Promise<T> {
    if (this.waiting >= this.maxWaiting) {
      throw new HttpError(503, `tsprof agent is busy: ${this.waiting} profile requests are waiting; retry shortly`, { 'Retry-After': '1' });
    }
    this.waiting++;
    const result = this.tail.then(
      () => new Promise<T>((resolve, reject) => setImmediate(() => {
        try {
          resolve(job());
        } catch (err) {
          reject(err);
        }
      })),
    );
    this.tail = result.catch(() => undefined).finally(() => this.waiting--);
    return result;
  }
}
