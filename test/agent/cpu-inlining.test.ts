// A CPU burner V8 inlined into its caller before the profile started is still on top by name,
// at its own lines and under its real callers, on every Node version.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChildApp, fetchProfile, fixturesDir, flatByFunction, leafLines, startChildApp } from './child-app.js';

let app: ChildApp;
before(async () => {
  // The fixture forces the optimization of `work` (with `burn` inlined) before it says ready.
  app = await startChildApp(join(fixturesDir, 'inlined-burner.mjs'), { nodeArgs: ['--allow-natives-syntax'] });
});
after(async () => app?.stop());

test('a CPU burner inlined into its caller is on top by name, at its loop’s line, called through work', async () => {
  const profile = await fetchProfile(`${app.agentUrl}/debug/pprof/profile?seconds=2`);
  const str = (i: number | bigint) => profile.stringTable.strings[Number(i)]!;
  const { rows } = flatByFunction(profile, 'cpu');
  const comments = profile.comment.map(str);
  assert.equal(rows[0]!.name, 'burn', `top: ${rows.slice(0, 3).map((r) => r.name).join(', ')}; comments: ${comments.join(' | ')}`);
  const source = readFileSync(join(fixturesDir, 'inlined-burner.mjs'), 'utf8').split('\n');
  const start = source.findIndex((l) => l.includes('function burn(')) + 1;
  const loopLine = source.findIndex((l) => l.includes('x += Math.sqrt')) + 1;
  // Where V8 reported only the call's line (Maglev code, V8 13+), burn shows at its first line and
  // the comment says its own lines are not known; everywhere else its time is at its loop.
  const lines = leafLines(profile, 'cpu', 'burn');
  const fromCall = comments.some((c) => /burn in \w+ \(at its first line: its own lines are not known\)/.test(c));
  if (Number(process.versions.v8.split('.')[0]) < 13) assert.ok(!fromCall, comments.join('\n'));
  const total = [...lines.values()].reduce((a, b) => a + b, 0);
  const atLoop = (lines.get(loopLine) ?? 0) + (fromCall ? (lines.get(start) ?? 0) : 0);
  assert.ok(atLoop / total > 0.9, `burn's lines ${JSON.stringify([...lines])}, loop at ${loopLine}`);
  // Every sample of burn has its real caller, work, between it and turn.
  const fns = new Map(profile.function.map((f) => [f.id, str(f.name)]));
  const locs = new Map(profile.location.map((l) => [l.id, fns.get(l.line[0]!.functionId)!]));
  for (const sample of profile.sample) {
    const names = sample.locationId.map((id) => locs.get(id)!);
    if (names[0] !== 'burn') continue;
    assert.equal(names[1], 'work', `stack ${names.join(' ← ')}`);
  }
});
