/**
 * A log shipper reads batches of access-log lines and remembers which trace
 * ids it has seen, to drop duplicates. The trace id is a slice of the whole
 * batch, so each remembered id keeps its entire batch alive.
 */

/** seenTraceIds maps a trace id to the time it was first seen; never pruned. */
export const seenTraceIds = new Map<string, number>();

/** readLogBatch builds a batch of access-log lines, as one string (as read from the socket). */
export function readLogBatch(batchId: string, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(`2026-12-03T12:00:00Z 10.0.${i % 256}.1 GET /api/orders/${i} 200 trace=${batchId}${i.toString(16).padStart(16, '0')} ua="Mozilla/5.0 (X11; Linux x86_64)"`);
  }
  return out.join('\n');
}

/** extractTraceId returns the trace id of the first line of a batch: a slice of the batch. */
export function extractTraceId(batch: string): string {
  const at = batch.indexOf('trace=') + 6;
  return batch.slice(at, batch.indexOf(' ', at));
}

/** ingestBatch reads a batch and records its first trace id. */
export function ingestBatch(batchId: string): string {
  const batch = readLogBatch(batchId, 400);
  const traceId = extractTraceId(batch);
  if (!seenTraceIds.has(traceId)) seenTraceIds.set(traceId, Date.now());
  return JSON.stringify({ traceId, seen: seenTraceIds.size });
}
