// A loopback receiver implementing Grafana Pyroscope's /ingest contract, for the push tests.
// A real Pyroscope server cannot run here (no network, no container runtime), so this is its
// wire contract as its handler reads it (grafana/pyroscope pkg/ingester/pyroscope/ingest_handler.go,
// pkg/og/convert/pprof/profile.go, api/model/labelset): the query's name, from, until, spyName and
// sampleRate; a multipart/form-data body whose `profile` field holds the (gzipped) pprof; the series
// name derived from the profile's sample types. Anything it would refuse, this refuses with 400.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProfile } from '../../src/profile/decode.js';
import type { Profile } from '../../src/profile/profile.js';

/** IngestedProfile is one accepted upload, decoded. */
export interface IngestedProfile {
  serviceName: string;
  labels: Record<string, string>;
  fromSeconds: number;
  untilSeconds: number;
  spyName: string;
  sampleRate: number | undefined;
  /** The series name Pyroscope derives from the sample types: process_cpu, memory, … */
  metricName: string;
  headers: IncomingMessage['headers'];
  profile: Profile;
  receivedAtMs: number;
}

/** The DefaultSampleTypeMapping display names Pyroscope applies before naming the series. */
const displayNames: Record<string, string> = { samples: 'cpu', goroutine: 'goroutines', contentions: 'mutex_count', delay: 'mutex_duration' };

/** metricName mirrors Pyroscope's choice of the series name from the profile's sample types. */
export function pyroscopeMetricName(profile: Profile): string {
  const types = profile.sampleTypes.map((t) => t.type);
  if (types.includes('wall')) return 'wall';
  let st = '';
  for (const type of types) {
    st = displayNames[type] ?? type;
    if (st.includes('cpu')) return 'process_cpu';
    if (st.includes('alloc_') || st.includes('inuse_') || st === 'space' || st === 'objects') return 'memory';
    if (st.includes('mutex_')) return 'mutex';
    if (st.includes('block_')) return 'block';
    if (st.includes('goroutines')) return 'goroutines';
  }
  return st;
}

/** parseLabelSet mirrors Pyroscope's labelset.Parse of `service{k=v,…}` and its validation. */
export function parseLabelSet(name: string): { serviceName: string; labels: Record<string, string> } {
  const open = name.indexOf('{');
  const serviceName = (open < 0 ? name : name.slice(0, open)).trim();
  if (!/^[A-Za-z0-9_./-]+$/.test(serviceName)) throw new Error(`invalid service name: ${serviceName}`);
  const labels: Record<string, string> = {};
  if (open < 0) return { serviceName, labels };
  const close = name.indexOf('}', open);
  const body = name.slice(open + 1, close < 0 ? undefined : close);
  for (const pair of body.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) throw new Error(`label without value: ${pair}`);
    const key = pair.slice(0, eq).trim();
    if (!/^[A-Za-z0-9_.]+$/.test(key) || key === '__name__') throw new Error(`invalid label name: ${key}`);
    labels[key] = pair.slice(eq + 1).trim();
  }
  return { serviceName, labels };
}

/** parseMultipart splits a multipart/form-data body into its fields (name → bytes). */
export function parseMultipart(body: Buffer, contentType: string): Map<string, Buffer> {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!match) throw new Error(`no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
  const fields = new Map<string, Buffer>();
  let at = body.indexOf(delimiter);
  if (at < 0) throw new Error('no multipart delimiter in the body');
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) throw new Error('a part without headers');
    const headers = body.subarray(at, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new Error('a part without a closing delimiter');
    const name = /name="([^"]*)"/.exec(headers)?.[1];
    if (name === undefined) throw new Error(`a part without a name: ${headers}`);
    fields.set(name, body.subarray(headerEnd + 4, next));
    at = next + 2;
  }
  return fields;
}

/** PyroscopeReceiver is a listening loopback server that records what it accepted. */
export interface PyroscopeReceiver {
  url: string;
  port: number;
  received: IngestedProfile[];
  /** Requests answered with an error, with the reason. */
  refused: string[];
  /** Requests seen, accepted or not. */
  requests: number;
  /** When set, requests are held this long before the answer (a slow server); Infinity never answers. */
  delayMs: number;
  /** When set, every request is answered with this status (e.g. 503). */
  failWith: number | undefined;
  close(): Promise<void>;
}

/** startPyroscopeReceiver listens on 127.0.0.1 (port 0: any free one). */
export async function startPyroscopeReceiver(port = 0): Promise<PyroscopeReceiver> {
  const held = new Set<() => void>();
  const receiver: PyroscopeReceiver = {
    url: '',
    port: 0,
    received: [],
    refused: [],
    requests: 0,
    delayMs: 0,
    failWith: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const release of held) release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer((req, res) => {
    receiver.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = () => {
        held.delete(answer);
        if (res.destroyed) return;
        if (receiver.failWith !== undefined) {
          res.writeHead(receiver.failWith).end('unavailable');
          return;
        }
        try {
          receiver.received.push(ingest(req, Buffer.concat(chunks)));
          res.writeHead(200).end();
        } catch (err) {
          receiver.refused.push((err as Error).message);
          res.writeHead(400).end((err as Error).message);
        }
      };
      if (receiver.delayMs === 0) return answer();
      held.add(answer);
      if (Number.isFinite(receiver.delayMs)) setTimeout(answer, receiver.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  return receiver;
}

function ingest(req: IncomingMessage, body: Buffer): IngestedProfile {
  const url = new URL(req.url ?? '/', 'http://receiver');
  if (req.method !== 'POST' || url.pathname !== '/ingest') throw new Error(`${req.method} ${url.pathname}: not the ingest API`);
  const { serviceName, labels } = parseLabelSet(url.searchParams.get('name') ?? '');
  const seconds = (key: string) => {
    const text = url.searchParams.get(key);
    if (text === null || !/^\d+$/.test(text)) throw new Error(`${key}=${text}: not Unix seconds`);
    return Number(text);
  };
  const contentType = req.headers['content-type'] ?? '';
  if (url.searchParams.get('format') !== null) throw new Error('format= set: the body would not be read as a multipart form');
  if (!contentType.includes('multipart/form-data')) throw new Error(`content-type ${contentType}: not a multipart form`);
  const fields = parseMultipart(body, contentType);
  if (fields.has('prev_profile')) throw new Error('prev_profile: unsupported client version');
  const raw = fields.get('profile');
  if (!raw) throw new Error('no profile field');
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) throw new Error('the profile field is not gzipped');
  const profile = decodeProfile(raw, 'ingested profile');
  const rate = url.searchParams.get('sampleRate');
  return {
    serviceName,
    labels,
    fromSeconds: seconds('from'),
    untilSeconds: seconds('until'),
    spyName: url.searchParams.get('spyName') ?? 'unknown',
    sampleRate: rate === null ? undefined : Number(rate),
    metricName: pyroscopeMetricName(profile),
    headers: req.headers,
    profile,
    receivedAtMs: Date.now(),
  };
}
