import { TsprofError } from '../errors.js';
import { growU32, type GrowU32 } from '../columns/growable.js';

/** NumberTarget receives the numbers of one flat array in order. */
export interface NumberTarget {
  /** pushBatch takes the first `count` values of `batch`, in order. */
  pushBatch(batch: Float64Array, count: number): void;
}

/** ColumnKind is the typed array a kept field is stored in, or Skip for a field not kept. */
export const enum ColumnKind { Skip, U8, U32, F64 }

/** Column is one field's values, one per record; undefined for a skipped field. */
export type Column = Uint8Array | Uint32Array | Float64Array | undefined;

/** Columns is what a ColumnSink holds at the end: the record count and one column per field. */
export interface Columns {
  rows: number;
  columns: Column[];
}

/**
 * ColumnSink de-interleaves V8's flat records (fieldCount numbers each) into
 * one growable typed column per field that is kept.
 */
export class ColumnSink implements NumberTarget {
  columns: Column[];
  private field = 0;
  private row = 0;
  private capacity: number;
  private readonly fieldCount: number;

  /**
   * kinds gives each field's column; declaredRows is the header's count, and
   * inputBytes the size of the JSON text when known (see the capacity rule).
   */
  constructor(private readonly kinds: ColumnKind[], private readonly declaredRows: number | undefined, inputBytes: number | undefined) {
    this.fieldCount = kinds.length;
    // The header's count sizes the columns at once when the input is big enough to hold that many
    // records (each takes at least two bytes a field); otherwise only as data arrives: a lying
    // header must not exhaust memory.
    const plausible = declaredRows !== undefined && inputBytes !== undefined && declaredRows * 2 * kinds.length <= inputBytes;
    this.capacity = Math.max(16, plausible ? declaredRows : Math.min(declaredRows ?? 1 << 16, 1 << 20));
    this.columns = kinds.map((k) => allocate(k, this.capacity));
  }

  pushBatch(batch: Float64Array, count: number): void {
    const fc = this.fieldCount;
    let k = 0;
    // Finish a record left open by the previous batch, value by value.
    while (this.field !== 0 && k < count) this.push(batch[k++]!);
    const full = Math.floor((count - k) / fc);
    while (this.row + full > this.capacity) this.grow();
    for (let f = 0; f < fc; f++) {
      const col = this.columns[f];
      if (col instanceof Float64Array) copyColumnF64(col, this.row, batch, k + f, fc, full);
      else if (col instanceof Uint32Array) copyColumnU32(col, this.row, batch, k + f, fc, full);
      else if (col instanceof Uint8Array) copyColumnU8(col, this.row, batch, k + f, fc, full);
    }
    this.row += full;
    k += full * fc;
    while (k < count) this.push(batch[k++]!);
  }

  private push(v: number): void {
    if (this.row === this.capacity) this.grow();
    const col = this.columns[this.field];
    if (col !== undefined) col[this.row] = v;
    if (++this.field === this.fieldCount) {
      this.field = 0;
      this.row++;
    }
  }

  /** rows is the number of complete records so far. */
  get rows(): number {
    return this.row;
  }

  private grow() {
    // Towards the declared size in big steps (at most 8× what has arrived), then by doubling.
    const declared = this.declaredRows ?? 0;
    this.capacity = declared > this.capacity ? Math.min(declared, this.capacity * 8) : this.capacity * 2;
    this.columns = this.columns.map((col, i) => {
      if (col === undefined) return undefined;
      const bigger = allocate(this.kinds[i]!, this.capacity)!;
      bigger.set(col as never);
      return bigger;
    });
  }

  /** finish trims the columns to the records read; `what` names the array in the error for a partial record. */
  finish(what: string): Columns {
    if (this.field !== 0) throw new TsprofError(`${what} has ${this.row * this.fieldCount + this.field} numbers, not a multiple of ${this.fieldCount} fields`);
    const rows = this.row;
    return { rows, columns: this.columns.map((c) => (c === undefined ? undefined : c.length === rows ? c : c.slice(0, rows))) };
  }
}

// One copy loop per column type, so each stays monomorphic.
function copyColumnF64(col: Float64Array, row: number, batch: Float64Array, from: number, stride: number, count: number) {
  for (let r = 0; r < count; r++, from += stride) col[row + r] = batch[from]!;
}
function copyColumnU32(col: Uint32Array, row: number, batch: Float64Array, from: number, stride: number, count: number) {
  for (let r = 0; r < count; r++, from += stride) col[row + r] = batch[from]!;
}
function copyColumnU8(col: Uint8Array, row: number, batch: Float64Array, from: number, stride: number, count: number) {
  for (let r = 0; r < count; r++, from += stride) col[row + r] = batch[from]!;
}

/** recordSink keeps the listed fields ([position, kind]) of records of fieldCount numbers. */
export function recordSink(fieldCount: number, kept: [number, ColumnKind][], declaredRows: number | undefined, inputBytes: number | undefined): ColumnSink {
  const kinds: ColumnKind[] = new Array(fieldCount).fill(ColumnKind.Skip);
  for (const [position, kind] of kept) kinds[position] = kind;
  return new ColumnSink(kinds, declaredRows, inputBytes);
}

function allocate(kind: ColumnKind, n: number): Column {
  switch (kind) {
    case ColumnKind.U8: return new Uint8Array(n);
    case ColumnKind.U32: return new Uint32Array(n);
    case ColumnKind.F64: return new Float64Array(n);
    default: return undefined;
  }
}

/** GrowableUint32 collects a flat array of unknown length from the tokenizer's batches (a NumberTarget over the one growable array). */
export class GrowableUint32 implements NumberTarget {
  private readonly column: GrowU32;
  constructor(capacity: number) {
    this.column = growU32(capacity);
  }
  pushBatch(batch: Float64Array, count: number): void {
    const column = this.column;
    column.ensure(count);
    const data = column.a;
    let n = column.n;
    for (let k = 0; k < count; k++) data[n++] = batch[k]!;
    column.n = n;
  }
  /** finish returns the numbers collected, trimmed. */
  finish(): Uint32Array {
    return this.column.a.slice(0, this.column.n);
  }
}
