import { randomBytes } from 'node:crypto';

/** IngestMetadata is what Pyroscope's `/ingest` reads from the query string. */
export interface IngestMetadata {
  serviceName: string;
  labels: Record<string, string>;
  /** Wall-clock span the profile covers, in ms since the epoch (sent as Unix seconds). */
  fromMs: number;
  untilMs: number;
  /** Samples per second of a CPU profile (Pyroscope's `sampleRate`); absent for heap profiles. */
  sampleRate?: number;
}

/** The spy name the official Node SDK sends; Pyroscope files the profiles as Node's with it. */
export const nodeSpyName = 'nodespy';

/**
 * ingestName writes Pyroscope's label-set form of the series,
 * `service{k=v,k=v}`, which its label-set parser splits at `{`, `=`, `,` and `}`.
 */
export function ingestName(serviceName: string, labels: Record<string, string>): string {
  return `${serviceName}{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',')}}`;
}

/**
 * ingestUrl is `<base>/ingest?name=…&from=…&until=…&spyName=nodespy[&sampleRate=…]`,
 * the legacy ingest API Pyroscope still serves. The base may carry a path
 * (a reverse proxy's prefix); `ingest` goes below it.
 */
export function ingestUrl(base: URL, meta: IngestMetadata): URL {
  const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}/ingest`);
  url.searchParams.set('name', ingestName(meta.serviceName, meta.labels));
  url.searchParams.set('from', String(Math.floor(meta.fromMs / 1000)));
  url.searchParams.set('until', String(Math.max(Math.floor(meta.fromMs / 1000), Math.ceil(meta.untilMs / 1000))));
  url.searchParams.set('spyName', nodeSpyName);
  if (meta.sampleRate !== undefined) url.searchParams.set('sampleRate', String(meta.sampleRate));
  return url;
}

/** MultipartBody is a multipart/form-data request body and its Content-Type (with the boundary). */
export interface MultipartBody {
  body: Uint8Array;
  contentType: string;
}

/**
 * profileForm wraps a gzipped pprof profile as the multipart form Pyroscope's
 * pprof ingester reads: one file field named `profile`. (It also reads
 * `sample_type_config`, which the agent does not need, as its sample types are
 * the ones Pyroscope maps by default, and refuses `prev_profile`.)
 */
export function profileForm(profileGzip: Uint8Array): MultipartBody {
  const boundary = `tsprof-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\n` +
      'Content-Disposition: form-data; name="profile"; filename="profile.pprof"\r\n' +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, profileGzip, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}
