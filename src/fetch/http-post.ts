import http from 'node:http';
import https from 'node:https';

/** HttpPostRequest is one POST sent through the upload seam. */
export interface HttpPostRequest {
  url: URL;
  headers: Record<string, string>;
  body: Uint8Array;
  /** signal aborts the request (a deadline, or the agent stopping). */
  signal: AbortSignal;
}

/** HttpPostResponse is the status and the start of the answer (for an error message). */
export interface HttpPostResponse {
  status: number;
  statusText: string;
  /** The first few KiB of the body, as text. */
  bodyStart: string;
}

/**
 * HttpPost is the seam through which the agent uploads (pushes to Pyroscope),
 * beside HttpGet for reads, so tests can pass a fake. A network failure rejects
 * with the system's error (its `code` is kept); any status resolves.
 */
export type HttpPost = (request: HttpPostRequest) => Promise<HttpPostResponse>;

/** Bytes of an answer kept for the error message. */
const keptBodyBytes = 4096;

/**
 * createNodeHttpPost returns the real HttpPost over node:http and node:https,
 * with its own keep-alive agents (the host's global agent is not touched) and
 * unref'd sockets: an upload in flight never keeps the host alive. `close`
 * destroys the pooled connections.
 */
export function createNodeHttpPost(): HttpPost & { close(): void } {
  const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 2 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 2 }) };
  const post = ((request: HttpPostRequest) => {
    const { url } = request;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
    const send = url.protocol === 'https:' ? https.request : http.request;
    return new Promise<HttpPostResponse>((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(request.body.byteLength) },
          signal: request.signal,
          agent: agents[url.protocol as 'http:' | 'https:'],
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size < keptBodyBytes) chunks.push(chunk);
            size += chunk.length;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              statusText: res.statusMessage ?? '',
              bodyStart: Buffer.concat(chunks).subarray(0, keptBodyBytes).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('socket', (socket) => socket.unref());
      req.on('error', reject);
      req.end(request.body);
    });
  }) as HttpPost & { close(): void };
  post.close = () => {
    agents['http:'].destroy();
    agents['https:'].destroy();
  };
  return post;
}
