import type { GrowF64, GrowU32 } from '../columns/growable.js';

/** MalformedError says the bytes are not well-formed protobuf of a profile (decodeProfile turns it into a TsprofError). */
export class MalformedError extends Error {}

/** TWO32 is 2^32, for assembling 64-bit varints from two halves. */
export const TWO32 = 4294967296;

/**
 * ProtoReader reads protobuf wire format from one buffer: varints (as doubles,
 * exact below 2^53, or as bigints), length prefixes, and fields it skips. It is
 * the reading half of the project's one codec (proto-writer.ts is the other).
 */
export class ProtoReader {
  protected readonly buf: Buffer;
  protected pos = 0;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** varint reads a varint as a double: exact below 2^53, the int64 value for negative numbers. */
  protected varint(end: number): number {
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
  protected varintBig(end: number): bigint {
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
  protected lengthEnd(end: number): number {
    const n = this.varint(end);
    if (n < 0 || this.pos + n > end) throw new MalformedError(`length ${n} at byte ${this.pos} runs past the end of its message`);
    return this.pos + n;
  }

  protected skipField(wire: number, end: number): void {
    switch (wire) {
      case 0: this.varint(end); return;
      case 1: this.pos += 8; break;
      case 2: this.pos = this.lengthEnd(end); return;
      case 5: this.pos += 4; break;
      default: throw new MalformedError(`unknown wire type ${wire} at byte ${this.pos}`);
    }
    if (this.pos > end) throw new MalformedError(`truncated field at byte ${end}`);
  }

  protected expect(wire: number, want: number, field: string): void {
    if (wire !== want) throw new MalformedError(`field ${field} has wire type ${wire}, want ${want}`);
  }

  /**
   * packedIds reads a packed field of location ids up to end into out: the
   * hot loop of decoding, with one- and two-byte varints read inline.
   */
  protected packedIds(end: number, out: GrowU32): void {
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
  protected packedValues(end: number, out: GrowF64): void {
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
}
