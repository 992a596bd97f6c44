/**
 * Benchmark: time from launching the web UI until its flame graph answers,
 * tsprof -http against go tool pprof -http -no_browser (Go 1.19: the d3 flame
 * graph), on the large heap profile; then, in Chromium, tsprof's time until
 * the flame graph is painted, the page's size, and the frame times of hover
 * and pivot.
 *
 *   npx tsc -p . && npm run build && node dist/bench/web-flamegraph.js [-runs 3] [-profile FILE] [-pprof_limit_gb 8]
 *
 * pprof runs under `ulimit -v` (its flame graph of this profile grew past 19 GB
 * and was killed by the kernel on a 24 GB machine): past the limit it fails,
 * and the bench records when.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/web/chromium.js';
import { parseBenchFlags } from './support/bench-flags.js';
import { defaultLargeProfilePath, measureProfile } from './pprof-large-profile.js';
import { median, quantile } from './support/stats.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const tsprofBin = join(projectRoot, 'bin', 'tsprof.js');

/** Launch is one tool's run: when its flame graph first answered 200 (or why it never did). */
interface Launch {
  ms: number | undefined;
  bytes: number;
  failure: string | undefined;
  url: string;
  child: ChildProcess;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** launch starts argv and polls url (from the printed line, or fixed) until it answers 200, the process dies, or timeoutMs passes. */
async function launch(argv: string[], fixedUrl: string | undefined, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<Launch> {
  const start = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '', err = '', exited: string | undefined;
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  child.once('exit', (code, signal) => {
    const why = err.split('\n').find((line) => /fatal error|out of memory|panic:/i.test(line)) ?? err.trim().split('\n').pop() ?? '';
    exited = `exited (${signal ?? code}) after ${((performance.now() - start) / 1000).toFixed(1)} s: ${why.trim()}`;
  });
  for (;;) {
    if (exited) return { ms: undefined, bytes: 0, failure: exited, url: '', child };
    if (performance.now() - start > timeoutMs) return { ms: undefined, bytes: 0, failure: `no answer in ${timeoutMs / 1000} s`, url: '', child };
    const printed = /Serving web UI on (\S+)/.exec(out)?.[1];
    const url = fixedUrl ?? (printed ? printed.replace(/\/ui\/.*$/, '/ui/flamegraph') : undefined);
    if (url) {
      try {
        const response = await fetch(url);
        const body = await response.arrayBuffer();
        if (response.status === 200) return { ms: performance.now() - start, bytes: body.byteLength, failure: undefined, url, child };
      } catch {
        // Not listening yet.
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await done;
  clearTimeout(timer);
}

/** thinned writes every n-th sample of the profile at path to out (tsprof's decoder and encoder: only the input is made with them). */
async function thinned(path: string, n: number, out: string): Promise<string> {
  const { decodeProfile } = await import('../src/profile/decode.js');
  const { encodeProfileGzip } = await import('../src/profile/encode.js');
  const { selectSamples } = await import('../src/profile/sample-builder.js');
  const p = decodeProfile(readFileSync(path), path);
  const keep = new Uint8Array(p.samples.count);
  for (let i = 0; i < keep.length; i += n) keep[i] = 1;
  writeFileSync(out, encodeProfileGzip({ ...p, samples: selectSamples(p.samples, keep) }));
  return out;
}

const stat = (xs: number[]) => `median ${median(xs).toFixed(1)} ms, p95 ${quantile(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (${xs.length} events)`;

async function main(): Promise<void> {
  const flags = parseBenchFlags('web-flamegraph', {
    runs: { kind: 'int', default: 3, help: 'launches of each tool' },
    profile: { kind: 'string', default: defaultLargeProfilePath(), help: 'the profile (default: the large one of pprof-make-profile)' },
    pprof: { kind: 'bool', default: true, help: 'also launch go tool pprof -http (-pprof=false skips it)' },
    pprof_limit_gb: { kind: 'int', default: 8, help: 'virtual memory limit for pprof (ulimit -v), in GB' },
    timeout: { kind: 'int', default: 300, help: 'seconds to wait for a flame graph' },
    every: { kind: 'int', default: 1, help: 'keep every N-th sample of the profile (a smaller input pprof can still answer on)' },
  });
  const source = flags.values.profile as string;
  if (!existsSync(source)) throw new Error(`${source} does not exist: run node dist/bench/pprof-make-profile.js first`);
  const scratch = mkdtempSync(join(tmpdir(), 'tsprof-bench-'));
  const every = flags.values.every as number;
  const profile = every > 1 ? await thinned(source, every, join(scratch, `every-${every}.pb.gz`)) : source;
  const runs = flags.values.runs as number;
  const timeoutMs = (flags.values.timeout as number) * 1000;
  const size = measureProfile(profile);
  process.stdout.write(`profile: ${profile}: ${size.samples.toLocaleString('en')} samples, ${(size.decodedBytes / 1e6).toFixed(1)} MB decoded\nnode ${process.version}; ${execFileSync('go', ['version'], { encoding: 'utf8' }).trim()}\n`);
  const env = { ...process.env, PPROF_TMPDIR: scratch, PPROF_BINARY_PATH: scratch };
  const pprofBin = join(execFileSync('go', ['env', 'GOTOOLDIR'], { encoding: 'utf8' }).trim(), 'pprof');
  const times: Record<'tsprof' | 'pprof', (number | undefined)[]> = { tsprof: [], pprof: [] };
  let pprofFailed = false;
  try {
    for (let round = 0; round < runs; round++) {
      const t = await launch([process.execPath, tsprofBin, '-http=127.0.0.1:0', '-no_browser', profile], undefined, timeoutMs, env);
      await stop(t.child);
      times.tsprof.push(t.ms);
      process.stdout.write(`round ${round + 1}: tsprof ${t.ms !== undefined ? `${(t.ms / 1000).toFixed(2)} s (page ${(t.bytes / 1e6).toFixed(2)} MB)` : t.failure}\n`);
      if (!flags.values.pprof || pprofFailed) continue;
      const port = await freePort();
      const kb = (flags.values.pprof_limit_gb as number) * 1024 * 1024;
      const p = await launch(['bash', '-c', `ulimit -v ${kb}; exec "$0" -http=127.0.0.1:${port} -no_browser "$1"`, pprofBin, profile], `http://127.0.0.1:${port}/ui/flamegraph`, timeoutMs, env);
      await stop(p.child);
      times.pprof.push(p.ms);
      process.stdout.write(`round ${round + 1}: pprof  ${p.ms !== undefined ? `${(p.ms / 1000).toFixed(2)} s (page ${(p.bytes / 1e6).toFixed(2)} MB)` : p.failure}\n`);
      // Once it failed (out of memory), later rounds would fail the same way: tsprof's rounds go on alone.
      if (p.ms === undefined) pprofFailed = true;
    }
    const ok = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);
    process.stdout.write(`tsprof: time to /ui/flamegraph 200: median ${(median(ok(times.tsprof)) / 1000).toFixed(2)} s\n`);
    if (ok(times.pprof).length > 0) process.stdout.write(`pprof: median ${(median(ok(times.pprof)) / 1000).toFixed(2)} s; ratio ${(median(ok(times.tsprof)) / median(ok(times.pprof))).toFixed(3)}× (goal ≤ 0.1×)\n`);

    // In the browser: paint, hover and pivot, on a server that already computed the page.
    const served = await launch([process.execPath, tsprofBin, '-http=127.0.0.1:0', '-no_browser', profile], undefined, timeoutMs, env);
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const started = performance.now();
      await page.goto(served.url);
      await page.waitForFunction(() => ((globalThis as any).tsprofFlame?.drawCount ?? 0) > 0);
      const loadMs = performance.now() - started;
      const nav = await page.evaluate(() => {
        const g = globalThis as any;
        const entry = g.performance.getEntriesByType('navigation')[0];
        return { responseEnd: entry.responseEnd as number, firstDraw: g.tsprofFlame.firstDrawAt as number, drawMs: g.tsprofFlame.lastDrawMs as number, nodes: g.tsprofFlame.nodeCount as number };
      });
      process.stdout.write(`chromium: ${nav.nodes.toLocaleString('en')} nodes; page received ${nav.responseEnd.toFixed(0)} ms, flame graph drawn ${nav.firstDraw.toFixed(0)} ms after navigation start (${loadMs.toFixed(0)} ms from goto in the bench); one draw ${nav.drawMs.toFixed(1)} ms; page ${(served.bytes / 1e6).toFixed(2)} MB\n`);
      const frames = await page.evaluate(async () => {
        const g = globalThis as any;
        const canvas = g.document.getElementById('flame-canvas');
        const r = canvas.getBoundingClientRect();
        const nextFrame = () => new Promise((done) => g.requestAnimationFrame(() => done(undefined)));
        const hover: number[] = [], handler: number[] = [];
        for (let i = 0; i < 300; i++) {
          const x = r.left + ((i * 37) % 100) / 100 * r.width;
          const y = r.top + 5 + ((i * 13) % 30) * 18;
          const t0 = g.performance.now();
          canvas.dispatchEvent(new g.MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }));
          handler.push(g.performance.now() - t0);
          await nextFrame();
          hover.push(g.performance.now() - t0);
        }
        const pivot: number[] = [];
        const names: string[] = [];
        for (let i = 0; i < 12; i++) {
          const x = r.left + (0.05 + 0.9 * ((i * 7) % 12) / 12) * r.width;
          const y = r.top + 5 + (2 + (i % 6)) * 18;
          const t0 = g.performance.now();
          const changed = new Promise((done) => g.addEventListener('hashchange', () => done(undefined), { once: true }));
          canvas.dispatchEvent(new g.MouseEvent('click', { clientX: x, clientY: y, bubbles: true }));
          await Promise.race([changed, new Promise((done) => g.setTimeout(done, 2000))]);
          await nextFrame();
          // A click on the root or between boxes pivots on nothing: not a pivot's time.
          if (!/pivot=/.test(g.location.hash)) continue;
          pivot.push(g.performance.now() - t0);
          names.push(g.location.hash);
          const back = new Promise((done) => g.addEventListener('hashchange', () => done(undefined), { once: true }));
          g.history.back();
          await back;
          await nextFrame();
        }
        return { hover, handler, pivot, names };
      });
      process.stdout.write(`hover handler (hit test + tooltip, layout included): ${stat(frames.handler)}\nhover (mousemove to the next frame, 60 Hz): ${stat(frames.hover)}\npivot (click to the next frame, merging every occurrence): ${stat(frames.pivot)}\n`);
    } finally {
      await browser.close();
      await stop(served.child);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`web-flamegraph: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
