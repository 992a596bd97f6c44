/** Upload is one profile ready to send: the whole request but the connection. */
export interface Upload {
  url: URL;
  contentType: string;
  body: Uint8Array;
  /** What it holds, for the log ('cpu', 'heap'). */
  kind: string;
}

/** UploadRejectedError is a refusal that sending again would not change (a 4xx other than 408 and 429). */
export class UploadRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UploadRejectedError';
  }
}

/** UploadQueueOptions bound the queue and say how to send and where to log. */
export interface UploadQueueOptions {
  /** send uploads one profile; it rejects with UploadRejectedError for a refusal, anything else to retry. */
  send(upload: Upload, signal: AbortSignal): Promise<void>;
  maxItems: number;
  maxBytes: number;
  /** Where the one line per outage goes (the agent's `log`). */
  log(line: string): void;
  /** Where the server is, for the log line. */
  destination: string;
  /** Backoff after the first failure, doubling to maxBackoffMs, with jitter (defaults 1 s and 60 s). */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  /** Random numbers in [0, 1) for the jitter (tests pass a fixed one). */
  random?: () => number;
}

/** UploadQueueStats count what happened to the profiles (for tests and the agent's index page). */
export interface UploadQueueStats {
  sent: number;
  /** Dropped to keep the queue within its bounds (oldest first), or left unsent at a flush deadline. */
  dropped: number;
  /** Refused by the server (a 4xx): not retried. */
  rejected: number;
  /** Attempts that failed and were retried. */
  failedAttempts: number;
  queued: number;
  queuedBytes: number;
  outages: number;
}

/**
 * UploadQueue sends profiles one at a time, in order. While the server is
 * down or slow it keeps at most maxItems profiles and maxBytes bytes waiting
 * (plus the one in flight), dropping the oldest first, and retries with exponential backoff and jitter on an
 * unref'd timer, so it never blocks or keeps alive the host (only close(), the flush stop()
 * asks for, holds the process up to its deadline). Each outage is one
 * line in the log.
 */
export class UploadQueue {
  private readonly items: Upload[] = [];
  private bytes = 0;
  /** The upload being sent (items[0] while in flight): never the one trim drops. */
  private inFlight: Upload | undefined;
  private pumping: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failuresInRow = 0;
  private inOutage = false;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly rejectionsLogged = new Set<string>();
  private readonly counts = { sent: 0, dropped: 0, rejected: 0, failedAttempts: 0, outages: 0 };

  constructor(private readonly options: UploadQueueOptions) {}

  /** stats returns the counts so far. */
  get stats(): UploadQueueStats {
    return { ...this.counts, queued: this.items.length, queuedBytes: this.bytes };
  }

  /** enqueue adds a profile, drops the oldest beyond the bounds, and starts sending unless waiting to retry. */
  enqueue(upload: Upload): void {
    if (this.closed) {
      this.counts.dropped++;
      return;
    }
    this.items.push(upload);
    this.bytes += upload.body.byteLength;
    this.trim();
    if (!this.retryTimer) this.startPump();
  }

  private trim(): void {
    // The upload in flight is not counted: it is dropped, if need be, once its attempt fails.
    const sending = this.items[0] !== undefined && this.items[0] === this.inFlight ? 1 : 0;
    const sendingBytes = sending ? this.items[0]!.body.byteLength : 0;
    while (this.items.length - sending > this.options.maxItems || this.bytes - sendingBytes > this.options.maxBytes) {
      if (sending >= this.items.length) return;
      const [dropped] = this.items.splice(sending, 1) as [Upload];
      this.bytes -= dropped.body.byteLength;
      this.counts.dropped++;
    }
  }

  private startPump(): void {
    this.pumping ??= this.pump().finally(() => (this.pumping = undefined));
  }

  /** pump sends until the queue is empty or an attempt fails (then it schedules a retry). */
  private async pump(flushing = false): Promise<void> {
    while (this.items.length > 0 && !this.abort.signal.aborted) {
      const upload = this.items[0]!;
      this.inFlight = upload;
      try {
        await this.options.send(upload, this.abort.signal);
        this.counts.sent++;
        this.failuresInRow = 0;
        this.inOutage = false;
      } catch (err) {
        if (err instanceof UploadRejectedError) {
          this.counts.rejected++;
          this.logRejection(upload, err.message);
        } else {
          this.counts.failedAttempts++;
          this.failuresInRow++;
          if (!this.inOutage) {
            this.inOutage = true;
            this.counts.outages++;
            this.logLine(
              `tsprof agent: pushing profiles to ${this.options.destination} fails (${err instanceof Error ? err.message : String(err)}); ` +
                `keeping the newest ${this.options.maxItems} and retrying with backoff`,
            );
          }
          // It was kept beyond the bounds while in flight; now it is the oldest waiting.
          this.inFlight = undefined;
          this.trim();
          if (!flushing && !this.closed) this.scheduleRetry();
          return;
        }
      } finally {
        this.inFlight = undefined;
      }
      // Sent or refused: either way it leaves the queue.
      this.items.shift();
      this.bytes -= upload.body.byteLength;
    }
  }

  private scheduleRetry(): void {
    const first = this.options.firstBackoffMs ?? 1000;
    const cap = Math.min(this.options.maxBackoffMs ?? 60_000, first * 2 ** Math.min(this.failuresInRow - 1, 30));
    // Half fixed, half random: replicas that failed together do not retry together.
    const delay = cap / 2 + (this.options.random ?? Math.random)() * (cap / 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.startPump();
    }, delay);
    this.retryTimer.unref();
  }

  private logRejection(upload: Upload, message: string): void {
    const line = `tsprof agent: ${this.options.destination} refused a ${upload.kind} profile: ${message}`;
    if (this.rejectionsLogged.has(line) || this.rejectionsLogged.size >= 20) return;
    this.rejectionsLogged.add(line);
    this.logLine(line);
  }

  private logLine(line: string): void {
    try {
      this.options.log(line);
    } catch {
      // A broken logger must not break the uploads.
    }
  }

  /**
   * close sends what is queued, once each, until deadlineMs has passed (the
   * request in flight is then aborted), drops the rest, and stops for good.
   */
  async close(deadlineMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    // Ref'd on purpose: stop() was asked to flush, so a host with nothing else left to run (a
    // shutdown hook) stays up until the last profiles are sent or the deadline passes, no longer.
    const deadline = setTimeout(() => this.abort.abort(), Math.max(0, deadlineMs));
    try {
      await this.pumping;
      await this.pump(true);
    } finally {
      clearTimeout(deadline);
      this.abort.abort();
      this.counts.dropped += this.items.length;
      this.items.length = 0;
      this.bytes = 0;
    }
  }
}
