import { readFileSync } from 'node:fs';
import { findSourceMap, SourceMap } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** OriginalPosition is where generated code came from: an absolute file and a zero-based line. */
export interface OriginalPosition {
  file: string;
  line: number;
}

/** Files whose source map the agent remembers (found or not); beyond it the oldest are forgotten. */
const maxCachedFiles = 2000;

/** A source map and where its relative `sources` are relative to. */
interface LoadedMap {
  map: SourceMap;
  sourcesBase: string;
}

/**
 * SourceMaps maps generated JavaScript positions back to the original
 * (TypeScript) sources. With `--enable-source-maps` Node already holds the maps
 * (`findSourceMap`); without it the agent reads the file's `sourceMappingURL`
 * (a file next to it or an inline data: URL) and parses the map with Node's
 * built-in SourceMap. Results, found or not, are cached per file (bounded).
 */
export class SourceMaps {
  private readonly cache = new Map<string, LoadedMap | null>();

  /** original maps a zero-based generated position in `file` (absolute path) to its source, if mapped. */
  original(file: string, line: number, column: number | undefined): OriginalPosition | undefined {
    const loaded = this.load(file);
    if (!loaded) return undefined;
    // Without a column (per-line CPU ticks) take the line's last mapping: entries at
    // or before the position are returned, and column 0 would land on the line before.
    const entry = loaded.map.findEntry(line, column ?? 2 ** 30) as Partial<{
      generatedLine: number;
      originalSource: string;
      originalLine: number;
    }>;
    if (entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
    if (column === undefined && entry.generatedLine !== line) return undefined;
    return { file: sourcePath(entry.originalSource, loaded.sourcesBase), line: entry.originalLine };
  }

  private load(file: string): LoadedMap | null {
    const cached = this.cache.get(file);
    if (cached !== undefined) return cached;
    let loaded: LoadedMap | null = null;
    try {
      loaded = loadMap(file);
    } catch {
      loaded = null; // No readable map: report generated positions.
    }
    if (this.cache.size >= maxCachedFiles) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(file, loaded);
    return loaded;
  }
}

function loadMap(file: string): LoadedMap | null {
  // Node's own maps (--enable-source-maps) have sources already resolved to absolute URLs.
  const known = findSourceMap(file);
  if (known) return { map: known, sourcesBase: dirname(file) };
  const text = readFileSync(file, 'utf8');
  const at = text.lastIndexOf('sourceMappingURL=');
  if (at < 0 || !/\/[/*][#@]\s*$/.test(text.slice(Math.max(0, at - 8), at))) return null;
  const url = text.slice(at + 'sourceMappingURL='.length).split(/\s|\*\//, 1)[0] ?? '';
  if (url === '') return null;
  let json: string;
  let mapFile: string;
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    const meta = url.slice(5, comma);
    const data = url.slice(comma + 1);
    json = meta.endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
    mapFile = file;
  } else {
    mapFile = url.startsWith('file:') ? fileURLToPath(url) : resolve(dirname(file), decodeURIComponent(url));
    json = readFileSync(mapFile, 'utf8');
  }
  const payload = JSON.parse(json) as { sourceRoot?: string };
  return { map: new SourceMap(payload as never), sourcesBase: resolve(dirname(mapFile), payload.sourceRoot ?? '') };
}

function sourcePath(source: string, base: string): string {
  if (source.startsWith('file:')) {
    try {
      return fileURLToPath(source);
    } catch {
      return source;
    }
  }
  if (/^[a-z]+:/i.test(source)) return source; // webpack://, node: and the like stay as they are
  return isAbsolute(source) ? source : resolve(base, source);
}
