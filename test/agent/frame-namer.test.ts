// How the agent names frames: app-relative files, node: internals, findable anonymous functions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAgentFrameNamer } from '../../src/agent/frame-namer.js';

const namer = createAgentFrameNamer('/srv/app');
const frame = (functionName: string, url: string, lineNumber: number, columnNumber = 4) => ({ functionName, url, lineNumber, columnNumber });

test('files under the app root are relative; others stay absolute; node: internals as such', () => {
  assert.deepEqual(namer(frame('handle', 'file:///srv/app/src/server.js', 9), undefined), {
    functionName: 'handle',
    file: 'src/server.js',
    startLine: 10,
    line: 10,
  });
  assert.equal(namer(frame('x', 'file:///srv/other/lib.js', 0), undefined).file, '/srv/other/lib.js');
  assert.equal(namer(frame('x', '/srv/app-two/lib.js', 0), undefined).file, '/srv/app-two/lib.js', 'a sibling directory is not under the root');
  assert.deepEqual(namer(frame('Module._load', 'node:internal/modules/cjs/loader', 1002), 1010), {
    functionName: 'Module._load',
    file: 'node:internal/modules/cjs/loader',
    startLine: 1003,
    line: 1010,
  });
  assert.equal(namer(frame('withSpace', 'file:///srv/app/my%20dir/a.js', 0), undefined).file, 'my dir/a.js');
});

test('anonymous functions are named after their file and start line; V8 pseudo-frames keep their names', () => {
  assert.equal(namer(frame('', 'file:///srv/app/src/server.js', 40), 44).functionName, '(anonymous) server.js:41');
  assert.equal(namer(frame('', 'file:///srv/app/src/server.js', 40), 44).line, 44);
  assert.equal(namer(frame('(garbage collector)', '', -1, -1), undefined).functionName, '(garbage collector)');
  assert.equal(namer(frame('', '', -1, -1), undefined).functionName, '(anonymous)');
});

test('equal frames give the same (memoized) location', () => {
  const a = namer(frame('f', 'file:///srv/app/a.js', 3), 7);
  const b = namer(frame('f', 'file:///srv/app/a.js', 3), 7);
  assert.equal(a, b);
  assert.notEqual(namer(frame('f', 'file:///srv/app/a.js', 3), 8), a);
});
