import { isAbsolute, relative, sep } from 'node:path';
import { displayFunctionName, fileFromUrl, type FrameLocation, type FrameNamer } from '../source/v8-frames.js';
import { SourceMaps } from './source-maps.js';

/** Frames remembered between profiles; past this the memo starts over, so memory stays bounded. */
const maxMemoizedFrames = 50_000;

/** appRelative shows an absolute file under the app root as a relative path with `/`; others as they are. */
export function appRelative(appRoot: string, file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(appRoot, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return file;
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/**
 * createAgentFrameNamer names frames for users of a live service: through
 * source maps to the original file and line, with paths relative to the app
 * root (`src/server.ts`), `node:` internals as such, and anonymous functions
 * named after where they start.
 */
export function createAgentFrameNamer(appRoot: string, sourceMaps: SourceMaps = new SourceMaps()): FrameNamer {
  // url → start position → function name → executing line (−1: none) → location; nested maps, no key strings.
  const memo = new Map<string, Map<number, Map<string, Map<number, FrameLocation>>>>();
  let memoized = 0;
  const display = (file: string) => appRelative(appRoot, file);
  return (frame, line) => {
    let byPosition = memo.get(frame.url);
    if (!byPosition) memo.set(frame.url, (byPosition = new Map()));
    const position = (frame.lineNumber + 1) * 2 ** 26 + (frame.columnNumber + 1);
    let byName = byPosition.get(position);
    if (!byName) byPosition.set(position, (byName = new Map()));
    let byLine = byName.get(frame.functionName);
    if (!byLine) byName.set(frame.functionName, (byLine = new Map()));
    const known = byLine.get(line ?? -1);
    if (known) return known;
    const generatedFile = fileFromUrl(frame.url);
    let file = generatedFile;
    let startLine = frame.lineNumber >= 0 ? frame.lineNumber + 1 : 0;
    let atLine = line ?? startLine;
    if (isAbsolute(generatedFile) && frame.lineNumber >= 0) {
      const start = sourceMaps.original(generatedFile, frame.lineNumber, frame.columnNumber);
      if (start) {
        file = start.file;
        startLine = start.line + 1;
        atLine = startLine;
        if (line !== undefined) {
          const here = sourceMaps.original(generatedFile, line - 1, undefined);
          atLine = here && here.file === start.file ? here.line + 1 : startLine;
        }
      }
    }
    const shown = display(file);
    const location: FrameLocation = {
      functionName: displayFunctionName(frame.functionName, shown, startLine),
      file: shown,
      startLine,
      line: atLine,
    };
    if (++memoized > maxMemoizedFrames) {
      memo.clear();
      memoized = 0;
    } else {
      byLine.set(line ?? -1, location);
    }
    return location;
  };
}
