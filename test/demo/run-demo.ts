import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/cli-capture.js';

/** DemoRun is what one in-process `tsprof demo` printed, and where it left its files. */
export interface DemoRun {
  status: number;
  stdout: string;
  stderr: string;
  dir: string;
}

/** runDemo runs `tsprof demo ARGS -dir <new temp dir>` in this process with captured output. */
export async function runDemo(args: string[]): Promise<DemoRun> {
  const dir = await mkdtemp(join(tmpdir(), 'tsprof-demo-test-'));
  const io = captureIO({ env: process.env });
  const status = await main(['demo', ...args, '-dir', dir], io);
  const [stdout, stderr] = [io.out(), io.err()];
  return { status, stdout, stderr, dir };
}

/** inuseFigures reads the "in-use heap" column of the demo's table for one phase, in MB. */
export function inuseFigures(stdout: string, mode: 'leaky' | 'fixed'): number[] {
  return tableRows(stdout, mode).map((r) => r.inuse);
}

/** heldFigures reads the memory held per profile, in MB: the in-use heap plus the external column. */
export function heldFigures(stdout: string, mode: 'leaky' | 'fixed'): number[] {
  return tableRows(stdout, mode).map((r) => r.inuse + r.external);
}

/** externalFigures reads the "external" column (memory outside the V8 heap), in MB. */
export function externalFigures(stdout: string, mode: 'leaky' | 'fixed'): number[] {
  return tableRows(stdout, mode).map((r) => r.external);
}

function tableRows(stdout: string, mode: 'leaky' | 'fixed'): { inuse: number; external: number }[] {
  return [...stdout.matchAll(new RegExp(`^\\s+\\d+s\\s+\\d+\\s+([\\d.]+) MB\\s+([\\d.]+) MB\\s+[\\d.]+ MB\\s+\\S*${mode}-\\d+\\.pb\\.gz$`, 'gm'))].map((m) => ({
    inuse: Number(m[1]),
    external: Number(m[2]),
  }));
}

/** demoPids are the child processes the demo said it started. */
export function demoPids(stdout: string): number[] {
  return [...stdout.matchAll(/\(pid (\d+)\)|pid (\d+)\)/g)].map((m) => Number(m[1] ?? m[2]));
}

/** isRunning tells whether a process exists. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
