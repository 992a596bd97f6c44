import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { decodesLargeBuffersExternally } from '../support/external-strings.js';
import { demoPids, externalFigures, heldFigures, inuseFigures, isRunning, runDemo } from './run-demo.js';

const external = decodesLargeBuffersExternally();

describe('tsprof demo (shortened by flags)', { timeout: 120_000 }, () => {
  it('names the culprit, shows the growth, the -base diff and the held-by verdict, then a flat fixed mode', async () => {
    const run = await runDemo(['-duration', '16', '-profiles', '4', '-interval', '200']);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const out = run.stdout;

    // The memory held is the in-use V8 heap plus external memory: on Node 24+ the ~1 MB responses
    // are external strings, outside the heap profile (and the external column grows instead).
    const leaky = heldFigures(out, 'leaky');
    // Flat is judged where this Node keeps the responses: in-flight ~1 MB Buffers move `external` by MBs.
    const fixed = external ? heldFigures(out, 'fixed') : inuseFigures(out, 'fixed');
    assert.equal(leaky.length, 4, out);
    assert.equal(fixed.length, 4, out);
    assert.ok(leaky.at(-1)! - leaky[0]! >= 8, `leaky memory held should grow by MBs: ${leaky.join(' ')}`);
    assert.ok(leaky.every((v, i) => i === 0 || v > leaky[i - 1]! - 1), `growing from profile to profile: ${leaky.join(' ')}`);
    assert.ok(Math.max(...fixed) - Math.min(...fixed) < 4, `fixed stays flat: ${fixed.join(' ')}`);
    const grewIn = external ? externalFigures(out, 'leaky') : inuseFigures(out, 'leaky');
    assert.ok(grewIn.at(-1)! - grewIn[0]! >= 8, `the growth is in the ${external ? 'external' : 'in-use heap'} column: ${grewIn.join(' ')}`);

    if (external) {
      assert.match(out, /Culprit: not in this profile\. Here the growth is outside the V8 heap: this Node decodes each ~1 MB response\n\s+into an external string/);
      assert.match(out, /MB of it is outside the V8 heap \(external\)/);
    } else {
      assert.match(out, /Culprit: parseContainerMetricsResponse \(examples\/metrics-fetcher\/metrics-fetcher\.ts:\d+\) holds \d+\.\d% of in-use memory \(cum\), called from fetchLoop/);
      assert.match(out, /its call to toString, line \d+:\s+const text = bytes\.toString\('utf8'\);/);
    }
    assert.match(out, /\$ npx tsprof -top -inuse_space -nodecount=8 \S+leaky-4\.pb\.gz\n(.*\n){3,}.*flat\s+flat%\s+sum%\s+cum\s+cum%/);
    assert.match(out, /\$ npx tsprof -top -inuse_space -nodecount=5 -base \S+leaky-1\.pb\.gz \S+leaky-4\.pb\.gz/);
    if (external) {
      // The agent samples the external strings Buffer#toString makes; the end snapshot says which are still alive.
      assert.match(out, /Verdict: memory outside the V8 heap \(external: Buffers, external strings\) grows [\d.]+MB\/min \(\w+ confidence\), allocated in parseContainerMetricsResponse via Buffer#toString \(\+[\d.]+MB of the external strings it made alive at the end.*held by CgroupResolver\.cache/);
      assert.match(out, /allocated in parseContainerMetricsResponse examples\/metrics-fetcher\/metrics-fetcher\.ts:\d+ via Buffer#toString: \+[\d.]+MB of the external strings it made/);
      assert.match(out, /leaky: memory held grows [\d.]+ MB\/min, outside the V8 heap \(external strings made in parseContainerMetricsResponse via Buffer#toString\)/);
    } else {
      assert.match(out, /fetchLoop\n.*\| parseContainerMetricsResponse\n.*\|\s+toString/, 'the -peek shows caller and callee');
      assert.match(out, /Verdict: in-use memory allocated in parseContainerMetricsResponse grows [\d.]+MB\/min.*held by CgroupResolver\.cache/);
      assert.match(out, /leaky: memory held grows [\d.]+ MB\/min, allocated in parseContainerMetricsResponse called from fetchLoop/);
    }
    assert.match(out, /npx tsprof -top -base \S+leaky-1\.pb\.gz \S+leaky-4\.pb\.gz/);

    const files = await readdir(run.dir);
    for (let k = 1; k <= 4; k++) assert.ok(files.includes(`leaky-${k}.pb.gz`) && files.includes(`fixed-${k}.pb.gz`), files.join(' '));
    const pids = demoPids(out);
    assert.equal(pids.length, 3, 'simulator, leaky fetcher, fixed fetcher');
    assert.deepEqual(pids.filter(isRunning), [], 'no child process is left running');
  });

  it('rejects arguments and bad flags with one line', async () => {
    const run = await runDemo(['extra']);
    assert.equal(run.status, 2);
    assert.equal(run.stderr, 'tsprof: demo takes no arguments, got "extra"\n');
    const bad = await runDemo(['-profiles', '1']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^tsprof: -profiles must be at least 2/);
  });
});
