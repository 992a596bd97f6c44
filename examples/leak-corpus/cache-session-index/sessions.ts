/**
 * The session store of a login service: every login creates a session
 * record, indexed by the request id that created it. Nothing ever evicts a
 * session, so the index grows with every request (the leak).
 */

/** Session is what the service remembers about one login. */
export interface Session {
  id: string;
  userId: string;
  createdAt: number;
  /** Recent permission checks, kept for the audit page. */
  permissions: { resource: string; action: string; granted: boolean }[];
}

/** sessionIndex maps a request id to the session it created; never evicted. */
export const sessionIndex = new Map<string, Session>();

/** createSession builds the session of one login, with its permission set. */
export function createSession(requestId: string, userId: string): Session {
  const permissions: Session['permissions'] = [];
  for (let i = 0; i < 400; i++) {
    permissions.push({ resource: `/api/v1/accounts/${userId}/items/${i}`, action: i % 3 === 0 ? 'write' : 'read', granted: i % 7 !== 0 });
  }
  return { id: requestId, userId, createdAt: Date.now(), permissions };
}

/** login creates a session and indexes it by request id. */
export function login(requestId: string, seq: number): string {
  const session = createSession(requestId, `user-${seq % 5000}`);
  sessionIndex.set(requestId, session);
  return JSON.stringify({ session: session.id, sessions: sessionIndex.size });
}
