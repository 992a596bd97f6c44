import type { Config } from '../driver/config.js';
import type { Profile } from '../profile/profile.js';
import { type ListenAddress, parseListenAddress } from './listen-address.js';
import { openBrowser } from './open-browser.js';
import type { WebUi } from './ui-server.js';
import { startWebUi } from './web-server.js';

/** ServeOptions are the -http command line: where to listen, whether to open a browser, where to print. */
export interface ServeOptions {
  /** -http's value, "[host]:port". */
  http: string;
  noBrowser: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  /** Ends the server (default: the first SIGINT or SIGTERM). */
  stop?: Promise<void>;
}

/**
 * serveWebUi is `tsprof -http=[host]:port SOURCE`: it serves the profile's
 * web UI, prints its URL, opens the browser unless -no_browser, and runs
 * until interrupted. Returns the exit status.
 */
export function serveWebUi(profile: Profile, config: Config, options: ServeOptions): Promise<number> {
  return serveUntilStopped((address, log) => startWebUi({ profile, config, address, cwd: options.cwd, log }), options);
}

/**
 * serveUntilStopped starts a web UI at -http's address, prints its URL,
 * opens the browser unless -no_browser, and runs until interrupted (or
 * options.stop). Returns the exit status.
 */
export async function serveUntilStopped(start: (address: ListenAddress, log: (line: string) => void) => Promise<WebUi>, options: ServeOptions): Promise<number> {
  const address = parseListenAddress(options.http);
  const ui = await start(address, (line) => options.stderr.write(line + '\n'));
  options.stdout.write(`Serving web UI on ${ui.url}\n`);
  if (!options.noBrowser) openBrowser(ui.url, (line) => options.stderr.write(line + '\n'));
  let release = () => {};
  const stop = options.stop ?? new Promise<void>((resolve) => {
    release = () => {
      process.off('SIGINT', resolve);
      process.off('SIGTERM', resolve);
    };
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    await stop;
  } finally {
    release();
    await ui.close();
  }
  return 0;
}
