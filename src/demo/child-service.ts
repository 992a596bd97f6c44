import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TsprofError } from '../errors.js';

/** The compiled entry point of the kubelet simulator (examples/metrics-fetcher), next to dist/src. */
export const kubeletSimulatorScript = fileURLToPath(new URL('../../examples/metrics-fetcher/kubelet-simulator-main.js', import.meta.url));
/** The package root (where package.json is): the service runs there, so profiles name its files relative to it. */
export const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The compiled entry point of the story's service, the metrics fetcher. */
export const metricsFetcherScript = fileURLToPath(new URL('../../examples/metrics-fetcher/metrics-fetcher-main.js', import.meta.url));

/** ChildService is a Node process that announced itself with one JSON line on stdout. */
export interface ChildService<Info> {
  /** What the process printed on its first line. */
  info: Info;
  pid: number;
  /** The last few KB the process wrote to stderr, for error messages. */
  stderrTail(): string;
  /** stop sends SIGTERM, then SIGKILL after a grace period, and resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * startChildService runs `node script ...args` and waits for the JSON line
 * it prints when ready. It fails with a TsprofError naming the script if the
 * process exits or stays silent for timeoutMs.
 */
export function startChildService<Info>(
  script: string,
  args: string[],
  options: { timeoutMs?: number; nodeArgs?: string[]; cwd?: string } = {},
): Promise<ChildService<Info>> {
  const name = script.split('/').pop();
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    stderr = (stderr + s).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let stdout = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop();
      reject(new TsprofError(`demo: ${name} ${why}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${options.timeoutMs ?? 15000} ms`), options.timeoutMs ?? 15000);
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited before it was ready (${signal ?? `status ${code}`})`);
    child.once('exit', onEarlyExit);
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', function onData(s: string) {
      stdout += s;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      child.off('exit', onEarlyExit);
      clearTimeout(timer);
      let info: Info;
      try {
        info = JSON.parse(stdout.slice(0, newline)) as Info;
      } catch {
        fail(`printed ${JSON.stringify(stdout.slice(0, 80))} instead of its JSON line`);
        return;
      }
      resolve({ info, pid: child.pid!, stderrTail: () => stderr, stop });
    });
  });
}
