import type { ServerResponse } from 'node:http';
import { getHeapStatistics } from 'node:v8';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { profileText } from '../profile-text.js';
import { flagParam } from '../query.js';
import type { BuiltProfile } from '../workers/thread-merge.js';
import type { RequestContext } from './endpoint.js';

const gzipAsync = promisify(gzip);

/** sendProfile answers with the profile as gzipped pprof, or as text with ?debug=1. */
export async function sendProfile(ctx: RequestContext, name: string, profile: BuiltProfile): Promise<void> {
  if (flagParam(ctx.query, 'debug')) {
    const text = await ctx.runtime.gate.run(() => profileText(profile.toProfile(), name));
    // As Go's runtime.MemStats at the end of its heap text: the process's own memory figures.
    sendText(ctx.res, 200, name === 'profile' ? text : text + memoryStatsText());
    return;
  }
  // Encoding blocks; compression runs on the thread pool.
  const encoded = await ctx.runtime.gate.run(() => profile.encode());
  const body = await gzipAsync(encoded);
  ctx.res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${name}"`,
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': body.length,
  });
  ctx.res.end(body);
}

/** memoryStatsText lists process.memoryUsage() and V8's heap statistics as `# name = value` lines. */
function memoryStatsText(): string {
  const lines = ['# process.memoryUsage()'];
  for (const [key, value] of Object.entries(process.memoryUsage())) lines.push(`# ${key} = ${value}`);
  lines.push('# v8.getHeapStatistics()');
  for (const [key, value] of Object.entries(getHeapStatistics())) lines.push(`# ${key} = ${value}`);
  return lines.join('\n') + '\n';
}

/** sendText answers with a plain-text body (errors, listings, debug text). */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = text.endsWith('\n') ? text : text + '\n';
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

