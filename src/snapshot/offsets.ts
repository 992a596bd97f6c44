/**
 * countsToOffsets turns per-key counts (in counts[0..n-1]) into the start
 * offsets of a compressed sparse row index, in place: afterwards key k owns
 * entries counts[k]..counts[k+1], and counts[n] is the total. Every reverse
 * index here (retainers, dominator-tree children) is built this way.
 */
export function countsToOffsets(counts: Uint32Array): number {
  const n = counts.length - 1;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const c = counts[k]!;
    counts[k] = sum;
    sum += c;
  }
  counts[n] = sum;
  return sum;
}

/**
 * countsToEnds turns per-key counts into the end offsets of each key's range
 * (inclusive prefix sums), in place, and returns the total. Filling each
 * range from its end backwards (`index[--ends[key]] = value`) then leaves
 * ends[key] at the range's start: a compressed sparse row index built with
 * no cursor array, for the big per-node indexes where that saves 4 bytes a node.
 */
export function countsToEnds(counts: Uint32Array): number {
  const n = counts.length - 1;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += counts[k]!;
    counts[k] = sum;
  }
  counts[n] = sum;
  return sum;
}
