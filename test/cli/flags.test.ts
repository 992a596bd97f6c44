import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, type FlagSpec } from '../../src/cli/flags.js';
import { UsageError } from '../../src/errors.js';

const specs: Record<string, FlagSpec> = {
  top: { kind: 'bool', default: false, help: 'top' },
  trim: { kind: 'bool', default: true, help: 'trim' },
  nodecount: { kind: 'int', default: -1, help: 'n' },
  focus: { kind: 'string', default: '', help: 'focus' },
  nodefraction: { kind: 'float', default: 0.005, help: 'f' },
  base: { kind: 'strings', help: 'base' },
};

test('parseFlags accepts the forms of Go flag package', () => {
  const p = parseFlags(['-top', '--nodecount=5', '-focus', 'fetch', '-trim=false', '--nodefraction', '0.1', 'a.pb.gz'], specs);
  assert.equal(p.values.top, true);
  assert.equal(p.values.nodecount, 5);
  assert.equal(p.values.focus, 'fetch');
  assert.equal(p.values.trim, false);
  assert.equal(p.values.nodefraction, 0.1);
  assert.deepEqual(p.args, ['a.pb.gz']);
  assert.deepEqual(p.set, ['top', 'nodecount', 'focus', 'trim', 'nodefraction']);
});

test('parseFlags keeps defaults, collects repeated list flags, and stops at --', () => {
  const p = parseFlags(['x', '-base', 'a', '-base=b', '--', '-top'], specs);
  assert.equal(p.values.top, false);
  assert.equal(p.values.trim, true);
  assert.deepEqual(p.values.base, ['a', 'b']);
  assert.deepEqual(p.args, ['x', '-top']);
});

test('parseFlags rejects unknown flags, missing and bad values as usage errors', () => {
  assert.throws(() => parseFlags(['-nope'], specs), (e: unknown) => e instanceof UsageError && /not defined: -nope/.test(e.message));
  assert.throws(() => parseFlags(['-focus'], specs), /needs an argument: -focus/);
  assert.throws(() => parseFlags(['-nodecount=abc'], specs), /invalid value "abc" for flag -nodecount/);
  assert.throws(() => parseFlags(['-trim=maybe'], specs), /invalid boolean value/);
});
