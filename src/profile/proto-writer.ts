const utf8 = new TextEncoder();

/**
 * ProtoWriter appends protobuf wire format to one growing byte buffer: the one
 * writer of the project (the CLI's -proto output, the agent's profiles and the
 * V8 importers all go through it). A length-delimited field reserves one length
 * byte and moves its body only when the length needs more.
 */
export class ProtoWriter {
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

  /** string writes a UTF-8 string field, empty strings included (the string table needs them). */
  string(field: number, s: string): void {
    this.tag(field, 2);
    const max = s.length * 3;
    if (max < 0x80) {
      // Short strings (most names): encode straight into the buffer behind a one-byte length.
      this.ensure(max + 1);
      const at = this.pos + 1;
      const written = utf8.encodeInto(s, this.buf.subarray(at, at + max)).written!;
      this.buf[this.pos] = written;
      this.pos = at + written;
      return;
    }
    const bytes = utf8.encode(s);
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** packed writes a packed repeated varint field (nothing for an empty list). */
  packed(field: number, values: readonly number[]): void {
    if (values.length === 0) return;
    const m = this.begin(field);
    for (const v of values) this.varint(v);
    this.end(m);
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
