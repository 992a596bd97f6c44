import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ScriptAnalysis } from '../source/script-analysis.js';

/** Scripts larger than this are not read: reading them would hold up the host's event loop. */
const maxScriptBytes = 2 * 1024 * 1024;

/** ScriptReader gives a script's analysis by its V8 URL, or null when it cannot be read. */
export type ScriptReader = (url: string) => ScriptAnalysis | null;

/**
 * createScriptReader reads the scripts V8 profiles name from disk, once per
 * script for the reader's life (one profile's conversion): `file://` URLs and
 * absolute paths, up to a few MB. Scripts gone from disk, `node:` internals and
 * builtins give null.
 */
export function createScriptReader(): ScriptReader {
  const scripts = new Map<string, ScriptAnalysis | null>();
  return (url) => {
    const known = scripts.get(url);
    if (known !== undefined) return known;
    let read: ScriptAnalysis | null = null;
    try {
      const path = url.startsWith('file://') ? fileURLToPath(url) : url.startsWith('/') ? url : undefined;
      if (path !== undefined && statSync(path).size <= maxScriptBytes) read = new ScriptAnalysis(readFileSync(path, 'utf8'));
    } catch {
      // A script gone from disk (or not a file) tells nothing.
    }
    scripts.set(url, read);
    return read;
  };
}
