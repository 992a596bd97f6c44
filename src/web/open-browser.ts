import { spawn } from 'node:child_process';

/**
 * openBrowser asks the desktop to open url (xdg-open, open on macOS, start on
 * Windows). It never fails the command: when no browser can be started it
 * calls onFailure with one line, and the user opens the printed URL.
 */
export function openBrowser(url: string, onFailure: (line: string) => void): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  let reported = false;
  const fail = (why: string) => {
    if (reported) return;
    reported = true;
    onFailure(`could not open a browser (${command}: ${why}); open the URL above yourself`);
  };
  try {
    const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    child.on('exit', (code) => { if (code !== 0 && code !== null) fail(`exit status ${code}`); });
    child.unref();
  } catch (err) {
    fail((err as Error).message);
  }
}
