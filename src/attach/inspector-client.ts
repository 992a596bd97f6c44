/**
 * InspectorClient speaks the Chrome DevTools Protocol to another process's V8
 * inspector over a WebSocket: commands with replies, and events. It is the
 * out-of-process twin of the agent's node:inspector session.
 */
import { WebSocketClient } from './websocket-client.js';

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  method: string;
  timer: NodeJS.Timeout;
}

/** InspectorClient is one protocol session with a target. */
export class InspectorClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();
  private closedWith: Error | undefined;

  private constructor(private readonly socket: WebSocketClient) {
    socket.onMessage = (text) => this.onMessage(text);
    socket.onClose = (error) => {
      this.closedWith = error ?? new Error('the inspector closed the connection');
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`${p.method}: ${this.closedWith.message}`));
        this.pending.delete(id);
      }
    };
  }

  /** connect opens a session on a target's webSocketDebuggerUrl. */
  static async connect(webSocketUrl: string): Promise<InspectorClient> {
    return new InspectorClient(await WebSocketClient.connect(webSocketUrl));
  }

  /** send runs one protocol command and resolves to its result; it fails on a protocol error or after timeoutMs. */
  send<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    if (this.closedWith) return Promise.reject(new Error(`${method}: ${this.closedWith.message}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer from the inspector within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, method, timer });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** on calls listener with the params of every event named method; it returns the way to stop. */
  on(method: string, listener: (params: unknown) => void): () => void {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** close ends the session. */
  close(): void {
    this.socket.close();
  }

  private onMessage(text: string): void {
    let message: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message?: string } };
    try {
      message = JSON.parse(text);
    } catch {
      return; // Not protocol JSON: nothing waits for it.
    }
    if (message.id !== undefined) {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      clearTimeout(p.timer);
      if (message.error) p.reject(new Error(`${p.method}: ${message.error.message ?? 'protocol error'}`));
      else p.resolve(message.result);
      return;
    }
    if (message.method !== undefined) for (const listener of this.listeners.get(message.method) ?? []) listener(message.params);
  }
}
