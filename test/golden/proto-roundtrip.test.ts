import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../support/cli-capture.js';
import { skipUnless } from '../support/required-tool.js';

process.env.TZ = 'UTC';
const run = promisify(execFile);
const fixtures = join(process.cwd(), 'test', 'fixtures', 'go');
const dir = mkdtempSync(join(tmpdir(), 'tsprof-proto-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** goTop runs the real `go tool pprof` on a file tsprof wrote. */
async function goTop(args: string[]): Promise<string> {
  const { stdout, stderr } = await run('go', ['tool', 'pprof', ...args], { cwd: dir, env: { ...process.env, TZ: 'UTC' }, timeout: 60_000 });
  return stdout + stderr;
}

const cases: { name: string; write: string[]; top: string[] }[] = [
  { name: 'merge of two heap profiles', write: [join(fixtures, 'heap_t1.pb.gz'), join(fixtures, 'heap_t2.pb.gz')], top: ['-sample_index=alloc_space'] },
  { name: '-base subtraction', write: ['-base', join(fixtures, 'heap_t1.pb.gz'), join(fixtures, 'heap_t2.pb.gz')], top: [] },
  { name: '-diff_base comparison', write: ['-diff_base', join(fixtures, 'heap_t1.pb.gz'), join(fixtures, 'heap_t2.pb.gz')], top: [] },
  { name: '-focus filter on a CPU profile', write: ['-focus=fetchKubelet', join(fixtures, 'cpu.pb.gz')], top: ['-cum'] },
  { name: '-hide filter on a heap profile', write: ['-sample_index=alloc_space', '-hide=runtime', join(fixtures, 'heap_t2.pb.gz')], top: ['-sample_index=alloc_space'] },
];

cases.forEach((c, i) => {
  test(`-proto after ${c.name}: go tool pprof -top reads it and prints what tsprof -top prints`, { skip: skipUnless('go') }, async () => {
    const file = join(dir, `case${i}.pb.gz`);
    const wrote = await runCli(['-proto', '-output', file, ...c.write], { cwd: dir });
    assert.equal(wrote.code, 0, wrote.stderr);
    assert.match(wrote.stderr, /Generating report in /);
    const bytes = readFileSync(file);
    assert.equal(bytes[0], 0x1f, 'gzip output');
    const ours = await runCli(['-top', ...c.top, file], { cwd: dir });
    assert.equal(ours.code, 0, ours.stderr);
    const theirs = await goTop(['-top', ...c.top, file]);
    assert.equal(ours.stdout.toString('utf8'), theirs);
  });
});

test('-proto of a merge keeps the merged report: same rows as the golden merged_top', async () => {
  const file = join(dir, 'merged.pb.gz');
  const wrote = await runCli(['-proto', '-output', file, join(fixtures, 'heap_t1.pb.gz'), join(fixtures, 'heap_t2.pb.gz')], { cwd: dir });
  assert.equal(wrote.code, 0, wrote.stderr);
  const ours = await runCli(['-top', '-sample_index=alloc_space', file], { cwd: dir });
  const golden = readFileSync(join(fixtures, 'golden', 'merged_top.txt'), 'utf8');
  assert.equal(ours.stdout.toString('utf8'), golden);
});
