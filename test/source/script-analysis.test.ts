// Recovering inlined frames from the source, on V8 profiles shaped as Node 20 and Node 24 report them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Profile } from 'pprof-format';
import { ScriptAnalysis } from '../../src/source/script-analysis.js';
import { cpuProfileToPprof, type InlinedCallRecovery, type V8CpuProfile } from '../../src/source/v8-cpu-profile.js';
import { plainFrameNamer, type V8CallFrame } from '../../src/source/v8-frames.js';

const source = [
  '// a fixture', //                                      1
  'function burn(n) {', //                                2
  '  let x = 0;', //                                      3
  '  for (let i = 0; i < n; i++) x += Math.sqrt(i);', //  4
  '  return x;', //                                       5
  '}', //                                                 6
  'function work() {', //                                 7
  '  return burn(1000);', //                              8
  '}', //                                                 9
  'function turn() {', //                                10
  '  const t = JSON.parse("1") + work();', //            11
  '  work();', //                                        12
  '  const label = "burn(1)"; // burn(2)', //            13
  '}', //                                                14
  'function setup(app) {', //                            15
  '  app.get((req) => {', //                             16
  '    req.count++;', //                                 17
  '  });', //                                            18
  '}', //                                                19
].join('\n');
const url = 'file:///app/burner.js';

describe('ScriptAnalysis', () => {
  const script = new ScriptAnalysis(source);
  test('finds named functions with their body’s extent and calls', () => {
    const burn = script.declared('burn')!;
    assert.deepEqual([burn.startLine, burn.endLine, burn.lineNumber, burn.columnNumber], [2, 6, 1, 9]);
    assert.deepEqual([...script.declared('turn')!.calls].sort(), ['parse', 'work']);
  });
  test('a line inside another function belongs to it, through the calls that lead there', () => {
    const found = script.recover(9, 'turn', 4)!;
    assert.equal(found.lineKnown, true);
    assert.deepEqual(found.frames.map((f) => f.name), ['burn', 'work']);
  });
  test('a line that makes one call to a function of the script stands for it; mixed calls and strings do not', () => {
    assert.deepEqual(script.recover(9, 'turn', 12), { frames: [script.declared('work')!], lineKnown: false });
    assert.equal(script.recover(9, 'turn', 11), undefined, 'JSON.parse and work on one line');
    assert.equal(script.recover(9, 'turn', 13), undefined, 'calls in strings and comments are not calls');
    assert.equal(script.recover(1, 'burn', 3), undefined, 'burn’s own line');
    assert.equal(script.recover(15, '', 17), undefined, 'an anonymous callback’s own line inside setup is not setup’s');
  });
  test('a line outside the caller and outside every function of the script is another script’s (inlined from it)', () => {
    assert.deepEqual(script.recover(1, 'burn', 139), { frames: [], lineKnown: false }, 'past the end of the script');
    assert.deepEqual(script.recover(1, 'burn', 1), { frames: [], lineKnown: false }, 'a top-level line');
    assert.equal(script.recover(1, 'burn', 5), undefined, 'burn’s own line');
    assert.equal(script.recover(13, 'nosuch', 139), undefined, 'a caller the source does not declare: nothing is known');
  });
  test('a callback on one line stands for the one function its own body calls, though the line calls others', () => {
    const oneLiners = new ScriptAnalysis(
      [
        'function tick(n) { return n + 1; }', //                           1
        'setInterval(() => tick(20), 25);', //                             2
        'items.forEach(function (x) { tick(x); }, this);', //              3
        'setInterval(() => tick(1) + tick(2), 25);', //                    4
        'setInterval(() => Math.max(tick(1), 0), 25);', //                 5
        'setInterval(() => wait(() => tick(1)), 25);', //                  6
        'app.get((req) => {', //                                           7
        '  tick(1);', //                                                   8
        '});', //                                                          9
        'setInterval(() => ignored(1), 25);', //                          10
      ].join('\n'),
    );
    const tick = oneLiners.declared('tick')!;
    // V8 puts an arrow's start at its parameters and a function expression's at `function`.
    assert.deepEqual(oneLiners.recover(1, '', 2, 12), { frames: [tick], lineKnown: false }, 'the arrow calls only tick');
    assert.deepEqual(oneLiners.recover(2, '', 3, 14), { frames: [tick], lineKnown: false }, 'the function expression calls only tick');
    assert.equal(oneLiners.soleCallInOneLineBody(2, 12), 'tick');
    assert.equal(oneLiners.recover(3, '', 4, 12), undefined, 'two calls in the body');
    assert.equal(oneLiners.recover(4, '', 5, 12), undefined, 'Math.max and tick in the body');
    assert.equal(oneLiners.recover(5, '', 6, 12), undefined, 'a nested arrow');
    assert.equal(oneLiners.recover(6, '', 7, 8), undefined, 'a body that goes on past its line');
    assert.equal(oneLiners.recover(9, '', 10, 12), undefined, 'a call to a function the script does not declare');
    assert.equal(oneLiners.recover(1, '', 2), undefined, 'without the column, the line’s two calls are left alone');
  });
});

describe('cpuProfileToPprof with recovery', () => {
  const frame = (functionName: string, lineNumber: number): V8CallFrame => ({ functionName, url, lineNumber, columnNumber: 9, scriptId: '7' });
  // turn's optimized code, with work and burn inlined: V8 20 reports burn's line 4 under turn
  // (OSR code); V8 24's Maglev code gives work's call at line 12.
  const v8: V8CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
      { id: 2, callFrame: frame('turn', 9), hitCount: 100, positionTicks: [{ line: 4, ticks: 60 }, { line: 12, ticks: 30 }, { line: 11, ticks: 10 }] },
    ],
    startTime: 0,
    endTime: 1_000_000,
    samples: Array(100).fill(2),
    timeDeltas: Array(100).fill(10_000),
  };
  const script = new ScriptAnalysis(source);
  const recovery: InlinedCallRecovery = {
    runtime: 'V8 13.6 (test)',
    inlinedAt: (f, line) => {
      const found = script.recover(f.lineNumber, f.functionName, line);
      return found && { frames: found.frames.map((fn) => frame(fn.name, fn.lineNumber)), lineKnown: found.lineKnown };
    },
  };
  const decoded = Profile.decode(cpuProfileToPprof(v8, { namer: plainFrameNamer, intervalMicros: 10_000, inlinedCalls: recovery }).encode());
  const str = (i: number | bigint) => decoded.stringTable.strings[Number(i)]!;
  const stacks = decoded.sample.map((s) => ({
    count: Number(s.value[0]),
    frames: s.locationId.map((id) => {
      const loc = decoded.location.find((l) => l.id === id)!;
      const fn = decoded.function.find((f) => f.id === loc.line[0]!.functionId)!;
      return `${str(fn.name)}:${Number(loc.line[0]!.line)}`;
    }),
  }));

  test('each tick goes to the function the source shows, at its line where known', () => {
    assert.deepEqual(
      stacks.map((s) => `${s.count} ${s.frames.join(' ← ')}`).sort(),
      ['10 turn:11', '30 work:7 ← turn:12', '60 burn:4 ← work:7 ← turn:10'],
    );
  });
  test('the profile says what was recovered, and where lines are not known', () => {
    const comment = decoded.comment.map(str).join('\n');
    assert.match(comment, /^V8 13\.6 \(test\) reported samples of inlined functions under their callers; tsprof recovered them from the source: burn in turn, work in turn \(at its first line: its own lines are not known\)\.$/);
  });
  test('ticks at lines of another script (a Node built-in inlined into burn) go to burn’s first line, and the profile says so', () => {
    const foreign: V8CpuProfile = {
      ...v8,
      nodes: [
        v8.nodes[0]!,
        { id: 2, callFrame: frame('burn', 1), hitCount: 100, positionTicks: [{ line: 4, ticks: 70 }, { line: 139, ticks: 30 }] },
      ],
    };
    const p = Profile.decode(cpuProfileToPprof(foreign, { namer: plainFrameNamer, intervalMicros: 10_000, inlinedCalls: recovery }).encode());
    const s = (i: number | bigint) => p.stringTable.strings[Number(i)]!;
    const rows = p.sample.map((sample) => {
      const loc = p.location.find((l) => l.id === sample.locationId[0])!;
      return `${Number(sample.value[0])} ${s(p.function.find((f) => f.id === loc.line[0]!.functionId)!.name)}:${Number(loc.line[0]!.line)}`;
    });
    assert.deepEqual(rows.sort(), ['30 burn:2', '70 burn:4']);
    assert.match(p.comment.map(s).join('\n'), /reported ticks at lines outside their function's source \(code inlined from another script, such as a Node built-in\): tsprof shows them at the function's first line: burn \(30\)\./);
  });
  test('without recovery (files on disk), the profile is V8’s as it is, with no comment', () => {
    const plain = Profile.decode(cpuProfileToPprof(v8, { namer: plainFrameNamer, intervalMicros: 10_000 }).encode());
    assert.equal(plain.comment.length, 0);
    assert.equal(plain.sample.length, 3);
    assert.ok(plain.sample.every((s) => s.locationId.length === 1));
  });
});
