/** Runs `tsprof -http=... -no_browser SOURCE` as a real process and reads the URL it prints. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

/** ServedCli is a running `tsprof -http` process and the URL it printed. */
export interface ServedCli {
  url: string;
  stdout: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** serveWithCli starts tsprof with args and waits (up to 20 s) for "Serving web UI on URL". */
export async function serveWithCli(args: string[]): Promise<ServedCli> {
  // Its settings file (saved configurations) lives in a throwaway config directory, never the user's.
  const env = { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'tsprof-config-')) };
  const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'tsprof.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '', stderr = '';
  // The URL line is on stdout, or on stderr for commands whose stdout is a report (watch).
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); const m = /Serving web UI on (\S+)/.exec(stderr); if (m) found(m[1]!); });
  let found: (url: string) => void = () => {};
  const url = await new Promise<string>((resolve, reject) => {
    found = (u) => { clearTimeout(timer); resolve(u); };
    const timer = setTimeout(() => reject(new Error(`tsprof ${args.join(' ')} printed no URL in 20 s; stderr: ${stderr}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = /Serving web UI on (\S+)/.exec(stdout);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`tsprof exited with ${code}: ${stderr}`)); });
  });
  return {
    url,
    get stdout() { return stdout; },
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    },
  };
}
