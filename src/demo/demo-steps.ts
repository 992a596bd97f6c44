import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { errorMessage } from '../errors.js';
import { formatLeakReport, huntLeak } from '../leak/hunt.js';
import { kubeletSimulatorScript, metricsFetcherScript, packageRoot, startChildService } from './child-service.js';
import type { DemoContext, DemoStep, FetcherInfo, SimulatorInfo } from './demo-context.js';
import { formatMB, heldBytes, observePhase } from './observe-phase.js';
import { runTsprof } from './run-tsprof.js';

const indent = (text: string) => text.replace(/\n$/, '').replace(/^/gm, '   ') + '\n';

async function startFetcher(context: DemoContext, mode: 'leaky' | 'fixed'): Promise<void> {
  const { settings } = context;
  const args = ['-kubelet', context.simulator!.info.url, '-interval', String(settings.intervalMs)];
  if (mode === 'fixed') args.push('-fixed');
  // The leak engine reads heap snapshots, and the agent's sampling of memory outside the V8 heap (where
  // Node 24+ keeps the story's responses, as external strings).
  if (mode === 'leaky' && settings.leakEngine) args.push('-heap-snapshots', '-external-sites');
  context.fetcher = await startChildService<FetcherInfo>(metricsFetcherScript, args, { cwd: packageRoot });
  context.print(
    `   metrics fetcher (${mode} mode, pid ${context.fetcher.pid}): results ${context.fetcher.info.results}/containers, ` +
      `tsprof agent ${context.fetcher.info.agent}/debug/pprof/`,
  );
}

/** runShown runs a tsprof command in-process and prints it with its output, as the user would see it. */
async function runShown(context: DemoContext, argv: string[], display: string[]): Promise<void> {
  context.print(`   $ npx tsprof ${display.join(' ')}`);
  const run = await runTsprof(argv, context.io);
  if (run.stdout) context.print(indent(run.stdout));
  if (run.status !== 0) context.print(indent(run.stderr || `(exit status ${run.status})`));
}

/**
 * callSite finds where a function calls `callee`: V8's heap profiles give
 * each frame the line where its function starts, not the line of the call,
 * so the demo looks for the call in the function's first lines.
 */
async function callSite(file: string, functionLine: number, callee: string | undefined): Promise<{ line: number; code: string } | undefined> {
  if (!callee) return undefined;
  let lines: string[];
  try {
    lines = (await readFile(isAbsolute(file) ? file : join(packageRoot, file), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  for (let i = functionLine - 1; i < Math.min(lines.length, functionLine + 60); i++) {
    if (lines[i]!.includes(`.${callee}(`)) return { line: i + 1, code: lines[i]!.trim() };
  }
  return undefined;
}

/** mostlyExternal tells whether the leaky phase grew mostly outside the V8 heap (Node 24+ external strings). */
function mostlyExternal(context: DemoContext): boolean {
  const leaky = context.phase('leaky')!;
  return leaky.grownBytes > 0 && leaky.grownExternalBytes > leaky.grownBytes / 2;
}

/** demoSteps is the demo, in order. Later issues add steps here (the UI, more leak engines). */
export const demoSteps: DemoStep[] = [
  {
    title: 'Start the story\'s service: a kubelet simulator and the metrics fetcher, leaky, with the tsprof agent',
    async run(context) {
      const { settings } = context;
      context.simulator = await startChildService<SimulatorInfo>(kubeletSimulatorScript, ['-size', String(settings.responseBytes), '-churn', '1']);
      const sim = context.simulator.info;
      context.print(`   kubelet simulator (pid ${context.simulator.pid}): ${sim.url}, ${sim.pods} pods, ${sim.containers} containers, ~${formatMB(settings.responseBytes)} per response`);
      await startFetcher(context, 'leaky');
      if (settings.leakEngine) {
        const intervalMs = Math.max(1000, Math.round((settings.leakySeconds * 1000) / 12));
        context.hunt = huntLeak({
          url: context.fetcher!.info.agent,
          durationMs: Math.max(intervalMs * 3, settings.leakySeconds * 1000 - intervalMs),
          intervalMs,
          snapshots: true,
          snapshotDir: join(settings.dir, 'snapshots'),
        });
        context.hunt.catch(() => undefined); // awaited (and reported) by its own step
      }
    },
  },
  {
    title: 'Watch in-use memory: heap profiles from the agent while the fetcher scrapes',
    async run(context) {
      await observePhase(context, 'leaky', context.settings.leakySeconds);
    },
  },
  {
    title: 'Where was it allocated? The top in-use allocation sites of the last profile',
    async run(context) {
      const last = context.phase('leaky')!.points.at(-1)!;
      await runShown(context, ['-top', '-inuse_space', '-nodecount=8', last.file], ['-top', '-inuse_space', '-nodecount=8', context.shown(last.file)]);
      const site = last.figures.site;
      if (mostlyExternal(context)) {
        context.print(
          '   Culprit: not in this profile. Here the growth is outside the V8 heap: this Node decodes each ~1 MB response\n' +
            '   into an external string, and V8\'s heap profile samples only what is allocated on its heap. The agent\n' +
            '   samples the external strings Buffer#toString makes (externalSites), so the leak engine below names where\n' +
            '   they were made, and what holds them.',
        );
        return;
      }
      if (!site) {
        context.print('   (no single application function holds half of the in-use memory)');
        return;
      }
      const call = await callSite(site.file, site.line, site.callee);
      context.print(
        `   Culprit: ${site.functionName} (${site.file}:${site.line}) holds ${(site.cumShare * 100).toFixed(1)}% of in-use memory (cum)` +
          `${site.caller ? `, called from ${site.caller}` : ''}.` +
          (call ? `\n   The memory comes from its call to ${site.callee}, line ${call.line}:  ${call.code}` : site.callee ? `\n   The memory comes from its call to ${site.callee}.` : ''),
      );
      await runShown(context, ['-peek', `^${site.functionName}$`, last.file], ['-peek', `'^${site.functionName}$'`, context.shown(last.file)]);
    },
  },
  {
    title: 'What grew? The last profile minus the first (-base)',
    async run(context) {
      const points = context.phase('leaky')!.points;
      const [first, last] = [points[0]!, points.at(-1)!];
      await runShown(
        context,
        ['-top', '-inuse_space', '-nodecount=5', '-base', first.file, last.file],
        ['-top', '-inuse_space', '-nodecount=5', '-base', context.shown(first.file), context.shown(last.file)],
      );
      context.print(
        '   pprof says where the growing memory was allocated, not why it is still held: the parse function\n' +
          '   returns, yet what it allocated stays alive. In the story this took trial and error.',
      );
    },
  },
  {
    title: 'Why is it held? The leak engine: growth verdicts joined with heap-snapshot retainers',
    enabled: (settings) => settings.leakEngine,
    async run(context) {
      context.progress.update('   waiting for the leak engine (growth fit, then the end heap snapshot)...');
      try {
        const report = await context.hunt!;
        context.print(indent(formatLeakReport(report)));
      } catch (err) {
        context.print(`   leak engine: ${errorMessage(err)}`);
      }
    },
  },
  {
    title: 'The fix: copy the container id before caching it (fixed mode)',
    async run(context) {
      await context.fetcher?.stop();
      context.fetcher = undefined;
      await startFetcher(context, 'fixed');
      await observePhase(context, 'fixed', context.settings.fixedSeconds);
      await context.stopServices();
    },
  },
  {
    title: 'Summary, and the profiles to explore',
    async run(context) {
      const leaky = context.phase('leaky')!;
      const fixed = context.phase('fixed')!;
      const site = leaky.points.at(-1)!.figures.site;
      // Outside the heap, the leak engine's external sites name where the strings were made.
      const report = context.settings.leakEngine ? await context.hunt?.catch(() => undefined) : undefined;
      const maker = report?.growth.external?.sites?.find((s) => s.strings);
      const where = mostlyExternal(context)
        ? `, outside the V8 heap (external strings${maker ? ` made in ${maker.site.functionName} via ${maker.via}` : ''})`
        : site
          ? `, allocated in ${site.functionName}${site.caller ? ` called from ${site.caller}` : ''}`
          : '';
      context.print(
        `   leaky: memory held grows ${formatMB(leaky.bytesPerMinute)}/min${where}\n` +
          `   fixed: ${formatMB(fixed.bytesPerMinute)}/min, ${Math.abs(fixed.bytesPerMinute) < Math.max(5e6, leaky.bytesPerMinute / 10) ? 'flat' : 'still changing'}` +
          ` (held ${formatMB(heldBytes(fixed.points.at(-1)!))} after ${fixed.points.at(-1)!.scrapes} scrapes)`,
      );
      const lf = context.shown(leaky.points[0]!.file);
      const ll = context.shown(leaky.points.at(-1)!.file);
      const fl = context.shown(fixed.points.at(-1)!.file);
      const lines = [
        `   The profiles are in ${context.settings.dir}. Explore them:`,
        `     npx tsprof -top -inuse_space ${ll}`,
        `     npx tsprof -top -base ${lf} ${ll}`,
        `     npx tsprof -peek parseContainerMetricsResponse ${ll}`,
        `     npx tsprof -list parseContainerMetricsResponse ${ll}`,
        `     npx tsprof -lines -top ${ll}`,
        `     npx tsprof -svg -output leak.svg ${ll}`,
        `     npx tsprof -top -inuse_space ${fl}`,
        `     npx tsprof           ${ll}      (interactive shell: top, peek, list, granularity=lines, ...)`,
        `     go tool pprof -top ${ll}      (Go's own pprof reads them too)`,
      ];
      if (context.settings.leakEngine) {
        const snapshots = join(context.settings.dir, 'snapshots');
        lines.push(`     npx tsprof snapshot leaks ${context.shown(join(snapshots, 'end.heapsnapshot'))}`);
      }
      context.print(lines.join('\n'));
    },
  },
];
