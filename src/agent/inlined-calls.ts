import type { ScriptFunction } from '../source/script-analysis.js';
import type { InlinedCallRecovery } from '../source/v8-cpu-profile.js';
import type { V8CallFrame } from '../source/v8-frames.js';
import { createScriptReader, type ScriptReader } from './script-reader.js';

/**
 * dropsInlinedFrames tells whether this process's V8 leaves Maglev-inlined
 * functions out of CPU profiles: V8 13 and later (Node 24+) inline in Maglev by
 * default, and such code, when optimized before the profile started, carries
 * only its outermost function's positions. Node 20 and 22 report inlined frames.
 */
export function dropsInlinedFrames(v8Version: string = process.versions.v8, flags: string[] = nodeFlags()): boolean {
  const major = Number(v8Version.split('.')[0]);
  if (!(major >= 13)) return false;
  return !flags.some((f) => f === '--no-maglev' || f === '--no-maglev-inlining' || f === '--max-maglev-inline-depth=0');
}

function nodeFlags(): string[] {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map((f) => f.replace(/_/g, '-'));
}

/**
 * inlinedCallRecovery gives the CPU profile conversion the scripts' sources,
 * read from disk once per script per profile. Every version gets it: V8 13+
 * (Node 24+) drops Maglev-inlined frames (dropsInlinedFrames), and on every
 * version some optimized code reports inlined lines under the outer function.
 */
export function inlinedCallRecovery(script: ScriptReader = createScriptReader()): InlinedCallRecovery {
  const callsDropped = dropsInlinedFrames();
  const toFrame = (fn: ScriptFunction, like: V8CallFrame): V8CallFrame => ({
    functionName: fn.name,
    url: like.url,
    scriptId: like.scriptId,
    lineNumber: fn.lineNumber,
    columnNumber: fn.columnNumber,
  });
  return {
    runtime: `V8 ${process.versions.v8} (Node ${process.version})`,
    inlinedAt(frame, line) {
      if (frame.url === '') return undefined;
      const analysis = script(frame.url);
      const found = analysis?.recover(frame.lineNumber, frame.functionName, line, frame.columnNumber);
      if (!found) return undefined;
      // A call's line stands for the callee only where V8 drops inlined frames; a line from another
      // script (no frames) is never the function's own, on any version.
      if (!found.lineKnown && found.frames.length > 0 && !callsDropped) return undefined;
      return { frames: found.frames.map((fn) => toFrame(fn, frame)), lineKnown: found.lineKnown };
    },
  };
}
