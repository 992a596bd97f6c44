#!/usr/bin/env node
// Runs the compiled test suite with Node's own runner, on every supported Node version.
// Node 20 expands a directory argument to `node --test`; Node 22 and later do not (they take
// globs instead), so this lists the test files itself and passes them explicitly.
//   node scripts/run-tests.mjs [SUBSTRING...]   run the test files whose path contains one of them
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const testRoot = join(root, 'dist', 'test');

function testFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...testFiles(path));
    else if (entry.name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
let files;
try {
  files = testFiles(testRoot).sort();
} catch {
  process.stderr.write(`run-tests: ${relative(process.cwd(), testRoot)} is missing: build first (npx tsc -p .)\n`);
  process.exit(1);
}
if (filters.length > 0) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  process.stderr.write(`run-tests: no test file matches ${filters.join(' ')}\n`);
  process.exit(1);
}
// The usual reporter on stdout, and the failure list at the end of the run: on stderr, or appended to
// the file TSPROF_TEST_FAILURES names (CI prints that in its summary, where a long log is cut).
const reporters = [
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  `--test-reporter=${join(root, 'scripts', 'failure-reporter.mjs')}`,
  `--test-reporter-destination=${process.env.TSPROF_TEST_FAILURES || 'stderr'}`,
];
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...reporters, ...files.map((f) => relative(root, f))], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
