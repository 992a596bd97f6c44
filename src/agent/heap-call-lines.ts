import type { HeapCallLines, HeapStackLineOptions } from '../source/heap-stack-lines.js';
import type { AgentRuntime } from './agent-runtime.js';
import { createScriptReader, type ScriptReader } from './script-reader.js';

/**
 * heapCallLines places a heap profile's callers at the line that calls the
 * frame below them, read from the scripts on disk (once per script per
 * profile). The line is the generated script's; the frame namer carries it
 * through source maps, as it does a CPU sample's line.
 */
export function heapCallLines(script: ScriptReader = createScriptReader()): HeapCallLines {
  return (caller, callee) => script(caller.url)?.callLineIn(caller.lineNumber, caller.columnNumber, callee.functionName);
}

/**
 * agentHeapLines is how every agent path (the /heap endpoint, the pusher)
 * places a heap profile's lines: from the scripts on disk, with the evidence
 * the agent keeps across profiles.
 */
export function agentHeapLines(runtime: AgentRuntime): Omit<HeapStackLineOptions, 'namer'> {
  return { callLines: heapCallLines(), allocatingCallees: runtime.state.allocatingCallees };
}
