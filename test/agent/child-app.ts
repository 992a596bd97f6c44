// Runs a fixture app in a child process with the agent loaded the way users load it,
// and finds the agent's URL from its start line. Every child is killed at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

/** The project root (tests run from dist/test/agent/). */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The compiled side-effect entry point, i.e. `tsprof/agent`. */
export const registerModule = join(projectRoot, 'dist', 'src', 'agent', 'register.js');
export const fixturesDir = join(projectRoot, 'test', 'fixtures', 'agent');

/** ChildApp is a running fixture app with the agent inside. */
export interface ChildApp {
  proc: ChildProcess;
  /** Agent origin, e.g. http://127.0.0.1:41234. */
  agentUrl: string;
  /** Whatever the app printed after "ready" on its first stdout line. */
  readyLine: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** StartOptions: script path, environment additions, extra node flags, working directory. */
export interface StartOptions {
  env?: Record<string, string>;
  nodeArgs?: string[];
  cwd?: string;
  timeoutMs?: number;
  /** Load the agent with --import of the compiled module (default true; false when the app loads it itself). */
  importAgent?: boolean;
  /** Wait for the agent's "serving" line (default true). */
  expectAgent?: boolean;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const proc of running) proc.kill('SIGKILL');
});

/** startChildApp spawns `node --import tsprof/agent script` and waits for the agent and the app to be ready. */
export async function startChildApp(script: string, options: StartOptions = {}): Promise<ChildApp> {
  const args = [...(options.importAgent === false ? [] : ['--import', registerModule]), ...(options.nodeArgs ?? []), script];
  const proc = spawn(process.execPath, args, {
    cwd: options.cwd ?? projectRoot,
    env: { ...process.env, TSPROF_ADDR: '127.0.0.1:0', NODE_OPTIONS: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8');
  proc.stderr!.setEncoding('utf8');
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  };
  try {
    const { agentUrl, readyLine } = await new Promise<{ agentUrl: string; readyLine: string }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script} not ready within ${options.timeoutMs ?? 15000} ms; stderr: ${stderr}`)),
        options.timeoutMs ?? 15000,
      );
      const check = () => {
        const agent = /tsprof agent: serving (http:\/\/[^\s]+?)\/debug\/pprof\//.exec(stderr);
        const ready = /^ready(.*)$/m.exec(stdout);
        if ((agent || options.expectAgent === false) && ready) {
          clearTimeout(timer);
          resolve({ agentUrl: agent?.[1] ?? '', readyLine: ready[1]!.trim() });
        }
      };
      proc.stdout!.on('data', (d: string) => {
        stdout += d;
        check();
      });
      proc.stderr!.on('data', (d: string) => {
        stderr += d;
        check();
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code} before ready; stderr: ${stderr}`));
      });
    });
    return { proc, agentUrl, readyLine, stderr: () => stderr, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** fetchProfile GETs a pprof endpoint and decodes the gzip-compressed protobuf body. */
export async function fetchProfile(url: string, headers: Record<string, string> = {}): Promise<Profile> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(60_000) });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}: ${body.toString('utf8', 0, 300)}`);
  return Profile.decode(gunzipSync(body));
}

/** FunctionTotal is one function's flat value in a profile, as `-top` ranks them. */
export interface FunctionTotal {
  name: string;
  file: string;
  flat: number;
}

/** signed reads a pprof int64 value: pprof-format may hand back a negative one (a delta's) as its unsigned bits. */
function signed(value: number | bigint): number {
  return typeof value === 'bigint' ? Number(BigInt.asIntN(64, value)) : value > 2 ** 63 ? value - 2 ** 64 : value;
}

/** flatByFunction sums a sample type's values by the leaf function, largest first (pprof's -top order); deltas' negative values count as negative. */
export function flatByFunction(profile: Profile, sampleType: string): { total: number; rows: FunctionTotal[] } {
  const str = (i: number | bigint) => profile.stringTable.strings[Number(i)] ?? '';
  const index = profile.sampleType.findIndex((t) => str(t.type) === sampleType);
  if (index < 0) throw new Error(`no sample type ${sampleType}`);
  const fns = new Map(profile.function.map((f) => [Number(f.id), f]));
  const locs = new Map(profile.location.map((l) => [Number(l.id), l]));
  const byName = new Map<string, FunctionTotal>();
  let total = 0;
  for (const sample of profile.sample) {
    const value = signed(sample.value[index]!);
    total += value;
    const leaf = locs.get(Number(sample.locationId[0]));
    const fn = leaf ? fns.get(Number(leaf.line[0]!.functionId)) : undefined;
    const name = fn ? str(fn.name) : '?';
    const row = byName.get(name) ?? { name, file: fn ? str(fn.filename) : '', flat: 0 };
    row.flat += value;
    byName.set(name, row);
  }
  return { total, rows: [...byName.values()].sort((a, b) => b.flat - a.flat) };
}

/** leafLines returns, for samples whose leaf is `functionName`, the value per leaf line. */
export function leafLines(profile: Profile, sampleType: string, functionName: string): Map<number, number> {
  const str = (i: number | bigint) => profile.stringTable.strings[Number(i)] ?? '';
  const index = profile.sampleType.findIndex((t) => str(t.type) === sampleType);
  const fns = new Map(profile.function.map((f) => [Number(f.id), f]));
  const locs = new Map(profile.location.map((l) => [Number(l.id), l]));
  const lines = new Map<number, number>();
  for (const sample of profile.sample) {
    const line = locs.get(Number(sample.locationId[0]))?.line[0];
    const fn = line ? fns.get(Number(line.functionId)) : undefined;
    if (!line || !fn || str(fn.name) !== functionName) continue;
    lines.set(Number(line.line), (lines.get(Number(line.line)) ?? 0) + Number(sample.value[index]));
  }
  return lines;
}
