import { TsprofError } from '../errors.js';
import { HeapSnapshot } from './heap-snapshot.js';
import { type SnapshotLayout, snapshotLayout } from './snapshot-meta.js';

/**
 * SnapshotParser is a push parser for the JSON of a V8 heap snapshot: feed it
 * the bytes in chunks of any size, then call finish(). It knows the shape V8
 * writes (one top-level object whose "nodes"/"edges" are flat number arrays
 * and "strings" a string array) and decodes numbers straight into typed
 * columns, so the file is never one string: snapshots of several GB exceed
 * V8's maximum string length, and JSON.parse would need many times the file
 * size in memory. Only the small "snapshot" header is handed to JSON.parse.
 * Sections it does not use (trace trees, samples) are skipped without being
 * kept.
 */
export class SnapshotParser {
  private state = State.TopStart;
  /** Byte offset of the start of the current chunk in the whole input, for messages. */
  private offset = 0;
  private key = '';
  private keyBytes: Uint8Array[] = [];
  private layout: SnapshotLayout | undefined;
  private nodes: ColumnSink | undefined;
  private edges: ColumnSink | undefined;
  private locations: GrowableUint32 | undefined;
  private target: NumberTarget | undefined;
  private strings: string[] = [];
  private seen = new Set<string>();
  // Number state.
  private acc = 0;
  private numberText = '';
  private batch = new Float64Array(batchSize);
  private batchLen = 0;
  // String state.
  private pieces: Uint8Array[] = [];
  private stringEscaped = false;
  private stringHasEscape = false;
  // Generic value scanner state.
  private depth = 0;
  private inString = false;
  private escaped = false;
  private capture: Uint8Array[] | undefined;
  private captureBytes = 0;

  /**
   * inputBytes, when known, is the size of the JSON text: a header count that
   * fits in it (each record takes at least two bytes a field) is trusted for
   * an exact allocation up front; otherwise columns grow as data arrives.
   */
  constructor(private readonly inputName: string, private readonly inputBytes?: number) {}

  /** feed parses the next chunk of the input. */
  feed(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case State.TopStart: {
          i = skipSpace(chunk, i);
          if (i >= n) break;
          // A UTF-8 byte order mark is tolerated.
          if (this.offset + i === 0 && chunk[i] === 0xef && chunk[i + 1] === 0xbb && chunk[i + 2] === 0xbf) {
            i += 3;
            break;
          }
          if (chunk[i] !== C.LBrace) throw this.fail(chunk, i, 'not JSON (expected "{")');
          i++;
          this.state = State.KeyOrEnd;
          break;
        }
        case State.KeyOrEnd:
        case State.Key: {
          i = skipSpace(chunk, i);
          if (i >= n) break;
          const b = chunk[i]!;
          if (b === C.RBrace && this.state === State.KeyOrEnd) {
            i++;
            this.state = State.Done;
          } else if (b === C.Quote) {
            i++;
            this.keyBytes = [];
            this.stringEscaped = false;
            this.state = State.InKey;
          } else {
            throw this.fail(chunk, i, 'not JSON (expected a key)');
          }
          break;
        }
        case State.InKey: {
          const start = i;
          let end = -1;
          for (; i < n; i++) {
            const b = chunk[i]!;
            if (this.stringEscaped) this.stringEscaped = false;
            else if (b === C.Backslash) this.stringEscaped = true;
            else if (b === C.Quote) {
              end = i;
              break;
            }
          }
          this.keyBytes.push(chunk.subarray(start, end < 0 ? n : end));
          if (end >= 0) {
            i = end + 1;
            this.key = decodeJsonString(concat(this.keyBytes), this.inputName);
            this.state = State.Colon;
          }
          break;
        }
        case State.Colon: {
          i = skipSpace(chunk, i);
          if (i >= n) break;
          if (chunk[i] !== C.Colon) throw this.fail(chunk, i, 'not JSON (expected ":")');
          i++;
          this.beginValue();
          break;
        }
        case State.AfterValue: {
          i = skipSpace(chunk, i);
          if (i >= n) break;
          const b = chunk[i]!;
          if (b === C.Comma) this.state = State.Key;
          else if (b === C.RBrace) this.state = State.Done;
          else throw this.fail(chunk, i, 'not JSON (expected "," or "}")');
          i++;
          break;
        }
        case State.Done: {
          i = skipSpace(chunk, i);
          if (i < n) throw this.fail(chunk, i, 'unexpected data after the end of the snapshot');
          break;
        }
        case State.ScanValue:
          i = this.scanValue(chunk, i);
          break;
        case State.NumbersOpen:
        case State.StringsOpen: {
          i = skipSpace(chunk, i);
          if (i >= n) break;
          if (chunk[i] !== C.LBracket) throw this.fail(chunk, i, `"${this.key}" is not an array`);
          i++;
          this.state = this.state === State.NumbersOpen ? State.NumberFirst : State.StringFirst;
          break;
        }
        case State.NumberFirst:
        case State.NumberNext:
        case State.NumberIn:
        case State.NumberAfter:
        case State.NumberText:
          i = this.scanNumbers(chunk, i);
          break;
        case State.StringFirst:
        case State.StringNext:
        case State.StringIn:
        case State.StringAfter:
          i = this.scanStrings(chunk, i);
          break;
      }
    }
    this.offset += n;
  }

  /** finish checks that the input ended where a snapshot ends and returns it. */
  finish(): HeapSnapshot {
    if (this.state !== State.Done) {
      const where = this.state === State.TopStart ? 'the input is empty' : `it ends inside ${this.key ? `"${this.key}"` : 'the header'} at byte ${this.offset}`;
      throw new TsprofError(`${this.inputName}: truncated heap snapshot: ${where}`);
    }
    const layout = this.layout;
    if (!layout) throw new TsprofError(`${this.inputName}: not a V8 heap snapshot: no "snapshot" header`);
    if (!this.nodes) throw new TsprofError(`${this.inputName}: not a V8 heap snapshot: no "nodes" array`);
    if (!this.edges) throw new TsprofError(`${this.inputName}: not a V8 heap snapshot: no "edges" array`);
    if (!this.seen.has('strings')) throw new TsprofError(`${this.inputName}: not a V8 heap snapshot: no "strings" array`);
    const nodes = this.nodes.finish(`${this.inputName}: malformed heap snapshot: "nodes"`);
    const edges = this.edges.finish(`${this.inputName}: malformed heap snapshot: "edges"`);
    const f = layout.nodeField;
    const g = layout.edgeField;
    const nodeCount = nodes.rows;
    const edgeCount = edges.rows;
    if (nodeCount === 0) throw new TsprofError(`${this.inputName}: malformed heap snapshot: no nodes`);
    if (layout.declaredNodeCount !== undefined && layout.declaredNodeCount !== nodeCount) {
      throw this.bad(`the header announces ${layout.declaredNodeCount} nodes, the file has ${nodeCount}`);
    }
    if (layout.declaredEdgeCount !== undefined && layout.declaredEdgeCount !== edgeCount) {
      throw this.bad(`the header announces ${layout.declaredEdgeCount} edges, the file has ${edgeCount}`);
    }
    const nodeType = nodes.columns[f.type] as Uint8Array;
    const nodeName = nodes.columns[f.name] as Uint32Array;
    const nodeEdgeCount = nodes.columns[f.edgeCount] as Uint32Array;
    const edgeType = edges.columns[g.type] as Uint8Array;
    const edgeNameOrIndex = edges.columns[g.nameOrIndex] as Uint32Array;
    const edgeToNode = edges.columns[g.toNode] as Uint32Array;
    // Check every cross reference once here, so analyses can index without checks.
    let total = 0;
    for (let i = 0; i < nodeCount; i++) {
      if (nodeType[i]! >= layout.nodeTypes.length) throw this.bad(`node ${i} has unknown type ${nodeType[i]}`);
      if (nodeName[i]! >= this.strings.length) throw this.bad(`node ${i} names string ${nodeName[i]}, beyond the ${this.strings.length} strings`);
      total += nodeEdgeCount[i]!;
    }
    if (total !== edgeCount) throw this.bad(`the nodes' edge counts add up to ${total}, but there are ${edgeCount} edges`);
    const nfc = layout.nodeFieldCount;
    const limit = nodeCount * nfc;
    for (let e = 0; e < edgeCount; e++) {
      const to = edgeToNode[e]!;
      if (to % nfc !== 0 || to >= limit) throw this.bad(`edge ${e} points to ${to}, not a node`);
      edgeToNode[e] = to / nfc;
      if (edgeType[e]! >= layout.edgeTypes.length) throw this.bad(`edge ${e} has unknown type ${edgeType[e]}`);
    }
    return new HeapSnapshot({
      layout,
      nodeType,
      nodeName,
      nodeId: nodes.columns[f.id] as Uint32Array,
      nodeSelfSize: nodes.columns[f.selfSize] as Float64Array,
      nodeEdgeCount,
      edgeType,
      edgeNameOrIndex,
      edgeToNode,
      strings: this.strings,
      locations: this.locations?.finish(),
    });
  }

  private bad(what: string) {
    return new TsprofError(`${this.inputName}: malformed heap snapshot: ${what}`);
  }

  private fail(chunk: Uint8Array, i: number, what: string) {
    const b = chunk[i]!;
    const shown = b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
    return new TsprofError(`${this.inputName}: ${what.startsWith('not JSON') ? '' : 'malformed heap snapshot: '}${what}, found ${shown} at byte ${this.offset + i}`);
  }

  /** beginValue picks how the value of the current top-level key is read. */
  private beginValue() {
    const key = this.key;
    if (this.seen.has(key)) throw this.bad(`duplicate key "${key}"`);
    this.seen.add(key);
    const layout = this.layout;
    if ((key === 'nodes' || key === 'edges' || key === 'locations') && !layout) {
      throw new TsprofError(`${this.inputName}: not a V8 heap snapshot we can read: "${key}" comes before the "snapshot" header`);
    }
    if (key === 'snapshot') {
      this.startScan(true);
    } else if (key === 'nodes') {
      const f = layout!.nodeField;
      this.nodes = recordSink(layout!.nodeFieldCount, [[f.type, ColumnKind.U8], [f.name, ColumnKind.U32], [f.id, ColumnKind.U32],
        [f.selfSize, ColumnKind.F64], [f.edgeCount, ColumnKind.U32]], layout!.declaredNodeCount, this.inputBytes);
      this.target = this.nodes;
      this.state = State.NumbersOpen;
    } else if (key === 'edges') {
      const g = layout!.edgeField;
      this.edges = recordSink(layout!.edgeFieldCount, [[g.type, ColumnKind.U8], [g.nameOrIndex, ColumnKind.U32], [g.toNode, ColumnKind.U32]],
        layout!.declaredEdgeCount, this.inputBytes);
      this.target = this.edges;
      this.state = State.NumbersOpen;
    } else if (key === 'locations') {
      this.locations = new GrowableUint32(1024);
      this.target = this.locations;
      this.state = State.NumbersOpen;
    } else if (key === 'strings') {
      this.state = State.StringsOpen;
    } else {
      this.startScan(false);
    }
  }

  private startScan(capture: boolean) {
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.capture = capture ? [] : undefined;
    this.captureBytes = 0;
    this.state = State.ScanValue;
  }

  /**
   * scanValue walks over any JSON value, tracking only nesting and strings,
   * and keeps its bytes when capturing (the header). It ends before the
   * "," or "}" that follows the value.
   */
  private scanValue(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    const start = i;
    let done = false;
    for (; i < n; i++) {
      const b = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === C.Backslash) this.escaped = true;
        else if (b === C.Quote) this.inString = false;
        continue;
      }
      if (b === C.Quote) this.inString = true;
      else if (b === C.LBrace || b === C.LBracket) this.depth++;
      else if (b === C.RBrace || b === C.RBracket) {
        if (this.depth === 0) {
          done = true;
          break;
        }
        this.depth--;
      } else if (b === C.Comma && this.depth === 0) {
        done = true;
        break;
      }
    }
    if (this.capture) {
      this.captureBytes += i - start;
      if (this.captureBytes > maxHeaderBytes) throw this.bad(`the "${this.key}" header is over ${maxHeaderBytes} bytes`);
      this.capture.push(chunk.slice(start, i));
    }
    if (done) {
      this.state = State.AfterValue;
      if (this.capture) {
        const text = Buffer.from(concat(this.capture)).toString('utf8');
        this.capture = undefined;
        let header: unknown;
        try {
          header = JSON.parse(text);
        } catch (err) {
          throw this.bad(`"snapshot" header is not valid JSON (${(err as Error).message.split('\n')[0]})`);
        }
        this.layout = snapshotLayout(header, this.inputName);
      }
    }
    return i;
  }

  /**
   * scanNumbers reads a flat array of non-negative integers: the hot loop of
   * the parser (a snapshot is mostly digits and commas). Values go into a
   * batch buffer that the target de-interleaves in bulk, so the loop stays
   * small and monomorphic.
   */
  private scanNumbers(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    const batch = this.batch;
    let len = this.batchLen;
    let acc = this.acc;
    let state = this.state;
    while (i < n) {
      let b = chunk[i]!;
      if (state === State.NumberIn) {
        while (b >= C.Zero && b <= C.Nine) {
          acc = acc * 10 + (b - C.Zero);
          if (++i === n) break;
          b = chunk[i]!;
        }
        if (i === n) break;
        if (b === C.Dot || b === C.LowerE || b === C.UpperE) {
          // Rare: not a plain integer; collect its text.
          this.numberText = String(acc) + String.fromCharCode(b);
          acc = 0;
          state = State.NumberText;
          i++;
          continue;
        }
        batch[len++] = acc;
        acc = 0;
        if (len === batch.length) {
          this.target!.pushBatch(batch, len);
          len = 0;
        }
        if (b === C.Comma) {
          // The common case, "12,34": go straight on to the next number's digits.
          const next = chunk[i + 1];
          if (next !== undefined && next >= C.Zero && next <= C.Nine) {
            i++;
            continue;
          }
          state = State.NumberNext;
        } else if (b === C.RBracket) state = State.AfterValue;
        else if (isSpace(b)) state = State.NumberAfter;
        else {
          this.saveNumbers(len, acc, state);
          throw this.fail(chunk, i, `"${this.key}" holds a non-number`);
        }
        i++;
        if (state === State.AfterValue) break;
        continue;
      }
      if (state === State.NumberText) {
        if ((b >= C.Zero && b <= C.Nine) || b === C.Dot || b === C.LowerE || b === C.UpperE || b === C.Minus || b === C.Plus) {
          this.numberText += String.fromCharCode(b);
          if (this.numberText.length > 64) throw this.fail(chunk, i, `"${this.key}" holds a malformed number`);
          i++;
          continue;
        }
        const v = Number(this.numberText);
        if (!Number.isFinite(v)) throw this.fail(chunk, i, `"${this.key}" holds a malformed number "${this.numberText}"`);
        // Negative or fractional values do not fit the unsigned columns; V8 never writes them.
        batch[len++] = v < 0 ? 0 : Math.round(v);
        if (len === batch.length) {
          this.target!.pushBatch(batch, len);
          len = 0;
        }
        state = State.NumberAfter;
        continue;
      }
      if (b >= C.Zero && b <= C.Nine) {
        if (state === State.NumberAfter) {
          this.saveNumbers(len, acc, state);
          throw this.fail(chunk, i, `"${this.key}" is missing a ","`);
        }
        acc = 0;
        state = State.NumberIn;
        continue;
      }
      if (isSpace(b)) {
        i++;
        continue;
      }
      if (b === C.Comma && state === State.NumberAfter) {
        state = State.NumberNext;
        i++;
        continue;
      }
      if (b === C.RBracket && (state === State.NumberAfter || state === State.NumberFirst)) {
        state = State.AfterValue;
        i++;
        break;
      }
      if (b === C.Minus && state !== State.NumberAfter) {
        this.numberText = '-';
        state = State.NumberText;
        i++;
        continue;
      }
      this.saveNumbers(len, acc, state);
      throw this.fail(chunk, i, `"${this.key}" holds a non-number`);
    }
    if (state === State.AfterValue && len > 0) {
      // The array is complete: hand over the rest of the batch.
      this.target!.pushBatch(batch, len);
      len = 0;
    }
    this.saveNumbers(len, acc, state);
    return i;
  }

  private saveNumbers(len: number, acc: number, state: State) {
    this.batchLen = len;
    this.acc = acc;
    this.state = state;
  }

  /** scanStrings reads the "strings" array; each string is decoded on its own. */
  private scanStrings(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    while (i < n) {
      if (this.state === State.StringIn) {
        const start = i;
        let escaped = this.stringEscaped;
        let end = -1;
        for (; i < n; i++) {
          const b = chunk[i]!;
          if (escaped) escaped = false;
          else if (b === C.Backslash) {
            escaped = true;
            this.stringHasEscape = true;
          } else if (b === C.Quote) {
            end = i;
            break;
          }
        }
        this.stringEscaped = escaped;
        if (end < 0) {
          this.pieces.push(chunk.slice(start, n));
          break;
        }
        let bytes: Uint8Array;
        if (this.pieces.length === 0) bytes = chunk.subarray(start, end);
        else {
          this.pieces.push(chunk.subarray(start, end));
          bytes = concat(this.pieces);
          this.pieces = [];
        }
        this.strings.push(this.stringHasEscape ? decodeJsonString(bytes, this.inputName) : utf8(bytes));
        this.state = State.StringAfter;
        i = end + 1;
        continue;
      }
      const b = chunk[i]!;
      if (isSpace(b)) {
        i++;
        continue;
      }
      if (b === C.Quote && this.state !== State.StringAfter) {
        this.state = State.StringIn;
        this.stringEscaped = false;
        this.stringHasEscape = false;
        i++;
        continue;
      }
      if (b === C.Comma && this.state === State.StringAfter) {
        this.state = State.StringNext;
        i++;
        continue;
      }
      if (b === C.RBracket && (this.state === State.StringAfter || this.state === State.StringFirst)) {
        this.state = State.AfterValue;
        return i + 1;
      }
      throw this.fail(chunk, i, '"strings" holds a non-string');
    }
    return i;
  }
}

/** Numbers collected before a target takes them in bulk (a multiple of every record size V8 uses). */
const batchSize = 7 * 6 * 5 * 4 * 3 * 2 * 256;

/** Bytes the "snapshot" header may take (it is a few kB in practice). */
const maxHeaderBytes = 16 << 20;

const enum State {
  TopStart, KeyOrEnd, Key, InKey, Colon, AfterValue, Done, ScanValue,
  NumbersOpen, NumberFirst, NumberNext, NumberIn, NumberAfter, NumberText,
  StringsOpen, StringFirst, StringNext, StringIn, StringAfter,
}

const enum C {
  Tab = 9, Newline = 10, Return = 13, Space = 32, Quote = 34, Plus = 43, Comma = 44, Minus = 45, Dot = 46,
  Zero = 48, Nine = 57, Colon = 58, UpperE = 69, LBracket = 91, Backslash = 92, RBracket = 93, LowerE = 101,
  LBrace = 123, RBrace = 125,
}

function isSpace(b: number): boolean {
  return b === C.Space || b === C.Newline || b === C.Return || b === C.Tab;
}

function skipSpace(chunk: Uint8Array, i: number): number {
  while (i < chunk.length && isSpace(chunk[i]!)) i++;
  return i;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  return Buffer.concat(parts);
}

const decoder = new TextDecoder('utf-8');

function utf8(bytes: Uint8Array): string {
  // Buffer's native slice is the fastest decoder for the many short strings.
  return Buffer.isBuffer(bytes) ? bytes.toString('utf8') : decoder.decode(bytes);
}

function decodeJsonString(raw: Uint8Array, inputName: string): string {
  const text = utf8(raw);
  if (!text.includes('\\')) return text;
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    throw new TsprofError(`${inputName}: malformed heap snapshot: bad string escape in "${text.slice(0, 40)}"`);
  }
}

/** NumberTarget receives the numbers of one flat array in order. */
interface NumberTarget {
  /** pushBatch takes the first `count` values of `batch`, in order. */
  pushBatch(batch: Float64Array, count: number): void;
}

const enum ColumnKind { Skip, U8, U32, F64 }

type Column = Uint8Array | Uint32Array | Float64Array | undefined;

/**
 * ColumnSink de-interleaves V8's flat records (fieldCount numbers each) into
 * one growable typed column per field that is kept.
 */
class ColumnSink implements NumberTarget {
  columns: Column[];
  private field = 0;
  private row = 0;
  private capacity: number;
  private readonly fieldCount: number;

  constructor(private readonly kinds: ColumnKind[], private readonly declaredRows: number | undefined, inputBytes: number | undefined) {
    this.fieldCount = kinds.length;
    // The header's count sizes the columns at once when the input is big enough to hold that many
    // records; otherwise only as data arrives: a lying header must not exhaust memory.
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

  finish(what: string): { rows: number; columns: Column[] } {
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
function recordSink(fieldCount: number, kept: [number, ColumnKind][], declaredRows: number | undefined, inputBytes: number | undefined): ColumnSink {
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

/** GrowableUint32 collects a flat array of unknown length. */
class GrowableUint32 implements NumberTarget {
  private data: Uint32Array;
  private length = 0;
  constructor(capacity: number) {
    this.data = new Uint32Array(capacity);
  }
  pushBatch(batch: Float64Array, count: number): void {
    while (this.length + count > this.data.length) {
      const bigger = new Uint32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    for (let k = 0; k < count; k++) this.data[this.length++] = batch[k]!;
  }
  finish(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}
