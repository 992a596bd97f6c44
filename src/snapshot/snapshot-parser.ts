import { TsprofError } from '../errors.js';
import type { HeapSnapshot } from './heap-snapshot.js';
import { Byte, type ParseFailures, concatBytes, decodeJsonString, skipSpace } from './json-bytes.js';
import { JsonValueScanner } from './json-value-scanner.js';
import { NumberArrayReader } from './number-array-reader.js';
import { assembleSnapshot, edgeColumnSink, nodeColumnSink } from './snapshot-assembly.js';
import { type ColumnSink, GrowableUint32 } from './snapshot-columns.js';
import { type SnapshotLayout, snapshotLayout } from './snapshot-meta.js';
import { StringArrayReader } from './string-array-reader.js';

/** Where the parser is in the top-level object; a section's value is read by its section reader. */
const enum State { TopStart, KeyOrEnd, Key, InKey, Colon, AfterValue, Done, Value, Numbers, Strings }

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
 *
 * This class walks the top-level object (keys, colons, commas) and hands
 * each value to a section reader: NumberArrayReader for the flat arrays,
 * StringArrayReader for "strings", JsonValueScanner for the header and
 * everything else. assembleSnapshot turns the result into a HeapSnapshot.
 */
export class SnapshotParser implements ParseFailures {
  private state = State.TopStart;
  /** Byte offset of the start of the current chunk in the whole input, for messages. */
  private offset = 0;
  private key = '';
  private keyBytes: Uint8Array[] = [];
  private keyEscaped = false;
  private layout: SnapshotLayout | undefined;
  private nodes: ColumnSink | undefined;
  private edges: ColumnSink | undefined;
  private locations: GrowableUint32 | undefined;
  /** The allocation tracker's sections, parsed, when the snapshot has them (kept up to the scanner's bound). */
  private traceSections: { trace_function_infos?: unknown; trace_tree?: unknown } = {};
  private readonly strings: string[] = [];
  private readonly seen = new Set<string>();
  private readonly numbers = new NumberArrayReader(this);
  private readonly stringReader: StringArrayReader;
  private readonly scanner = new JsonValueScanner(this);

  /**
   * inputBytes, when known, is the size of the JSON text: a header count that
   * fits in it (each record takes at least two bytes a field) is trusted for
   * an exact allocation up front; otherwise columns grow as data arrives.
   */
  constructor(private readonly inputName: string, private readonly inputBytes?: number) {
    this.stringReader = new StringArrayReader(this.strings, inputName, this);
  }

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
          if (chunk[i] !== Byte.LBrace) throw this.fail(chunk, i, 'not JSON (expected "{")');
          i++;
          this.state = State.KeyOrEnd;
          break;
        }
        case State.KeyOrEnd:
        case State.Key: {
          i = skipSpace(chunk, i);
          if (i >= n) break;
          const b = chunk[i]!;
          if (b === Byte.RBrace && this.state === State.KeyOrEnd) {
            i++;
            this.state = State.Done;
          } else if (b === Byte.Quote) {
            i++;
            this.keyBytes = [];
            this.keyEscaped = false;
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
            if (this.keyEscaped) this.keyEscaped = false;
            else if (b === Byte.Backslash) this.keyEscaped = true;
            else if (b === Byte.Quote) {
              end = i;
              break;
            }
          }
          this.keyBytes.push(chunk.subarray(start, end < 0 ? n : end));
          if (end >= 0) {
            i = end + 1;
            this.key = decodeJsonString(concatBytes(this.keyBytes), this.inputName);
            this.state = State.Colon;
          }
          break;
        }
        case State.Colon: {
          i = skipSpace(chunk, i);
          if (i >= n) break;
          if (chunk[i] !== Byte.Colon) throw this.fail(chunk, i, 'not JSON (expected ":")');
          i++;
          this.beginValue();
          break;
        }
        case State.AfterValue: {
          i = skipSpace(chunk, i);
          if (i >= n) break;
          const b = chunk[i]!;
          if (b === Byte.Comma) this.state = State.Key;
          else if (b === Byte.RBrace) this.state = State.Done;
          else throw this.fail(chunk, i, 'not JSON (expected "," or "}")');
          i++;
          break;
        }
        case State.Done: {
          i = skipSpace(chunk, i);
          if (i < n) throw this.fail(chunk, i, 'unexpected data after the end of the snapshot');
          break;
        }
        case State.Value:
          i = this.scanner.read(chunk, i);
          if (this.scanner.done) this.endValue();
          break;
        case State.Numbers:
          i = this.numbers.read(chunk, i);
          if (this.numbers.done) this.state = State.AfterValue;
          break;
        case State.Strings:
          i = this.stringReader.read(chunk, i);
          if (this.stringReader.done) this.state = State.AfterValue;
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
    return assembleSnapshot({
      layout,
      nodes: this.nodes.finish(`${this.inputName}: malformed heap snapshot: "nodes"`),
      edges: this.edges.finish(`${this.inputName}: malformed heap snapshot: "edges"`),
      strings: this.strings,
      locations: this.locations?.finish(),
      traceSections: this.traceSections,
    }, this.inputName);
  }

  /** bad reports a malformed snapshot (ParseFailures). */
  bad(what: string): TsprofError {
    return new TsprofError(`${this.inputName}: malformed heap snapshot: ${what}`);
  }

  /** fail reports a syntax error at chunk[i] with its offset in the whole input (ParseFailures). */
  fail(chunk: Uint8Array, i: number, what: string): TsprofError {
    const b = chunk[i]!;
    const shown = b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
    return new TsprofError(`${this.inputName}: ${what.startsWith('not JSON') ? '' : 'malformed heap snapshot: '}${what}, found ${shown} at byte ${this.offset + i}`);
  }

  /** beginValue picks the reader for the value of the current top-level key. */
  private beginValue() {
    const key = this.key;
    if (this.seen.has(key)) throw this.bad(`duplicate key "${key}"`);
    this.seen.add(key);
    const layout = this.layout;
    if ((key === 'nodes' || key === 'edges' || key === 'locations') && !layout) {
      throw new TsprofError(`${this.inputName}: not a V8 heap snapshot we can read: "${key}" comes before the "snapshot" header`);
    }
    if (key === 'nodes') {
      this.nodes = nodeColumnSink(layout!, this.inputBytes);
      this.numbers.begin(key, this.nodes);
      this.state = State.Numbers;
    } else if (key === 'edges') {
      this.edges = edgeColumnSink(layout!, this.inputBytes);
      this.numbers.begin(key, this.edges);
      this.state = State.Numbers;
    } else if (key === 'locations') {
      this.locations = new GrowableUint32(1024);
      this.numbers.begin(key, this.locations);
      this.state = State.Numbers;
    } else if (key === 'strings') {
      this.state = State.Strings;
    } else {
      const trace = key === 'trace_function_infos' || key === 'trace_tree';
      this.scanner.begin(key, key === 'snapshot' || trace, trace);
      this.state = State.Value;
    }
  }

  /** endValue follows a scanned value; the "snapshot" header becomes the layout. */
  private endValue() {
    this.state = State.AfterValue;
    const text = this.scanner.captured();
    if (text === undefined) return;
    if (this.key === 'trace_function_infos' || this.key === 'trace_tree') {
      try {
        this.traceSections[this.key] = JSON.parse(text);
      } catch {
        // Allocation traces that do not parse are left out; the snapshot itself is still read.
      }
      return;
    }
    let header: unknown;
    try {
      header = JSON.parse(text);
    } catch (err) {
      throw this.bad(`"snapshot" header is not valid JSON (${(err as Error).message.split('\n')[0]})`);
    }
    this.layout = snapshotLayout(header, this.inputName);
  }
}
