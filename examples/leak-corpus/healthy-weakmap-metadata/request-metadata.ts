/**
 * A tracing middleware attaches metadata to each request object through a
 * WeakMap. When the request is done and dropped, its metadata goes with it.
 */
import type { IncomingMessage } from 'node:http';

/** SpanMetadata is what the tracer attaches to a request. */
interface SpanMetadata {
  spanId: string;
  attributes: { key: string; value: string }[];
}

/** spanByRequest holds each live request's metadata, weakly. */
export const spanByRequest = new WeakMap<IncomingMessage, SpanMetadata>();

/** buildSpanMetadata builds the metadata of one request. */
export function buildSpanMetadata(requestId: string): SpanMetadata {
  const attributes: SpanMetadata['attributes'] = [];
  for (let i = 0; i < 350; i++) attributes.push({ key: `attr.${i}`, value: `${requestId}-${i}` });
  return { spanId: requestId, attributes };
}

/** traceRequest attaches metadata to the request and answers with its span id. */
export function traceRequest(req: IncomingMessage, requestId: string): string {
  spanByRequest.set(req, buildSpanMetadata(requestId));
  return JSON.stringify({ span: spanByRequest.get(req)?.spanId });
}
