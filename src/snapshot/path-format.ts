import type { HeapSnapshot } from './heap-snapshot.js';
import { type RetainerStep, retainerTreeOf } from './retainer-paths.js';

/**
 * nodeLabel names a node the way a reader of a retainer path needs it:
 * objects by constructor, functions as `name()`, V8's synthetic roots by
 * their own names ("(GC roots)"), everything else by its kind.
 */
export function nodeLabel(snapshot: HeapSnapshot, n: number): string {
  const t = snapshot.nodeType[n]!;
  const types = snapshot.types;
  if (t === types.synthetic) return snapshot.nameOf(n) || '(root)';
  if (t === types.closure) {
    const name = snapshot.nameOf(n);
    return name ? `${name}()` : '(anonymous)()';
  }
  if (t === types.hidden) return snapshot.nameOf(n) || '(system)';
  return snapshot.classNameOf(n);
}

/** PathFormat tunes formatRetainerPath. */
export interface PathFormat {
  /**
   * Replace element indexes by `[]`, so paths through different slots of one
   * collection read the same: that makes the text a grouping key (signature).
   */
  generalize?: boolean;
}

/**
 * formatRetainerPath renders a retainer path (root first) as
 * `global.resolver → CgroupResolver.cache → Map → (sliced string).parent → (string)`.
 *
 * V8's plumbing is folded into the object that owns it: an internal edge to
 * a backing store (a Map's hash table, an object's elements or properties, a
 * closure's context) does not appear as a hop of its own, because that is
 * not what the user wrote. The root itself is not shown.
 */
export function formatRetainerPath(snapshot: HeapSnapshot, steps: readonly RetainerStep[], format: PathFormat = {}): string {
  if (steps.length === 0) return '(root)';
  // V8 14's user root is the native context: its global object starts the path, as on earlier V8.
  const first = steps.length > 1 && entersGlobalFromContext(snapshot, steps[1]!, steps[0]!.edge) ? 1 : 0;
  const parts: string[] = [];
  let label = nodeLabel(snapshot, steps[first]!.to);
  let holderIsSynthetic = snapshot.nodeType[steps[first]!.to] === snapshot.types.synthetic;
  for (let i = first + 1; i < steps.length; i++) {
    const step = steps[i]!;
    if (isPlumbing(snapshot, step)) continue;
    if (!holderIsSynthetic) label += edgeSuffix(snapshot, step.edge, format.generalize ?? false);
    parts.push(label);
    label = nodeLabel(snapshot, step.to);
    holderIsSynthetic = snapshot.nodeType[step.to] === snapshot.types.synthetic;
  }
  parts.push(label);
  return parts.join(' → ');
}

/**
 * entersGlobalFromContext tells whether `step` goes from a native context the
 * root points at (V8 14+: `rootEdge` is that pointer) to its global object.
 */
function entersGlobalFromContext(snapshot: HeapSnapshot, step: RetainerStep, rootEdge: number): boolean {
  return (
    snapshot.ownerOf(rootEdge) === snapshot.rootOrdinal &&
    snapshot.nodeType[step.from] === snapshot.types.hidden &&
    snapshot.isNativeContext(step.from) &&
    snapshot.edgeNameOf(step.edge) === 'global_object'
  );
}

/** isPlumbing tells whether a step only enters one of V8's backing stores. */
function isPlumbing(snapshot: HeapSnapshot, step: RetainerStep): boolean {
  const types = snapshot.types;
  const et = snapshot.edgeType[step.edge]!;
  if (et !== types.edgeInternal && et !== types.edgeHidden) return false;
  const nt = snapshot.nodeType[step.to]!;
  return nt === types.hidden || nt === types.array || nt === types.objectShape;
}

function edgeSuffix(snapshot: HeapSnapshot, edge: number, generalize: boolean): string {
  const types = snapshot.types;
  const et = snapshot.edgeType[edge]!;
  if (et === types.edgeElement) return generalize ? '[]' : `[${snapshot.edgeNameOrIndex[edge]}]`;
  if (et === types.edgeHidden) return '';
  const name = snapshot.edgeNameOf(edge);
  // Internal edges named by a number are slots of a backing store: not informative.
  if (et === types.edgeInternal && /^\d+$/.test(name)) return '';
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name.length > 40 ? name.slice(0, 40) + '…' : name)}]`;
}

/**
 * PathSignatures formats the shortest retainer path of many nodes, as
 * formatRetainerPath(retainerPath(node)) would, sharing the work of common
 * prefixes: a formatting state (the finished text and the holder waiting for
 * its outgoing edge) is interned once and nodes only point at it, so the
 * paths of a million objects in one Map cost one path's formatting and an
 * integer each. Equal paths get equal ids, which makes grouping by path cheap.
 */
export class PathSignatures {
  /** Per node: its path's state id; -1 not computed yet, -2 no path (root, unreachable). */
  private readonly stateOfNode: Int32Array;
  private readonly done: string[] = [];
  private readonly label: string[] = [];
  private readonly synthetic: boolean[] = [];
  /** Texts by canonical id, and the canonical id of each state (states of equal text share one). */
  private readonly texts: string[] = [];
  private readonly textIds = new Map<string, number>();
  private readonly canonical: (number | undefined)[] = [];
  private readonly interned = new Map<string, number>();
  private readonly parentEdge: Int32Array;
  private readonly suffixes: string[] = [];
  private readonly suffixTexts = new Map<string, number>();
  private readonly suffixIds = new Map<number, number>();
  private readonly labelTexts = new Map<string, number>();
  private readonly labelIds = new Map<number, number>();

  constructor(private readonly snapshot: HeapSnapshot, private readonly format: PathFormat = {}) {
    this.parentEdge = retainerTreeOf(snapshot).parentEdge;
    this.stateOfNode = new Int32Array(snapshot.nodeCount).fill(-1);
  }

  /** of returns the formatted shortest retainer path of `node`. */
  of(node: number): string {
    return this.textOf(this.idOf(node));
  }

  /** idOf returns a number that is equal exactly for nodes whose paths format the same; textOf turns it into the text. */
  idOf(node: number): number {
    const state = this.stateOf(node);
    if (state < 0) return -1;
    let id = this.canonical[state];
    if (id === undefined) {
      const text = this.done[state] ? `${this.done[state]} → ${this.label[state]}` : this.label[state]!;
      id = this.textIds.get(text);
      if (id === undefined) {
        id = this.texts.length;
        this.texts.push(text);
        this.textIds.set(text, id);
      }
      this.canonical[state] = id;
    }
    return id;
  }

  /** textOf renders an id from idOf. */
  textOf(id: number): string {
    return id < 0 ? '(root)' : this.texts[id]!;
  }

  private stateOf(node: number): number {
    const s = this.snapshot;
    const memo = this.stateOfNode;
    if (memo[node]! !== -1) return memo[node]!;
    // Walk up to the first node whose state is known, then fold the steps back down.
    const chain: number[] = [];
    let top = node;
    while (memo[top]! === -1) {
      if (this.parentEdge[top]! < 0) {
        memo[top] = -2;
        break;
      }
      chain.push(top);
      top = s.ownerOf(this.parentEdge[top]!);
    }
    let state = memo[top]!;
    for (let i = chain.length - 1; i >= 0; i--) {
      const to = chain[i]!;
      const step = { from: i === chain.length - 1 ? top : chain[i + 1]!, edge: this.parentEdge[to]!, to };
      const intoFrom = this.parentEdge[step.from]!;
      if (state === -2 || (intoFrom >= 0 && entersGlobalFromContext(s, step, intoFrom))) {
        state = this.intern(`first,${this.labelId(to)}`, '', to);
      } else if (!isPlumbing(s, step)) {
        // A synthetic holder shows no edge name, so its edges must not split states.
        const suffix = this.synthetic[state] ? -1 : this.suffixId(step.edge);
        const key = `${state},${suffix},${this.labelId(to)}`;
        const known = this.interned.get(key);
        if (known !== undefined) state = known;
        else {
          const finished = suffix < 0 ? this.label[state]! : this.label[state]! + this.suffixes[suffix]!;
          state = this.intern(key, this.done[state] ? `${this.done[state]} → ${finished}` : finished, to);
        }
      }
      memo[to] = state;
    }
    return memo[node]!;
  }

  /** suffixId numbers the distinct texts an edge adds to a path (".cache", "[]", …). */
  private suffixId(edge: number): number {
    const s = this.snapshot;
    const et = s.edgeType[edge]!;
    const name = this.format.generalize && et === s.types.edgeElement ? 0 : s.edgeNameOrIndex[edge]!;
    const key = name * 256 + et;
    let id = this.suffixIds.get(key);
    if (id === undefined) {
      const text = edgeSuffix(s, edge, this.format.generalize ?? false);
      id = this.suffixTexts.get(text);
      if (id === undefined) {
        id = this.suffixes.length;
        this.suffixes.push(text);
        this.suffixTexts.set(text, id);
      }
      this.suffixIds.set(key, id);
    }
    return id;
  }

  /** labelId numbers the distinct node labels (nodes of one type and name share one). */
  private labelId(n: number): number {
    const s = this.snapshot;
    const key = s.nodeName[n]! * 256 + s.nodeType[n]!;
    let id = this.labelIds.get(key);
    if (id === undefined) {
      const text = nodeLabel(s, n);
      id = this.labelTexts.get(text);
      if (id === undefined) {
        id = this.labelTexts.size;
        this.labelTexts.set(text, id);
      }
      this.labelIds.set(key, id);
    }
    return id;
  }

  private intern(key: string, done: string, to: number): number {
    const known = this.interned.get(key);
    if (known !== undefined) return known;
    const id = this.done.length;
    this.done.push(done);
    this.label.push(nodeLabel(this.snapshot, to));
    this.synthetic.push(this.snapshot.nodeType[to] === this.snapshot.types.synthetic);
    this.interned.set(key, id);
    return id;
  }
}
