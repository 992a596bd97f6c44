/**
 * The pprof data model (profile.proto), laid out for speed: samples live in
 * columnar typed arrays (a profile can hold millions of them), while the
 * smaller tables (mappings, locations, functions) are plain objects.
 *
 * A Profile is never changed in place once built: filters, merges and diffs
 * return new Profiles that share the unchanged parts.
 */

/** ValueType names one sample value, e.g. { type: 'inuse_space', unit: 'bytes' }. */
export interface ValueType {
  type: string;
  unit: string;
}

/** Mapping is one binary (or the runtime) mapped into the process. Addresses are bigint: they are uint64. */
export interface Mapping {
  id: number;
  start: bigint;
  limit: bigint;
  offset: bigint;
  file: string;
  buildId: string;
  hasFunctions: boolean;
  hasFilenames: boolean;
  hasLineNumbers: boolean;
  hasInlineFrames: boolean;
}

/** ProfileFunction is a function (named so not to clash with the global Function). */
export interface ProfileFunction {
  id: number;
  name: string;
  systemName: string;
  filename: string;
  startLine: number;
}

/** Line is one frame of a Location: the last Line is the caller, earlier ones are inlined into it. */
export interface Line {
  function: ProfileFunction;
  line: number;
}

/** Location is one program counter with its (possibly inlined) frames. */
export interface Location {
  id: number;
  mapping: Mapping | undefined;
  address: bigint;
  lines: Line[];
  isFolded: boolean;
}

/**
 * SampleTable holds every sample in columns. Sample i has values
 * values[i*valueCount .. (i+1)*valueCount) and stack (leaf first)
 * locationIndexes[locationStarts[i] .. locationStarts[i+1]), each an index
 * into Profile.locations (not an id). Labels are columnar too and refer to
 * Profile.strings; labelStarts is undefined when no sample has labels.
 */
export interface SampleTable {
  count: number;
  valueCount: number;
  values: Float64Array;
  locationStarts: Uint32Array;
  locationIndexes: Uint32Array;
  labels: LabelTable | undefined;
}

/**
 * LabelTable holds sample labels: sample i owns entries
 * [starts[i], starts[i+1]). An entry is a string label when str[j] != 0,
 * else a numeric label num[j] with unit string unit[j] (0 = no unit).
 */
export interface LabelTable {
  starts: Uint32Array;
  key: Uint32Array;
  str: Uint32Array;
  num: Float64Array;
  unit: Uint32Array;
}

/** Profile is one decoded pprof profile. */
export interface Profile {
  sampleTypes: ValueType[];
  defaultSampleType: string;
  samples: SampleTable;
  mappings: Mapping[];
  locations: Location[];
  functions: ProfileFunction[];
  /** The string table that label keys, values and units index into; strings[0] is "". */
  strings: string[];
  comments: string[];
  dropFrames: string;
  keepFrames: string;
  /** Wall-clock start in nanoseconds since the epoch (bigint: it does not fit a double exactly). */
  timeNanos: bigint;
  durationNanos: number;
  periodType: ValueType | undefined;
  period: number;
}

/** emptySamples is a SampleTable with no samples and valueCount values per sample. */
export function emptySamples(valueCount: number): SampleTable {
  return {
    count: 0,
    valueCount,
    values: new Float64Array(0),
    locationStarts: new Uint32Array(1),
    locationIndexes: new Uint32Array(0),
    labels: undefined,
  };
}

/** SampleLabels is one sample's labels in map form, for the slow paths (traces, tags, merging). */
export interface SampleLabels {
  label: Map<string, string[]>;
  numLabel: Map<string, number[]>;
  numUnit: Map<string, string[]>;
}

/** sampleLabels reads sample i's labels into maps (as pprof's Sample.Label/NumLabel/NumUnit). */
export function sampleLabels(p: Profile, i: number): SampleLabels {
  const out: SampleLabels = { label: new Map(), numLabel: new Map(), numUnit: new Map() };
  const t = p.samples.labels;
  if (!t) return out;
  const s = p.strings;
  for (let j = t.starts[i]!; j < t.starts[i + 1]!; j++) {
    const key = s[t.key[j]!]!;
    if (t.str[j] !== 0) {
      const list = out.label.get(key);
      if (list) list.push(s[t.str[j]!]!);
      else out.label.set(key, [s[t.str[j]!]!]);
    } else {
      const nums = out.numLabel.get(key) ?? [];
      if (nums.length === 0) out.numLabel.set(key, nums);
      const unit = t.unit[j]!;
      if (unit !== 0 || out.numUnit.has(key)) {
        const units = out.numUnit.get(key) ?? [];
        if (units.length === 0) out.numUnit.set(key, units);
        while (units.length < nums.length) units.push('');
        units.push(s[unit]!);
      }
      nums.push(t.num[j]!);
    }
  }
  for (const [key, units] of out.numUnit) {
    const n = out.numLabel.get(key)!.length;
    while (units.length < n) units.push('');
  }
  return out;
}

/** hasLabel reports whether sample i has string label key=value. */
export function sampleHasLabel(p: Profile, i: number, key: string, value: string): boolean {
  const t = p.samples.labels;
  if (!t) return false;
  const s = p.strings;
  for (let j = t.starts[i]!; j < t.starts[i + 1]!; j++) {
    if (t.str[j] !== 0 && s[t.key[j]!] === key && s[t.str[j]!] === value) return true;
  }
  return false;
}
