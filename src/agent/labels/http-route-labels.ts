import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { labelTimeline } from './label-context.js';

/** Path segments that are ids, not routes: numbers, UUIDs, long hex, and long opaque tokens. */
const idSegment = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[A-Za-z0-9_-]{32,})$/i;

/**
 * routeOf names a request's route from its path: the query dropped and id-like
 * segments replaced by `:id`, so `/users/42/orders?x=1` is `/users/:id/orders`
 * and the label keeps few values (frameworks know their route patterns better:
 * see withLabels in the README for Express and Fastify).
 */
export function routeOf(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0]!.split('#', 1)[0]!;
  return path
    .split('/')
    .map((segment) => (idSegment.test(segment) ? ':id' : segment))
    .join('/');
}

const requestStart = 'http.server.request.start';

let installed: ((message: unknown) => void) | undefined;

/**
 * installHttpRouteLabels labels every node:http request (and so Express and
 * Fastify, which run on it) with `method` and `route` from the moment its
 * handler runs, through everything the handler awaits: it listens on Node's
 * `http.server.request.start` diagnostics channel, which fires just before the
 * server emits 'request', and enters the request's label set there.
 * Returns the function that removes it.
 */
export function installHttpRouteLabels(): () => void {
  if (installed) return () => undefined;
  const onStart = (message: unknown) => {
    if (!labelTimeline.tracking) return;
    const req = (message as { request?: IncomingMessage }).request;
    if (!req) return;
    const id = labelTimeline.idOf({ method: req.method ?? 'GET', route: routeOf(req.url) });
    labelTimeline.storage.enterWith(id);
    labelTimeline.note(id);
  };
  installed = onStart;
  subscribe(requestStart, onStart);
  return () => {
    if (installed !== onStart) return;
    unsubscribe(requestStart, onStart);
    installed = undefined;
  };
}
