import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { type FlagSpec, flagUsage, parseFlags } from '../cli/flags.js';
import type { CliIO } from '../cli/io.js';
import { DemoContext, type DemoSettings } from './demo-context.js';
import { demoSteps } from './demo-steps.js';

const demoFlags: Record<string, FlagSpec> = {
  duration: { kind: 'int', default: 120, help: 'about how long the whole demo runs, in seconds (half leaky, a third fixed)' },
  'leaky-seconds': { kind: 'int', default: 0, help: 'seconds of the leaky phase (0: from -duration)' },
  'fixed-seconds': { kind: 'int', default: 0, help: 'seconds of the fixed phase (0: from -duration)' },
  profiles: { kind: 'int', default: 6, help: 'heap profiles taken per phase' },
  size: { kind: 'int', default: 1 << 20, help: 'approximate size of one kubelet response, in bytes' },
  interval: { kind: 'int', default: 400, help: 'milliseconds between the fetcher\'s scrapes' },
  dir: { kind: 'string', default: '', help: 'directory for the profiles (default: a new temporary directory)' },
  'leak-engine': { kind: 'bool', default: true, help: 'also explain why the memory is held (heap snapshots); -leak-engine=false to skip' },
  help: { kind: 'bool', default: false, help: 'print this help' },
};

/**
 * demoCommand runs the story of the post-mortem on a built-in service, on
 * loopback only: a kubelet simulator and the leaky metrics fetcher as child
 * processes, heap profiles from the tsprof agent as memory grows, the
 * reports that name the culprit, then the fixed service staying flat.
 */
export async function demoCommand(args: string[], io: CliIO): Promise<number> {
  const { values, args: rest } = parseFlags(args, demoFlags);
  if (values.help) {
    io.stdout.write(`usage: tsprof demo [flags]\n\n${flagUsage(demoFlags)}`);
    return 0;
  }
  if (rest.length > 0) throw new UsageError(`demo takes no arguments, got ${JSON.stringify(rest[0])}`);
  const duration = values.duration as number;
  const settings: DemoSettings = {
    leakySeconds: (values['leaky-seconds'] as number) || Math.max(2, Math.round(duration * 0.5)),
    fixedSeconds: (values['fixed-seconds'] as number) || Math.max(2, Math.round(duration * 0.3)),
    profiles: values.profiles as number,
    responseBytes: values.size as number,
    intervalMs: values.interval as number,
    dir: (values.dir as string) ? resolve(io.cwd, values.dir as string) : '',
    leakEngine: values['leak-engine'] as boolean,
  };
  if (duration <= 0) throw new UsageError('-duration must be positive');
  if (settings.profiles < 2) throw new UsageError('-profiles must be at least 2 (growth is a difference)');
  if (settings.responseBytes < 10_000 || settings.responseBytes > 200_000_000) throw new UsageError('-size must be between 10000 and 200000000 bytes');
  if (settings.intervalMs < 0) throw new UsageError('-interval must not be negative');
  if (settings.dir) await mkdir(settings.dir, { recursive: true });
  else settings.dir = await mkdtemp(join(tmpdir(), 'tsprof-demo-'));

  const context = new DemoContext(settings, io);
  const steps = demoSteps.filter((s) => s.enabled?.(settings) ?? true);
  const stopOnSignal = () => void context.stopServices().then(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    context.print(
      `tsprof demo: the memory leak of the post-mortem, on a built-in service (loopback only, about ${settings.leakySeconds + settings.fixedSeconds + 10}s).\n` +
        `Profiles go to ${settings.dir}`,
    );
    for (const [i, step] of steps.entries()) {
      context.print(`\n[${i + 1}/${steps.length}] ${step.title}`);
      await step.run(context);
    }
    return 0;
  } finally {
    context.progress.clear();
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await context.stopServices();
  }
}
