/**
 * A multi-tenant gateway keeps per-tenant request statistics in one
 * module-level state object. Every request appends its sample to its
 * tenant's history, which nothing ever trims.
 */

/** RequestSample is one request's timing record. */
interface RequestSample {
  requestId: string;
  route: string;
  latencyMs: number;
  headers: string[];
}

/** metricsState is the gateway's statistics, by tenant then by kind. */
export const metricsState: { tenants: Record<string, { requests: { history: RequestSample[]; count: number } }> } = { tenants: {} };

/** sampleRequest builds the timing record of one request. */
export function sampleRequest(requestId: string, seq: number): RequestSample {
  const headers: string[] = [];
  for (let i = 0; i < 200; i++) headers.push(`x-forwarded-hop-${i}: 10.1.${i}.${seq % 256} ${requestId}`);
  return { requestId, route: `/tenants/${seq % 8}/orders`, latencyMs: seq % 97, headers };
}

/** recordRequest appends a request's sample to its tenant's history. */
export function recordRequest(requestId: string, seq: number): string {
  const tenantId = `tenant-${seq % 8}`;
  const tenant = (metricsState.tenants[tenantId] ??= { requests: { history: [], count: 0 } });
  tenant.requests.history.push(sampleRequest(requestId, seq));
  tenant.requests.count++;
  return JSON.stringify({ tenantId, count: tenant.requests.count });
}
