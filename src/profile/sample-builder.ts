import type { LabelTable, SampleTable } from './profile.js';

/**
 * SampleBuilder appends samples to growing typed arrays and produces a
 * SampleTable: the one way filters and merges make new sample columns.
 */
export class SampleBuilder {
  count = 0;
  private values: Float64Array;
  private locStarts: Uint32Array;
  private locs: Uint32Array;
  private nLocs = 0;
  private labelStarts: Uint32Array | undefined;
  private lKey = new Uint32Array(0);
  private lStr = new Uint32Array(0);
  private lNum = new Float64Array(0);
  private lUnit = new Uint32Array(0);
  private nLabels = 0;

  constructor(readonly valueCount: number, expectedSamples = 16, expectedLocations = 64) {
    this.values = new Float64Array(Math.max(16, expectedSamples * valueCount));
    this.locStarts = new Uint32Array(Math.max(16, expectedSamples + 1));
    this.locs = new Uint32Array(Math.max(16, expectedLocations));
  }

  private static grow<T extends Uint32Array | Float64Array>(a: T, need: number): T {
    if (need <= a.length) return a;
    let cap = Math.max(16, a.length * 2);
    while (cap < need) cap *= 2;
    const b = new (a.constructor as new (n: number) => T)(cap);
    b.set(a);
    return b;
  }

  /** startSample begins a new sample; then add its locations, values and labels. */
  startSample(): void {
    this.locStarts = SampleBuilder.grow(this.locStarts, this.count + 2);
    this.locStarts[this.count] = this.nLocs;
    if (this.labelStarts) {
      this.labelStarts = SampleBuilder.grow(this.labelStarts, this.count + 2);
      this.labelStarts[this.count] = this.nLabels;
    }
    this.count++;
    this.values = SampleBuilder.grow(this.values, this.count * this.valueCount);
  }

  addLocation(index: number): void {
    if (this.nLocs === this.locs.length) this.locs = SampleBuilder.grow(this.locs, this.nLocs + 1);
    this.locs[this.nLocs++] = index;
  }

  addLocations(src: Uint32Array, from: number, to: number): void {
    this.locs = SampleBuilder.grow(this.locs, this.nLocs + (to - from));
    this.locs.set(src.subarray(from, to), this.nLocs);
    this.nLocs += to - from;
  }

  /** setValue sets value k of the current sample. */
  setValue(k: number, v: number): void {
    this.values[(this.count - 1) * this.valueCount + k] = v;
  }

  /** addValue adds to value k of sample i (for merging duplicates). */
  addValue(i: number, k: number, v: number): void {
    this.values[i * this.valueCount + k]! += v;
  }

  getValue(i: number, k: number): number {
    return this.values[i * this.valueCount + k]!;
  }

  /** stackEquals reports whether sample i's stack is stack[0..n). */
  stackEquals(i: number, stack: Uint32Array, n: number): boolean {
    const a = this.locStarts[i]!;
    const b = i + 1 < this.count ? this.locStarts[i + 1]! : this.nLocs;
    if (b - a !== n) return false;
    for (let j = 0; j < n; j++) if (this.locs[a + j] !== stack[j]) return false;
    return true;
  }

  /** labelsEqual reports whether sample i has exactly these labels, in this order. */
  labelsEqual(i: number, entries: readonly (readonly [number, number, number, number])[]): boolean {
    if (!this.labelStarts) return entries.length === 0;
    const a = this.labelStarts[i]!;
    const b = i + 1 < this.count ? this.labelStarts[i + 1]! : this.nLabels;
    if (b - a !== entries.length) return false;
    for (let j = 0; j < entries.length; j++) {
      const e = entries[j]!;
      if (this.lKey[a + j] !== e[0] || this.lStr[a + j] !== e[1] || this.lNum[a + j] !== e[2] || this.lUnit[a + j] !== e[3]) return false;
    }
    return true;
  }

  addLabel(key: number, str: number, num: number, unit: number): void {
    if (!this.labelStarts) {
      this.labelStarts = new Uint32Array(Math.max(16, this.count + 2));
      // Earlier samples had none: all start at 0, already zero-filled.
    }
    if (this.nLabels === this.lKey.length) {
      const need = this.nLabels + 1;
      this.lKey = SampleBuilder.grow(this.lKey, need);
      this.lStr = SampleBuilder.grow(this.lStr, need);
      this.lNum = SampleBuilder.grow(this.lNum, need);
      this.lUnit = SampleBuilder.grow(this.lUnit, need);
    }
    const j = this.nLabels++;
    this.lKey[j] = key;
    this.lStr[j] = str;
    this.lNum[j] = num;
    this.lUnit[j] = unit;
  }

  build(): SampleTable {
    this.locStarts = SampleBuilder.grow(this.locStarts, this.count + 1);
    this.locStarts[this.count] = this.nLocs;
    let labels: LabelTable | undefined;
    if (this.labelStarts) {
      this.labelStarts = SampleBuilder.grow(this.labelStarts, this.count + 1);
      this.labelStarts[this.count] = this.nLabels;
      labels = {
        starts: this.labelStarts.slice(0, this.count + 1),
        key: this.lKey.slice(0, this.nLabels),
        str: this.lStr.slice(0, this.nLabels),
        num: this.lNum.slice(0, this.nLabels),
        unit: this.lUnit.slice(0, this.nLabels),
      };
    }
    return {
      count: this.count,
      valueCount: this.valueCount,
      values: this.values.slice(0, this.count * this.valueCount),
      locationStarts: this.locStarts.slice(0, this.count + 1),
      locationIndexes: this.locs.slice(0, this.nLocs),
      labels,
    };
  }
}

/** selectSamples returns the table with only the samples whose keep[i] is nonzero (same location indexes). */
export function selectSamples(s: SampleTable, keep: Uint8Array): SampleTable {
  let n = 0;
  let nl = 0;
  for (let i = 0; i < s.count; i++) if (keep[i]) { n++; nl += s.locationStarts[i + 1]! - s.locationStarts[i]!; }
  if (n === s.count) return s;
  const vc = s.valueCount;
  const values = new Float64Array(n * vc);
  const starts = new Uint32Array(n + 1);
  const locs = new Uint32Array(nl);
  const t = s.labels;
  let nLab = 0;
  if (t) for (let i = 0; i < s.count; i++) if (keep[i]) nLab += t.starts[i + 1]! - t.starts[i]!;
  const lab = t ? {
    starts: new Uint32Array(n + 1), key: new Uint32Array(nLab), str: new Uint32Array(nLab), num: new Float64Array(nLab), unit: new Uint32Array(nLab),
  } : undefined;
  let o = 0, ol = 0, olab = 0;
  for (let i = 0; i < s.count; i++) {
    if (!keep[i]) continue;
    values.set(s.values.subarray(i * vc, i * vc + vc), o * vc);
    const a = s.locationStarts[i]!, b = s.locationStarts[i + 1]!;
    starts[o] = ol;
    locs.set(s.locationIndexes.subarray(a, b), ol);
    ol += b - a;
    if (t && lab) {
      const la = t.starts[i]!, lb = t.starts[i + 1]!;
      lab.starts[o] = olab;
      lab.key.set(t.key.subarray(la, lb), olab);
      lab.str.set(t.str.subarray(la, lb), olab);
      lab.num.set(t.num.subarray(la, lb), olab);
      lab.unit.set(t.unit.subarray(la, lb), olab);
      olab += lb - la;
    }
    o++;
  }
  starts[n] = ol;
  if (lab) lab.starts[n] = olab;
  return { count: n, valueCount: vc, values, locationStarts: starts, locationIndexes: locs, labels: lab };
}
