import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRelative } from './frame-namer.js';

/** Per app root, the prefixes (they depend on nothing else, so each is computed once). */
const known = new Map<string, string[]>();

/**
 * agentSelfPrefixes are the file prefixes, as the agent's frame namer shows
 * them, of the agent's own code (through its source maps or not): what the
 * heap profiles' `tsprof.self` line names, so a watch leaves the agent's
 * caches out of the app's verdict.
 */
export function agentSelfPrefixes(appRoot: string): string[] {
  let prefixes = known.get(appRoot);
  if (!prefixes) {
    const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
    const dirs = ['agent', 'source', 'profile'].flatMap((d) => [join(packageRoot, 'src', d), join(packageRoot, 'dist', 'src', d)]);
    known.set(appRoot, (prefixes = dirs.map((d) => appRelative(appRoot, d) + '/')));
  }
  return prefixes;
}
