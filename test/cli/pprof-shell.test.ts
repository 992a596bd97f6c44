import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli-capture.js';

process.env.TZ = 'UTC';
const fixtures = join(process.cwd(), 'test', 'fixtures', 'go');

test('no report flag on a terminal enters the interactive shell with the command-line settings', async () => {
  const golden = readFileSync(join(fixtures, 'golden', 'heap_top_alloc_space.txt'), 'utf8');
  // The shell's "top" shows 10 nodes, as pprof's: the golden's first 10 rows.
  const rows = golden.slice(golden.indexOf('      flat  flat%')).split('\n').slice(0, 11).join('\n') + '\n';
  const r = await runCli(['-sample_index=alloc_space', join(fixtures, 'heap_t2.pb.gz')], {
    isTerminal: true,
    stdin: Buffer.from('top\nquit\n'),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Type: alloc_space/);
  assert.match(r.stderr, /Entering interactive mode/);
  assert.ok(r.stdout.toString().includes(rows), r.stdout.toString());
  assert.match(r.stdout.toString(), /Showing top 10 nodes out of 12/);
});
