import { TsprofError } from '../errors.js';
import type { Line, Location, Mapping, Profile, ProfileFunction, ValueType } from './profile.js';
import { SampleBuilder } from './sample-builder.js';
import { HashIndex } from './hash-index.js';

function vtString(v: ValueType[] | ValueType | undefined): string {
  if (v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[' + v.map((x) => `${x.type}/${x.unit}`).join(' ') + ']';
  return `${v.type}/${v.unit}`;
}

function sameValueType(a: ValueType | undefined, b: ValueType | undefined): boolean {
  return (a?.type ?? '') === (b?.type ?? '') && (a?.unit ?? '') === (b?.unit ?? '');
}

/** checkCompatible throws unless b can be merged into a (same period type and sample types). */
export function checkCompatible(a: Profile, b: Profile): void {
  if (!sameValueType(a.periodType, b.periodType)) {
    throw new TsprofError(`incompatible period types ${vtString(a.periodType)} and ${vtString(b.periodType)}`);
  }
  if (a.sampleTypes.length !== b.sampleTypes.length || a.sampleTypes.some((t, i) => !sameValueType(t, b.sampleTypes[i]))) {
    throw new TsprofError(`incompatible sample types ${vtString(a.sampleTypes)} and ${vtString(b.sampleTypes)}`);
  }
}

/** StringInterner builds a new string table, index 0 being "". */
class StringInterner {
  readonly table: string[] = [''];
  private readonly index = new Map<string, number>([['', 0]]);
  add(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.table.length;
      this.table.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

/**
 * mergeProfiles combines compatible profiles into one, as pprof's Merge:
 * identical functions, locations, mappings and samples are unified, ids are
 * renumbered from 1, zero samples dropped and unreferenced entries left out.
 * With a single profile it compacts it. The inputs are not changed.
 */
export function mergeProfiles(srcs: Profile[]): Profile {
  if (srcs.length === 0) throw new TsprofError('no profiles to merge');
  const first = srcs[0]!;
  for (const s of srcs.slice(1)) checkCompatible(first, s);

  let timeNanos = 0n, durationNanos = 0, period = 0;
  const comments: string[] = [];
  const seenComments = new Set<string>();
  let defaultSampleType = '';
  for (const s of srcs) {
    if (timeNanos === 0n || s.timeNanos < timeNanos) timeNanos = s.timeNanos;
    durationNanos += s.durationNanos;
    if (period === 0 || period < s.period) period = s.period;
    for (const c of s.comments) if (!seenComments.has(c)) { seenComments.add(c); comments.push(c); }
    if (defaultSampleType === '') defaultSampleType = s.defaultSampleType;
  }

  const mappings: Mapping[] = [];
  const functions: ProfileFunction[] = [];
  const locations: Location[] = [];
  const mappingByKey = new Map<string, Mapping>();
  const functionByKey = new Map<string, ProfileFunction>();
  const locationByKey = new Map<string, number>();
  const strings = new StringInterner();
  const vc = first.sampleTypes.length;
  const builder = new SampleBuilder(vc, first.samples.count, first.samples.locationIndexes.length);
  const samples = new HashIndex(first.samples.count);

  for (const src of srcs) {
    const mappingInfo = new Map<Mapping, { m: Mapping; offset: bigint }>();
    const functionMap = new Map<ProfileFunction, ProfileFunction>();
    const locationMap = new Int32Array(src.locations.length).fill(-1);
    const stringMap = new Int32Array(src.strings.length).fill(-1);
    const mapString = (x: number): number => {
      if (x === 0) return 0;
      let y = stringMap[x]!;
      if (y < 0) { y = strings.add(src.strings[x]!); stringMap[x] = y; }
      return y;
    };

    const mapMapping = (m: Mapping | undefined): { m: Mapping | undefined; offset: bigint } => {
      if (!m) return { m: undefined, offset: 0n };
      const known = mappingInfo.get(m);
      if (known) return known;
      let size = m.limit - m.start;
      size = size + 0xfffn;
      size = size - (size % 0x1000n);
      const key = `${size}|${m.offset}|${m.buildId !== '' ? m.buildId : m.file}`;
      const existing = mappingByKey.get(key);
      if (existing) {
        const mi = { m: existing, offset: existing.start - m.start };
        mappingInfo.set(m, mi);
        return mi;
      }
      const nm: Mapping = { ...m, id: mappings.length + 1 };
      mappings.push(nm);
      mappingByKey.set(key, nm);
      const mi = { m: nm, offset: 0n };
      mappingInfo.set(m, mi);
      return mi;
    };
    const mapFunction = (f: ProfileFunction): ProfileFunction => {
      const known = functionMap.get(f);
      if (known) return known;
      const key = `${f.startLine}\u0000${f.name}\u0000${f.systemName}\u0000${f.filename}`;
      let nf = functionByKey.get(key);
      if (!nf) {
        nf = { id: functions.length + 1, name: f.name, systemName: f.systemName, filename: f.filename, startLine: f.startLine };
        functions.push(nf);
        functionByKey.set(key, nf);
      }
      functionMap.set(f, nf);
      return nf;
    };
    const mapLocation = (index: number): number => {
      const known = locationMap[index]!;
      if (known >= 0) return known;
      const l = src.locations[index]!;
      const mi = mapMapping(l.mapping);
      const address = BigInt.asUintN(64, l.address + mi.offset);
      const lines: Line[] = l.lines.map((ln) => ({ function: mapFunction(ln.function), line: ln.line }));
      let key = `${mi.m ? address - mi.m.start : address}|${mi.m ? mi.m.id : 0}|${l.isFolded ? 1 : 0}`;
      for (const ln of lines) key += `|${ln.function.id}:${ln.line}`;
      let ni = locationByKey.get(key);
      if (ni === undefined) {
        ni = locations.length;
        locations.push({ id: locations.length + 1, mapping: mi.m, address, lines, isFolded: l.isFolded });
        locationByKey.set(key, ni);
      }
      locationMap[index] = ni;
      return ni;
    };

    if (mappings.length === 0 && src.mappings.length > 0) mapMapping(src.mappings[0]);

    const s = src.samples;
    const t = s.labels;
    let mapped = new Uint32Array(64);
    const labelEntries: [number, number, number, number][] = [];
    for (let i = 0; i < s.count; i++) {
      let zero = true;
      for (let k = 0; k < vc; k++) if (s.values[i * vc + k] !== 0) { zero = false; break; }
      if (zero) continue;
      const a = s.locationStarts[i]!, n = s.locationStarts[i + 1]! - a;
      if (n > mapped.length) mapped = new Uint32Array(n * 2);
      let h = 0x811c9dc5 ^ n;
      for (let j = 0; j < n; j++) {
        const li = mapLocation(s.locationIndexes[a + j]!);
        mapped[j] = li;
        h = Math.imul(h ^ li, 0x01000193);
      }
      labelEntries.length = 0;
      if (t) {
        for (let j = t.starts[i]!; j < t.starts[i + 1]!; j++) {
          labelEntries.push([mapString(t.key[j]!), t.str[j] !== 0 ? mapString(t.str[j]!) : 0, t.str[j] !== 0 ? 0 : t.num[j]!, t.str[j] !== 0 ? 0 : mapString(t.unit[j]!)]);
        }
        // One canonical order, so equal label sets compare equal.
        if (labelEntries.length > 1) labelEntries.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || x[3] - y[3]);
        for (const e of labelEntries) h = Math.imul(h ^ e[0] ^ Math.imul(e[1], 31) ^ (e[2] | 0) ^ Math.imul(e[3], 17), 0x01000193);
      }
      const existing = samples.find(h >>> 0, (c) => builder.stackEquals(c, mapped, n) && builder.labelsEqual(c, labelEntries));
      if (existing >= 0) {
        for (let k = 0; k < vc; k++) builder.addValue(existing, k, s.values[i * vc + k]!);
        continue;
      }
      builder.startSample();
      samples.insert(h >>> 0, builder.count - 1);
      for (let j = 0; j < n; j++) builder.addLocation(mapped[j]!);
      for (let k = 0; k < vc; k++) builder.setValue(k, s.values[i * vc + k]!);
      for (const e of labelEntries) builder.addLabel(e[0], e[1], e[2], e[3]);
    }
  }

  const merged: Profile = {
    sampleTypes: first.sampleTypes.map((t) => ({ ...t })),
    defaultSampleType,
    samples: builder.build(),
    mappings,
    locations,
    functions,
    strings: strings.table,
    comments,
    dropFrames: first.dropFrames,
    keepFrames: first.keepFrames,
    timeNanos,
    durationNanos,
    periodType: first.periodType ? { ...first.periodType } : undefined,
    period,
  };
  // Samples that cancelled out (a diff against a base) are dropped by compacting again.
  const ms = merged.samples;
  for (let i = 0; i < ms.count; i++) {
    let zero = true;
    for (let k = 0; k < vc; k++) if (ms.values[i * vc + k] !== 0) { zero = false; break; }
    if (zero) return mergeProfiles([merged]);
  }
  return merged;
}

/**
 * setLabelOnAll returns p with label key=value set on every sample (replacing
 * other values of key), as pprof's SetLabel; a number value makes a numeric
 * label in `unit` (as pprof's SetNumLabel), which `-tagfocus key=N` selects.
 * pprof drops a numeric label of 0 that has no unit.
 */
export function setLabelOnAll(p: Profile, key: string, value: string | number, unit = ''): Profile {
  const numeric = typeof value === 'number';
  const strings = [...p.strings];
  const intern = (s: string): number => {
    const i = strings.indexOf(s);
    if (i >= 0) return i;
    strings.push(s);
    return strings.length - 1;
  };
  const keyX = intern(key);
  const valueX = numeric ? 0 : intern(value);
  const s = p.samples;
  const t = s.labels;
  const b = new SampleBuilder(s.valueCount, s.count, s.locationIndexes.length);
  for (let i = 0; i < s.count; i++) {
    b.startSample();
    b.addLocations(s.locationIndexes, s.locationStarts[i]!, s.locationStarts[i + 1]!);
    for (let k = 0; k < s.valueCount; k++) b.setValue(k, s.values[i * s.valueCount + k]!);
    if (t) {
      for (let j = t.starts[i]!; j < t.starts[i + 1]!; j++) {
        if (t.key[j] === keyX && (t.str[j] === 0) === numeric) continue;
        b.addLabel(t.key[j]!, t.str[j]!, t.num[j]!, t.unit[j]!);
      }
    }
    b.addLabel(keyX, valueX, numeric ? value : 0, numeric && unit !== '' ? intern(unit) : 0);
  }
  return { ...p, strings, samples: b.build() };
}
