import type { ThreadInfo } from './thread-info.js';
import { threadLabel } from './thread-info.js';

/** WorkerExitedError says a worker thread ended while the agent was talking to it (answered as 410). */
export class WorkerExitedError extends Error {
  constructor(
    readonly thread: ThreadInfo,
    during: string,
  ) {
    super(`${threadLabel(thread)} exited during ${during}`);
    this.name = 'WorkerExitedError';
  }
}

/**
 * WorkerUnresponsiveError says a worker did not answer in time (answered as 504): its
 * inspector answers even while its JavaScript runs, but not while it is blocked in native code.
 */
export class WorkerUnresponsiveError extends Error {
  constructor(thread: ThreadInfo, method: string, timeoutMs: number) {
    super(`${threadLabel(thread)} did not answer ${method} within ${timeoutMs / 1000} s (blocked in a synchronous native call?)`);
    this.name = 'WorkerUnresponsiveError';
  }
}

/** How long a worker may take to answer one command, unless the call says otherwise. */
export const defaultWorkerCallTimeoutMs = 60_000;

interface PendingCall {
  method: string;
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * WorkerChannel is one DevTools-protocol session with one worker thread, carried
 * by the main thread's inspector session (NodeWorker.sendMessageToWorker out,
 * NodeWorker.receivedMessageFromWorker in). The worker's inspector answers on
 * its own thread, even while its JavaScript is busy, so answers come later:
 * every call is asynchronous. When the worker goes away every pending call
 * fails with WorkerExitedError at once: nothing waits for an answer that
 * cannot come.
 */
export class WorkerChannel {
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private readonly eventListeners = new Map<string, Set<(params: unknown) => void>>();
  private readonly exitListeners = new Set<() => void>();
  private gone = false;

  /** `send` posts one protocol message (JSON text) to the worker; it throws when the worker is gone. */
  constructor(
    readonly thread: ThreadInfo,
    private readonly send: (message: string) => void,
  ) {}

  /** exited tells whether the worker has gone. */
  get exited(): boolean {
    return this.gone;
  }

  /**
   * call sends one protocol command to the worker and resolves to its result;
   * rejects on a protocol error, the worker's exit, or no answer within
   * timeoutMs (its timer never keeps the process alive).
   */
  call<T = unknown>(method: string, params: object = {}, timeoutMs = defaultWorkerCallTimeoutMs): Promise<T> {
    if (this.gone) return Promise.reject(new WorkerExitedError(this.thread, method));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new WorkerUnresponsiveError(this.thread, method, timeoutMs));
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { method, resolve: resolve as (result: unknown) => void, reject, timer });
      try {
        this.send(JSON.stringify({ id, method, params }));
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        // The worker ended between the check and the post.
        reject(this.gone ? new WorkerExitedError(this.thread, method) : err);
      }
    });
  }

  /** onEvent calls listener with the params of each event named method from the worker; returns the way to stop. */
  onEvent(method: string, listener: (params: unknown) => void): () => void {
    let listeners = this.eventListeners.get(method);
    if (!listeners) this.eventListeners.set(method, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.eventListeners.delete(method);
    };
  }

  /**
   * whenExited calls listener once when the worker goes (at once if it has);
   * returns the way to stop. Each waiting request adds one and removes it when
   * done, so nothing accumulates on a long-lived worker.
   */
  whenExited(listener: () => void): () => void {
    if (this.gone) {
      listener();
      return () => {};
    }
    this.exitListeners.add(listener);
    return () => void this.exitListeners.delete(listener);
  }

  /** receive handles one message from the worker: an answer to a call, or an event. */
  receive(message: string): void {
    let parsed: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message?: string } };
    try {
      parsed = JSON.parse(message);
    } catch {
      return; // Not protocol JSON: nothing waits for it.
    }
    if (parsed.id !== undefined) {
      const call = this.pending.get(parsed.id);
      if (!call) return;
      this.pending.delete(parsed.id);
      clearTimeout(call.timer);
      if (parsed.error) call.reject(new Error(`${threadLabel(this.thread)}: ${call.method}: ${parsed.error.message ?? 'protocol error'}`));
      else call.resolve(parsed.result);
      return;
    }
    if (parsed.method === undefined) return;
    for (const listener of this.eventListeners.get(parsed.method) ?? []) {
      try {
        listener(parsed.params);
      } catch {
        // One listener's failure (a response already closed) must not reach the inspector, nor the others.
      }
    }
  }

  /** detach marks the worker gone: pending calls fail with WorkerExitedError and exit listeners run. */
  detach(): void {
    if (this.gone) return;
    this.gone = true;
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(new WorkerExitedError(this.thread, call.method));
    }
    this.pending.clear();
    this.eventListeners.clear();
    const listeners = [...this.exitListeners];
    this.exitListeners.clear();
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // A waiting request's cleanup must not stop the others'.
      }
    }
  }
}
