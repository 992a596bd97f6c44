import { gzipSync } from 'node:zlib';
import type { Profile, ValueType } from './profile.js';

/** ProtoWriter appends protobuf wire format to a growing byte buffer. */
class ProtoWriter {
  buf = new Uint8Array(1 << 16);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
  }

  /** varint writes a non-negative integer or, for negatives, its 10-byte int64 two's complement. */
  varint(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (v >= 0 && v < 0x80) { buf[this.pos++] = v; return; }
    if (v < 0) { this.varintBig(BigInt.asUintN(64, BigInt(Math.trunc(v)))); return; }
    if (v <= 0x7fffffff) {
      while (v >= 0x80) { buf[this.pos++] = (v & 0x7f) | 0x80; v >>>= 7; }
      buf[this.pos++] = v;
      return;
    }
    while (v >= 0x80) {
      buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[this.pos++] = v;
  }

  varintBig(v: bigint): void {
    this.ensure(10);
    v = BigInt.asUintN(64, v);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  tag(field: number, wire: number): void { this.varint((field << 3) | wire); }

  /** int writes an optional integer field (skipped when zero, as proto3). */
  int(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, 0);
    this.varint(v);
  }

  big(field: number, v: bigint): void {
    if (v === 0n) return;
    this.tag(field, 0);
    this.varintBig(v);
  }

  bool(field: number, v: boolean): void { if (v) { this.tag(field, 0); this.varint(1); } }

  bytes(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** begin starts a length-delimited field; end(mark) closes it. One byte is reserved for the length and moved if it needs more. */
  begin(field: number): number {
    this.tag(field, 2);
    this.ensure(1);
    return this.pos++;
  }

  end(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 0x80) { this.buf[mark] = len; return; }
    let size = 1;
    for (let v = len; v >= 0x80; v = Math.floor(v / 128)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(mark + size, mark + 1, this.pos);
    this.pos += size - 1;
    const save = this.pos;
    this.pos = mark;
    this.varint(len);
    this.pos = save;
  }

  done(): Uint8Array { return this.buf.slice(0, this.pos); }
}

/**
 * encodeProfile writes p as uncompressed profile.proto bytes. The string
 * table is rebuilt so that only referenced strings are written.
 */
export function encodeProfile(p: Profile): Uint8Array {
  const table: string[] = [''];
  const index = new Map<string, number>([['', 0]]);
  const add = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = table.length;
      table.push(s);
      index.set(s, i);
    }
    return i;
  };
  // Labels refer to p.strings; translate each used index once.
  const labelMap = new Int32Array(p.strings.length).fill(-1);
  const mapLabel = (x: number): number => {
    if (x === 0) return 0;
    let y = labelMap[x]!;
    if (y < 0) { y = add(p.strings[x]!); labelMap[x] = y; }
    return y;
  };

  const w = new ProtoWriter();
  const valueType = (field: number, vt: ValueType): void => {
    const m = w.begin(field);
    w.int(1, add(vt.type));
    w.int(2, add(vt.unit));
    w.end(m);
  };
  for (const st of p.sampleTypes) valueType(1, st);

  const s = p.samples;
  const locs = p.locations;
  const t = s.labels;
  for (let i = 0; i < s.count; i++) {
    const m = w.begin(2);
    const ls = s.locationStarts[i]!, le = s.locationStarts[i + 1]!;
    if (le > ls) {
      const pm = w.begin(1);
      for (let j = ls; j < le; j++) w.varint(locs[s.locationIndexes[j]!]!.id);
      w.end(pm);
    }
    if (s.valueCount > 0) {
      const pm = w.begin(2);
      const base = i * s.valueCount;
      for (let k = 0; k < s.valueCount; k++) w.varint(s.values[base + k]!);
      w.end(pm);
    }
    if (t) {
      for (let j = t.starts[i]!; j < t.starts[i + 1]!; j++) {
        const lm = w.begin(3);
        w.int(1, mapLabel(t.key[j]!));
        if (t.str[j] !== 0) w.int(2, mapLabel(t.str[j]!));
        else {
          w.int(3, t.num[j]!);
          w.int(4, mapLabel(t.unit[j]!));
        }
        w.end(lm);
      }
    }
    w.end(m);
  }
  for (const mp of p.mappings) {
    const m = w.begin(3);
    w.int(1, mp.id);
    w.big(2, mp.start);
    w.big(3, mp.limit);
    w.big(4, mp.offset);
    w.int(5, add(mp.file));
    w.int(6, add(mp.buildId));
    w.bool(7, mp.hasFunctions);
    w.bool(8, mp.hasFilenames);
    w.bool(9, mp.hasLineNumbers);
    w.bool(10, mp.hasInlineFrames);
    w.end(m);
  }
  for (const l of p.locations) {
    const m = w.begin(4);
    w.int(1, l.id);
    w.int(2, l.mapping ? l.mapping.id : 0);
    w.big(3, l.address);
    for (const ln of l.lines) {
      const lm = w.begin(4);
      w.int(1, ln.function.id);
      w.int(2, ln.line);
      w.end(lm);
    }
    w.bool(5, l.isFolded);
    w.end(m);
  }
  for (const f of p.functions) {
    const m = w.begin(5);
    w.int(1, f.id);
    w.int(2, add(f.name));
    w.int(3, add(f.systemName));
    w.int(4, add(f.filename));
    w.int(5, f.startLine);
    w.end(m);
  }
  const dropX = add(p.dropFrames);
  const keepX = add(p.keepFrames);
  const periodX = p.periodType ? [add(p.periodType.type), add(p.periodType.unit)] : undefined;
  const commentX = p.comments.map(add);
  const defaultX = add(p.defaultSampleType);

  const enc = new TextEncoder();
  for (const str of table) w.bytes(6, enc.encode(str));
  w.int(7, dropX);
  w.int(8, keepX);
  w.big(9, p.timeNanos);
  w.int(10, p.durationNanos);
  if (periodX && (periodX[0] !== 0 || periodX[1] !== 0)) {
    const m = w.begin(11);
    w.int(1, periodX[0]!);
    w.int(2, periodX[1]!);
    w.end(m);
  }
  w.int(12, p.period);
  if (commentX.length > 0) {
    const m = w.begin(13);
    for (const c of commentX) w.varint(c);
    w.end(m);
  }
  w.int(14, defaultX);
  return w.done();
}

/** encodeProfileGzip writes p as gzip-compressed profile.proto, as pprof writes files. */
export function encodeProfileGzip(p: Profile): Uint8Array {
  return gzipSync(encodeProfile(p), { level: 1 });
}
