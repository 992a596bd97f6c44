import type { HttpGet, HttpGetRequest } from '../../src/fetch/http-get.js';

/**
 * fakeHttp is an HttpGet for tests: it answers every request with status and
 * body chunks, and records what it was asked and how often a body was let go.
 */
export function fakeHttp(status: number, chunks: (string | Uint8Array)[], statusText = 'OK') {
  const requests: HttpGetRequest[] = [];
  let discarded = 0;
  const get: HttpGet = async (request) => {
    requests.push(request);
    return {
      status,
      statusText,
      body: (async function* () {
        for (const c of chunks) yield typeof c === 'string' ? Buffer.from(c) : c;
      })(),
      discard: () => void discarded++,
    };
  };
  return { get, requests, discarded: () => discarded };
}
