/**
 * The leak corpus: realistic leaky services and healthy services that look
 * dangerous, each with what a correct `tsprof watch -snapshots` verdict must
 * say about it. A leak's verdict names its site (the user function that
 * allocates what grows) and its holder (the object that accumulates it, as
 * the user wrote it); a healthy service's verdict raises no alarm.
 */

/** CorpusFamily is the kind of leak (or the dangerous-looking pattern of a healthy case). */
export type CorpusFamily =
  | 'unbounded-cache'
  | 'event-listeners'
  | 'timer'
  | 'closure-registry'
  | 'pending-promise'
  | 'sliced-string'
  | 'external-buffers'
  | 'module-state'
  | 'class-field'
  | 'retry-queue'
  | 'async-context'
  | 'string-rope'
  | 'bounded-cache'
  | 'ring-buffer'
  | 'allocation-churn'
  | 'weak-map';

/** CorpusCase is one service of the corpus and the verdict expected of it. */
export interface CorpusCase {
  /** The directory under examples/leak-corpus/ (its main.ts runs the service). */
  name: string;
  family: CorpusFamily;
  kind: 'leak' | 'healthy';
  /** The user function that allocates what grows, and its file (relative to the case's directory). */
  site?: { functionName: string; file: string };
  /** The holder as the user wrote it, in words, and a pattern the verdict must match to name it. */
  holder?: { description: string; pattern: RegExp };
  /** What fixes it (for a healthy case: what it does right). */
  remedy: string;
}

/** corpusCases lists every case of the corpus. */
export const corpusCases: CorpusCase[] = [
  {
    name: 'cache-session-index',
    family: 'unbounded-cache',
    kind: 'leak',
    site: { functionName: 'createSession', file: 'sessions.ts' },
    holder: { description: 'module variable `sessionIndex` (a Map keyed by request id) in sessions.ts', pattern: /\bsessionIndex\b/ },
    remedy: 'evict or bound the cache (LRU / TTL), or key it by something bounded',
  },
  {
    name: 'cache-rendered-pages',
    family: 'unbounded-cache',
    kind: 'leak',
    site: { functionName: 'renderProductPage', file: 'page-cache.ts' },
    holder: { description: 'module variable `renderedPages` (an object used as a map) in page-cache.ts', pattern: /\brenderedPages\b/ },
    remedy: 'bound the cache and key it by the product, not the full URL with its query string',
  },
  {
    name: 'listeners-order-bus',
    family: 'event-listeners',
    kind: 'leak',
    site: { functionName: 'buildCart', file: 'order-bus.ts' },
    holder: { description: "listener list of `orderBus` 'order' (an EventEmitter)", pattern: /\borderBus\b.*'?order'?/ },
    remedy: "remove the listener when the checkout is done (removeListener / once / an AbortSignal)",
  },
  {
    name: 'listeners-abort-signal',
    family: 'event-listeners',
    kind: 'leak',
    site: { functionName: 'parseUploadChunks', file: 'upload-service.ts' },
    holder: { description: "'abort' listeners of `shutdownController.signal` (an EventTarget)", pattern: /\bshutdownController\b/ },
    remedy: "removeEventListener when the upload finishes, or pass { once: true, signal } with a per-upload signal",
  },
  {
    name: 'timer-refresh-token',
    family: 'timer',
    kind: 'leak',
    site: { functionName: 'loadCredentials', file: 'token-refresher.ts' },
    holder: { description: '`setInterval` callback `refreshToken` in token-refresher.ts, never cleared', pattern: /\brefreshToken\b/ },
    remedy: 'keep one refresher per partner, and clearInterval when the partner is done',
  },
  {
    name: 'closure-completion-hooks',
    family: 'closure-registry',
    kind: 'leak',
    site: { functionName: 'loadJobContext', file: 'completion-hooks.ts' },
    holder: { description: 'module variable `completionHooks` (a Map of closures over each job context) in completion-hooks.ts', pattern: /\bcompletionHooks\b/ },
    remedy: 'drop the hooks when the batch completes or the job ends; capture only what the hook needs',
  },
  {
    name: 'promise-config-ready',
    family: 'pending-promise',
    kind: 'leak',
    site: { functionName: 'draftQuote', file: 'config-loader.ts' },
    holder: { description: 'the promise that never settles: module variable `configReady` in config-loader.ts, whose reactions hold each quote', pattern: /\bconfigReady\b|never settles/ },
    remedy: 'settle or time out the promise (reject after a deadline), and fail requests fast while the config is missing',
  },
  {
    name: 'sliced-trace-ids',
    family: 'sliced-string',
    kind: 'leak',
    site: { functionName: 'readLogBatch', file: 'trace-index.ts' },
    holder: { description: 'module variable `seenTraceIds` (a Map) in trace-index.ts, through sliced-string keys that pin whole log batches', pattern: /\bseenTraceIds\b/ },
    remedy: 'copy the slice before keeping it, and bound the set',
  },
  {
    name: 'buffer-pool-views',
    family: 'external-buffers',
    kind: 'leak',
    site: { functionName: 'allocateFrameBuffer', file: 'buffer-pool.ts' },
    holder: { description: 'class field `BufferPool.leased` (a Set of Buffers, external memory)', pattern: /\bBufferPool\.leased\b|\bframePool\b/ },
    remedy: 'release the pooled buffer itself, not a view of it (subarray)',
  },
  {
    name: 'nested-tenant-metrics',
    family: 'module-state',
    kind: 'leak',
    site: { functionName: 'sampleRequest', file: 'metrics-state.ts' },
    holder: { description: 'module variable `metricsState` in metrics-state.ts (metricsState.tenants[*].requests.history)', pattern: /\bmetricsState\b/ },
    remedy: 'keep a bounded window of samples (a ring buffer) or aggregates instead of every sample',
  },
  {
    name: 'class-connection-pool',
    family: 'class-field',
    kind: 'leak',
    site: { functionName: 'openConnection', file: 'connection-pool.ts' },
    holder: { description: 'class field `ConnectionPool.idle` (an Array)', pattern: /\bConnectionPool\.idle\b/ },
    remedy: 'cap the idle list (close connections beyond the cap) and match idle connections by the field they set',
  },
  {
    name: 'retry-webhook-queue',
    family: 'retry-queue',
    kind: 'leak',
    site: { functionName: 'buildWebhookPayload', file: 'webhook-retry.ts' },
    holder: { description: 'class field `RetryQueue.pending` (an Array), via module variable `webhookRetries`', pattern: /\bRetryQueue\.pending\b|\bwebhookRetries\b/ },
    remedy: 'limit attempts and age (dead-letter the rest), and bound the queue',
  },
  {
    name: 'als-request-logs',
    family: 'async-context',
    kind: 'leak',
    site: { functionName: 'parseRequestBody', file: 'request-logger.ts' },
    holder: { description: 'module variable `bufferedLogs` (an Array) in request-logger.ts, each entry holding its AsyncLocalStorage request context', pattern: /\bbufferedLogs\b/ },
    remedy: 'ship or bound the log buffer, and log plain fields instead of the whole request context',
  },
  {
    name: 'static-job-history',
    family: 'class-field',
    kind: 'leak',
    site: { functionName: 'buildJobRecord', file: 'job-runner.ts' },
    holder: { description: 'static field `JobRunner.history` (a Map of every run) in job-runner.ts', pattern: /\bJobRunner\.history\b/ },
    remedy: 'keep a bounded history (the last N runs, or an age limit), or store it outside the process',
  },
  {
    name: 'process-exit-hooks',
    family: 'event-listeners',
    kind: 'leak',
    site: { functionName: 'spoolUpload', file: 'upload-spool.ts' },
    holder: { description: "`process` 'beforeExit' listeners (one closure over each upload's spool) in upload-spool.ts", pattern: /\bprocess\b.*'?beforeExit'?/ },
    remedy: "remove the hook when the upload completes (process.off('beforeExit', flushOnExit)), or keep one hook over a set of pending spools",
  },
  {
    name: 'string-audit-trail',
    family: 'string-rope',
    kind: 'leak',
    site: { functionName: 'formatAuditEntry', file: 'audit-trail.ts' },
    holder: { description: 'module variable `auditTrail` (a string grown with +=, a rope of every entry) in audit-trail.ts', pattern: /\bauditTrail\b/ },
    remedy: 'write entries out as they come (a stream, a bounded array flushed periodically) instead of growing one string',
  },
  {
    name: 'healthy-lru-cache',
    family: 'bounded-cache',
    kind: 'healthy',
    remedy: 'none needed: an LRU of 150 entries fills in ~8 s, then plateaus',
  },
  {
    name: 'healthy-ttl-cache',
    family: 'bounded-cache',
    kind: 'healthy',
    remedy: 'none needed: entries expire after 4 s and a sweeper removes them',
  },
  {
    name: 'healthy-ring-buffer',
    family: 'ring-buffer',
    kind: 'healthy',
    remedy: 'none needed: a ring of 150 records fills in ~8 s, then overwrites',
  },
  {
    name: 'healthy-allocation-churn',
    family: 'allocation-churn',
    kind: 'healthy',
    remedy: 'none needed: megabytes per second allocated and dropped, flat heap',
  },
  {
    name: 'healthy-weakmap-metadata',
    family: 'weak-map',
    kind: 'healthy',
    remedy: 'none needed: metadata held by a WeakMap keyed by the request goes with it',
  },
  {
    name: 'healthy-listener-removed',
    family: 'event-listeners',
    kind: 'healthy',
    remedy: 'none needed: each request removes its listener in a finally block',
  },
  {
    name: 'healthy-buffer-pool-reused',
    family: 'external-buffers',
    kind: 'healthy',
    remedy: 'none needed: the pool gets the buffer itself back and reuses it',
  },
];
