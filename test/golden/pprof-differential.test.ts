import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../support/cli-capture.js';
import { skipUnless } from '../support/required-tool.js';

// Beyond the fixed goldens: the real `go tool pprof` is the oracle for every
// other flag the issue lists, run live on the same files.
process.env.TZ = 'UTC';
const run = promisify(execFile);
const fixtures = join(process.cwd(), 'test', 'fixtures', 'go');

const commandLines = [
  '-dot heap_t2.pb.gz',
  '-dot -nodecount=10 cpu.pb.gz',
  '-dot -lines cpu.pb.gz',
  '-dot -diff_base heap_t1.pb.gz heap_t2.pb.gz',
  '-dot -call_tree -sample_index=alloc_space heap_t2.pb.gz',
  '-dot -nodefraction=0.05 -mean -focus=main heap_t1.pb.gz heap_t2.pb.gz',
  '-tree -lines cpu.pb.gz',
  '-tree -nodecount=5 cpu.pb.gz',
  '-tree -edgefraction=0.1 cpu.pb.gz',
  '-traces -lines cpu.pb.gz',
  '-traces -base heap_t1.pb.gz heap_t2.pb.gz',
  '-tags heap_t2.pb.gz',
  '-tags -sample_index=alloc_space heap_t2.pb.gz',
  '-raw heap_t2.pb.gz',
  '-raw cpu.pb.gz',
  '-top -filefunctions cpu.pb.gz',
  '-top -addresses cpu.pb.gz',
  '-top -files cpu.pb.gz',
  '-top -show=main cpu.pb.gz',
  '-top -show_from=fetchKubelet cpu.pb.gz',
  '-top -prune_from=fmt cpu.pb.gz',
  '-top -tagfocus=1kb: -sample_index=alloc_space heap_t2.pb.gz',
  '-top -tagignore=1kb:100kb -sample_index=alloc_space heap_t2.pb.gz',
  '-top -unit=MB heap_t2.pb.gz',
  '-top -unit=auto heap_t2.pb.gz',
  '-top -unit=s cpu.pb.gz',
  '-top -mean -sample_index=alloc_space heap_t2.pb.gz',
  '-top -divide_by=3 cpu.pb.gz',
  '-top -relative_percentages -focus=fetchKubelet cpu.pb.gz',
  '-top -normalize -base heap_t1.pb.gz heap_t2.pb.gz',
  '-top -noinlines cpu.pb.gz',
  '-top -compact_labels cpu.pb.gz',
  '-top -drop_negative -base heap_t2.pb.gz heap_t1.pb.gz',
  '-top -nodefraction=0.1 cpu.pb.gz',
  '-top -trim=false -nodecount=3 cpu.pb.gz',
  '-peek=runtime -cum cpu.pb.gz',
  '-top -focus=main -ignore=fmt cpu.pb.gz',
  '-top -hide=runtime -show=main cpu.pb.gz',
  '-top -sample_index=0 cpu.pb.gz',
  '-top cpu.pb.gz cpu.pb.gz',
  '-top -cum -lines -sample_index=alloc_objects heap_t2.pb.gz',
  '-top -taghide=bytes -tagfocus=1kb: -sample_index=alloc_space heap_t2.pb.gz',
];

for (const line of commandLines) {
  test(`tsprof ${line} = go tool pprof ${line}`, { skip: skipUnless('go') }, async () => {
    const args = line.split(' ');
    const ours = await runCli(args, { cwd: fixtures });
    const theirs = await run('go', ['tool', 'pprof', ...args], { cwd: fixtures, env: { ...process.env, TZ: 'UTC' }, timeout: 60_000 });
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout.toString('utf8') + ours.stderr, theirs.stdout + theirs.stderr);
  });
}

// Profiles of another shape (V8's: no mapping, file paths, microsecond-ish
// values that stress rounding): converted by tsprof, then read by both.
const v8 = join(process.cwd(), 'test', 'fixtures', 'v8');
const dir = mkdtempSync(join(tmpdir(), 'tsprof-diff-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

for (const source of ['leaky.cpuprofile', 'leaky.heapprofile']) {
  for (const flags of ['-top', '-top -lines', '-tree', '-traces', '-tags', '-dot', '-raw', '-peek=.', '-top -cum -files']) {
    test(`${source} as pprof: tsprof ${flags} = go tool pprof ${flags}`, { skip: skipUnless('go') }, async () => {
      const file = join(dir, `${source}.pb.gz`);
      const wrote = await runCli(['-proto', '-output', file, join(v8, source)]);
      assert.equal(wrote.code, 0, wrote.stderr);
      const args = [...flags.split(' '), file];
      const ours = await runCli(args);
      const theirs = await run('go', ['tool', 'pprof', ...args], { env: { ...process.env, TZ: 'UTC' }, timeout: 60_000 });
      assert.equal(ours.stdout.toString('utf8') + ours.stderr, theirs.stdout + theirs.stderr);
    });
  }
}
