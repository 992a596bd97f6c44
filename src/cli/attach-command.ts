import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createAgentFrameNamer } from '../agent/frame-namer.js';
import { closeInspector, inspectTarget, openInspector, type OpenedInspector } from '../attach/open-inspector.js';
import { remoteHeapPprof, snapshotSafeShare } from '../attach/attached-agent.js';
import {
  remoteHeapFigures,
  startRemoteCpuProfile,
  startRemoteHeapSampling,
  stopRemoteCpuProfile,
  takeRemoteSnapshot,
  waitWindow,
} from '../attach/remote-profiles.js';
import { TsprofError, UsageError, errorMessage } from '../errors.js';
import { formatBytes } from '../leak/format-growth.js';
import { cpuProfileToPprof } from '../source/v8-cpu-profile.js';
import { flagUsage, parseFlags, type FlagSpec } from './flags.js';
import type { CliIO } from './io.js';

const flags: Record<string, FlagSpec> = {
  heap: { kind: 'bool', default: false, help: 'take a heap profile (in-use memory of what is allocated during the window)' },
  seconds: { kind: 'int', default: 0, help: 'take a CPU profile of this many seconds (also the heap window)' },
  snapshot: { kind: 'bool', default: false, help: 'take a heap snapshot (.heapsnapshot): every object and why it is held' },
  heap_window: { kind: 'int', default: 10, help: 'seconds of heap sampling when -heap is given without -seconds' },
  sample_interval: { kind: 'int', default: 512 * 1024, help: 'heap sampling interval in bytes (as the agent and Go)' },
  cpu_interval: { kind: 'int', default: 10_000, help: 'CPU sampling interval in microseconds (100 Hz, as Go)' },
  output_dir: { kind: 'string', default: '.', help: 'directory for the files written' },
  force: { kind: 'bool', default: false, help: 'take a snapshot even when the heap is too close to its limit for one to be safe' },
  json: { kind: 'bool', default: false, help: 'print what was done and written as JSON' },
  help: { kind: 'bool', default: false, help: 'show this help' },
};

const usage = `usage: tsprof attach [-heap] [-seconds N] [-snapshot] [flags] PID

Profiles a running Node process that was started without the tsprof agent.
It sends the process SIGUSR1, which makes Node open its inspector on loopback
(127.0.0.1:9229 unless started with another --inspect-port), takes what was
asked through it, writes pprof profiles (.pb.gz, readable by tsprof and go
tool pprof) or a heap snapshot, and closes the inspector again. Node itself
prints "Debugger listening on ..." and "Debugger ending on ..." to the
process's stderr when its inspector opens and closes. Only processes of your
own user are attached.

V8 samples heap allocations only from the moment sampling starts, so -heap
shows the in-use memory of what was allocated during the window; -snapshot
shows everything the heap holds (and pauses the process while it is taken).

flags:
`;

/** A file attach wrote, and what it holds. */
interface Written {
  kind: 'cpu' | 'heap' | 'snapshot';
  path: string;
  bytes: number;
}

/**
 * attachCommand is `tsprof attach PID`: a heap profile, a CPU profile or a
 * snapshot of a process that runs no agent, through its own V8 inspector.
 */
export async function attachCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags(args, flags);
  const v = parsed.values;
  if (v.help) {
    io.stdout.write(usage + flagUsage(flags));
    return 0;
  }
  if (parsed.args.length !== 1) throw new UsageError(`attach: want one process id, got ${parsed.args.length} arguments (see tsprof attach -help)`);
  const pidText = parsed.args[0]!;
  if (!/^\d+$/.test(pidText)) throw new UsageError(`attach: ${JSON.stringify(pidText)} is not a process id`);
  const seconds = v.seconds as number;
  const wantHeap = v.heap as boolean;
  const wantSnapshot = v.snapshot as boolean;
  if (seconds < 0) throw new UsageError('attach: -seconds must not be negative');
  if (!wantHeap && !wantSnapshot && seconds === 0) throw new UsageError('attach: say what to take: -heap, -seconds N (a CPU profile) or -snapshot');
  for (const name of ['heap_window', 'sample_interval', 'cpu_interval'] as const) {
    if ((v[name] as number) <= 0) throw new UsageError(`attach: -${name} must be positive`);
  }
  const outputDir = resolve(io.cwd, v.output_dir as string);
  const log: string[] = [];
  const say = (line: string) => {
    log.push(line);
    if (!v.json) io.stderr.write(`tsprof attach: ${line}\n`);
  };

  const target = await inspectTarget(Number(pidText));
  const opened = await openInspector(target, say);
  say(`process ${target.pid} runs Node ${opened.nodeVersion} (${target.executable})`);
  const written: Written[] = [];
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const base = join(outputDir, `tsprof-${target.pid}-${stamp}`);
  let failure: unknown;
  try {
    await collect(opened, { seconds, wantHeap, wantSnapshot, base, written, say, values: v });
  } catch (err) {
    failure = err;
  }
  try {
    say(await closeInspector(opened));
  } catch (err) {
    failure ??= err;
  }
  if (failure !== undefined) {
    if (failure instanceof TsprofError) throw failure;
    throw new TsprofError(`attach: process ${target.pid}: ${errorMessage(failure)}`);
  }
  if (v.json) io.stdout.write(JSON.stringify({ pid: target.pid, node: opened.nodeVersion, inspector: opened.address, did: log, written }, null, 2) + '\n');
  else for (const w of written) io.stdout.write(`${w.path}\n`);
  return 0;
}

interface CollectPlan {
  seconds: number;
  wantHeap: boolean;
  wantSnapshot: boolean;
  base: string;
  written: Written[];
  say: (line: string) => void;
  values: Record<string, unknown>;
}

async function collect(opened: OpenedInspector, plan: CollectPlan): Promise<void> {
  const { client, target } = opened;
  const v = plan.values;
  const namer = createAgentFrameNamer(target.cwd);
  const window = plan.seconds > 0 ? plan.seconds : (v.heap_window as number);
  if (plan.wantHeap || plan.seconds > 0) {
    const startedAt = Date.now();
    if (plan.wantHeap) await startRemoteHeapSampling(client, v.sample_interval as number);
    if (plan.seconds > 0) await startRemoteCpuProfile(client, v.cpu_interval as number);
    const what = [plan.seconds > 0 ? 'the CPU' : '', plan.wantHeap ? 'heap allocations' : ''].filter(Boolean).join(' and ');
    plan.say(`started sampling ${what} in process ${target.pid} for ${window} s`);
    await waitWindow({ seconds: window });
    if (plan.seconds > 0) {
      const profile = await stopRemoteCpuProfile(client);
      const pprof = cpuProfileToPprof(profile, { namer, intervalMicros: v.cpu_interval as number, timeNanos: startedAt * 1e6 });
      plan.written.push(await writeProfile(`${plan.base}.cpu.pb.gz`, 'cpu', pprof.encode()));
      plan.say(`stopped the CPU profiler (${plan.seconds} s at ${1e6 / (v.cpu_interval as number)} Hz)`);
    }
    if (plan.wantHeap) {
      const encoded = await remoteHeapPprof(opened, { interval: v.sample_interval as number, namer, startedAt, stop: true });
      plan.written.push(await writeProfile(`${plan.base}.heap.pb.gz`, 'heap', encoded));
      plan.say(`ran a full GC, read the heap profile, and stopped the heap sampler`);
    }
  }
  if (plan.wantSnapshot) {
    const figures = await remoteHeapFigures(client);
    const share = figures.heapUsed / figures.heapLimit;
    const usedText = `${formatBytes(figures.heapUsed)} of its ${formatBytes(figures.heapLimit)} heap limit`;
    if (share > snapshotSafeShare && !v.force) {
      throw new TsprofError(
        `attach: process ${target.pid} uses ${usedText}: a snapshot needs memory of its own there and could crash it; -force to take it anyway`,
      );
    }
    plan.say(`taking a heap snapshot: process ${target.pid} pauses while V8 writes it (heap: ${usedText})`);
    const path = `${plan.base}.heapsnapshot`;
    const bytes = await takeRemoteSnapshot(client, path);
    plan.written.push({ kind: 'snapshot', path, bytes });
    plan.say(`wrote the snapshot (${formatBytes(bytes)})`);
  }
}

async function writeProfile(path: string, kind: Written['kind'], encoded: Uint8Array): Promise<Written> {
  const body = gzipSync(encoded);
  try {
    await writeFile(path, body);
  } catch (err) {
    throw new TsprofError(`attach: cannot write ${path}: ${errorMessage(err)}`);
  }
  return { kind, path, bytes: body.length };
}
