import { UsageError } from '../errors.js';

/** ListenAddress is where the web UI listens: -http=[host]:port, host defaulting to localhost, port 0 for any free port. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** parseListenAddress reads -http's value, "[host]:port" (IPv6 hosts in brackets), as pprof does. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d*)$/.exec(text);
  if (!m) throw new UsageError(`-http=${text}: want [host]:port, e.g. -http=:8080 or -http=localhost:0`);
  const host = m[1] ?? m[2] ?? '';
  const port = m[3] === '' ? 0 : Number(m[3]);
  if (!Number.isInteger(port) || port > 65535) throw new UsageError(`-http=${text}: port ${m[3]} is not in 0..65535`);
  return { host: host === '' ? 'localhost' : host, port };
}

/** isLoopbackHost reports whether a host name or address only ever reaches this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\.\d+\.\d+\.\d+$/.test(h);
}

/** isWildcardHost reports whether binding host means every interface (0.0.0.0, ::). */
export function isWildcardHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  return h === '0.0.0.0' || h === '::' || h === '*';
}
