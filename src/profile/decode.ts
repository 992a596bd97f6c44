import { TsprofError } from '../errors.js';
import type { Mapping, Profile, ProfileFunction } from './profile.js';
import { defaultMaxDecodedBytes, gunzipBounded, isGzip } from './gzip.js';
import { type GrowF64, type GrowU32, growF64, growU32 } from '../columns/growable.js';
import { MalformedError, ProtoReader, TWO32 } from './proto-reader.js';
import { assembleProfile, type RawFunction, type RawLocation, type RawMapping } from './decode-assembly.js';
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

/**
 * ProtoDecoder is a hand-written reader for profile.proto: one pass over the
 * bytes, samples straight into typed arrays, strings sliced once.
 */
class ProtoDecoder extends ProtoReader {
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
    return assembleProfile({
      strings,
      sampleTypeX,
      periodTypeX,
      rawMappings,
      rawFunctions,
      rawLocations,
      commentX,
      dropFramesX,
      keepFramesX,
      defaultSampleTypeX,
      timeNanos,
      durationNanos,
      period,
      valueStarts,
      values,
      locStarts,
      locIds,
      labelStarts,
      labelKey,
      labelStr,
      labelUnit,
      labelNum,
      sampleCount,
    });
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
