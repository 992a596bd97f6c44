import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { runCli } from '../support/cli-capture.js';

const fixtures = join(process.cwd(), 'test', 'fixtures', 'go');
const dir = mkdtempSync(join(tmpdir(), 'tsprof-bad-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const heap = readFileSync(join(fixtures, 'heap_t2.pb.gz'));

/** expectOneLineError runs tsprof and checks: exit code, exactly one stderr line, matching the pattern, no stack. */
async function expectOneLineError(args: string[], code: number, pattern: RegExp, env?: NodeJS.ProcessEnv): Promise<void> {
  const r = await runCli(args, { cwd: dir, env: env ?? { ...process.env } });
  assert.equal(r.code, code, `exit code for ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got: ${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(r.stdout.length, 0);
}

test('a text file is not a profile', async () => {
  writeFileSync(join(dir, 'notes.txt'), 'hello, this is not a profile\n');
  await expectOneLineError(['-top', 'notes.txt'], 1, /^tsprof: notes\.txt: parsing profile: not a valid pprof profile/);
});

test('truncated gzip names the file and the problem', async () => {
  writeFileSync(join(dir, 'trunc.pb.gz'), heap.subarray(0, 300));
  await expectOneLineError(['-top', 'trunc.pb.gz'], 1, /^tsprof: trunc\.pb\.gz: decompressing profile: unexpected end of file/);
});

test('truncated protobuf names the file and the problem', async () => {
  writeFileSync(join(dir, 'trunc.pb'), gunzipSync(heap).subarray(0, 500));
  await expectOneLineError(['-top', 'trunc.pb'], 1, /^tsprof: trunc\.pb: parsing profile: .*runs past the end/);
});

test('a decompression bomb stops at the size cap', async () => {
  writeFileSync(join(dir, 'bomb.gz'), gzipSync(Buffer.alloc(4 << 20)));
  await expectOneLineError(['-top', 'bomb.gz'], 1, /bomb\.gz: decompressing profile: larger than 1000000 bytes/, { ...process.env, TSPROF_MAX_DECODED_BYTES: '1000000' });
});

test('a dangling location id is a malformed profile', async () => {
  // One sample pointing at location 7, which does not exist.
  const bytes = Buffer.from([
    0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, // sample_type {type:1 unit:2}
    0x12, 0x06, 0x0a, 0x01, 0x07, 0x12, 0x01, 0x05, // sample {location_id:[7] value:[5]}
    0x32, 0x00, 0x32, 0x03, 0x63, 0x70, 0x75, 0x32, 0x05, 0x63, 0x6f, 0x75, 0x6e, 0x74, // strings "", "cpu", "count"
  ]);
  writeFileSync(join(dir, 'dangling.pb'), bytes);
  await expectOneLineError(['-top', 'dangling.pb'], 1, /^tsprof: dangling\.pb: malformed profile: a sample refers to unknown location id 7/);
});

test('a missing file', async () => {
  await expectOneLineError(['-top', 'missing.pb.gz'], 1, /^tsprof: open missing\.pb\.gz: no such file or directory$/);
});

test('an invalid regexp names the option', async () => {
  await expectOneLineError(['-top', '-focus=(', join(fixtures, 'heap_t2.pb.gz')], 1, /^tsprof: parsing focus regexp "\(":/);
  await expectOneLineError(['-peek=[', join(fixtures, 'heap_t2.pb.gz')], 1, /^tsprof: parsing argument regexp "\[":/);
});

test('an unknown flag is a usage error (exit 2)', async () => {
  await expectOneLineError(['-bogus', join(fixtures, 'heap_t2.pb.gz')], 2, /^tsprof: flag provided but not defined: -bogus$/);
});

test('no report flag without a terminal is a usage error', async () => {
  await expectOneLineError([join(fixtures, 'heap_t2.pb.gz')], 2, /no report flag given and not on a terminal/);
});

test('no source is a usage error', async () => {
  await expectOneLineError(['-top'], 2, /no profile source specified/);
});

test('two report flags are a usage error', async () => {
  await expectOneLineError(['-top', '-tree', join(fixtures, 'heap_t2.pb.gz')], 2, /must set at most one output format/);
});

test('an unknown sample index lists the choices', async () => {
  await expectOneLineError(['-top', '-sample_index=foo', join(fixtures, 'heap_t2.pb.gz')], 1, /sample_index "foo" must be one of: \[alloc_objects alloc_space inuse_objects inuse_space\]/);
});

test('merging profiles of different kinds is a clear error', async () => {
  await expectOneLineError(['-top', join(fixtures, 'heap_t2.pb.gz'), join(fixtures, 'cpu.pb.gz')], 1, /incompatible/);
});

test('-base and -diff_base together are a usage error', async () => {
  const f = join(fixtures, 'heap_t1.pb.gz');
  await expectOneLineError(['-top', '-base', f, '-diff_base', f, join(fixtures, 'heap_t2.pb.gz')], 2, /cannot both be specified/);
});

test('a peek regexp that matches nothing says so', async () => {
  await expectOneLineError(['-peek=nosuchfunction', join(fixtures, 'heap_t2.pb.gz')], 1, /no matches found for regexp: nosuchfunction/);
});

test('pprof reports tsprof does not make are named, not called unknown', async () => {
  await expectOneLineError(['-pdf', join(fixtures, 'heap_t2.pb.gz')], 2, /^tsprof: -pdf is not supported by tsprof: use -svg or -dot/);
});
