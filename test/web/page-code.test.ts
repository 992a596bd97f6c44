/**
 * The page code is plain browser code: it bundles from src/ alone (no
 * package, no Node module), shares only the model's formatting and the view
 * types with the server, and has no way to reach the network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pageBundlePath } from '../../src/web/page-bundle.js';
import { ensurePageBundle } from './web-fixtures.js';

test('the page bundle is built from page code and the pure model files only', async () => {
  const { inputs, bytes } = await ensurePageBundle();
  const allowed = (path: string) => path.startsWith('src/web/page/') || ['src/web/view-data.ts', 'src/web/flame-model.ts', 'src/web/child-table.ts', 'src/profile/units.ts', 'src/profile/go-format.ts'].includes(path);
  assert.ok(inputs.includes('src/web/page/main.ts'), inputs.join(' '));
  assert.deepEqual(inputs.filter((path) => !allowed(path)), [], 'inputs outside the page code and the pure model');
  assert.ok(bytes < 100_000, `the page code stays small: ${bytes} bytes`);
});

test('the page code has no network API in it: no fetch, XMLHttpRequest, WebSocket, EventSource or beacon', async () => {
  await ensurePageBundle();
  const code = readFileSync(pageBundlePath, 'utf8');
  for (const api of ['fetch(', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'sendBeacon', 'importScripts', 'import(']) assert.ok(!code.includes(api), api);
  assert.doesNotMatch(code, /https?:\/\/(?!www\.w3\.org\/)/, 'no URL to anywhere');
});
