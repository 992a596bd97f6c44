/**
 * Bundles the web UI's page code (src/web/page/main.ts and what it imports)
 * into one script with esbuild, at `npm run build`. The server and the static
 * HTML export inline it, so the page loads nothing from anywhere.
 *
 *   node dist/src/web/build-page.js
 */
import { relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pageBundlePath } from './page-bundle.js';

/** pageEntryPath is the page code's entry point, in the source tree (esbuild reads TypeScript). */
export const pageEntryPath = fileURLToPath(new URL('../../../src/web/page/main.ts', import.meta.url));

/** PageBuild is what a build wrote: the bundle's size and the source files in it (relative to the package root). */
export interface PageBuild {
  bytes: number;
  inputs: string[];
}

const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** buildPageBundle writes the minified page bundle to pageBundlePath. */
export async function buildPageBundle(): Promise<PageBuild> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [pageEntryPath],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    loader: { '.css': 'text' },
    outfile: pageBundlePath,
    metafile: true,
    logLevel: 'warning',
  });
  return {
    bytes: Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0),
    inputs: Object.keys(result.metafile.inputs).map((path) => relative(packageRoot, resolve(process.cwd(), path)).split(sep).join('/')),
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { bytes } = await buildPageBundle();
  process.stdout.write(`web UI page: ${pageBundlePath} (${(bytes / 1024).toFixed(1)} kB)\n`);
}
