/**
 * Reading a script's source for what V8's profiles leave out. Two uses:
 *
 * Frames V8 left out of a CPU profile. V8 reports a sample in optimized code
 * under the function the code was compiled for, and names the functions
 * inlined into it only when the code carries detailed positions. Two ways it
 * falls short, and the evidence left:
 *
 * - Code Maglev optimized before the profile started (V8 13+, Node 24+) has only
 *   its outermost function's positions: samples inside an inlined callee come
 *   at the line of the call. When that line makes exactly one call, and to a
 *   function declared in the same script, the samples are that function's; its
 *   own lines are not known.
 * - Some optimized code (TurboFan on-stack replacement, every version) reports
 *   the right line but the outer function: the line lies inside another function
 *   of the script. The samples are that function's, at that line; the functions
 *   between (the caller's calls leading to it) are found by name in the source.
 *
 * Lines of a heap profile. V8's sampling heap profiler gives every frame only
 * the position where its function starts. A caller's line is the line of its
 * body that calls the next frame, found by that frame's name (callLineIn); the
 * line is inferred, and the profile says so.
 */

/** ScriptFunction is a function a script declares by name, with its body's extent (one-based lines). */
export interface ScriptFunction {
  name: string;
  /** Zero-based line and column of the name, as V8's call frames count. */
  lineNumber: number;
  columnNumber: number;
  /** One-based lines of the declaration and of the body's end. */
  startLine: number;
  endLine: number;
  /** Names the body calls. */
  calls: Set<string>;
}

/** RecoveredCall is what the source says about one position tick V8 reported under `caller`. */
export interface RecoveredCall {
  /**
   * Inlined functions from the leaf to the one the caller called (the caller
   * not included). Empty when the line is in no function of this script and
   * outside the caller: code inlined from another script, whose line means
   * nothing here.
   */
  frames: ScriptFunction[];
  /** True when the tick's line lies inside frames[0] (its line is known), false when it is the call's line. */
  lineKnown: boolean;
}

/** Words followed by `(` that are not calls. */
const notCalls = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'function', 'typeof', 'await', 'yield', 'with', 'do', 'else', 'in', 'of', 'void', 'delete', 'super', 'import']);

/** codeOnly blanks string literals and comments on one line, so their text is not taken for code. */
function codeOnly(line: string): string {
  return line
    .replace(/\/\/.*$/, '')
    .replace(/\/\*.*?\*\//g, ' ')
    .replace(/(["'`])(?:\\.|(?!\1).)*\1/g, (m) => '"' + ' '.repeat(Math.max(0, m.length - 2)) + '"');
}

function callsIn(code: string): string[] {
  const calls: string[] = [];
  for (const match of code.matchAll(/([A-Za-z_$][\w$]*)\s*\(/g)) if (!notCalls.has(match[1]!)) calls.push(match[1]!);
  return calls;
}

/** ScriptAnalysis is one script's named functions, read once per script. */
export class ScriptAnalysis {
  readonly functions: ScriptFunction[] = [];
  /** Name → the one function declared with it (names declared twice map to null). */
  private readonly byName = new Map<string, ScriptFunction | null>();
  private readonly lines: string[];

  constructor(source: string) {
    this.lines = source.split('\n').map(codeOnly);
    const patterns = [
      /\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(/g,
      /\b([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\([^()]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)/g,
      /^\s*(?:(?:static|async|public|private|protected|override)\s+)*([A-Za-z_$][\w$]*)\s*\([^()]*\)\s*(?::[^{]*)?\{/g,
    ];
    this.lines.forEach((code, lineNumber) => {
      const seen = new Set<string>();
      for (const pattern of patterns) {
        for (const match of code.matchAll(pattern)) {
          const name = match[1]!;
          if (notCalls.has(name) || seen.has(name)) continue;
          seen.add(name);
          const columnNumber = match.index + match[0].indexOf(name);
          const endLine = this.bodyEnd(lineNumber, match.index + match[0].length);
          const fn: ScriptFunction = { name, lineNumber, columnNumber, startLine: lineNumber + 1, endLine, calls: new Set() };
          for (let l = lineNumber; l < endLine; l++) {
            const text = l === lineNumber ? code.slice(match.index + match[0].length) : this.lines[l]!;
            for (const call of callsIn(text)) fn.calls.add(call);
          }
          this.functions.push(fn);
          this.byName.set(name, this.byName.has(name) ? null : fn);
        }
      }
    });
  }

  /** The one-based line of the `}` closing the body that opens after `line`:`column` (the line itself for an expression body). */
  private bodyEnd(line: number, column: number): number {
    let depth = 0;
    let opened = false;
    for (let l = line; l < this.lines.length; l++) {
      const code = this.lines[l]!;
      for (let c = l === line ? column : 0; c < code.length; c++) {
        const ch = code[c];
        if (ch === '{') {
          depth++;
          opened = true;
        } else if (ch === '}') {
          depth--;
          if (opened && depth === 0) return l + 1;
          if (depth < 0) return line + 1;
        } else if (!opened && ch === ';') {
          return line + 1;
        }
      }
    }
    return line + 1;
  }

  /**
   * callLineIn is the one-based line where the function starting at zero-based
   * `lineNumber`:`columnNumber` (a V8 frame's position) calls `callee` by name,
   * when exactly one line of its own body does; calls inside functions nested
   * in it are theirs, not its. Undefined when none or several lines call it.
   */
  callLineIn(lineNumber: number, columnNumber: number, callee: string): number | undefined {
    if (callee === '' || lineNumber < 0 || lineNumber >= this.lines.length) return undefined;
    const end = this.bodyEnd(lineNumber, Math.max(0, columnNumber));
    const nested = this.functions.filter((f) => f.lineNumber > lineNumber && f.endLine <= end);
    let found: number | undefined;
    for (let l = lineNumber; l < end; l++) {
      if (nested.some((f) => l >= f.lineNumber && l < f.endLine)) continue;
      const code = l === lineNumber ? this.lines[l]!.slice(Math.max(0, columnNumber)) : this.lines[l]!;
      if (!callsIn(code).includes(callee)) continue;
      if (found !== undefined) return undefined;
      found = l + 1;
    }
    return found;
  }

  /** declared is the one function declared as `name`, if exactly one is. */
  declared(name: string): ScriptFunction | undefined {
    return this.byName.get(name) ?? undefined;
  }

  /** innermostAt is the function whose body (past its first line) holds one-based `line`, innermost first. */
  innermostAt(line: number): ScriptFunction | undefined {
    let best: ScriptFunction | undefined;
    for (const fn of this.functions) {
      if (line > fn.startLine && line <= fn.endLine && (!best || fn.startLine >= best.startLine)) best = fn;
    }
    return best;
  }

  /** functionAt is the function declared on zero-based `lineNumber` (a V8 frame's), by name when given. */
  functionAt(lineNumber: number, name: string): ScriptFunction | undefined {
    const here = this.functions.filter((f) => f.lineNumber === lineNumber);
    return here.find((f) => f.name === name) ?? (here.length === 1 ? here[0] : undefined);
  }

  /**
   * soleCallOnLine is the name of the one function one-based `line` calls, or
   * undefined when it calls none or more than one (a method call such as
   * `JSON.parse(x)` counts, so lines mixing calls are left alone).
   */
  soleCallOnLine(line: number): string | undefined {
    const code = this.lines[line - 1];
    if (code === undefined || /\bfunction\b|=>/.test(code) || /[)\]]\s*\(/.test(code)) return undefined;
    const calls = callsIn(code);
    return calls.length === 1 ? calls[0] : undefined;
  }

  /**
   * soleCallInOneLineBody is the name of the one function called by the body
   * of the function that starts at one-based `line`, zero-based `column` (an
   * arrow or function expression, as V8 reports it) and ends on that line: in
   * `setInterval(() => tick(n), 25)` the arrow's body calls only `tick`, though
   * the line also calls `setInterval`. Undefined when the body goes on past
   * the line, calls none or several, or nests another function.
   */
  soleCallInOneLineBody(line: number, column: number): string | undefined {
    const code = this.lines[line - 1];
    if (code === undefined || column < 0 || column >= code.length) return undefined;
    const body = oneLineBody(code.slice(column));
    if (body === undefined || /\bfunction\b|=>/.test(body) || /[)\]]\s*\(/.test(body)) return undefined;
    const calls = callsIn(body);
    return calls.length === 1 ? calls[0] : undefined;
  }

  /** callPath is the shortest chain of calls by name from `from` to `to` (both included), if any. */
  callPath(from: ScriptFunction, to: ScriptFunction): ScriptFunction[] | undefined {
    const previous = new Map<ScriptFunction, ScriptFunction | null>([[from, null]]);
    const queue = [from];
    while (queue.length > 0) {
      const fn = queue.shift()!;
      if (fn === to) {
        const path: ScriptFunction[] = [];
        for (let at: ScriptFunction | null = fn; at; at = previous.get(at)!) path.unshift(at);
        return path;
      }
      for (const name of fn.calls) {
        const next = this.declared(name);
        if (next && !previous.has(next)) {
          previous.set(next, fn);
          queue.push(next);
        }
      }
    }
    return undefined;
  }

  /**
   * recover says which inlined function a position tick at one-based `line`,
   * reported under the function declared at zero-based `callerLine` named
   * `callerName`, belongs to; undefined when the tick is the caller's own.
   */
  recover(callerLine: number, callerName: string, line: number, callerColumn = -1): RecoveredCall | undefined {
    const caller = this.functionAt(callerLine, callerName);
    const inside = this.innermostAt(line);
    // A function enclosing the caller (an anonymous callback not found by name, say) holds the
    // caller's own lines: only a function outside the caller, or nested in it, was inlined.
    const enclosesCaller = inside !== undefined && inside.startLine <= callerLine + 1 && callerLine + 1 <= inside.endLine;
    // V8 reports some ticks of code it inlined from another script (a builtin module's function,
    // say) at that script's line: a line outside the caller and outside any function here is one.
    if (caller && !inside && (line < caller.startLine || line > caller.endLine)) return { frames: [], lineKnown: false };
    if (inside && inside !== caller && !enclosesCaller) {
      // The line is another function's: the caller inlined it, through the calls that lead there.
      const path = caller ? this.callPath(caller, inside) : undefined;
      return { frames: path ? path.slice(1).reverse() : [inside], lineKnown: true };
    }
    // A callback written on one line (`setInterval(() => tick(), 25)`) shares its line with its
    // caller's calls: only the callback's own body says which function it called.
    const called = line === callerLine + 1 && callerColumn >= 0 ? this.soleCallInOneLineBody(line, callerColumn) : this.soleCallOnLine(line);
    const callee = called !== undefined ? this.declared(called) : undefined;
    if (!callee || callee === caller) return undefined;
    return { frames: [callee], lineKnown: false };
  }
}

/**
 * oneLineBody is the body of the function whose text starts `text` (its
 * parameters, then `=>` or `{`), when the body ends within `text`: a block's
 * inside, or an arrow's expression up to the `,`, `;` or closing bracket that
 * ends it. Undefined when the body is not closed on the line.
 */
function oneLineBody(text: string): string | undefined {
  let depth = 0;
  let at = 0;
  // Skip the parameters (balanced brackets) to the `=>` or `{` that opens the body.
  for (; at < text.length; at++) {
    const ch = text[at]!;
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (depth === 0 && (ch === '{' || text.startsWith('=>', at))) break;
  }
  if (at >= text.length) return undefined;
  const block = text[at] === '{' || /^=>\s*\{/.test(text.slice(at));
  const start = block ? text.indexOf('{', at) + 1 : at + 2;
  depth = 0;
  for (let c = start; c < text.length; c++) {
    const ch = text[c]!;
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) return block && ch !== '}' ? undefined : text.slice(start, c);
      depth--;
    } else if (!block && depth === 0 && (ch === ',' || ch === ';')) return text.slice(start, c);
  }
  return block ? undefined : text.slice(start);
}
