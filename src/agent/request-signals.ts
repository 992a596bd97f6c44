/**
 * RequestSignals gives each request an AbortSignal that fires when the client
 * goes away or the agent stops. The agent's stop signal gets one listener for
 * all of them, not one per request: Node warns (on the host's stderr) when an
 * EventTarget collects more than ten listeners, and a busy agent must neither
 * print into its host nor grow listeners with its load.
 */
export class RequestSignals {
  private readonly live = new Set<AbortController>();

  constructor(private readonly stopping: AbortSignal) {
    stopping.addEventListener(
      'abort',
      () => {
        for (const controller of this.live) controller.abort();
        this.live.clear();
      },
      { once: true },
    );
  }

  /** open starts one request's signal; close must be called when the request is done. */
  open(): { signal: AbortSignal; abort(): void; close(): void } {
    const controller = new AbortController();
    if (this.stopping.aborted) controller.abort();
    else this.live.add(controller);
    return {
      signal: controller.signal,
      abort: () => controller.abort(),
      close: () => void this.live.delete(controller),
    };
  }

  /** inFlight counts the requests whose signals are open. */
  get inFlight(): number {
    return this.live.size;
  }
}
