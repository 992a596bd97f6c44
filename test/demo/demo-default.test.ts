import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoPids, inuseFigures, isRunning, runDemo } from './run-demo.js';

// The README's main job, exactly as a user runs it (`npx tsprof demo`, no flags but
// the output directory): it must end by itself in about two minutes and tell the story.
describe('tsprof demo with its defaults', { timeout: 300_000 }, () => {
  it('ends by itself in about two minutes, with the leak found and the fix flat', async () => {
    const started = Date.now();
    const run = await runDemo([]);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.ok(seconds > 90 && seconds < 240, `took ${seconds.toFixed(0)} s`);
    const leaky = inuseFigures(run.stdout, 'leaky');
    const fixed = inuseFigures(run.stdout, 'fixed');
    assert.equal(leaky.length, 6);
    assert.ok(leaky.at(-1)! - leaky[0]! >= 50, `leaky grows by tens of MB: ${leaky.join(' ')}`);
    assert.ok(Math.max(...fixed) - Math.min(...fixed) < 5, `fixed stays flat: ${fixed.join(' ')}`);
    assert.match(run.stdout, /Culprit: parseContainerMetricsResponse .* called from fetchLoop/);
    assert.match(run.stdout, /Verdict: in-use memory allocated in parseContainerMetricsResponse grows .*held by CgroupResolver\.cache/);
    assert.deepEqual(demoPids(run.stdout).filter(isRunning), []);
  });
});
