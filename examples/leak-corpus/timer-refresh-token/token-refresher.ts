/**
 * An API client keeps each partner's OAuth token fresh with a timer. The
 * service starts a refresher for every partner request and never clears
 * it, so each timer's closure keeps its credentials and scopes alive.
 */

/** PartnerCredentials is what refreshing a partner's token needs. */
interface PartnerCredentials {
  partnerId: string;
  scopes: string[];
  token: string;
}

/** loadCredentials builds a partner's credentials, with its scope list. */
export function loadCredentials(partnerId: string): PartnerCredentials {
  const scopes: string[] = [];
  for (let i = 0; i < 500; i++) scopes.push(`partner:${partnerId}:resource-${i}:read-write`);
  return { partnerId, scopes, token: '' };
}

/** startTokenRefresh refreshes a partner's token every 10 minutes; nothing ever clears the timer. */
export function startTokenRefresh(partnerId: string): string {
  const credentials = loadCredentials(partnerId);
  setInterval(function refreshToken() {
    credentials.token = `${credentials.partnerId}.${Date.now()}.${credentials.scopes.length}`;
  }, 600_000);
  return JSON.stringify({ partnerId, scopes: credentials.scopes.length });
}
