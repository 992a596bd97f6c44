import type { HeapSnapshot } from './heap-snapshot.js';
import type { RetainerStep } from './retainer-paths.js';

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
  const parts: string[] = [];
  let label = nodeLabel(snapshot, steps[0]!.to);
  let holderIsSynthetic = snapshot.nodeType[steps[0]!.to] === snapshot.types.synthetic;
  for (let i = 1; i < steps.length; i++) {
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
