/**
 * A request logger attaches each log entry to the request's context, taken
 * from AsyncLocalStorage, and buffers the entries in a global array for a
 * shipper that was never started. Each entry keeps its whole request
 * context (with its parsed body) alive.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** RequestContext is the per-request store. */
export interface RequestContext {
  requestId: string;
  body: { field: string; value: string }[];
}

/** requestContext carries the current request's context through async calls. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/** bufferedLogs holds log entries until the shipper takes them (it never does). */
export const bufferedLogs: { at: number; message: string; context: RequestContext | undefined }[] = [];

/** logInfo records a log line with the current request's context. */
export function logInfo(message: string): void {
  bufferedLogs.push({ at: Date.now(), message, context: requestContext.getStore() });
}

/** parseRequestBody builds the parsed body of one request. */
export function parseRequestBody(requestId: string): RequestContext['body'] {
  const body: RequestContext['body'] = [];
  for (let i = 0; i < 350; i++) body.push({ field: `field_${i}`, value: `${requestId}:${i}` });
  return body;
}

/** handleSignup runs a signup inside its request context and logs it. */
export function handleSignup(requestId: string): string {
  return requestContext.run({ requestId, body: parseRequestBody(requestId) }, () => {
    logInfo(`signup ${requestId}`);
    return JSON.stringify({ requestId, logs: bufferedLogs.length });
  });
}
