import type { GrowthReport } from './growth-report.js';
import { conclusion, formatBytes, frameName } from './format-growth.js';
import type { HeldMemory, Holder } from './holders.js';
import { type AllocationFrame, isApplicationFrame } from '../snapshot/allocation-traces.js';

/** shortPath keeps the last hops of a long retainer path: where it ends is what a person fixes. */
export function shortPath(path: string, hops = 5): string {
  const parts = path.split(' → ');
  return parts.length <= hops ? path : `… → ${parts.slice(-hops).join(' → ')}`;
}

/** formatHeldMemory renders the snapshots' side: per growing site what holds its memory, then the largest collections and new objects. */
export function formatHeldMemory(held: HeldMemory): string {
  const lines: string[] = ['', 'Why it is held (heap snapshots at the start and end of the watch):'];
  if (held.sites.length === 0 && !held.external) lines.push('  no growing site to explain');
  if (held.external) {
    lines.push(`  memory outside the V8 heap (external strings, Buffers; +${formatBytes(held.external.gainedBytes)} over the watch):`);
    if (held.external.holders.length === 0) lines.push('      no leak signature or new objects that account for it in the snapshots');
    for (const holder of held.external.holders) lines.push(...formatHolder(holder));
  }
  for (const site of held.sites) {
    lines.push(`  ${frameName(site.site)} (objects of ~${formatBytes(site.objectBytes)}):`);
    if (site.holders.length === 0) lines.push('      no leak signature or new objects of that size in the snapshots');
    for (const holder of site.holders) lines.push(...formatHolder(holder));
  }
  const unmatched = held.accumulations.filter((a) => !held.sites.some((s) => s.holders.includes(a)) && !held.external?.holders.includes(a));
  if (unmatched.length > 0) {
    lines.push('', 'Where new objects accumulate (owners of what grew, not matched to a site):');
    for (const holder of unmatched.slice(0, 3)) lines.push(...formatHolder(holder));
  }
  if (held.collections.length > 0) {
    lines.push('', 'Largest collections at the end:');
    for (const c of held.collections.slice(0, 3)) {
      lines.push(`  ${formatBytes(c.retainedSize).padStart(9)} ${c.kind} of ${c.entries} entries  ${shortPath(c.path)}`);
    }
  }
  if (held.newObjects.groups.length > 0) {
    lines.push('', `New since the first snapshot and still alive: ${held.newObjects.count} objects, ${formatBytes(held.newObjects.bytes)}; largest groups:`);
    for (const g of held.newObjects.groups.slice(0, 3)) {
      lines.push(`  ${formatBytes(g.shallowSize).padStart(9)} ${g.count} × ${g.className}  ${shortPath(g.path)}`);
    }
  }
  if (held.files) lines.push('', `Snapshots kept: ${held.files.start} ${held.files.end} (explore with tsprof snapshot)`);
  return lines.join('\n') + '\n';
}

/** formatHolder is one holder as the report prints it: who holds what, its path, and the fix. */
export function formatHolder(h: Holder): string[] {
  const out = [`      held by ${holderPhrase(h)}${h.kind === 'accumulation' ? '' : ` (${formatBytes(h.bytes)})`}`];
  out.push(`        path: ${shortPath(h.path)}`);
  if (h.allocatedIn) {
    const share = h.allocatedIn.share >= 0.995 ? 'all' : `${(h.allocatedIn.share * 100).toFixed(0)}%`;
    const untracked = h.allocatedIn.untrackedBytes > 0 ? `; ${formatBytes(h.allocatedIn.untrackedBytes)} more with no stack recorded` : '';
    out.push(`        allocated in: ${allocationPhrase(h.allocatedIn.stack)} (${share} of the new memory it holds whose stack V8 recorded, ${formatBytes(h.allocatedIn.bytes)}${untracked}; allocation tracking)`);
  }
  if (h.newSinceStart && h.kind === 'sliced-strings') out.push(`        new since the first snapshot: ${h.newSinceStart.count} of them, ${formatBytes(h.newSinceStart.bytes)}`);
  if (h.remedy) out.push(`        fix: ${h.remedy}`);
  return out;
}

/**
 * heldConclusion is the one-line answer with the why: "in-use memory
 * allocated in X grows N/min; it is held by Y through Z: fix".
 */
export function heldConclusion(growth: GrowthReport, held: HeldMemory): string {
  const base = conclusion(growth);
  const top = held.sites[0];
  const holder =
    top?.holders[0] ??
    (growth.growing.length === 0 ? (held.external?.holders[0] ?? (growth.total.verdict.kind === 'growing' ? held.accumulations[0] : undefined)) : undefined);
  if (!holder) return base;
  // Allocation tracking names the site the heap profile could not (memory outside the V8 heap).
  const named = holder.allocatedIn ? base.replace("V8's heap profile does not sample it, so no allocation site is named", `allocated in ${allocationPhrase(holder.allocatedIn.stack)} (named by allocation tracking; V8's heap profile does not sample it)`) : base;
  // The remedy's first clause is the action; the rest (examples) is in the full report.
  const fix = holder.remedy ? `: ${holder.remedy.split(/ \(|, so /)[0]}` : '';
  return `${named.replace(/\.$/, '')}; it is held by ${holderPhrase(holder)}${fix}.`;
}

/** holderPhrase says what holds what: "X through N sliced-string keys of 32B that keep N strings of 1MB alive". */
export function holderPhrase(h: Holder): string {
  if (h.kind === 'sliced-strings') {
    return `${h.holder}${h.through ? ` through ${h.through}` : ''} that keep ${h.count} strings of ${formatBytes(h.objectBytes)} alive`;
  }
  if (h.kind === 'accumulation' && h.accumulation) {
    const a = h.accumulation;
    const gained = `+${formatBytes(h.bytes)} since the first snapshot`;
    if (a.what === 'Promise') return `${h.holder}, a promise that has not settled (${a.entriesNow} reactions wait on it, ~${formatBytes(a.entryBytes)} each; ${gained})`;
    if (a.holderKind === 'timer') return `${h.holder} (${gained})`;
    // V8's own kinds read as words: "(concatenated string)" is a concatenated string.
    const kind = /^\(.*\)$/.test(a.what) ? a.what.slice(1, -1) : a.what;
    const what = /^[A-Z]/.test(a.what) || kind !== a.what ? `${/^[AEIOUaeiou]/.test(kind) ? 'an' : 'a'} ${kind}` : a.what;
    const plural = a.entriesNow === 1 ? 'entry' : 'entries';
    const entries = a.entriesThen !== undefined ? `${a.entriesThen} → ${a.entriesNow} ${plural}` : `${a.entriesNow} ${plural}, new since the first snapshot`;
    const field = a.entryField ? `, mostly in .${a.entryField}` : '';
    const each = a.entryClass ? ` of ${a.entryClass.replace(/^system \/ /, '')} ~${formatBytes(a.entryBytes)}${field}` : '';
    return `${h.holder} (${what}, ${entries}${each}; +${formatBytes(h.bytes)} since the first snapshot)`;
  }
  return `${h.holder}, which gained ${h.count} objects of ${formatBytes(h.objectBytes)} since the first snapshot`;
}

/**
 * allocationPhrase names an allocating stack as a person reads it: the first
 * frame of the application (not Node's own code or V8's builtins) with its
 * place, what it called to allocate and who called it:
 * "parseContainerMetricsResponse (metrics-fetcher.ts:156) via toString, called from fetchLoop".
 */
export function allocationPhrase(stack: readonly AllocationFrame[]): string {
  const isApp = isApplicationFrame;
  const at = stack.findIndex(isApp);
  if (at < 0) return stack.length > 0 ? `${stack[0]!.functionName || '(anonymous)'} (no application frame on the stack)` : '(unknown)';
  const site = stack[at]!;
  const where = `${site.scriptName.replace(/^file:\/\//, '').split('/').slice(-2).join('/')}${site.line > 0 ? `:${site.line}` : ''}`;
  const via = at > 0 ? ` via ${stack[at - 1]!.functionName || '(anonymous)'}` : '';
  const caller = stack.slice(at + 1).find(isApp);
  return `${site.functionName || '(anonymous)'} (${where})${via}${caller ? `, called from ${caller.functionName || '(anonymous)'}` : ''}`;
}
