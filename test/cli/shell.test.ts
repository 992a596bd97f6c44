import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runShell } from '../../src/cli/shell.js';
import { defaultConfig, type Config } from '../../src/driver/config.js';
import { loadProfile } from '../../src/source/load-profile.js';
import { skipUnless } from '../support/required-tool.js';
import { captureIO } from '../support/cli-capture.js';

const goFixtures = fileURLToPath(new URL('../../../test/fixtures/go/', import.meta.url));
const heapT2 = join(goFixtures, 'heap_t2.pb.gz');
const cpuProfile = join(goFixtures, 'cpu.pb.gz');

interface Session {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * shell runs a whole session: the script is piped in (as when a user pastes
 * commands), the CliIO says "terminal" as it does when the CLI picks the shell.
 */
async function shell(source: string, script: string, options: { cwd?: string; env?: NodeJS.ProcessEnv; config?: Config } = {}): Promise<Session> {
  const home = mkdtempSync(join(tmpdir(), 'tsprof-shell-home-'));
  const io = captureIO({ env: { HOME: home, ...options.env }, cwd: options.cwd ?? goFixtures, isTerminal: true });
  try {
    const profile = await loadProfile(source);
    (io.stdin as PassThrough).end(script);
    const code = await runShell(profile, options.config ?? defaultConfig(), io);
    return { code, stdout: io.out(), stderr: io.err() };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** goPprofSession pipes the same script into `go tool pprof`'s own interactive mode: the oracle. */
function goPprofSession(source: string, script: string, cwd = goFixtures): Session {
  const home = mkdtempSync(join(tmpdir(), 'tsprof-shell-gohome-'));
  try {
    const stdout = execFileSync('go', ['tool', 'pprof', source], {
      input: script, cwd, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000,
      env: { ...process.env, HOME: home, PPROF_TMPDIR: home },
    });
    return { code: 0, stdout, stderr: '' };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** reports splits a session's stdout at the prompts: one entry per input line. */
function reports(stdout: string): string[] {
  return stdout.split('(pprof) ').slice(1);
}

test('a heap session prints what go tool pprof prints, prompt for prompt, as settings change', { skip: skipUnless('go') }, async () => {
  const script = [
    'top',
    'sample_index=alloc_space',
    'top 5 -cum',
    'focus=fetchKubelet',
    'tree 4',
    'focus=',
    'peek parseContainer',
    'granularity=lines',
    'top 3',
    'granularity=functions',
    'hide=runtime',
    'top 4 main',
    'hide=',
    'sample_index=1',
    'nodecount=3',
    'top',
    'traces',
    'top 4 -fmt',
    'tags',
    'tags bytes=1kb:', // tag filters: the words of `tags` are tagfocus/tagignore
    'tags -bytes=:64',
    'dot 5',
    'quit',
    'top', // never run: the session ended
  ].join('\n') + '\n';
  const ours = await shell(heapT2, script);
  const theirs = goPprofSession(heapT2, script);
  assert.equal(ours.code, 0);
  assert.equal(ours.stdout, theirs.stdout);
  assert.equal(reports(ours.stdout).length, 23, 'one prompt per line up to quit, none after');
});

test('a CPU session matches go tool pprof too, with list finding sources in the working directory', { skip: skipUnless('go') }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'tsprof-shell-src-'));
  try {
    mkdirSync(join(cwd, 'goexp'));
    copyFileSync(join(goFixtures, 'fetcher.go.txt'), join(cwd, 'goexp', 'main.go'));
    const script = 'list busyWork\npeek busyWork\ntop -cum\nunit=ms\ntop 3\ncall_tree\ntree 3\n';
    const ours = await shell(cpuProfile, script, { cwd });
    assert.equal(ours.stdout, goPprofSession(cpuProfile, script, cwd).stdout);
    assert.match(reports(ours.stdout)[0]!, /ROUTINE =+ main\.busyWork in goexp\/main\.go\n\s+330ms\s+380ms \(flat, cum\) 74\.51% of Total\n/);
    // End of input (^D) ends the session like quit.
    assert.equal(ours.code, 0);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('settings change the report: sample_index, focus, granularity, nodecount; a bare name shows its value', async () => {
  const s = await shell(heapT2, 'top\nsample_index=alloc_space\ntop\nfocus=parseContainer\nfocus\ntop\ngranularity=lines\ntop\nnodecount=1\ntop\n');
  const [inuse, , alloc, , , focused, , lines, , one] = reports(s.stdout);
  assert.match(inuse!, /^Showing nodes accounting for 50294\.64kB, 100% of 50294\.64kB total\n/);
  assert.match(alloc!, /of 388\.81MB total\n/);
  assert.match(focused!, /^Active filters:\n {3}focus=parseContainer\n/);
  assert.doesNotMatch(focused!, /fetchKubeletMetrics\n/);
  assert.match(lines!, /main\.parseContainerMetricsResponse goexp\/main\.go:\d+\n/);
  assert.match(one!, /Showing top 1 nodes out of \d+\n/);
  assert.equal(one!.trim().split('\n').filter((l) => /%\s+\S+ goexp/.test(l)).length, 1);
  assert.match(s.stderr, /^ {2}focus {21}= parseContainer$/m);
});

test('mistakes print one line and the shell goes on', async () => {
  const s = await shell(heapT2, [
    'bogus', 'list', 'sample_index=bogus', 'nodecount=x', 'granularity=bogus', 'focus parse', 'focus=(', 'top 1',
  ].join('\n') + '\n');
  assert.equal(s.code, 0);
  assert.deepEqual(s.stderr.split('\n').slice(-8, -1), [
    'unrecognized command: "bogus"',
    'command list requires an argument',
    'sample_index "bogus" must be one of: [alloc_objects alloc_space inuse_objects inuse_space]',
    'invalid value "x" for nodecount: want an integer',
    'invalid "granularity" value "bogus": want one of functions, filefunctions, files, lines, addresses',
    'did you mean: focus=parse',
    'parsing focus regexp "(": /(/: Unterminated group',
  ]);
  // The session still works after all that, and none of the bad values stuck.
  const last = reports(s.stdout)[7]!;
  assert.match(last, /^Showing nodes accounting for 48\.12MB, 97\.96% of 49\.12MB total\nShowing top 1 nodes out of 9\n/);
});

test('help lists the commands and settings; help NAME explains one; o lists current values', async () => {
  const s = await shell(heapT2, 'help\nhelp top\nhelp sample_index\nhelp nosuch\nsort=cum\no\n');
  assert.match(s.stderr, /^ {2}Commands:\n/m);
  for (const command of ['top', 'tree', 'peek', 'list', 'traces', 'tags', 'dot', 'svg', 'o/options', 'q/quit/exit/\\^D']) {
    assert.match(s.stderr, new RegExp(`^ {4}${command} +\\S`, 'm'), command);
  }
  assert.match(s.stderr, /^ {2}Options:\n/m);
  for (const setting of ['focus', 'ignore', 'hide', 'nodecount', 'sample_index', 'unit', 'trim']) {
    assert.match(s.stderr, new RegExp(`^ {4}${setting} +\\S`, 'm'), setting);
  }
  assert.match(s.stderr, /^ {4}granularity\n {6}functions +Aggregate at the function level\.\n/m);
  assert.match(s.stderr, /^Outputs top entries in text form\n {2}Usage:\n {4}top \[n\] \[focus_regex\]\* \[-ignore_regex\]\* \[-cum\] >f\n/m);
  assert.match(s.stderr, /^Or use sample_index=name, with name in \[alloc_objects alloc_space inuse_objects inuse_space\]\.$/m);
  assert.match(s.stderr, /^Unknown command: nosuch$/m);
  assert.match(s.stderr, /^ {2}sort {22}= cum {18}\/\/: \[cum \| flat\]$/m);
  assert.match(s.stderr, /^ {2}sample_index {14}= inuse_space {10}\/\/: \[alloc_objects \| alloc_space \| inuse_objects \| inuse_space\]$/m);
});

test('svg and proto go to files; >f saves any report; sample type names are shortcuts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprof-shell-out-'));
  try {
    const s = await shell(heapT2, 'svg\nproto\nalloc_objects\ntop 2 >top.txt\n', { cwd: dir, env: { PPROF_TMPDIR: dir } });
    assert.deepEqual(readdirSync(dir).sort(), ['profile001.svg', 'profile001.pb.gz', 'top.txt'].sort());
    assert.match(s.stderr, new RegExp(`^Generating report in ${join(dir, 'profile001.svg')}$`, 'm'));
    const svg = readFileSync(join(dir, 'profile001.svg'), 'utf8');
    assert.match(svg, /<svg width="100%" height="100%"/);
    assert.ok(svg.includes('>parseContainerMetricsResponse</text>'));
    const proto = readFileSync(join(dir, 'profile001.pb.gz'));
    assert.deepEqual([...proto.subarray(0, 2)], [0x1f, 0x8b]);
    const top = readFileSync(join(dir, 'top.txt'), 'utf8');
    assert.match(top, /^Showing nodes accounting for \d+, [\d.]+% of \d+ total\n/, 'alloc_objects counts objects, unitless');
    assert.match(top, /main\.fetchKubeletMetrics\n/);
    // Nothing but prompts on stdout: the reports went to files.
    assert.equal(s.stdout, '(pprof) '.repeat(5));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('on a real terminal: line editing with history recalled by the up arrow and kept in ~/.tsprof_history', async () => {
  const home = mkdtempSync(join(tmpdir(), 'tsprof-shell-tty-'));
  try {
    // A stream that says it is a TTY, so readline runs in terminal mode as on a console.
    const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
    const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 120, rows: 40 });
    const stderr = new PassThrough();
    // A real TTY's output, which captureIO's plain streams cannot stand in for.
    const written: Buffer[] = [];
    stdout.on('data', (b: Buffer) => written.push(b));
    stderr.resume();
    const out = () => Buffer.concat(written).toString();
    const profile = await loadProfile(heapT2);
    const done = runShell(profile, defaultConfig(), { stdin, stdout, stderr, env: { HOME: home }, cwd: goFixtures, isTerminal: true });
    stdin.write('top 1\r');
    stdin.write('\x1b[A\r'); // up arrow: "top 1" again
    stdin.write('\x04'); // ^D on an empty line
    assert.equal(await done, 0);
    const shown = out().match(/Showing top 1 nodes out of 9/g) ?? [];
    assert.equal(shown.length, 2, 'the recalled line ran');
    const historyFile = join(home, '.tsprof_history');
    assert.ok(existsSync(historyFile));
    assert.deepEqual(readFileSync(historyFile, 'utf8').split('\n'), ['top 1', 'top 1', '']);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
