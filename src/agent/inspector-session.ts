import { Session } from 'node:inspector';

/**
 * InspectorSession is the agent's one connection to V8's profilers in this
 * thread. Messages on an in-thread session are dispatched synchronously, so
 * `call` returns the result directly: there is no window in which another
 * request could interleave with, say, reading and restarting the heap sampler.
 */
export class InspectorSession {
  private session: Session | undefined;

  /** call sends one protocol command and returns its result; throws the protocol's error. */
  call<T = unknown>(method: string, params?: object): T {
    if (!this.session) {
      this.session = new Session();
      this.session.connect();
    }
    let outcome: { error: Error | null; result: unknown } | undefined;
    this.session.post(method, params ?? {}, (error, result) => {
      outcome = { error, result };
    });
    if (!outcome) throw new Error(`inspector: ${method} did not answer synchronously`);
    if (outcome.error) throw outcome.error;
    return outcome.result as T;
  }

  /**
   * callAsync sends a command whose answer may come later (HeapProfiler.collectGarbage
   * answers after the GC task ran).
   */
  callAsync<T = unknown>(method: string, params?: object): Promise<T> {
    if (!this.session) {
      this.session = new Session();
      this.session.connect();
    }
    const session = this.session;
    return new Promise<T>((resolve, reject) => {
      session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T)));
    });
  }

  /**
   * on listens to one protocol notification (e.g. `Profiler.consoleProfileFinished`);
   * in-thread sessions deliver them synchronously, during the call that caused them.
   */
  on<T = unknown>(method: string, listener: (params: T) => void): void {
    if (!this.session) {
      this.session = new Session();
      this.session.connect();
    }
    this.session.on(method, (message: { params: T }) => listener(message.params));
  }

  /** disconnect ends the session; V8 stops whatever profilers it had running. */
  disconnect(): void {
    this.session?.disconnect();
    this.session = undefined;
  }
}
