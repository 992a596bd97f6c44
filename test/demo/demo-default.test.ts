import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodesLargeBuffersExternally } from '../support/external-strings.js';
import { demoPids, externalFigures, heldFigures, inuseFigures, isRunning, runDemo } from './run-demo.js';

// The README's main job, exactly as a user runs it (`npx tsprof demo`, no flags but
// the output directory): it must end by itself in about two minutes and tell the story.
describe('tsprof demo with its defaults', { timeout: 300_000 }, () => {
  it('ends by itself in about two minutes, with the leak found and the fix flat', async () => {
    const started = Date.now();
    const run = await runDemo([]);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.ok(seconds > 90 && seconds < 240, `took ${seconds.toFixed(0)} s`);
    // Memory held = in-use V8 heap + external (Node 24+ keeps the ~1 MB responses outside the heap).
    const leaky = heldFigures(run.stdout, 'leaky');
    const fixed = decodesLargeBuffersExternally() ? heldFigures(run.stdout, 'fixed') : inuseFigures(run.stdout, 'fixed');
    assert.equal(leaky.length, 6);
    assert.ok(leaky.at(-1)! - leaky[0]! >= 50, `leaky grows by tens of MB: ${leaky.join(' ')}`);
    assert.ok(Math.max(...fixed) - Math.min(...fixed) < 5, `fixed stays flat: ${fixed.join(' ')}`);
    if (decodesLargeBuffersExternally()) {
      const external = externalFigures(run.stdout, 'leaky');
      assert.ok(external.at(-1)! - external[0]! >= 30, `external memory grows by at least 30 MB: ${external.join(' ')}`);
      assert.match(run.stdout, /Culprit: not in this profile\. Here the growth is outside the V8 heap/);
      assert.match(run.stdout, /Verdict: memory outside the V8 heap \(external: Buffers, external strings\) grows .*, allocated in parseContainerMetricsResponse via Buffer#toString .*held by CgroupResolver\.cache/);
    } else {
      assert.ok(inuseFigures(run.stdout, 'leaky').at(-1)! - inuseFigures(run.stdout, 'leaky')[0]! >= 50, 'the in-use heap grows by tens of MB');
      assert.match(run.stdout, /Culprit: parseContainerMetricsResponse .* called from fetchLoop/);
      assert.match(run.stdout, /Verdict: in-use memory allocated in parseContainerMetricsResponse grows .*held by CgroupResolver\.cache/);
    }
    assert.deepEqual(demoPids(run.stdout).filter(isRunning), []);
  });
});
