import { TsprofError } from '../errors.js';
import type { Profile } from './profile.js';

/**
 * validateProfile checks what pprof's CheckValid checks, on our layout:
 * value counts match the sample types, every reference points into its
 * table, ids are unique and non-zero. Throws TsprofError on the first problem.
 */
export function validateProfile(p: Profile): void {
  const s = p.samples;
  if (s.count > 0 && p.sampleTypes.length === 0) throw new TsprofError('missing sample type information');
  if (s.valueCount !== p.sampleTypes.length) throw new TsprofError(`mismatch: samples have ${s.valueCount} values vs. ${p.sampleTypes.length} types`);
  if (s.values.length !== s.count * s.valueCount) throw new TsprofError('sample values table has the wrong size');
  if (s.locationStarts.length !== s.count + 1) throw new TsprofError('sample location table has the wrong size');
  const nloc = p.locations.length;
  const idx = s.locationIndexes;
  for (let j = 0; j < idx.length; j++) {
    if (idx[j]! >= nloc) throw new TsprofError(`sample refers to location index ${idx[j]} of ${nloc}`);
  }
  const mappings = new Set(p.mappings);
  const functions = new Set(p.functions);
  checkIds(p.mappings, 'mapping');
  checkIds(p.functions, 'function');
  checkIds(p.locations, 'location');
  for (const l of p.locations) {
    if (l.mapping && !mappings.has(l.mapping)) throw new TsprofError(`location id ${l.id} has a mapping not in the profile`);
    for (const ln of l.lines) {
      if (!functions.has(ln.function)) throw new TsprofError(`location id ${l.id} has a line whose function is not in the profile`);
    }
  }
  const t = s.labels;
  if (t) {
    if (t.starts.length !== s.count + 1) throw new TsprofError('sample label table has the wrong size');
    for (const arr of [t.key, t.str, t.unit]) {
      for (let j = 0; j < arr.length; j++) if (arr[j]! >= p.strings.length) throw new TsprofError(`label string index ${arr[j]} out of range`);
    }
  }
}

/** checkIds rejects id 0 (reserved) and repeated ids in one table. */
function checkIds(entries: { id: number }[], what: string): void {
  const seen = new Set<number>();
  for (const { id } of entries) {
    if (id === 0) throw new TsprofError(`found ${what} with reserved id=0`);
    if (seen.has(id)) throw new TsprofError(`multiple ${what}s with same id: ${id}`);
    seen.add(id);
  }
}
