import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TsprofError } from '../errors.js';
import { fetchBytes } from '../fetch/fetch-bytes.js';
import { FetchError, describeFailure } from '../fetch/fetch-error.js';
import type { DemoContext, PhasePoint, PhaseRecord } from './demo-context.js';
import { readHeapFigures } from './heap-profile-figures.js';

/** formatMB renders bytes as megabytes with one decimal, as the demo prints them. */
export function formatMB(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

interface FetcherStats {
  scrapes: number;
  failures: number;
  lastError: string | null;
  heapUsedBytes: number;
}

/** getOk fetches what the demo needs from its services, through the fetch seam; a failure names what it wanted. */
async function getOk(context: DemoContext, url: string, what: string): Promise<Uint8Array> {
  try {
    return await fetchBytes(new URL(url), { timeoutMs: 30_000, ...(context.http ? { http: context.http } : {}) });
  } catch (err) {
    if (err instanceof FetchError) throw new TsprofError(`demo: ${what} (${url}): ${describeFailure(err.failure)}`);
    throw err;
  }
}

async function fetcherStats(context: DemoContext): Promise<FetcherStats> {
  const bytes = await getOk(context, `${context.fetcher!.info.results}/stats`, 'the fetcher stats');
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as FetcherStats;
}

/** heldBytes is the memory a profile says is held: the in-use V8 heap and what lies outside it (external). */
export function heldBytes(point: PhasePoint): number {
  return point.figures.inuseBytes + point.figures.externalBytes;
}

/** bytesPerMinute fits held bytes over time by least squares. */
function bytesPerMinute(points: PhasePoint[]): number {
  if (points.length < 2) return 0;
  const xs = points.map((p) => p.elapsedMs / 60_000);
  const ys = points.map(heldBytes);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

/**
 * observePhase lets the running fetcher work for the phase's duration,
 * takes `profiles` heap profiles from its agent at even intervals, saves
 * them, and prints the in-use figures as they come.
 */
export async function observePhase(context: DemoContext, mode: 'leaky' | 'fixed', seconds: number): Promise<PhaseRecord> {
  const { settings, progress } = context;
  const agent = context.fetcher!.info.agent;
  const start = Date.now();
  const points: PhasePoint[] = [];
  context.print(`   time   scrapes   in-use heap (profile)   external   heap used   profile`);
  for (let k = 1; k <= settings.profiles; k++) {
    const due = (seconds * 1000 * k) / settings.profiles;
    for (;;) {
      const left = due - (Date.now() - start);
      if (left <= 0) break;
      await new Promise((r) => setTimeout(r, Math.min(500, left)));
      const stats = await fetcherStats(context);
      const elapsed = Math.round((Date.now() - start) / 1000);
      progress.update(`   ${mode}: ${elapsed}s of ${seconds}s, ${stats.scrapes} scrapes, heap used ${formatMB(stats.heapUsedBytes)}`);
    }
    const bytes = await getOk(context, `${agent}/debug/pprof/heap?gc=1`, 'the heap profile');
    const file = join(settings.dir, `${mode}-${k}.pb.gz`);
    await writeFile(file, bytes);
    const stats = await fetcherStats(context);
    if (stats.failures > 0 && stats.scrapes === 0) throw new TsprofError(`demo: the fetcher cannot scrape the simulator: ${stats.lastError}`);
    const point: PhasePoint = { elapsedMs: Date.now() - start, scrapes: stats.scrapes, heapUsedBytes: stats.heapUsedBytes, file, figures: readHeapFigures(bytes, file) };
    points.push(point);
    context.print(
      `   ${`${Math.round(point.elapsedMs / 1000)}s`.padStart(4)}   ${String(point.scrapes).padStart(7)}   ${formatMB(point.figures.inuseBytes).padStart(21)}` +
        `   ${formatMB(point.figures.externalBytes).padStart(8)}   ${formatMB(point.heapUsedBytes).padStart(9)}   ${context.shown(file)}`,
    );
  }
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const grownExternalBytes = last.figures.externalBytes - first.figures.externalBytes;
  const record: PhaseRecord = { mode, points, bytesPerMinute: bytesPerMinute(points), grownBytes: heldBytes(last) - heldBytes(first), grownExternalBytes };
  const grown = record.grownBytes;
  context.print(
    `   ${mode}: memory held (in-use heap + external) ${formatMB(heldBytes(first))} -> ${formatMB(heldBytes(last))} ` +
      `(${grown >= 0 ? '+' : ''}${formatMB(grown)} in ${Math.round((last.elapsedMs - first.elapsedMs) / 1000)}s; trend ${record.bytesPerMinute >= 0 ? '+' : ''}${formatMB(record.bytesPerMinute)}/min)`,
  );
  if (grownExternalBytes > grown / 2 && grown > 0) {
    context.print(
      `   ${formatMB(grownExternalBytes)} of it is outside the V8 heap (external): this Node decodes each ~1 MB response into an\n` +
        '   external string, whose characters V8\'s heap profile does not sample.',
    );
  }
  context.phases.push(record);
  return record;
}
