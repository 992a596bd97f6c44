import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** RunningService is a child process that runs the tsprof agent and printed its URL (`agent URL`, or a JSON line with "agent"). */
export interface RunningService {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /** What the service said on stderr and how it ended (if it did), for a failing test's message. */
  diagnostics(): string;
}

/**
 * startService runs `node script ...args` (or an executable) and waits for its `agent <url>`
 * line. The child is killed on stop(), and by the caller's timeout at worst;
 * the fixtures also exit by themselves after LIFETIME_MS.
 */
export async function startService(script: string, args: string[], env: NodeJS.ProcessEnv = {}, readyTimeoutMs = 20_000): Promise<RunningService> {
  // A .js script runs under this Node; anything else is an executable (the Go fixture).
  const [command, argv] = script.endsWith('.js') ? [process.execPath, [script, ...args]] : [script, args];
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${script}: no agent line within ${readyTimeoutMs}ms; stderr: ${stderr}`)), readyTimeoutMs);
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /"?agent"?[:\s]+"?(http:\/\/[^\s"]+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited (${code}) before it was ready; stderr: ${stderr}`));
      });
    });
    const diagnostics = () => `service ${script}: ${child.exitCode !== null || child.signalCode !== null ? `exited (${child.exitCode ?? child.signalCode})` : 'running'}; stderr: ${stderr.slice(-2000) || '(none)'}`;
    return { url, child, stop, diagnostics };
  } catch (err) {
    await stop();
    throw err;
  }
}
