// The CPU endpoint against a real child process running the agent.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChildApp, fetchProfile, fixturesDir, flatByFunction, leafLines, startChildApp } from './child-app.js';

describe('/debug/pprof/profile of a live app', () => {
  let app: ChildApp;
  before(async () => {
    app = await startChildApp(join(fixturesDir, 'cpu-burner.mjs'));
  });
  after(async () => app?.stop());

  test('a function burning ~80% of the CPU is on top at 80% ± 15% of a 3 s profile', async () => {
    const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/profile?seconds=3`);
    const str = (i: number | bigint) => profile.stringTable.strings[Number(i)];
    assert.deepEqual(profile.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`), ['samples/count', 'cpu/nanoseconds']);
    assert.equal(`${str(profile.periodType!.type)}/${str(profile.periodType!.unit)}`, 'cpu/nanoseconds');
    assert.equal(Number(profile.period), 10_000_000, '100 Hz, as Go');
    const seconds = Number(profile.durationNanos) / 1e9;
    assert.ok(seconds > 2.9 && seconds < 5, `duration ${seconds}`);
    const { rows } = flatByFunction(profile, 'cpu');
    assert.equal(rows[0]!.name, 'burnCpu');
    const share = rows[0]!.flat / Number(profile.durationNanos);
    assert.ok(share > 0.65 && share < 0.95, `burnCpu used ${(share * 100).toFixed(0)}% of the profile's wall time`);
    // Idle time in the event loop is not CPU time: no (idle) frame.
    assert.ok(!rows.some((r) => r.name === '(idle)'));
  });

  test('leaf lines come from V8 position ticks: the loop body lines of burnCpu', async () => {
    const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/profile?seconds=1`);
    const lines = leafLines(profile, 'samples', 'burnCpu');
    const source = readFileSync(join(fixturesDir, 'cpu-burner.mjs'), 'utf8').split('\n');
    const start = source.findIndex((l) => l.includes('function burnCpu')) + 1;
    const callLine = source.findIndex((l) => l.includes('burnCpu(slice)')) + 1;
    assert.ok(lines.size > 0);
    // On Node 24+ (V8 13+) Maglev may have inlined burnCpu into turn before the profile began, and
    // then V8 reports its samples as turn's at the call's line: tsprof recovers burnCpu but not its
    // lines, shows it at its first line, and the profile's comment says so. V8 before 13 reports them.
    const comments = profile.comment.map((i) => profile.stringTable.strings[Number(i)]!);
    const recoveredFromCall = comments.some((c) => /burnCpu in turn \(at its first line: its own lines are not known\)/.test(c));
    if (Number(process.versions.v8.split('.')[0]) < 13) assert.ok(!recoveredFromCall, comments.join('\n'));
    // performance.now(), inlined into burnCpu, can report ticks at its own script's lines under
    // burnCpu (on every version): those are shown at burnCpu's first line, and the comment says so.
    const foreignLines = comments.some((c) => /lines outside their function's source .*: burnCpu \(\d+\)/.test(c));
    for (const line of lines.keys()) {
      const inBody = line > start && line <= start + 6;
      assert.ok(inBody || ((recoveredFromCall || foreignLines) && line === start), `line ${line} is inside burnCpu's body\n${comments.join('\n')}`);
    }
    const fn = profile.function.find((f) => profile.stringTable.strings[Number(f.name)] === 'burnCpu')!;
    assert.equal(Number(fn.startLine), start);
    if (recoveredFromCall) {
      // The caller's frame then carries the line of the call.
      const turnLines = profile.location.filter((l) => profile.function.find((f) => f.id === l.line[0]!.functionId && profile.stringTable.strings[Number(f.name)] === 'turn'));
      assert.ok(turnLines.some((l) => Number(l.line[0]!.line) === callLine), `turn at line ${callLine}`);
    }
  });

  test('a second CPU profile while one runs gets 409 with a clear message, as Go refuses it', async () => {
    const first = fetch(`${app.agentUrl}/debug/pprof/profile?seconds=2`);
    await new Promise((r) => setTimeout(r, 300));
    const second = await fetch(`${app.agentUrl}/debug/pprof/profile?seconds=1`);
    assert.equal(second.status, 409);
    assert.match(await second.text(), /CPU profiling already in use/);
    const firstRes = await first;
    assert.equal(firstRes.status, 200);
    await firstRes.arrayBuffer();
  });
});
