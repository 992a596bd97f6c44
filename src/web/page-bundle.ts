import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TsprofError } from '../errors.js';

/** pageBundlePath is where `npm run build` writes the page code, bundled by esbuild, beside this module in dist/. */
export const pageBundlePath = fileURLToPath(new URL('./page.bundle.js', import.meta.url));

let cached: string | undefined;

/** readPageBundle is the page's JavaScript, read once; a missing bundle is an error saying how to build it. */
export function readPageBundle(): string {
  if (cached === undefined) {
    try {
      cached = readFileSync(pageBundlePath, 'utf8');
    } catch (err) {
      throw new TsprofError(`web UI: the page code ${pageBundlePath} is missing (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}): run npm run build`);
    }
  }
  return cached;
}
