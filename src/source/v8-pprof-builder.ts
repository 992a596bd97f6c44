import { decodeProfile } from '../profile/decode.js';
import type { Profile } from '../profile/profile.js';
import { ProtoWriter } from '../profile/proto-writer.js';
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

/** NumLabel is a numeric sample label such as Go's `bytes` (object size) label. */
export interface NumLabel {
  key: string;
  value: number;
  unit: string;
}

/** StringLabels are a sample's string labels as (key, value) pairs, e.g. `[['route', '/checkout']]`. */
export type StringLabels = readonly (readonly [key: string, value: string])[];

/**
 * PprofBuilder assembles a pprof profile from named frames: it interns strings,
 * functions and locations so equal frames share ids, as pprof readers expect,
 * and writes the protobuf itself. It keeps plain arrays instead of one object
 * per sample, location and function, because the agent builds profiles on the
 * app's event loop (and under its own heap sampler): fewer allocations, shorter
 * pauses. `toProfile()` gives the decoded form for text output and tests.
 */
export class PprofBuilder {
  private readonly strings: string[] = [''];
  private readonly stringIds = new Map<string, number>([['', 0]]);
  /** Function ids by name → file → start line, and location ids by function id → line: no key strings built. */
  private readonly functionIds = new Map<string, Map<string, Map<number, number>>>();
  private readonly locationIds = new Map<number, Map<number, number>>();
  /** Per function: name, filename (string ids), start line. */
  private readonly functions: number[] = [];
  /** Per location: function id, line. */
  private readonly locations: number[] = [];
  private readonly sampleLocations: number[][] = [];
  private readonly sampleValues: number[][] = [];
  private readonly sampleLabels: (NumLabel | undefined)[] = [];
  /** Per sample its string labels (key, value), or undefined; empty when no sample has any. */
  private readonly sampleStringLabels: (StringLabels | undefined)[] = [];

  constructor(private readonly header: PprofHeader) {}

  private stringId(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  /** locationId returns the id of the location for frame, creating it once. */
  locationId(frame: FrameLocation): number {
    const functionId = this.functionId(frame);
    let byLine = this.locationIds.get(functionId);
    if (!byLine) this.locationIds.set(functionId, (byLine = new Map()));
    let id = byLine.get(frame.line);
    if (id === undefined) {
      this.locations.push(functionId, frame.line);
      id = this.locations.length / 2;
      byLine.set(frame.line, id);
    }
    return id;
  }

  private functionId(frame: FrameLocation): number {
    let byFile = this.functionIds.get(frame.functionName);
    if (!byFile) this.functionIds.set(frame.functionName, (byFile = new Map()));
    let byStart = byFile.get(frame.file);
    if (!byStart) byFile.set(frame.file, (byStart = new Map()));
    let id = byStart.get(frame.startLine);
    if (id === undefined) {
      this.functions.push(this.stringId(frame.functionName), this.stringId(frame.file), frame.startLine);
      id = this.functions.length / 3;
      byStart.set(frame.startLine, id);
    }
    return id;
  }

  /** addSample adds one sample; locationIds run from the leaf to the root, as pprof wants. */
  addSample(locationIds: number[], values: number[], label?: NumLabel, stringLabels?: StringLabels): void {
    this.sampleLocations.push(locationIds);
    this.sampleValues.push(values);
    this.sampleLabels.push(label);
    if (stringLabels !== undefined || this.sampleStringLabels.length > 0) {
      while (this.sampleStringLabels.length < this.sampleLocations.length - 1) this.sampleStringLabels.push(undefined);
      this.sampleStringLabels.push(stringLabels);
    }
  }

  /** sampleCount is how many samples were added so far. */
  get sampleCount(): number {
    return this.sampleLocations.length;
  }

  /** encode writes the profile as uncompressed pprof protobuf bytes. */
  encode(): Uint8Array {
    const h = this.header;
    // Intern every header string before the string table is written.
    const types = h.sampleTypes.map(([t, u]) => [this.stringId(t), this.stringId(u)] as const);
    const periodType = [this.stringId(h.periodType[0]), this.stringId(h.periodType[1])] as const;
    const labels = this.sampleLabels.map((l) => (l ? ([this.stringId(l.key), l.value, this.stringId(l.unit)] as const) : undefined));
    const stringLabels = this.sampleStringLabels.map((set) => set?.map(([k, v]) => [this.stringId(k), this.stringId(v)] as const));
    const comments = (h.comments ?? []).map((c) => this.stringId(c));
    const defaultSampleType = h.defaultSampleType ? this.stringId(h.defaultSampleType) : 0;
    const mainFile = this.stringId(h.mainFile ?? '');

    const w = new ProtoWriter();
    for (const [t, u] of types) {
      const m = w.begin(1);
      w.int(1, t);
      w.int(2, u);
      w.end(m);
    }
    for (let i = 0; i < this.sampleLocations.length; i++) {
      const label = labels[i];
      const m = w.begin(2);
      w.packed(1, this.sampleLocations[i]!);
      w.packed(2, this.sampleValues[i]!);
      if (label) {
        const lm = w.begin(3);
        w.int(1, label[0]);
        w.int(3, label[1]);
        w.int(4, label[2]);
        w.end(lm);
      }
      for (const [key, str] of stringLabels[i] ?? []) {
        const lm = w.begin(3);
        w.int(1, key);
        w.int(2, str);
        w.end(lm);
      }
      w.end(m);
    }
    const mapping = w.begin(3);
    w.int(1, 1);
    w.int(5, mainFile);
    w.bool(7, true);
    w.bool(8, true);
    w.bool(9, true);
    w.end(mapping);
    for (let i = 0; i < this.locations.length; i += 2) {
      const m = w.begin(4);
      w.int(1, i / 2 + 1);
      w.int(2, 1);
      const lm = w.begin(4);
      w.int(1, this.locations[i]!);
      w.int(2, this.locations[i + 1]!);
      w.end(lm);
      w.end(m);
    }
    for (let i = 0; i < this.functions.length; i += 3) {
      const name = this.functions[i]!;
      const m = w.begin(5);
      w.int(1, i / 3 + 1);
      w.int(2, name);
      w.int(3, name);
      w.int(4, this.functions[i + 1]!);
      w.int(5, this.functions[i + 2]!);
      w.end(m);
    }
    for (const s of this.strings) w.string(6, s);
    w.int(9, h.timeNanos ?? 0);
    w.int(10, h.durationNanos ?? 0);
    const period = w.begin(11);
    w.int(1, periodType[0]);
    w.int(2, periodType[1]);
    w.end(period);
    w.int(12, h.period);
    for (const c of comments) w.int(13, c);
    w.int(14, defaultSampleType);
    return w.done();
  }

  /** toProfile returns the profile in tsprof's model (for ?debug=1 text and tests). */
  toProfile(): Profile {
    return decodeProfile(this.encode(), 'built profile');
  }
}
