import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** TimedRun is what GNU time measured of one child process, and what it printed. */
export interface TimedRun {
  /** Wall time from spawn to exit. */
  wallMs: number;
  /** User plus system CPU time, all threads. */
  cpuMs: number;
  /** Peak resident set size of the process. */
  peakRssMiB: number;
  stdout: string;
}

/** gnuTime is where the benches expect GNU time (Debian package `time`). */
export const gnuTime = '/usr/bin/time';

/**
 * timedRun runs argv as a child process under GNU time, so its wall time,
 * CPU time and peak memory are its own; it rejects, with the end of the
 * child's stderr, when the child fails.
 */
export function timedRun(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<TimedRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'tsprof-bench-'));
  const timeFile = join(scratch, 'time');
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(gnuTime, ['-f', '%M %U %S', '-o', timeFile, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      rmSync(scratch, { recursive: true, force: true });
      reject(new Error(`${gnuTime}: ${e.message} (install GNU time: apt-get install -y time)`));
    });
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      try {
        if (code !== 0) throw new Error(`${argv.join(' ')} exited ${code}: ${Buffer.concat(err).toString().trim().slice(-2000)}`);
        // The last line is ours: GNU time may put a status line before it.
        const [kib, user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(/\s+/).map(Number);
        resolve({ wallMs, cpuMs: (user! + system!) * 1000, peakRssMiB: kib! / 1024, stdout: Buffer.concat(out).toString() });
      } catch (e) {
        reject(e);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });
}
