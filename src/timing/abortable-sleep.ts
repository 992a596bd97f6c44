/**
 * sleepUnlessAborted waits ms milliseconds, ending early (without error) when
 * signal aborts; its one abort listener goes when it ends. With `unref`, the
 * timer does not keep the process alive: the agent waits that way inside its
 * host, which must be free to exit; the CLI's watch waits with a plain timer.
 */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal, options: { unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    if (options.unref) timer.unref();
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
