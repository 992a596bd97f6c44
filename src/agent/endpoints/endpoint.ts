import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AgentRuntime } from '../agent-runtime.js';
import type { ProfileEntry } from '../index-page.js';

/** RequestContext is one request as the endpoint handlers see it. */
export interface RequestContext {
  runtime: AgentRuntime;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  /** Aborted when the client goes away or the agent stops. */
  signal: AbortSignal;
}

/** Endpoint is one entry of the command table: a name users type and how it is served. */
export interface Endpoint extends ProfileEntry {
  available(runtime: AgentRuntime): boolean;
  /** Why it is not available, with the way to turn it on. */
  unavailableReason?: string;
  serve(ctx: RequestContext): Promise<void>;
}

