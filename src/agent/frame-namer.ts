import { isAbsolute, relative, sep } from 'node:path';
import { displayFunctionName, fileFromUrl, type FrameLocation, type FrameNamer } from '../source/v8-frames.js';
import { SourceMaps } from './source-maps.js';

/** Frames remembered between profiles; past this the memo starts over, so memory stays bounded. */
const maxMemoizedFrames = 50_000;

/**
 * createAgentFrameNamer names frames for users of a live service: through
 * source maps to the original file and line, with paths relative to the app
 * root (`src/server.ts`), `node:` internals as such, and anonymous functions
 * named after where they start.
 */
export function createAgentFrameNamer(appRoot: string, sourceMaps: SourceMaps = new SourceMaps()): FrameNamer {
  const memo = new Map<string, FrameLocation>();
  const display = (file: string): string => {
    if (!isAbsolute(file)) return file;
    const rel = relative(appRoot, file);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return file;
    return sep === '/' ? rel : rel.split(sep).join('/');
  };
  return (frame, line) => {
    const key = `${frame.url}\u0001${frame.lineNumber}\u0001${frame.columnNumber}\u0001${frame.functionName}\u0001${line ?? ''}`;
    const known = memo.get(key);
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
    if (memo.size >= maxMemoizedFrames) memo.clear();
    memo.set(key, location);
    return location;
  };
}
