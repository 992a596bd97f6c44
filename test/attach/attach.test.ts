/**
 * tsprof attach against real Node processes that run no agent, on whichever
 * Node runs the suite (CI runs it on 20, 22, 24 and 26): a heap profile, a CPU
 * profile and a snapshot through the process's own inspector, opened with
 * SIGUSR1 and closed again after.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listeningAddresses } from '../../src/attach/open-inspector.js';
import { decodeProfile } from '../../src/profile/decode.js';
import { readHeapSnapshot } from '../../src/snapshot/read-snapshot.js';
import { summarizeByConstructor } from '../../src/snapshot/summary.js';
import { runCli } from '../support/cli-capture.js';

/** An agent-less service: keeps ~1 MB every 50 ms in a class of its own, and burns CPU in a named function. */
const appSource = `
class RetainedChunk { constructor(n) { this.values = new Array(128 * 1024).fill(n); } }
const kept = [];
function retainChunk() { kept.push(new RetainedChunk(kept.length)); if (kept.length > 400) kept.length = 0; }
function burnCpu(ms) { const end = Date.now() + ms; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); return x; }
setInterval(() => { retainChunk(); burnCpu(25); }, 50);
process.stdout.write('ready\\n');
`;

function startApp(options: { uid?: number } = {}): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, ['-e', appSource], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stderr: () => err };
}

async function ready(child: ChildProcess): Promise<void> {
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  assert.match(line.toString(), /ready/);
}

/** topRows are the table rows of a -top report, below its header line. */
function topRows(report: string): string[] {
  const lines = report.split('\n');
  return lines.slice(lines.findIndex((l) => /flat%/.test(l)) + 1).filter((l) => l.trim() !== '');
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

describe('tsprof attach PID', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsprof-attach-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a heap profile, a CPU profile and a snapshot of an agent-less process, and closes its inspector after', async () => {
    const { child, stderr } = startApp();
    try {
      await ready(child);
      assert.deepEqual(await listeningAddresses(child.pid!), [], 'the app listens on nothing before attach');
      const result = await runCli(['attach', '-heap', '-seconds', '2', '-snapshot', '-output_dir', dir, String(child.pid)]);
      assert.equal(result.code, 0, result.stderr);
      // What it did to the process, said plainly.
      assert.match(result.stderr, new RegExp(`sent SIGUSR1 to process ${child.pid}: it opened its inspector on 127\\.0\\.0\\.1:\\d+`));
      assert.match(result.stderr, /pauses while V8 writes it/);
      assert.match(result.stderr, new RegExp(`closed the inspector of process ${child.pid} again`));
      const files = result.stdout.toString().trim().split('\n');
      assert.equal(files.length, 3);
      const [cpuFile, heapFile, snapshotFile] = files as [string, string, string];
      assert.match(cpuFile, /\.cpu\.pb\.gz$/);
      assert.match(heapFile, /\.heap\.pb\.gz$/);
      assert.match(snapshotFile, /\.heapsnapshot$/);

      // The inspector is closed again, and the process goes on.
      assert.deepEqual(await listeningAddresses(child.pid!), []);
      assert.match(stderr(), /Debugger ending on ws:\/\/127\.0\.0\.1/);
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(alive(child), 'the process is still running');

      // The heap profile: the retaining function on top of in-use space.
      const heapTop = await runCli(['-top', '-nodecount', '3', heapFile]);
      assert.equal(heapTop.code, 0, heapTop.stderr);
      const heapRows = topRows(heapTop.stdout.toString());
      assert.match(heapRows[0] ?? '', /RetainedChunk|retainChunk/, heapTop.stdout.toString());
      const heap = decodeProfile(readFileSync(heapFile), heapFile);
      assert.deepEqual(
        heap.sampleTypes.map((t) => t.type),
        ['inuse_objects', 'inuse_space'],
      );

      // The CPU profile: the burner on top by name, as go tool pprof would show it.
      const cpuTop = await runCli(['-top', '-nodecount', '3', cpuFile]);
      assert.equal(cpuTop.code, 0, cpuTop.stderr);
      const cpuRows = topRows(cpuTop.stdout.toString());
      assert.match(cpuRows[0] ?? '', /burnCpu/, cpuTop.stdout.toString());

      // The snapshot: every retained chunk, by its class.
      assert.ok(statSync(snapshotFile).size > 100_000);
      const snapshot = await readHeapSnapshot(snapshotFile);
      const chunks = summarizeByConstructor(snapshot).find((row) => row.className === "RetainedChunk");
      assert.ok(chunks && chunks.count >= 5, `RetainedChunk instances in the snapshot: ${chunks?.count}`);
    } finally {
      child.kill();
    }
  });

  it('uses an inspector that is already open, and leaves it open', async () => {
    const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', '-e', appSource], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await ready(child);
      const [address] = await listeningAddresses(child.pid!);
      assert.ok(address, 'the app listens on its inspector');
      const result = await runCli(['attach', '-seconds', '1', '-output_dir', dir, String(child.pid)]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /already has its inspector open .*leaving it open/);
      assert.doesNotMatch(result.stderr, /SIGUSR1/);
      assert.deepEqual(await listeningAddresses(child.pid!), [address]);
    } finally {
      child.kill();
    }
  });

  it("refuses another user's process, and a process that is not Node, without signalling either", async () => {
    const isRoot = process.getuid?.() === 0;
    // As root, a process run as nobody (sleep: the Node binary may sit where nobody can read it, and
    // SIGUSR1 would end sleep, so still running means not signalled); otherwise init (pid 1), root's.
    const other = isRoot ? spawn('sleep', ['30'], { stdio: 'ignore', uid: 65534, gid: 65534 }) : undefined;
    try {
      if (other) await new Promise((r) => setTimeout(r, 100));
      const pid = other?.pid ?? 1;
      const result = await runCli(['attach', '-heap', String(pid)]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`^tsprof: attach: process ${pid} belongs to user \\d+, not to you .*your own processes\\n$`));
      if (other) assert.ok(alive(other), 'the other user\'s process was not signalled');
    } finally {
      other?.kill();
    }
    // SIGUSR1 ends `sleep`: still running after the refusal means no signal was sent.
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const result = await runCli(['attach', '-heap', String(sleeper.pid)]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^tsprof: attach: process \d+ runs \S*sleep, not Node\.js; tsprof sends no signal to it/);
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(alive(sleeper), 'sleep was not signalled');
    } finally {
      sleeper.kill();
    }
  });

  it('says in one line what is wrong with the command line or the process id', async () => {
    const cases: [string[], number, RegExp][] = [
      [['attach'], 2, /want one process id, got 0 arguments/],
      [['attach', 'abc', '-heap'], 2, /"abc" is not a process id/],
      [['attach', '12345'], 2, /say what to take: -heap, -seconds N \(a CPU profile\) or -snapshot/],
      [['attach', '-heap', '-sample_interval', '0', '1'], 2, /-sample_interval must be positive/],
      [['attach', '-heap', '999999999'], 1, /no process 999999999/],
    ];
    for (const [args, code, message] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
  });

  it('tsprof watch PID watches an agent-less process through its inspector, names the growing site, and closes the inspector', async () => {
    const { child, stderr } = startApp();
    try {
      await ready(child);
      const result = await runCli(['watch', '-interval', '1s', '-duration', '8s', String(child.pid)]);
      assert.equal(result.code, 0, result.stderr);
      const report = result.stdout.toString();
      assert.match(report, /Total in use: .*, growing /, report);
      assert.match(report, /Verdict: .*(RetainedChunk|retainChunk).* grows/, report);
      assert.match(result.stderr, new RegExp(`tsprof watch: sent SIGUSR1 to process ${child.pid}`));
      assert.match(result.stderr, new RegExp(`tsprof watch: closed the inspector of process ${child.pid} again`));
      assert.deepEqual(await listeningAddresses(child.pid!), []);
      assert.match(stderr(), /Debugger ending/);
      assert.ok(alive(child));
    } finally {
      child.kill();
    }
  });
});
