import { TsprofError } from '../errors.js';
import type { GrowF64, GrowU32 } from '../columns/growable.js';
import type { LabelTable, Line, Location, Mapping, Profile, ProfileFunction, SampleTable, ValueType } from './profile.js';
import { MalformedError } from './proto-reader.js';

/** RawMapping, RawFunction and RawLocation hold a message's fields with string indexes and ids unresolved. */
export interface RawMapping { m: Mapping; fileX: number; buildIdX: number }
export interface RawFunction { f: ProfileFunction; nameX: number; systemNameX: number; filenameX: number }
export interface RawLocation { id: number; mappingId: number; address: bigint; lineFn: number[]; lineNo: number[]; isFolded: boolean }


/** RawProfile is what one pass over the bytes collected: string indexes and ids, not yet resolved. */
export interface RawProfile {
  strings: string[];
  sampleTypeX: number[];
  periodTypeX: [number, number] | undefined;
  rawMappings: RawMapping[];
  rawFunctions: RawFunction[];
  rawLocations: RawLocation[];
  commentX: number[];
  dropFramesX: number;
  keepFramesX: number;
  defaultSampleTypeX: number;
  timeNanos: bigint;
  durationNanos: number;
  period: number;
  valueStarts: GrowU32;
  values: GrowF64;
  locStarts: GrowU32;
  locIds: GrowU32;
  labelStarts: GrowU32 | undefined;
  labelKey: GrowU32 | undefined;
  labelStr: GrowU32 | undefined;
  labelUnit: GrowU32 | undefined;
  labelNum: GrowF64 | undefined;
  sampleCount: number;
}

/**
 * assembleProfile resolves what the pass collected into a Profile: string
 * indexes into strings, ids into objects (mappings, functions, locations),
 * sample location ids into indexes, and checks that every reference holds.
 */
export function assembleProfile(raw: RawProfile): Profile {
  const { strings, sampleTypeX, periodTypeX, rawMappings, rawFunctions, rawLocations, commentX, dropFramesX, keepFramesX, defaultSampleTypeX } = raw;
  const { timeNanos, durationNanos, period, valueStarts, values, locStarts, locIds, labelStarts, labelKey, labelStr, labelUnit, labelNum, sampleCount } = raw;
  if (strings.length === 0) strings.push('');
  if (strings[0] !== '') throw new MalformedError('string_table[0] must be ""');
  const str = (x: number, what: string): string => {
    const s = strings[x];
    if (s === undefined || x < 0 || !Number.isInteger(x)) throw new MalformedError(`${what}: string index ${x} out of range (table has ${strings.length})`);
    return s;
  };

  const sampleTypes: ValueType[] = [];
  for (let i = 0; i < sampleTypeX.length; i += 2) {
    sampleTypes.push({ type: str(sampleTypeX[i]!, 'sample_type'), unit: str(sampleTypeX[i + 1]!, 'sample_type') });
  }

  const mappings = rawMappings.map((r) => {
    r.m.file = str(r.fileX, 'mapping.filename');
    r.m.buildId = str(r.buildIdX, 'mapping.build_id');
    return r.m;
  });
  const mappingById = byId(mappings, 'mapping', 'ID');
  const functions = rawFunctions.map((r) => {
    r.f.name = str(r.nameX, 'function.name');
    r.f.systemName = str(r.systemNameX, 'function.system_name');
    r.f.filename = str(r.filenameX, 'function.filename');
    return r.f;
  });
  const functionById = byId(functions, 'function', 'ID');
  const locations: Location[] = [];
  let maxLocId = 0;
  for (const r of rawLocations) {
    let mapping: Mapping | undefined;
    if (r.mappingId !== 0) {
      mapping = mappingById.get(r.mappingId);
      if (!mapping) throw new TsprofError(`location id ${r.id} refers to unknown mapping id ${r.mappingId}`);
    }
    const lines: Line[] = new Array(r.lineFn.length);
    for (let k = 0; k < r.lineFn.length; k++) {
      const fn = functionById.get(r.lineFn[k]!);
      if (!fn) throw new TsprofError(`location id ${r.id} refers to unknown function id ${r.lineFn[k]}`);
      lines[k] = { function: fn, line: r.lineNo[k]! };
    }
    if (r.id === 0) throw new TsprofError('found location with reserved id=0');
    if (r.id > maxLocId) maxLocId = r.id;
    locations.push({ id: r.id, mapping, address: r.address, lines, isFolded: r.isFolded });
  }

  // Sample location ids → indexes into locations, in place.
  const indexOfId = maxLocId <= 4 * locations.length + 1024 ? new Int32Array(maxLocId + 1).fill(-1) : undefined;
  const indexMap = indexOfId ? undefined : new Map<number, number>();
  for (let i = 0; i < locations.length; i++) {
    const id = locations[i]!.id;
    const seen = indexOfId ? indexOfId[id]! >= 0 : indexMap!.has(id);
    if (seen) throw new TsprofError(`multiple locations with same id: ${id}`);
    if (indexOfId) indexOfId[id] = i; else indexMap!.set(id, i);
  }
  const locationIndexes = locIds.done();
  for (let j = 0; j < locationIndexes.length; j++) {
    const id = locationIndexes[j]!;
    const idx = indexOfId ? (id < indexOfId.length ? indexOfId[id]! : -1) : (indexMap!.get(id) ?? -1);
    if (idx < 0) throw new TsprofError(`a sample refers to unknown location id ${id}`);
    locationIndexes[j] = idx;
  }
  locStarts.push(locIds.n);

  const valueCount = sampleTypes.length;
  const allValues = values.done();
  valueStarts.push(values.n);
  const vs = valueStarts.a;
  for (let i = 0; i < sampleCount; i++) {
    const n = vs[i + 1]! - vs[i]!;
    if (n !== valueCount) {
      if (valueCount === 0) throw new TsprofError('missing sample type information');
      throw new TsprofError(`mismatch: sample has ${n} values vs. ${valueCount} types`);
    }
  }

  let labels: LabelTable | undefined;
  if (labelStarts) {
    labelStarts.push(labelKey!.n);
    labels = { starts: labelStarts.done(), key: labelKey!.done(), str: labelStr!.done(), num: labelNum!.done(), unit: labelUnit!.done() };
    for (const arr of [labels.key, labels.str, labels.unit]) {
      for (let j = 0; j < arr.length; j++) if (arr[j]! >= strings.length) throw new MalformedError(`label: string index ${arr[j]} out of range`);
    }
  }
  const samples: SampleTable = {
    count: sampleCount,
    valueCount,
    values: allValues,
    locationStarts: locStarts.done(),
    locationIndexes,
    labels,
  };
  return {
    sampleTypes,
    defaultSampleType: str(defaultSampleTypeX, 'default_sample_type'),
    samples,
    mappings,
    locations,
    functions,
    strings,
    comments: commentX.map((x) => str(x, 'comment')),
    dropFrames: str(dropFramesX, 'drop_frames'),
    keepFrames: str(keepFramesX, 'keep_frames'),
    timeNanos,
    durationNanos,
    periodType: periodTypeX ? { type: str(periodTypeX[0], 'period_type'), unit: str(periodTypeX[1], 'period_type') } : undefined,
    period,
  };
}

/** byId indexes mappings or functions by id, with pprof's errors for the reserved id 0 and for a repeated one. */
function byId<T extends { id: number }>(items: readonly T[], kind: string, idWord: string): Map<number, T> {
  const index = new Map<number, T>();
  for (const item of items) {
    if (item.id === 0) throw new TsprofError(`found ${kind} with reserved ${idWord}=0`);
    if (index.has(item.id)) throw new TsprofError(`multiple ${kind}s with same id: ${item.id}`);
    index.set(item.id, item);
  }
  return index;
}
