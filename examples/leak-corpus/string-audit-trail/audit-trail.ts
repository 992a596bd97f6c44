/**
 * An audit trail kept as one growing string: each request appends its entry
 * with `+=`, meaning to write the trail out "later". V8 builds such a string
 * as a rope of concatenations that keeps every piece, so the trail holds
 * every entry ever appended.
 */

let auditTrail = '';

/** formatAuditEntry renders one request as an audit line, with its headers and the changed record. */
export function formatAuditEntry(requestId: string, seq: number): string {
  const changed = Array.from({ length: 400 }, (_, i) => ({ field: `field_${i}`, before: `old-${seq}-${i}`, after: `new-${seq}-${i}-${'v'.repeat(16)}` }));
  return JSON.stringify({ at: 1_700_000_000_000 + seq, requestId, actor: `user-${seq % 13}`, action: 'record.update', changed }) + '\n';
}

/** recordAudit appends the request's entry to the trail. */
export function recordAudit(requestId: string, seq: number): string {
  auditTrail += formatAuditEntry(requestId, seq);
  return JSON.stringify({ requestId, trailLength: auditTrail.length });
}
