import { Session } from 'node:inspector';
import { errorMessage } from '../../errors.js';
import type { HeapSamplerSettings } from '../heap-sampler.js';
import { type ThreadInfo, workerThreadInfo } from './thread-info.js';
import { WorkerChannel } from './worker-channel.js';
import { WorkerHeapSampler } from './worker-heap-sampler.js';

/** AttachedWorker is one worker thread the agent is attached to. */
export interface AttachedWorker {
  info: ThreadInfo;
  channel: WorkerChannel;
  heap: WorkerHeapSampler;
}

/** WorkerDirectory is what the endpoints see of the process's worker threads. */
export interface WorkerDirectory {
  /** list returns the workers alive now, by threadId. */
  list(): AttachedWorker[];
  /** get returns the worker with this threadId, if it is alive. */
  get(threadId: number): AttachedWorker | undefined;
}

/** noWorkers is a directory that never has a worker (agents built without worker support, tests). */
export const noWorkers: WorkerDirectory = { list: () => [], get: () => undefined };

/**
 * WorkerThreads follows every worker thread of the process through the main
 * thread's inspector (the NodeWorker domain: Node 20 to 26 report all workers,
 * nested ones too, to the main thread's session). Each worker gets its own
 * channel and heap sampler when it starts; it is dropped when it ends.
 *
 * It never holds a worker up: workers are not paused at start
 * (waitForDebuggerOnStart false), the session keeps no worker or the process
 * alive, and a worker that ends just ends its pending calls.
 */
export class WorkerThreads implements WorkerDirectory {
  private session: Session | undefined;
  private readonly bySession = new Map<string, AttachedWorker>();
  private readonly byThread = new Map<number, AttachedWorker>();

  constructor(
    private readonly heapSettings: HeapSamplerSettings,
    private readonly report: (context: string, err: unknown) => void,
    private readonly folding: { intervalMs?: number; maxStacks?: number } = {},
  ) {}

  /** start connects to the inspector and attaches to the workers running now and to come. Throws when V8 refuses. */
  start(): void {
    if (this.session) return;
    const session = new Session();
    session.connect();
    // The inspector calls these from the host's event loop: nothing may throw out of them.
    const guarded =
      <P>(context: string, handle: (params: P) => void) =>
      (message: { params: P }) => {
        try {
          handle(message.params);
        } catch (err) {
          this.report(context, err);
        }
      };
    session.on('NodeWorker.attachedToWorker', guarded('attaching to a worker thread', (params) => this.attached(params)));
    session.on('NodeWorker.detachedFromWorker', guarded('detaching from a worker thread', (params) => this.detached(params.sessionId)));
    session.on(
      'NodeWorker.receivedMessageFromWorker',
      guarded('a message from a worker thread', (params) => this.bySession.get(params.sessionId)?.channel.receive(params.message)),
    );
    let failure: Error | null = null;
    session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (err) => (failure = err));
    if (failure) {
      session.disconnect();
      throw failure;
    }
    this.session = session;
  }

  private attached(params: { sessionId: string; workerInfo: { workerId?: unknown; title?: unknown; url?: unknown } }): void {
    const session = this.session;
    const info = workerThreadInfo(params.workerInfo);
    if (!session) return;
    if (!info) throw new Error(`cannot tell the threadId of the worker titled ${JSON.stringify(params.workerInfo.title)}; it is not profiled`);
    const sessionId = params.sessionId;
    const channel = new WorkerChannel(info, (message) => {
      let failure: Error | null = null;
      session.post('NodeWorker.sendMessageToWorker', { sessionId, message }, (err) => (failure = err));
      if (failure) throw failure;
    });
    const worker: AttachedWorker = { info, channel, heap: new WorkerHeapSampler(this.heapSettings, channel, this.folding.intervalMs, this.folding.maxStacks) };
    this.bySession.set(sessionId, worker);
    this.byThread.set(info.threadId, worker);
  }

  private detached(sessionId: string): void {
    const worker = this.bySession.get(sessionId);
    if (!worker) return;
    this.bySession.delete(sessionId);
    if (this.byThread.get(worker.info.threadId) === worker) this.byThread.delete(worker.info.threadId);
    worker.heap.stop();
    worker.channel.detach();
  }

  /** list returns the workers alive now, by threadId. */
  list(): AttachedWorker[] {
    return [...this.byThread.values()].sort((a, b) => a.info.threadId - b.info.threadId);
  }

  /** get returns the worker with this threadId, if it is alive. */
  get(threadId: number): AttachedWorker | undefined {
    return this.byThread.get(threadId);
  }

  /** stop detaches from every worker (their profilers stop with their sessions) and disconnects. */
  stop(): void {
    const session = this.session;
    this.session = undefined;
    for (const sessionId of [...this.bySession.keys()]) this.detached(sessionId);
    if (!session) return;
    try {
      session.post('NodeWorker.disable');
      session.disconnect();
    } catch (err) {
      this.report('detaching from worker threads', errorMessage(err));
    }
  }
}
