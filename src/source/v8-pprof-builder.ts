import { Function as PprofFunction, Label, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { FrameLocation } from './v8-frames.js';

/** ValueTypeName is a pprof sample type such as `['inuse_space', 'bytes']`. */
export type ValueTypeName = readonly [type: string, unit: string];

/** PprofHeader describes the profile as a whole. */
export interface PprofHeader {
  sampleTypes: readonly ValueTypeName[];
  periodType: ValueTypeName;
  period: number;
  timeNanos?: number;
  durationNanos?: number;
  defaultSampleType?: string;
  comments?: readonly string[];
  /** Name of the main binary for the one mapping (pprof wants one to know symbols are present). */
  mainFile?: string;
}

/**
 * PprofBuilder assembles a pprof Profile from named frames: it interns strings,
 * functions and locations so equal frames share ids, as pprof readers expect.
 */
export class PprofBuilder {
  private readonly strings = new StringTable();
  private readonly functionIds = new Map<string, number>();
  private readonly locationIds = new Map<string, number>();
  private readonly functions: PprofFunction[] = [];
  private readonly locations: Location[] = [];
  private readonly samples: Sample[] = [];

  constructor(private readonly header: PprofHeader) {}

  /** locationId returns the id of the location for frame, creating it once. */
  locationId(frame: FrameLocation): number {
    const key = `${frame.functionName}\0${frame.file}\0${frame.startLine}\0${frame.line}`;
    let id = this.locationIds.get(key);
    if (id !== undefined) return id;
    const functionId = this.functionId(frame);
    id = this.locations.length + 1;
    this.locations.push(new Location({ id, mappingId: 1, line: [new Line({ functionId, line: frame.line })] }));
    this.locationIds.set(key, id);
    return id;
  }

  private functionId(frame: FrameLocation): number {
    const key = `${frame.functionName}\0${frame.file}\0${frame.startLine}`;
    let id = this.functionIds.get(key);
    if (id !== undefined) return id;
    id = this.functions.length + 1;
    const name = this.strings.dedup(frame.functionName);
    this.functions.push(
      new PprofFunction({ id, name, systemName: name, filename: this.strings.dedup(frame.file), startLine: frame.startLine }),
    );
    this.functionIds.set(key, id);
    return id;
  }

  /** addSample adds one sample; locationIds run from the leaf to the root, as pprof wants. */
  addSample(locationIds: number[], values: number[], numLabels?: Record<string, [value: number, unit: string]>): void {
    const label: Label[] = [];
    if (numLabels) {
      for (const [key, [num, unit]] of Object.entries(numLabels)) {
        label.push(new Label({ key: this.strings.dedup(key), num, numUnit: this.strings.dedup(unit) }));
      }
    }
    this.samples.push(new Sample({ locationId: locationIds, value: values, label }));
  }

  /** sampleCount is how many samples were added so far. */
  get sampleCount(): number {
    return this.samples.length;
  }

  /** build returns the finished Profile (the builder must not be used afterwards). */
  build(): Profile {
    const h = this.header;
    const s = this.strings;
    const valueType = ([type, unit]: ValueTypeName) => new ValueType({ type: s.dedup(type), unit: s.dedup(unit) });
    const mapping = new Mapping({
      id: 1,
      filename: s.dedup(h.mainFile ?? ''),
      hasFunctions: true,
      hasFilenames: true,
      hasLineNumbers: true,
    });
    return new Profile({
      sampleType: h.sampleTypes.map(valueType),
      sample: this.samples,
      mapping: [mapping],
      location: this.locations,
      function: this.functions,
      stringTable: s,
      timeNanos: h.timeNanos ?? 0,
      durationNanos: h.durationNanos ?? 0,
      periodType: valueType(h.periodType),
      period: h.period,
      comment: (h.comments ?? []).map((c) => s.dedup(c)),
      defaultSampleType: h.defaultSampleType ? s.dedup(h.defaultSampleType) : 0,
    });
  }
}
