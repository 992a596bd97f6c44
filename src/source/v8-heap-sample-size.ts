/**
 * What a V8 heap sample's reported size means, and the unbiased estimate of the
 * memory it stands for.
 *
 * V8's sampling heap profiler (src/profiler/sampling-heap-profiler.cc) is a
 * Poisson process over allocated bytes: the gap to the next sample point is
 * exponential with mean I (the interval), so an object of s bytes holds a sample
 * point, and is recorded once, with probability p(s) = 1 − e^(−s/I).
 *
 * Go's estimator (runtime/pprof scaleHeapSample) weighs each recorded object by
 * 1/p(s): a sample of an s-byte object stands for 1/p(s) objects and
 * s/(1 − e^(−s/I)) bytes. That is the Horvitz–Thompson estimator: an object is
 * counted 1/p times with probability p and 0 times otherwise, so its expected
 * weight is exactly its size, for every s. Small objects (s ≪ I) weigh about
 * I + s/2 bytes; objects far above I are almost surely recorded and weigh s.
 *
 * V8 does not report s. Each protocol sample reports size = s × round(1/p(s))
 * (ScaleSample(size, 1) in BuildSamples, multiplied out by the inspector): the
 * rounding biases every sample, −13% for 1 MiB objects at I = 512 KiB
 * (1/p = 1.156 rounds to 1) and +26% for 512 KiB objects (1.582 rounds to 2).
 * Worse, the reported size is ambiguous: 1 MiB is one 1 MiB object or a
 * 512 KiB object counted twice, and a report near I fits many small sizes.
 *
 * The tree's per-node selfSize settles most of it. V8 keeps per node a count
 * n_s of samples per object size and reports selfSize = Σ_s s × round(n_s/p(s))
 * (ScaleSample(size, count) once per (node, size) in TranslateAllocationNode).
 * So for a node whose samples report r with n samples, the candidate object
 * sizes for r predict different selfSizes once n ≥ 2 (at n = 48: 1 MiB objects
 * give 56 MiB, 512 KiB objects 38 MiB); resolveNodeObjectSizes picks the
 * candidates that reproduce V8's selfSize exactly. A lone sample at a node
 * carries no such evidence (s × round(1/p(s)) = r for every candidate): it takes
 * the size that samples of the same report resolved to elsewhere in the
 * profile, else the likeliest candidate (the object count nearest the
 * unrounded solution of s/p(s) = r). Where those candidates' byte estimates
 * differ by more than 2% the sample is counted, and the profile's comment says
 * how many there are. (Small objects' candidates all weigh about I + s/2, so
 * their bytes are near right whatever the choice; their object counts are not.)
 *
 * selfSize itself is less biased than the per-sample sum (one rounding per node
 * and size, not per sample) but not unbiased: a node with one 1 MiB sample still
 * reports 1 MiB. Resolved sizes with Go's estimator have no rounding at all.
 */

/** heapSampleWeight is what one sample of an `objectSize`-byte object stands for: 1/p objects, s/p bytes. */
export function heapSampleWeight(objectSize: number, interval: number): { objects: number; bytes: number } {
  if (objectSize <= 0) return { objects: 1, bytes: 0 };
  if (interval <= 0) return { objects: 1, bytes: objectSize };
  const perSample = 1 / -Math.expm1(-objectSize / interval);
  return { objects: perSample, bytes: objectSize * perSample };
}

/** v8ScaledCount is V8's ScaleSample count: count × 1/p(s), rounded half up, in V8's own double arithmetic. */
export function v8ScaledCount(objectSize: number, count: number, interval: number): number {
  const scale = 1 / (1 - Math.exp(-objectSize / interval));
  return Math.floor(count * scale + 0.5);
}

/**
 * objectSizeCandidates lists the object sizes s with s × round(1/p(s)) = reported,
 * likeliest first. V8 aligns objects to 8 bytes; sizes that are not multiples of 8
 * are considered only when no aligned one fits. Memoized per interval.
 */
export function objectSizeCandidates(reported: number, interval: number): readonly number[] {
  if (candidatesInterval !== interval || candidatesMemo.size >= 20_000) {
    candidatesMemo.clear();
    candidatesInterval = interval;
  }
  let found = candidatesMemo.get(reported);
  if (!found) candidatesMemo.set(reported, (found = findCandidates(reported, interval)));
  return found;
}

const candidatesMemo = new Map<number, readonly number[]>();
let candidatesInterval = 0;

function findCandidates(reported: number, interval: number): readonly number[] {
  if (!(reported > 0) || !(interval > 0)) return [reported];
  const consistent = (k: number) => k >= 1 && v8ScaledCount(reported / k, 1, interval) === k;
  const guess = unroundedObjectsPerSample(reported, interval);
  const byLikelihood = (ks: number[]) =>
    [...new Set(ks)].filter(consistent).sort((a, b) => Math.abs(Math.log(a / guess)) - Math.abs(Math.log(b / guess)) || a - b);
  if (Number.isInteger(reported)) {
    for (const alignment of [8, 4, 1]) {
      if (reported % alignment !== 0) continue;
      const units = reported / alignment; // s = reported / k must be a multiple of `alignment`
      const divisors: number[] = [];
      for (let d = 1; d * d <= units; d++) {
        if (units % d === 0) divisors.push(d, units / d);
      }
      const ks = byLikelihood(divisors);
      if (ks.length > 0) return ks.map((k) => reported / k);
    }
  }
  // Not V8's arithmetic (a hand-made file): the size that makes s/p(s) = reported.
  return [reported / Math.max(1, guess)];
}

/** The k with reported = k × s where s/p(s) = reported exactly (no rounding): bisect for s. */
function unroundedObjectsPerSample(reported: number, interval: number): number {
  if (reported <= interval) return reported / 8; // s/p(s) > I for every s: the smallest objects fit best
  let lo = 0;
  let hi = reported;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (mid / -Math.expm1(-mid / interval) < reported) lo = mid;
    else hi = mid;
  }
  return reported / Math.max(hi, 1e-9);
}

/** ReportedSizeGroup is one node's samples of one reported size. */
export interface ReportedSizeGroup {
  reported: number;
  count: number;
}

/** ResolvedObjectSizes maps each group to object sizes, with how sure that is. */
export interface ResolvedObjectSizes {
  /** reported size → object size → number of samples. */
  sizes: Map<number, Map<number, number>>;
  /** Samples whose size the node's selfSize confirmed (or that had one candidate). */
  exact: number;
  /** Samples whose size was taken from elsewhere in the profile or from the likeliest candidate. */
  inferred: number;
}

/** How many candidate combinations one node may try before settling for the likeliest. */
const searchBudget = 20_000;

/**
 * resolveNodeObjectSizes finds the object sizes behind one node's samples: the
 * choice of candidates for which V8's own selfSize arithmetic reproduces the
 * node's `selfSize`. `known` gives sizes that reported sizes resolved to at
 * other nodes, for samples the selfSize cannot decide.
 */
export function resolveNodeObjectSizes(
  groups: ReportedSizeGroup[],
  selfSize: number,
  interval: number,
  known: ReadonlyMap<number, number> = new Map(),
): ResolvedObjectSizes {
  const result: ResolvedObjectSizes = { sizes: new Map(), exact: 0, inferred: 0 };
  const assign = (reported: number, size: number, count: number) => {
    let bySize = result.sizes.get(reported);
    if (!bySize) result.sizes.set(reported, (bySize = new Map()));
    bySize.set(size, (bySize.get(size) ?? 0) + count);
  };
  // Per group, the candidates grouped by the selfSize term they predict: candidates
  // predicting the same term cannot be told apart by selfSize.
  const term = (size: number, count: number) => size * v8ScaledCount(size, count, interval);
  type Choice = { term: number; sizes: number[] };
  const open: { group: ReportedSizeGroup; choices: Choice[] }[] = [];
  let target = selfSize;
  for (const group of groups) {
    const candidates = objectSizeCandidates(group.reported, interval);
    const choices: Choice[] = [];
    for (const size of candidates) {
      const t = term(size, group.count);
      const same = choices.find((c) => c.term === t);
      if (same) same.sizes.push(size);
      else choices.push({ term: t, sizes: [size] });
    }
    if (choices.length === 1) target -= choices[0]!.term;
    open.push({ group, choices });
  }
  const deciding = open.filter((o) => o.choices.length > 1);
  // Depth-first over the deciding groups, likeliest choices first, pruned by the
  // range the remaining groups can still add.
  const minRest: number[] = new Array(deciding.length + 1).fill(0);
  const maxRest: number[] = new Array(deciding.length + 1).fill(0);
  for (let i = deciding.length - 1; i >= 0; i--) {
    const terms = deciding[i]!.choices.map((c) => c.term);
    minRest[i] = minRest[i + 1]! + Math.min(...terms);
    maxRest[i] = maxRest[i + 1]! + Math.max(...terms);
  }
  const picked: number[] = new Array(deciding.length).fill(0);
  // The first (likeliest) solution, and whether another one exists: groups on which
  // two solutions differ are not decided by selfSize.
  let solution: number[] | undefined;
  let undecided: Set<number> | undefined;
  let steps = 0;
  const search = (i: number, remaining: number): boolean => {
    if (++steps > searchBudget) {
      undecided = new Set(deciding.keys());
      return true;
    }
    if (i === deciding.length) {
      if (remaining !== 0) return false;
      if (!solution) {
        solution = [...picked];
        return false;
      }
      undecided = new Set(picked.flatMap((c, g) => (c !== solution![g] ? [g] : [])));
      return true;
    }
    if (remaining < minRest[i]! || remaining > maxRest[i]!) return false;
    const { choices } = deciding[i]!;
    for (let c = 0; c < choices.length; c++) {
      picked[i] = c;
      if (search(i + 1, remaining - choices[c]!.term)) return true;
    }
    return false;
  };
  if (deciding.length > 0) search(0, target);
  const solved = deciding.length === 0 ? target === 0 : solution !== undefined;
  // One deciding group may also hold two object sizes that report the same (a
  // function allocating both 1 MiB and 512 KiB objects): try each split; a
  // split is taken only when it is the one split that fits.
  let split: { first: number; second: number; firstCount: number } | undefined;
  let splits = 0;
  if (!solved && deciding.length === 1) {
    const { group } = deciding[0]!;
    const sizes = objectSizeCandidates(group.reported, interval);
    outer: for (let a = 0; a < sizes.length; a++) {
      for (let b = a + 1; b < sizes.length; b++) {
        for (let m = 1; m < group.count; m++) {
          if (++steps > searchBudget) break outer;
          if (term(sizes[a]!, m) + term(sizes[b]!, group.count - m) === target) {
            split ??= { first: sizes[a]!, second: sizes[b]!, firstCount: m };
            splits++;
          }
        }
      }
    }
  }
  const decidingIndex = new Map(deciding.map((o, i) => [o, i]));
  for (const o of open) {
    const { reported, count } = o.group;
    const all = objectSizeCandidates(reported, interval);
    const i = decidingIndex.get(o);
    if (split && i === 0) {
      assign(reported, split.first, split.firstCount);
      assign(reported, split.second, count - split.firstCount);
      if (splits === 1) result.exact += count;
      else result.inferred += count;
      continue;
    }
    // The sizes selfSize allows for this group: its choice in the solution, else all.
    const allowed = !solved ? all : i === undefined ? o.choices[0]!.sizes : o.choices[solution![i]!]!.sizes;
    if (allowed.length === 1 && (i === undefined || !undecided?.has(i))) {
      assign(reported, allowed[0]!, count);
      result.exact += count;
      continue;
    }
    const pool = i !== undefined && undecided?.has(i) ? all : allowed;
    const elsewhere = known.get(reported);
    assign(reported, elsewhere !== undefined && pool.includes(elsewhere) ? elsewhere : allowed[0]!, count);
    result.inferred += count;
  }
  return result;
}

/**
 * decidedObjectSize is the fast path of resolveNodeObjectSizes for a node whose
 * samples all report one size (most nodes): the object size when `selfSize`
 * leaves exactly one candidate, else undefined. It allocates nothing, as the
 * agent runs it on the app's event loop for every node.
 */
export function decidedObjectSize(reported: number, count: number, selfSize: number, interval: number): number | undefined {
  const candidates = objectSizeCandidates(reported, interval);
  if (candidates.length === 1) return candidates[0];
  let found: number | undefined;
  for (const size of candidates) {
    if (size * v8ScaledCount(size, count, interval) !== selfSize) continue;
    if (found !== undefined) return undefined;
    found = size;
  }
  return found;
}

/**
 * likeliestObjectSize is the size taken when decidedObjectSize cannot decide:
 * the size `known` gives for this report (resolved at another node) when
 * `selfSize` allows it, else the likeliest candidate `selfSize` allows.
 */
export function likeliestObjectSize(reported: number, count: number, selfSize: number, interval: number, known: ReadonlyMap<number, number>): number {
  const candidates = objectSizeCandidates(reported, interval);
  const fits = (size: number) => size * v8ScaledCount(size, count, interval) === selfSize;
  const elsewhere = known.get(reported);
  if (elsewhere !== undefined && candidates.includes(elsewhere) && (fits(elsewhere) || !candidates.some(fits))) return elsewhere;
  return candidates.find(fits) ?? candidates[0]!;
}

/**
 * weightSpread is how far apart (as a ratio, ≥ 1) the byte weights s/p(s) of the
 * object sizes a node's `selfSize` still allows for a report are: near 1 for
 * small objects (each weighs about I + s/2), large where 1 MiB may be 512 KiB.
 */
export function weightSpread(reported: number, count: number, selfSize: number, interval: number): number {
  const candidates = objectSizeCandidates(reported, interval);
  const spread = (onlyFitting: boolean) => {
    let low = Infinity;
    let high = 0;
    for (const size of candidates) {
      if (onlyFitting && size * v8ScaledCount(size, count, interval) !== selfSize) continue;
      const weight = heapSampleWeight(size, interval).bytes;
      low = Math.min(low, weight);
      high = Math.max(high, weight);
    }
    return high / low;
  };
  const fitting = spread(true);
  return Number.isFinite(fitting) && fitting > 0 ? fitting : spread(false);
}
