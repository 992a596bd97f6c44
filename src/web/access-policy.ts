import { createHash, timingSafeEqual } from 'node:crypto';
import { isLoopbackHost, isWildcardHost } from './listen-address.js';

/**
 * AccessPolicy is who may use the web UI. A loopback bind serves only
 * loopback peers; any other bind requires a secret token. Both check the
 * Host header against the names the server was bound as, so a page on
 * another site cannot reach it by pointing a name of its own at this
 * machine (DNS rebinding).
 */
export interface AccessPolicy {
  /** Only peers on this machine (the bind was a loopback host). */
  loopbackPeersOnly: boolean;
  /** Host header values accepted (lower case, "name:port"); undefined accepts any (a wildcard bind, protected by the token). */
  allowedHosts: Set<string> | undefined;
  /** The token every request must carry (in the URL or its cookie), if any. */
  token: string | undefined;
}

/** AccessRequest is what the policy looks at in a request. */
export interface AccessRequest {
  /** The peer's address (socket.remoteAddress). */
  peerAddress: string | undefined;
  host: string | undefined;
  /** The token in the URL (?token=), if any. */
  urlToken: string | null;
  /** The token in the request's cookie, if any. */
  cookieToken: string | undefined;
}

/** AccessDecision is the outcome: allowed, or the status and one-line reason to answer with. */
export type AccessDecision = { allowed: true } | { allowed: false; status: 403; reason: string };

/** tokenCookie is the name of the cookie that keeps the token once the URL carrying it was opened. */
export const tokenCookie = 'tsprof_token';

/** accessPolicyFor builds the policy of a server bound to host on port. */
export function accessPolicyFor(host: string, port: number, token: string | undefined): AccessPolicy {
  const loopback = isLoopbackHost(host);
  let allowedHosts: Set<string> | undefined;
  if (loopback) {
    allowedHosts = new Set(['localhost', '127.0.0.1', '[::1]', bracketed(host)].map((h) => `${h.toLowerCase()}:${port}`));
  } else if (!isWildcardHost(host)) {
    allowedHosts = new Set([`${bracketed(host).toLowerCase()}:${port}`]);
  }
  return { loopbackPeersOnly: loopback, allowedHosts, token: loopback ? undefined : token };
}

/** checkAccess decides one request under policy. */
export function checkAccess(policy: AccessPolicy, request: AccessRequest): AccessDecision {
  if (policy.loopbackPeersOnly && !isLoopbackHost(request.peerAddress ?? '')) {
    return { allowed: false, status: 403, reason: `forbidden: the web UI is bound to loopback and serves only this machine, not ${request.peerAddress ?? 'an unknown peer'}` };
  }
  const host = (request.host ?? '').toLowerCase();
  if (policy.allowedHosts && !policy.allowedHosts.has(host)) {
    return { allowed: false, status: 403, reason: `forbidden: Host header ${JSON.stringify(request.host ?? '')} is not a name this server was bound as (DNS rebinding protection)` };
  }
  if (policy.token !== undefined && !sameSecret(policy.token, request.urlToken) && !sameSecret(policy.token, request.cookieToken)) {
    return { allowed: false, status: 403, reason: 'forbidden: this web UI needs the token of the URL tsprof printed' };
  }
  return { allowed: true };
}

function sameSecret(secret: string, given: string | null | undefined): boolean {
  if (given === null || given === undefined) return false;
  // Hash both so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(secret).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
