/** median of a list (the mean of the two middle values for an even count); 0 for an empty one. */
export function median(values: readonly number[] | Float64Array): number {
  if (values.length === 0) return 0;
  return medianInPlace(Float64Array.from(values));
}

/**
 * medianInPlace is median for a scratch array it may reorder. It selects
 * instead of sorting (Hoare's quickselect, O(n) on average): Theil–Sen takes
 * the median of n² pairwise slopes for every allocation site.
 */
export function medianInPlace(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  if (n % 2 === 1) return select(values, mid);
  const lower = select(values, mid - 1);
  // After selecting k, everything right of k is ≥ it: the next order statistic is their minimum.
  let upper = Infinity;
  for (let i = mid; i < n; i++) if (values[i]! < upper) upper = values[i]!;
  return (lower + upper) / 2;
}

/** select reorders a so that a[k] is its k-th smallest value, smaller ones before, larger after. */
function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    // Median of three as pivot: sorted or reversed input (a steady leak's slopes) stays linear.
    const middle = (left + right) >> 1;
    const pivot = medianOfThree(a[left]!, a[middle]!, a[right]!);
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k]!;
}

function medianOfThree(x: number, y: number, z: number): number {
  return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
}
