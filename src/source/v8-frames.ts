/**
 * V8's call frames as the inspector protocol and the .cpuprofile/.heapprofile
 * files give them, and how tsprof names them in pprof. The agent adds source
 * maps and app-relative paths on top through the FrameNamer seam.
 */

/** V8CallFrame is Runtime.CallFrame: zero-based line and column of the function's start. */
export interface V8CallFrame {
  functionName: string;
  scriptId?: string | number;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** FrameLocation is one named, placed frame as pprof stores it (one-based lines, 0 = unknown). */
export interface FrameLocation {
  /** Name users search for: `Class.method`, `fn`, or `(anonymous) file.ts:41`. */
  functionName: string;
  /** File as shown to users: app-relative path, `node:internal/...`, or absolute path. */
  file: string;
  /** Line where the function starts. */
  startLine: number;
  /** Line of this frame (the executing line for a leaf, else the best known). */
  line: number;
}

/**
 * FrameNamer turns a V8 frame (and, for leaves, a one-based executing line) into
 * a FrameLocation. Implementations must be pure functions of their inputs and
 * may memoize.
 */
export type FrameNamer = (frame: V8CallFrame, line: number | undefined) => FrameLocation;

/** fileFromUrl turns a V8 script URL into a file name: file:// URLs become paths, node: stays. */
export function fileFromUrl(url: string): string {
  if (url.startsWith('file://')) {
    try {
      return decodeURIComponent(new URL(url).pathname);
    } catch {
      return url;
    }
  }
  return url;
}

/** baseName is the last path segment, for short findable names of anonymous functions. */
export function baseName(file: string): string {
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return slash >= 0 ? file.slice(slash + 1) : file;
}

/**
 * displayFunctionName gives anonymous functions a name users can find in their
 * editor: `(anonymous) server.ts:41`. Frames without a script (V8 builtins,
 * `(program)`) keep V8's name, or `(anonymous)` when there is none.
 */
export function displayFunctionName(name: string, file: string, startLine: number): string {
  if (name !== '') return name;
  if (file === '' || startLine <= 0) return '(anonymous)';
  return `(anonymous) ${baseName(file)}:${startLine}`;
}

/** plainFrameNamer names frames from what the profile itself says (used for files on disk). */
export const plainFrameNamer: FrameNamer = (frame, line) => {
  const file = fileFromUrl(frame.url);
  const startLine = frame.lineNumber >= 0 ? frame.lineNumber + 1 : 0;
  return {
    functionName: displayFunctionName(frame.functionName, file, startLine),
    file,
    startLine,
    line: line ?? startLine,
  };
};
