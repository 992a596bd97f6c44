/**
 * The agent's own memory in the profiles it serves. The agent lives in the
 * process it profiles; its caches (source maps it read, names it gave frames)
 * are allocated there too and grow while it warms up. It names, in one comment
 * of each heap profile, the file prefixes its own code shows under, so a leak
 * hunter can leave those allocations out of the app's verdict while any other
 * reader of the profile still sees every byte:
 *
 *   tsprof.self files=src/agent/,src/source/,src/profile/
 */

import { isRuntimeFrame } from './runtime-frame.js';

const prefix = 'tsprof.self files=';

/** formatAgentSelf writes the comment line for the display prefixes of the agent's own code. */
export function formatAgentSelf(filePrefixes: readonly string[]): string {
  return prefix + filePrefixes.join(',');
}

/** agentSelfPrefixesOf reads the prefixes from a profile's comments; empty when there is no such line. */
export function agentSelfPrefixesOf(comments: readonly string[]): string[] {
  const line = comments.find((c) => c.startsWith(prefix));
  if (line === undefined) return [];
  return line
    .slice(prefix.length)
    .split(',')
    .filter((p) => p.length > 1);
}

/**
 * agentOwnTest reads a profile's comments and answers, for one sample's stack
 * (leaf first), whether the agent allocated it for itself: its site, the first
 * frame outside Node and V8, is in the agent's own files, and so is every
 * other frame outside Node and V8. A stack with the app's code above the
 * agent's is the app's: it called a function the agent wraps (Buffer#toString
 * while external allocations are sampled). Always false for a profile without
 * the line.
 */
function agentOwnTest(comments: readonly string[]): (frames: readonly { readonly file: string }[]) => boolean {
  const isAgent = agentFrameTest(comments);
  return (frames) => {
    let site = false;
    for (const f of frames) {
      if (isRuntimeFrame(f)) continue;
      if (!isAgent(f)) return false;
      site = true;
    }
    return site;
  };
}

/**
 * appFramesOf reads a profile's comments and gives, for one sample's stack,
 * the app's view of it: undefined when the agent allocated it for itself
 * (agentOwnTest), else the stack without the agent's frames (its wrappers the
 * app called through, of Buffer#toString and Buffer's factories).
 */
export function appFramesOf(comments: readonly string[]): <F extends { readonly file: string }>(frames: F[]) => F[] | undefined {
  const isOwn = agentOwnTest(comments);
  const isAgent = agentFrameTest(comments);
  return (frames) => (isOwn(frames) ? undefined : frames.some(isAgent) ? frames.filter((f) => !isAgent(f)) : frames);
}

/** agentFrameTest answers whether one frame is the agent's own code (always false for a profile without the line). */
function agentFrameTest(comments: readonly string[]): (frame: { readonly file: string }) => boolean {
  const prefixes = agentSelfPrefixesOf(comments);
  if (prefixes.length === 0) return () => false;
  return (frame) => prefixes.some((p) => frame.file.startsWith(p));
}
