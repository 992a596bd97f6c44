import { Profile } from 'pprof-format';
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
  addSample(locationIds: number[], values: number[], label?: NumLabel): void {
    this.sampleLocations.push(locationIds);
    this.sampleValues.push(values);
    this.sampleLabels.push(label);
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
    const comments = (h.comments ?? []).map((c) => this.stringId(c));
    const defaultSampleType = h.defaultSampleType ? this.stringId(h.defaultSampleType) : 0;
    const mainFile = this.stringId(h.mainFile ?? '');

    const w = new ProtoWriter();
    for (const [t, u] of types) w.message(1, () => w.int(1, t).int(2, u));
    for (let i = 0; i < this.sampleLocations.length; i++) {
      const label = labels[i];
      w.message(2, () => {
        w.packed(1, this.sampleLocations[i]!).packed(2, this.sampleValues[i]!);
        if (label) w.message(3, () => w.int(1, label[0]).int(3, label[1]).int(4, label[2]));
      });
    }
    w.message(3, () => w.int(1, 1).int(5, mainFile).bool(7, true).bool(8, true).bool(9, true));
    for (let i = 0; i < this.locations.length; i += 2) {
      w.message(4, () => w.int(1, i / 2 + 1).int(2, 1).message(4, () => w.int(1, this.locations[i]!).int(2, this.locations[i + 1]!)));
    }
    for (let i = 0; i < this.functions.length; i += 3) {
      const name = this.functions[i]!;
      w.message(5, () => w.int(1, i / 3 + 1).int(2, name).int(3, name).int(4, this.functions[i + 1]!).int(5, this.functions[i + 2]!));
    }
    for (const s of this.strings) w.string(6, s);
    w.int(9, h.timeNanos ?? 0).int(10, h.durationNanos ?? 0);
    w.message(11, () => w.int(1, periodType[0]).int(2, periodType[1]));
    w.int(12, h.period);
    for (const c of comments) w.int(13, c);
    w.int(14, defaultSampleType);
    return w.finish();
  }

  /** toProfile returns the profile decoded (for text output and tests). */
  toProfile(): Profile {
    return Profile.decode(this.encode());
  }
}

const utf8 = new TextEncoder();

/**
 * ProtoWriter writes protobuf fields into one growing buffer. Nested messages
 * are written in place and their length is patched in afterwards (reserving the
 * largest varint the length could need, then moving the body if it was shorter).
 */
class ProtoWriter {
  private buf = new Uint8Array(1 << 16);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  private varint(value: number): void {
    this.ensure(10);
    if (value < 0) {
      // int64 two's complement: always ten bytes.
      let v = BigInt.asUintN(64, BigInt(Math.trunc(value)));
      for (let i = 0; i < 9; i++) {
        this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.pos++] = Number(v);
      return;
    }
    let v = Math.trunc(value);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** int writes a varint field, leaving out zero as proto3 does. */
  int(field: number, value: number): this {
    if (value !== 0) {
      this.tag(field, 0);
      this.varint(value);
    }
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.int(field, value ? 1 : 0);
  }

  packed(field: number, values: number[]): this {
    if (values.length === 0) return this;
    return this.message(field, () => {
      for (const v of values) this.varint(v);
    });
  }

  /** string writes a length-delimited string; the string table keeps empty strings (index 0). */
  string(field: number, value: string): this {
    this.tag(field, 2);
    const max = value.length * 3;
    this.ensure(max + 10);
    if (max < 128) {
      const start = this.pos + 1;
      const written = utf8.encodeInto(value, this.buf.subarray(start, start + max)).written;
      this.buf[this.pos] = written;
      this.pos = start + written;
    } else {
      const bytes = Buffer.from(value, 'utf8');
      this.varint(bytes.length);
      this.ensure(bytes.length);
      this.buf.set(bytes, this.pos);
      this.pos += bytes.length;
    }
    return this;
  }

  message(field: number, body: () => void): this {
    this.tag(field, 2);
    // Most messages are shorter than 128 bytes: reserve one length byte and move
    // the body only in the rare longer case.
    this.ensure(1);
    const lengthAt = this.pos++;
    body();
    const length = this.pos - lengthAt - 1;
    if (length < 0x80) {
      this.buf[lengthAt] = length;
      return this;
    }
    let lengthBytes = 1;
    while (length >= 2 ** (7 * lengthBytes)) lengthBytes++;
    this.ensure(lengthBytes - 1);
    this.buf.copyWithin(lengthAt + lengthBytes, lengthAt + 1, this.pos);
    this.pos = lengthAt;
    this.varint(length);
    this.pos = lengthAt + lengthBytes + length;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
