import type { HeapSnapshot } from './heap-snapshot.js';
import { nodeLabel } from './path-format.js';
import { retainerTreeOf } from './retainer-paths.js';

/** HolderName says who holds an object, as the user wrote it. */
export interface HolderName {
  /** "module variable `sessionIndex`", "`ConnectionPool.idle`", "`orderBus` 'order' listeners", … */
  text: string;
  kind: 'module variable' | 'closure variable' | 'field' | 'listeners' | 'timer' | 'promise' | 'global' | 'object';
  /** The variable, or field, chain from the named root: `sessionIndex`, `state.tenants`, `ConnectionPool.idle`. */
  expression: string;
  /** The script that declares the variable (its URL or path), when the snapshot tells. */
  file?: string;
  /** The function whose closure holds the variable, or the timer's callback. */
  functionName?: string;
  /** The chain from the named root to the object, root first, as read: `sessionIndex → Map`. */
  path: string;
  /** The snapshot ids of the objects `path` names, in its order, when each step is one object. */
  pathIds?: number[];
  /** With pathIds: the edge from each object to the next (`registry`, `[]`, `table`), one fewer. */
  pathEdges?: string[];
}

/** One hop up from an object to what holds it. */
interface Hop {
  from: number;
  edge: number;
}

const maxHops = 12;

/**
 * nameHolder names what holds node `target` the way its author would: it
 * walks up the references, at each object preferring the one a person wrote
 * (a variable of a closure or module scope, then a named property, then an
 * element) over V8's and Node's plumbing, and only towards the roots (each hop
 * is to an object nearer to them), until it reaches a variable. Passing a
 * Timeout, an EventEmitter's `_events` or a Promise on the way says which kind
 * of holder it is.
 */
export function nameHolder(snapshot: HeapSnapshot, target: number): HolderName {
  if (snapshot.nameOf(target) === 'TimersList') {
    const timers = nameTimerList(snapshot, target);
    if (timers) return timers;
  }
  const { distance } = retainerTreeOf(snapshot);
  const { firstRetainer, retainerEdge, retainerNode } = snapshot.retainers();
  const types = snapshot.types;
  const hops: Hop[] = [];
  let at = target;
  const seen = new Set<number>([target]);
  let exported: { name: string; file?: string } | undefined;
  for (let i = 0; i < maxHops; i++) {
    // An ES module's exported variable lives in a Cell of the module's export table, named there.
    if (snapshot.nameOf(at) === 'system / Cell' && (exported = exportBinding(snapshot, at))) break;
    let best: Hop | undefined;
    let bestScore = Infinity;
    for (let r = firstRetainer[at]!; r < firstRetainer[at + 1]!; r++) {
      const from = retainerNode[r]!;
      const edge = retainerEdge[r]!;
      if (seen.has(from) || distance[from]! < 0 || distance[from]! >= distance[at]!) continue;
      if (!snapshot.isEssentialEdge(from, edge)) continue;
      const score = edgeScore(snapshot, from, edge) * 1000 + distance[from]!;
      if (score < bestScore) {
        bestScore = score;
        best = { from, edge };
      }
    }
    if (!best) break;
    hops.push(best);
    seen.add(best.from);
    at = best.from;
    if (snapshot.edgeType[best.edge] === types.edgeContext && !isNativeContext(snapshot, best.from)) break;
    if (snapshot.nodeType[best.from] === types.synthetic) break;
  }
  return describe(snapshot, target, hops, exported);
}

/**
 * exportBinding names a module's exported variable from its Cell: V8 keeps a
 * module's exports in a table of [name, Cell] slots, so the slot before the
 * Cell's holds the name. The file is that of a function the module exports.
 */
function exportBinding(snapshot: HeapSnapshot, cell: number): { name: string; file?: string } | undefined {
  const { firstRetainer, retainerEdge, retainerNode } = snapshot.retainers();
  for (let r = firstRetainer[cell]!; r < firstRetainer[cell + 1]!; r++) {
    const table = retainerNode[r]!;
    const slot = Number(snapshot.edgeNameOf(retainerEdge[r]!));
    if (snapshot.nodeType[table] !== snapshot.types.array || !Number.isInteger(slot)) continue;
    let name: string | undefined;
    let file: string | undefined;
    for (let e = snapshot.firstEdge[table]!; e < snapshot.firstEdge[table + 1]!; e++) {
      const to = snapshot.edgeToNode[e]!;
      const at = Number(snapshot.edgeNameOf(e));
      if (at === slot - 1 && snapshot.isString(to)) name = snapshot.nameOf(to);
      if (file === undefined && snapshot.nameOf(to) === 'system / Cell') {
        const value = childNamed(snapshot, to, 'value');
        if (value !== undefined && snapshot.nodeType[value] === snapshot.types.closure) file = scriptOf(snapshot, value);
      }
    }
    if (name !== undefined && /^[A-Za-z_$][\w$]*$/.test(name)) return { name, ...(file ? { file } : {}) };
  }
  return undefined;
}

function childNamed(snapshot: HeapSnapshot, n: number, name: string): number | undefined {
  for (let e = snapshot.firstEdge[n]!; e < snapshot.firstEdge[n + 1]!; e++) if (snapshot.edgeNameOf(e) === name) return snapshot.edgeToNode[e]!;
  return undefined;
}

/** Lower is better: what a person wrote first, V8's plumbing last. */
function edgeScore(snapshot: HeapSnapshot, from: number, edge: number): number {
  const types = snapshot.types;
  const et = snapshot.edgeType[edge]!;
  const ft = snapshot.nodeType[from]!;
  if (et === types.edgeContext) return 0;
  if (et === types.edgeProperty && (ft === types.object || ft === types.closure)) return isNodeInternal(snapshot, from) ? 3 : 1;
  if (et === types.edgeElement && ft === types.object) return 2;
  if (et === types.edgeInternal || et === types.edgeHidden) return ft === types.hidden || ft === types.array ? 2.5 : 4;
  return 5;
}

/** Objects Node keeps for itself (its process object, module loader, timers' lists) are no one's variable. */
function isNodeInternal(snapshot: HeapSnapshot, n: number): boolean {
  const name = snapshot.nameOf(n);
  return name === 'process' || name === 'Module' || name === 'TimersList' || name === 'PriorityQueue';
}

function isNativeContext(snapshot: HeapSnapshot, n: number): boolean {
  return snapshot.isNativeContext(n);
}

function describe(snapshot: HeapSnapshot, target: number, hops: Hop[], exported: { name: string; file?: string } | undefined): HolderName {
  const types = snapshot.types;
  // Names along the way, root side first; plumbing (a store's numbered slots) adds nothing.
  const names: string[] = exported ? [exported.name] : [];
  let variable: { name: string; context: number } | undefined;
  let timer: number | undefined;
  let emitterEvent: string | undefined;
  let emitterNode: number | undefined;
  let promise = false;
  for (let i = hops.length - 1; i >= 0; i--) {
    const { from, edge } = hops[i]!;
    const et = snapshot.edgeType[edge]!;
    const name = snapshot.edgeNameOf(edge);
    if (snapshot.nameOf(from) === 'Timeout') timer ??= from;
    if (snapshot.classNameOf(from) === 'Promise' || snapshot.nameOf(from) === 'system / PromiseReaction') promise = true;
    if (et === types.edgeContext && !isNativeContext(snapshot, from)) {
      variable = { name, context: from };
      names.length = 0;
      names.push(name);
      continue;
    }
    if (et === types.edgeProperty) {
      if (name === '_events' && i > 0) {
        emitterEvent = snapshot.edgeNameOf(hops[i - 1]!.edge);
        emitterNode = from;
      } else if (name === '<symbol kEvents>') {
        // An EventTarget's (AbortSignal's) listeners: a Map by event type, each a linked list.
        emitterEvent = '';
        names.push('<events>');
        continue;
      }
      names.push(/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));
    } else if (et === types.edgeElement) {
      names.push('[]');
    }
  }
  const path = [...hops].reverse().map((h) => nodeLabel(snapshot, h.from)).concat(nodeLabel(snapshot, target)).join(' → ');
  const pathIds = [...hops].reverse().map((h) => snapshot.nodeId[h.from]!).concat(snapshot.nodeId[target]!);
  // Edges a reader can name: fields, variables, elements; a root's links and hidden slots are left blank.
  const pathEdges = [...hops].reverse().map((h) => {
    const et = snapshot.edgeType[h.edge]!;
    if (snapshot.nodeType[h.from] === types.synthetic || et === types.edgeHidden || et === types.edgeShortcut) return '';
    return et === types.edgeElement ? '[]' : snapshot.edgeNameOf(h.edge);
  });
  const where = variable ? scopeOf(snapshot, variable.context) : exported ? { module: true, ...(exported.file ? { file: exported.file } : {}) } : undefined;
  const expression = joinExpression(names);
  // The field of the innermost instance of a class the user wrote, on the way: `ConnectionPool.idle`;
  // or a static field, a property of the class (a named function) itself: `JobRunner.history`.
  // The global object is no class the user wrote: a chain from it reads as the expression the code uses,
  // `global.benchState.reportCache`, not as a field of "class global". The links between an instance,
  // its prototype and its class are no field.
  const isGlobal = (n: number) => snapshot.nodeType[n] === types.object && snapshot.classNameOf(n) === 'global';
  const isStaticOwner = (n: number) => snapshot.nodeType[n] === types.closure && /^[A-Za-z_$][\w$]*$/.test(snapshot.nameOf(n)) && !isNodeInternal(snapshot, n);
  const fieldHop = hops.find((h) => {
    if (snapshot.edgeType[h.edge] !== types.edgeProperty || prototypeLinks.has(snapshot.edgeNameOf(h.edge))) return false;
    if (isStaticOwner(h.from)) return true;
    return snapshot.nodeType[h.from] === types.object && !isPlainClass(snapshot.classNameOf(h.from)) && !isGlobal(h.from) && snapshot.edgeNameOf(h.edge) !== '_events' && snapshot.edgeNameOf(h.edge) !== '<symbol kEvents>';
  });
  const fieldOwner = (n: number) => (snapshot.nodeType[n] === types.closure ? snapshot.nameOf(n) : snapshot.classNameOf(n));
  const field = fieldHop ? `${fieldOwner(fieldHop.from)}.${snapshot.edgeNameOf(fieldHop.edge)}` : undefined;
  const fromGlobal = hops.some((h) => isGlobal(h.from)) && expression !== '' && !expression.startsWith('[');
  const shown = variable || exported ? expression : (field ?? (fromGlobal ? `global.${expression}` : expression));
  const base = { expression: shown, path, pathIds, pathEdges, ...(where?.file ? { file: where.file } : {}), ...(where?.functionName ? { functionName: where.functionName } : {}) };
  // Node's own modules are no place to look for the code (a listener list of `process` is reached through one).
  const file = where?.file && !where.file.startsWith('node:') ? ` in ${shortFile(where.file)}` : '';
  if (emitterEvent !== undefined) {
    // Node's process object is `process` to the app, whichever of Node's own variables the path went through.
    const emitter = emitterNode !== undefined && snapshot.nameOf(emitterNode) === 'process' ? 'process' : shown.replace(/\.(_events|<events>)(\..*|\[.*)?$/, '');
    const event = emitterEvent === '' ? '' : ` '${emitterEvent}'`;
    return { ...base, kind: 'listeners', text: `\`${emitter}\`${event} listeners${file}` };
  }
  if (timer !== undefined) {
    const callback = timerCallback(snapshot, timer);
    return { ...base, kind: 'timer', text: `a timer${callback ? ` whose callback ${callback}` : ''} still scheduled, holding \`${shown}\``, ...(callback ? { functionName: callback } : {}) };
  }
  if (promise) return { ...base, kind: 'promise', text: `a promise that has not settled, whose reactions hold \`${shown}\`` };
  if (variable || exported) {
    const kind = where?.module ? 'module variable' : 'closure variable';
    const inside = !where?.module && where?.functionName ? ` inside ${where.functionName}()` : '';
    const root = names[0] ?? expression;
    const scoped = `${kind} \`${root}\`${inside}${file}`;
    if (field && names.length > 1) return { ...base, kind: 'field', text: `\`${field}\` (${scoped})` };
    return { ...base, kind, text: names.length > 1 ? `\`${expression}\` (${scoped})` : scoped };
  }
  if (shown !== '') return { ...base, kind: 'field', text: `\`${shown}\`` };
  return { ...base, kind: 'object', text: nodeLabel(snapshot, target) };
}

/** joinExpression writes names from the root as the code would: `a.b`, `a[]`, `a["odd key"]`. */
function joinExpression(names: string[]): string {
  let out = '';
  for (const name of names) {
    if (out === '') out = name;
    else if (name === '[]') out += '[]';
    else if (name.startsWith('"')) out += `[${name}]`;
    else out += `.${name}`;
  }
  return out;
}

/** The properties that link an instance, its prototype and its class. */
const prototypeLinks = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainClass(name: string): boolean {
  return name === 'Object' || name === 'Array' || name === 'Map' || name === 'Set' || name === '' || name.startsWith('system /');
}

function shortFile(file: string): string {
  const clean = file.replace(/^file:\/\//, '');
  const parts = clean.split('/');
  return parts.slice(-2).join('/');
}

/** scopeOf tells whether a context is a module's (or script's) scope, and which function and file use it. */
function scopeOf(snapshot: HeapSnapshot, context: number): { module: boolean; functionName?: string; file?: string } {
  let module = false;
  let functionName: string | undefined;
  let file: string | undefined;
  for (let e = snapshot.firstEdge[context]!; e < snapshot.firstEdge[context + 1]!; e++) {
    if (snapshot.edgeNameOf(e) === 'previous') module = isNativeContext(snapshot, snapshot.edgeToNode[e]!) || snapshot.nameOf(snapshot.edgeToNode[e]!).includes('ScriptContext');
  }
  const { firstRetainer, retainerEdge, retainerNode } = snapshot.retainers();
  for (let r = firstRetainer[context]!; r < firstRetainer[context + 1]!; r++) {
    const from = retainerNode[r]!;
    if (snapshot.nodeType[from] !== snapshot.types.closure || snapshot.edgeNameOf(retainerEdge[r]!) !== 'context') continue;
    functionName ??= snapshot.nameOf(from) || undefined;
    file ??= scriptOf(snapshot, from);
    if (functionName && file) break;
  }
  return { module, ...(functionName ? { functionName } : {}), ...(file ? { file } : {}) };
}

/**
 * scriptOf is the URL of the script a closure's code comes from: closure →
 * shared → script (V8 names the script node by its URL; older V8 links it as
 * `script_or_debug_info`, newer ones give it a `name` string).
 */
function scriptOf(snapshot: HeapSnapshot, closure: number): string | undefined {
  const shared = childNamed(snapshot, closure, 'shared');
  if (shared === undefined) return undefined;
  const script = childNamed(snapshot, shared, 'script_or_debug_info') ?? childNamed(snapshot, shared, 'script');
  if (script === undefined) return undefined;
  const own = snapshot.nameOf(script);
  if (/^(file:|node:|\/)/.test(own)) return own;
  const name = childNamed(snapshot, script, 'name');
  if (name === undefined || !snapshot.isString(name)) return undefined;
  const text = snapshot.nameOf(name);
  return text === '' ? undefined : text;
}

/**
 * nameTimerList names one of Node's timer lists (the Timeouts due at one
 * duration, linked through `_idleNext`) by the callback most of them run.
 */
function nameTimerList(snapshot: HeapSnapshot, list: number): HolderName | undefined {
  const callbacks = new Map<string, { count: number; closure: number }>();
  let timers = 0;
  for (let at = childNamed(snapshot, list, '_idleNext'); at !== undefined && at !== list && timers < 1_000_000; at = childNamed(snapshot, at, '_idleNext')) {
    if (snapshot.nameOf(at) !== 'Timeout') break;
    timers++;
    const fn = childNamed(snapshot, at, '_onTimeout');
    if (fn === undefined || snapshot.nodeType[fn] !== snapshot.types.closure) continue;
    const name = snapshot.nameOf(fn) || '(anonymous)';
    const known = callbacks.get(name) ?? { count: 0, closure: fn };
    known.count++;
    callbacks.set(name, known);
  }
  const [name, most] = [...callbacks].sort((a, b) => b[1].count - a[1].count)[0] ?? [];
  if (name === undefined || most === undefined) return undefined;
  const file = scriptOf(snapshot, most.closure);
  return {
    kind: 'timer',
    text: `\`setInterval\`/\`setTimeout\` callback \`${name}\`${file ? ` in ${shortFile(file)}` : ''}: ${timers} timers still scheduled (${most.count} of them run it), never cleared`,
    expression: name,
    functionName: name,
    ...(file ? { file } : {}),
    path: `TimersList → Timeout._onTimeout → ${name}()`,
  };
}

/** timerCallback names a Timeout's callback function. */
function timerCallback(snapshot: HeapSnapshot, timeout: number): string | undefined {
  const fn = childNamed(snapshot, timeout, '_onTimeout');
  return fn !== undefined && snapshot.nodeType[fn] === snapshot.types.closure ? snapshot.nameOf(fn) || '(anonymous)' : undefined;
}
