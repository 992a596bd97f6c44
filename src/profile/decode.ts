import { TsprofError } from '../errors.js';
import type { LabelTable, Line, Location, Mapping, Profile, ProfileFunction, SampleTable, ValueType } from './profile.js';
import { defaultMaxDecodedBytes, gunzipBounded, isGzip } from './gzip.js';
import { type GrowF64, type GrowU32, growF64, growU32 } from './growable.js';
import { validateProfile } from './validate.js';

/** DecodeOptions bounds what decoding may cost. */
export interface DecodeOptions {
  /** Largest decompressed size accepted (a gzip bomb guard). Default 1 GiB or env TSPROF_MAX_DECODED_BYTES. */
  maxDecodedBytes?: number;
}

/**
 * decodeProfile parses a pprof profile (gzip-compressed or raw protobuf,
 * told apart by content) and validates it. Every problem with the input is a
 * TsprofError naming sourceName.
 */
export function decodeProfile(bytes: Uint8Array, sourceName: string, options: DecodeOptions = {}): Profile {
  const max = options.maxDecodedBytes ?? defaultMaxDecodedBytes;
  let data = bytes;
  if (isGzip(bytes)) data = gunzipBounded(bytes, sourceName, max);
  if (data.length === 0) throw new TsprofError(`${sourceName}: parsing profile: empty input`);
  let p: Profile;
  try {
    p = new ProtoDecoder(data).decodeProfile();
  } catch (err) {
    if (err instanceof MalformedError) throw new TsprofError(`${sourceName}: parsing profile: not a valid pprof profile (${err.message})`);
    if (err instanceof TsprofError) throw new TsprofError(`${sourceName}: malformed profile: ${err.message}`);
    throw err;
  }
  try {
    validateProfile(p);
  } catch (err) {
    if (err instanceof TsprofError) throw new TsprofError(`${sourceName}: malformed profile: ${err.message}`);
    throw err;
  }
  return p;
}

/** MalformedError is internal: the bytes are not well-formed protobuf of a profile. */
class MalformedError extends Error {}

const TWO32 = 4294967296;

interface RawMapping { m: Mapping; fileX: number; buildIdX: number }
interface RawFunction { f: ProfileFunction; nameX: number; systemNameX: number; filenameX: number }
interface RawLocation { id: number; mappingId: number; address: bigint; lineFn: number[]; lineNo: number[]; isFolded: boolean }

/**
 * ProtoDecoder is a hand-written reader for profile.proto: one pass over the
 * bytes, samples straight into typed arrays, strings sliced once.
 */
class ProtoDecoder {
  private readonly buf: Buffer;
  private pos = 0;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** varint reads a varint as a double: exact below 2^53, the int64 value for negative numbers. */
  private varint(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= end) throw new MalformedError(`truncated varint at byte ${pos}`);
    let b = buf[pos++]!;
    if (b < 0x80) { this.pos = pos; return b; }
    let lo = b & 0x7f;
    for (let shift = 7; shift < 28; shift += 7) {
      if (pos >= end) throw new MalformedError(`truncated varint at byte ${pos}`);
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) { this.pos = pos; return lo; }
    }
    // Beyond 28 bits: assemble low and high 32-bit halves.
    if (pos >= end) throw new MalformedError(`truncated varint at byte ${pos}`);
    b = buf[pos++]!;
    lo = (lo | ((b & 0x0f) << 28)) >>> 0;
    let hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (shift > 31) throw new MalformedError(`bad varint at byte ${pos}`);
        if (pos >= end) throw new MalformedError(`truncated varint at byte ${pos}`);
        b = buf[pos++]!;
        if (shift < 32) hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    hi >>>= 0;
    this.pos = pos;
    if (hi & 0x80000000) {
      // Negative int64: two's complement.
      const nlo = (~lo + 1) >>> 0;
      const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
      return -(nhi * TWO32 + nlo);
    }
    return hi * TWO32 + lo;
  }

  /** varintBig reads a varint as an unsigned 64-bit bigint (addresses). */
  private varintBig(end: number): bigint {
    const start = this.pos;
    let v = 0n;
    let shift = 0n;
    for (let pos = start; ; pos++) {
      if (pos >= end) throw new MalformedError(`truncated varint at byte ${pos}`);
      if (shift > 63n) throw new MalformedError(`bad varint at byte ${pos}`);
      const b = this.buf[pos]!;
      v |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (b < 0x80) { this.pos = pos + 1; break; }
    }
    return BigInt.asUintN(64, v);
  }

  /** lengthEnd reads a length prefix and returns where the delimited bytes end. */
  private lengthEnd(end: number): number {
    const n = this.varint(end);
    if (n < 0 || this.pos + n > end) throw new MalformedError(`length ${n} at byte ${this.pos} runs past the end of its message`);
    return this.pos + n;
  }

  private skipField(wire: number, end: number): void {
    switch (wire) {
      case 0: this.varint(end); return;
      case 1: this.pos += 8; break;
      case 2: this.pos = this.lengthEnd(end); return;
      case 5: this.pos += 4; break;
      default: throw new MalformedError(`unknown wire type ${wire} at byte ${this.pos}`);
    }
    if (this.pos > end) throw new MalformedError(`truncated field at byte ${end}`);
  }

  private expect(wire: number, want: number, field: string): void {
    if (wire !== want) throw new MalformedError(`field ${field} has wire type ${wire}, want ${want}`);
  }

  decodeProfile(): Profile {
    const end = this.buf.length;
    const sampleTypeX: number[] = [];
    let periodTypeX: [number, number] | undefined;
    const strings: string[] = [];
    const rawMappings: RawMapping[] = [];
    const rawFunctions: RawFunction[] = [];
    const rawLocations: RawLocation[] = [];
    const commentX: number[] = [];
    let dropFramesX = 0, keepFramesX = 0, defaultSampleTypeX = 0;
    let timeNanos = 0n, durationNanos = 0, period = 0;

    // Samples, columnar. Estimates keep regrowth rare for big profiles.
    // Exact sizes from a quick pre-scan, so big profiles are decoded without regrowing arrays.
    const counts = this.countSamples();
    const valueStarts = growU32(counts.samples + 1);
    const values = growF64(counts.values);
    const locStarts = growU32(counts.samples + 1);
    const locIds = growU32(counts.locationIds);
    let labelStarts: GrowU32 | undefined;
    let labelKey: GrowU32 | undefined, labelStr: GrowU32 | undefined, labelUnit: GrowU32 | undefined;
    let labelNum: GrowF64 | undefined;
    let sampleCount = 0;

    while (this.pos < end) {
      const tag = this.varint(end);
      const field = tag >>> 3;
      const wire = tag & 7;
      switch (field) {
        case 1: { // sample_type
          this.expect(wire, 2, 'sample_type');
          const e = this.lengthEnd(end);
          const vt = this.valueTypeX(e);
          sampleTypeX.push(vt[0], vt[1]);
          break;
        }
        case 2: { // sample
          this.expect(wire, 2, 'sample');
          const e = this.lengthEnd(end);
          valueStarts.push(values.n);
          locStarts.push(locIds.n);
          if (labelStarts) labelStarts.push(labelKey!.n);
          while (this.pos < e) {
            const t = this.varint(e);
            const f = t >>> 3, w = t & 7;
            if (f === 1) {
              if (w === 2) {
                this.packedIds(this.lengthEnd(e), locIds);
              } else {
                this.expect(w, 0, 'sample.location_id');
                const id = this.varint(e);
                if (id < 0 || id >= TWO32) throw new MalformedError(`location id ${id} out of the supported range`);
                locIds.push(id);
              }
            } else if (f === 2) {
              if (w === 2) {
                this.packedValues(this.lengthEnd(e), values);
              } else {
                this.expect(w, 0, 'sample.value');
                values.push(this.varint(e));
              }
            } else if (f === 3) {
              this.expect(w, 2, 'sample.label');
              const le = this.lengthEnd(e);
              let key = 0, str = 0, num = 0, unit = 0;
              while (this.pos < le) {
                const lt = this.varint(le);
                const lf = lt >>> 3, lw = lt & 7;
                if (lf >= 1 && lf <= 4) {
                  this.expect(lw, 0, 'label');
                  const v = this.varint(le);
                  if (lf === 1) key = v; else if (lf === 2) str = v; else if (lf === 3) num = v; else unit = v;
                } else this.skipField(lw, le);
              }
              if (str === 0 && num === 0 && unit === 0) continue; // pprof drops empty labels
              if (!labelStarts) {
                labelStarts = growU32(sampleCount + 16);
                for (let k = 0; k <= sampleCount; k++) labelStarts.push(0);
                labelKey = growU32(64); labelStr = growU32(64); labelUnit = growU32(64); labelNum = growF64(64);
              }
              labelKey!.push(checkIndex(key)); labelStr!.push(checkIndex(str)); labelNum!.push(num); labelUnit!.push(checkIndex(unit));
            } else this.skipField(w, e);
          }
          this.pos = e;
          sampleCount++;
          break;
        }
        case 3: {
          this.expect(wire, 2, 'mapping');
          rawMappings.push(this.mapping(this.lengthEnd(end)));
          break;
        }
        case 4: {
          this.expect(wire, 2, 'location');
          rawLocations.push(this.location(this.lengthEnd(end)));
          break;
        }
        case 5: {
          this.expect(wire, 2, 'function');
          rawFunctions.push(this.func(this.lengthEnd(end)));
          break;
        }
        case 6: {
          this.expect(wire, 2, 'string_table');
          const e = this.lengthEnd(end);
          strings.push(this.buf.toString('utf8', this.pos, e));
          this.pos = e;
          break;
        }
        case 7: this.expect(wire, 0, 'drop_frames'); dropFramesX = this.varint(end); break;
        case 8: this.expect(wire, 0, 'keep_frames'); keepFramesX = this.varint(end); break;
        case 9: {
          this.expect(wire, 0, 'time_nanos');
          timeNanos = BigInt.asIntN(64, this.varintBig(end));
          break;
        }
        case 10: this.expect(wire, 0, 'duration_nanos'); durationNanos = this.varint(end); break;
        case 11: {
          this.expect(wire, 2, 'period_type');
          periodTypeX = this.valueTypeX(this.lengthEnd(end));
          break;
        }
        case 12: this.expect(wire, 0, 'period'); period = this.varint(end); break;
        case 13: {
          if (wire === 2) {
            const e = this.lengthEnd(end);
            while (this.pos < e) commentX.push(this.varint(e));
          } else {
            this.expect(wire, 0, 'comment');
            commentX.push(this.varint(end));
          }
          break;
        }
        case 14: this.expect(wire, 0, 'default_sample_type'); defaultSampleTypeX = this.varint(end); break;
        default:
          if (field === 0) throw new MalformedError(`field number 0 at byte ${this.pos}`);
          this.skipField(wire, end);
      }
    }
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

    const mappings: Mapping[] = [];
    const mappingById = new Map<number, Mapping>();
    for (const r of rawMappings) {
      r.m.file = str(r.fileX, 'mapping.filename');
      r.m.buildId = str(r.buildIdX, 'mapping.build_id');
      if (r.m.id === 0) throw new TsprofError('found mapping with reserved ID=0');
      if (mappingById.has(r.m.id)) throw new TsprofError(`multiple mappings with same id: ${r.m.id}`);
      mappingById.set(r.m.id, r.m);
      mappings.push(r.m);
    }
    const functions: ProfileFunction[] = [];
    const functionById = new Map<number, ProfileFunction>();
    for (const r of rawFunctions) {
      r.f.name = str(r.nameX, 'function.name');
      r.f.systemName = str(r.systemNameX, 'function.system_name');
      r.f.filename = str(r.filenameX, 'function.filename');
      if (r.f.id === 0) throw new TsprofError('found function with reserved ID=0');
      if (functionById.has(r.f.id)) throw new TsprofError(`multiple functions with same id: ${r.f.id}`);
      functionById.set(r.f.id, r.f);
      functions.push(r.f);
    }
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

  /**
   * packedIds reads a packed field of location ids up to end into out: the
   * hot loop of decoding, with one- and two-byte varints read inline.
   */
  private packedIds(end: number, out: GrowU32): void {
    const buf = this.buf;
    let a = out.a;
    let n = out.n;
    let pos = this.pos;
    while (pos < end) {
      if (n === a.length) {
        out.n = n;
        out.ensure(1);
        a = out.a;
      }
      const b0 = buf[pos]!;
      if (b0 < 0x80) { a[n++] = b0; pos++; continue; }
      if (pos + 1 < end && buf[pos + 1]! < 0x80) {
        a[n++] = (b0 & 0x7f) | (buf[pos + 1]! << 7);
        pos += 2;
        continue;
      }
      this.pos = pos;
      const id = this.varint(end);
      if (id < 0 || id >= TWO32) throw new MalformedError(`location id ${id} out of the supported range`);
      a[n++] = id;
      pos = this.pos;
    }
    out.n = n;
    this.pos = end;
  }

  /** packedValues reads a packed field of int64 values up to end into out, short varints inline. */
  private packedValues(end: number, out: GrowF64): void {
    const buf = this.buf;
    let pos = this.pos;
    while (pos < end) {
      if (out.n === out.a.length) out.ensure(1);
      let v = buf[pos]!;
      if (v >= 0x80 && pos + 2 < end) {
        const b1 = buf[pos + 1]!;
        if (b1 < 0x80) {
          out.a[out.n++] = (v & 0x7f) | (b1 << 7);
          pos += 2;
          continue;
        }
        const b2 = buf[pos + 2]!;
        if (b2 < 0x80) {
          out.a[out.n++] = (v & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14);
          pos += 3;
          continue;
        }
      } else if (v < 0x80) {
        out.a[out.n++] = v;
        pos++;
        continue;
      }
      this.pos = pos;
      v = this.varint(end);
      out.a[out.n++] = v;
      pos = this.pos;
    }
    this.pos = end;
  }

  /**
   * countSamples pre-scans the sample messages for samples and upper bounds
   * of location ids and values (a packed field of n bytes holds at most n
   * varints), reading only tags and lengths. It never throws: on malformed
   * input it returns what it saw, and the real pass reports.
   */
  private countSamples(): { samples: number; locationIds: number; values: number } {
    const end = this.buf.length;
    let samples = 0, locationIds = 0, values = 0;
    const save = this.pos;
    try {
      while (this.pos < end) {
        const tag = this.varint(end);
        const field = tag >>> 3, wire = tag & 7;
        if (field !== 2 || wire !== 2) {
          this.skipField(wire, end);
          continue;
        }
        const e = this.lengthEnd(end);
        samples++;
        while (this.pos < e) {
          const t = this.varint(e);
          const f = t >>> 3, w = t & 7;
          if ((f === 1 || f === 2) && w === 2) {
            const pe = this.lengthEnd(e);
            if (f === 1) locationIds += pe - this.pos; else values += pe - this.pos;
            this.pos = pe;
          } else if ((f === 1 || f === 2) && w === 0) {
            this.varint(e);
            if (f === 1) locationIds++; else values++;
          } else this.skipField(w, e);
        }
        this.pos = e;
      }
    } catch {
      // Malformed: the decoding pass will say where.
    }
    this.pos = save;
    return { samples, locationIds, values };
  }

  private valueTypeX(end: number): [number, number] {
    let type = 0, unit = 0;
    while (this.pos < end) {
      const t = this.varint(end);
      const f = t >>> 3, w = t & 7;
      if (f === 1 || f === 2) {
        this.expect(w, 0, 'value_type');
        const v = this.varint(end);
        if (f === 1) type = v; else unit = v;
      } else this.skipField(w, end);
    }
    return [type, unit];
  }

  private mapping(end: number): RawMapping {
    const m: Mapping = {
      id: 0, start: 0n, limit: 0n, offset: 0n, file: '', buildId: '',
      hasFunctions: false, hasFilenames: false, hasLineNumbers: false, hasInlineFrames: false,
    };
    let fileX = 0, buildIdX = 0;
    while (this.pos < end) {
      const t = this.varint(end);
      const f = t >>> 3, w = t & 7;
      if (f >= 1 && f <= 10) {
        this.expect(w, 0, 'mapping');
        switch (f) {
          case 1: m.id = this.varint(end); break;
          case 2: m.start = this.varintBig(end); break;
          case 3: m.limit = this.varintBig(end); break;
          case 4: m.offset = this.varintBig(end); break;
          case 5: fileX = this.varint(end); break;
          case 6: buildIdX = this.varint(end); break;
          case 7: m.hasFunctions = this.varint(end) !== 0; break;
          case 8: m.hasFilenames = this.varint(end) !== 0; break;
          case 9: m.hasLineNumbers = this.varint(end) !== 0; break;
          case 10: m.hasInlineFrames = this.varint(end) !== 0; break;
        }
      } else this.skipField(w, end);
    }
    return { m, fileX, buildIdX };
  }

  private location(end: number): RawLocation {
    const r: RawLocation = { id: 0, mappingId: 0, address: 0n, lineFn: [], lineNo: [], isFolded: false };
    while (this.pos < end) {
      const t = this.varint(end);
      const f = t >>> 3, w = t & 7;
      switch (f) {
        case 1: this.expect(w, 0, 'location.id'); r.id = this.varint(end); break;
        case 2: this.expect(w, 0, 'location.mapping_id'); r.mappingId = this.varint(end); break;
        case 3: this.expect(w, 0, 'location.address'); r.address = this.varintBig(end); break;
        case 4: {
          this.expect(w, 2, 'location.line');
          const le = this.lengthEnd(end);
          let fn = 0, line = 0;
          while (this.pos < le) {
            const lt = this.varint(le);
            const lf = lt >>> 3, lw = lt & 7;
            if (lf === 1 || lf === 2) {
              this.expect(lw, 0, 'line');
              const v = this.varint(le);
              if (lf === 1) fn = v; else line = v;
            } else this.skipField(lw, le);
          }
          r.lineFn.push(fn);
          r.lineNo.push(line);
          break;
        }
        case 5: this.expect(w, 0, 'location.is_folded'); r.isFolded = this.varint(end) !== 0; break;
        default: this.skipField(w, end);
      }
    }
    return r;
  }

  private func(end: number): RawFunction {
    const f: ProfileFunction = { id: 0, name: '', systemName: '', filename: '', startLine: 0 };
    let nameX = 0, systemNameX = 0, filenameX = 0;
    while (this.pos < end) {
      const t = this.varint(end);
      const fl = t >>> 3, w = t & 7;
      if (fl >= 1 && fl <= 5) {
        this.expect(w, 0, 'function');
        const v = this.varint(end);
        switch (fl) {
          case 1: f.id = v; break;
          case 2: nameX = v; break;
          case 3: systemNameX = v; break;
          case 4: filenameX = v; break;
          case 5: f.startLine = v; break;
        }
      } else this.skipField(w, end);
    }
    return { f, nameX, systemNameX, filenameX };
  }
}

function checkIndex(x: number): number {
  if (x < 0 || x >= TWO32) throw new MalformedError(`label: string index ${x} out of range`);
  return x;
}
