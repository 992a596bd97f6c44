// Continuous CPU profiling: V8's CPU profiler stays alive across profile boundaries, so a boundary
// costs no heap walk; profiles follow one another; requests run beside the interval's profile; and
// where Node holds a profiler connection of its own (c8's NODE_V8_COVERAGE), nothing is printed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ContinuousCpuProfiler, nodeProfilerConnected } from '../../src/agent/continuous/continuous-cpu-profiler.js';
import { InspectorSession } from '../../src/agent/inspector-session.js';
import { cpuProfileToPprof, type V8CpuProfile } from '../../src/source/v8-cpu-profile.js';
import { inlinedCallRecovery } from '../../src/agent/inlined-calls.js';
import { createAgentFrameNamer } from '../../src/agent/frame-namer.js';
import { median } from '../../bench/support/stats.js';
import { registerModule } from './child-app.js';
import { startPyroscopeReceiver } from './fleet-pyroscope-receiver.js';

function burnCpuContinuously(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i + x);
  return x;
}

const names = (p: V8CpuProfile) => new Set(p.nodes.map((n) => n.callFrame.functionName));

/**
 * servedNames are the function names of a profile as the agent serves it: V8 13+ (Node 24+) leaves
 * Maglev-inlined callees (here the burner, inlined into the interval's arrow) out of the raw profile,
 * and the agent's conversion recovers them from the call's line.
 */
function servedNames(p: V8CpuProfile): Set<string> {
  const profile = cpuProfileToPprof(p, { namer: createAgentFrameNamer(process.cwd()), intervalMicros: 1000, inlinedCalls: inlinedCallRecovery() }).toProfile();
  return new Set(profile.functions.map((f) => f.name));
}

/** freshStartMs is what starting V8's profiler costs in a session with none running: the heap walk. */
function freshStartMs(): number {
  const session = new InspectorSession();
  try {
    session.call('Profiler.enable');
    const t0 = performance.now();
    session.call('Profiler.start');
    const ms = performance.now() - t0;
    session.call('Profiler.stop');
    return ms;
  } finally {
    session.disconnect();
  }
}

describe('ContinuousCpuProfiler', () => {
  // A heap large enough that V8's heap walk at a profiler start is plainly visible (~1 ms per MB).
  let kept: unknown[] | undefined = [];
  while (process.memoryUsage().heapUsed < 150e6) for (let i = 0; i < 100_000; i++) kept.push({ id: kept.length, tags: [kept.length] });
  after(() => (kept = undefined));

  test('a boundary costs no heap walk: rotate() is far cheaper than a fresh start, and the profiles follow one another', async () => {
    const fresh = [freshStartMs(), freshStartMs(), freshStartMs()];
    const profiler = new ContinuousCpuProfiler(1000);
    assert.equal(profiler.bridged, true);
    profiler.start();
    const rotations: number[] = [];
    const profiles: V8CpuProfile[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        burnCpuContinuously(150);
        const t0 = performance.now();
        profiles.push(profiler.rotate().profile);
        rotations.push(performance.now() - t0);
      }
    } finally {
      const last = profiler.stop();
      assert.ok(last);
    }
    assert.ok(median(fresh) > 30, `a fresh start walks the heap: ${fresh.map((x) => x.toFixed(1)).join(', ')} ms`);
    assert.ok(median(rotations) < median(fresh) / 5, `rotate ${rotations.map((x) => x.toFixed(1)).join(', ')} ms vs fresh start ${fresh.map((x) => x.toFixed(1)).join(', ')} ms`);
    for (let i = 0; i < profiles.length; i++) {
      assert.ok(names(profiles[i]!).has('burnCpuContinuously'), `interval ${i} holds the work done in it`);
      const seconds = (profiles[i]!.endTime - profiles[i]!.startTime) / 1e6;
      assert.ok(seconds > 0.1 && seconds < 1.5, `interval ${i}: ${seconds} s`);
      // Each starts where the previous one ended (V8's clock, µs): no gap, overlap of a moment only.
      if (i > 0) assert.ok(Math.abs(profiles[i]!.startTime - profiles[i - 1]!.endTime) < 20_000, `interval ${i} follows ${i - 1}`);
    }
    assert.equal(profiler.running, false);
  });

  test('requests run beside the interval profile, several at once, across a boundary', async () => {
    const profiler = new ContinuousCpuProfiler(1000);
    profiler.start();
    try {
      const burner = setInterval(() => burnCpuContinuously(20), 25);
      const first = profiler.profileFor(1);
      const second = profiler.profileFor(1);
      await new Promise((r) => setTimeout(r, 400));
      const interval = profiler.rotate();
      const [a, b] = await Promise.all([first, second]);
      clearInterval(burner);
      for (const r of [a, b]) {
        const seconds = (r.profile.endTime - r.profile.startTime) / 1e6;
        assert.ok(seconds > 0.9 && seconds < 1.6, `request profile of ${seconds} s`);
        assert.ok(servedNames(r.profile).has('burnCpuContinuously'), `served functions: ${[...servedNames(r.profile)].join(', ')}`);
      }
      assert.ok(interval.profile.nodes.length > 0);
    } finally {
      profiler.stop();
    }
  });

  test('Node\'s own profiler connections (--cpu-prof, NODE_V8_COVERAGE) turn the console bridge off', () => {
    assert.equal(nodeProfilerConnected({ NODE_V8_COVERAGE: '/tmp/c' }, []), true);
    assert.equal(nodeProfilerConnected({}, ['--cpu-prof']), true);
    assert.equal(nodeProfilerConnected({ NODE_OPTIONS: '--max-old-space-size=100 --cpu-prof-dir=x --cpu-prof' }, []), true);
    assert.equal(nodeProfilerConnected({}, ['--cpu-prof-dir=x']), false);
    assert.equal(nodeProfilerConnected({}, []), false);
  });

  test('pushing under c8 (NODE_V8_COVERAGE) prints nothing into the host, and the profiles still arrive', async () => {
    const receiver = await startPyroscopeReceiver();
    const coverage = mkdtempSync(join(tmpdir(), 'tsprof-cov-'));
    try {
      const script = `setInterval(() => { let x = 0; for (let i = 0; i < 1e5; i++) x += Math.sqrt(i); }, 10); setTimeout(() => process.exit(0), 3500);`;
      const child = spawn(process.execPath, ['--import', registerModule, '-e', script], {
        env: { ...process.env, NODE_OPTIONS: '', NODE_V8_COVERAGE: coverage, TSPROF_ADDR: '127.0.0.1:0', TSPROF_QUIET: '1', TSPROF_PUSH_URL: receiver.url, TSPROF_SERVICE_NAME: 'cov-svc', TSPROF_PUSH_INTERVAL: '1s' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      await new Promise((r) => child.once('exit', r));
      assert.equal(output, '', 'nothing printed into the host');
      assert.ok(receiver.received.filter((r) => r.metricName === 'process_cpu').length >= 2, `${receiver.received.length} profiles arrived`);
    } finally {
      await receiver.close();
      rmSync(coverage, { recursive: true, force: true });
    }
  });
});
