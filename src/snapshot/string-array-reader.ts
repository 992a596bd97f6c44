import { Byte, type ParseFailures, concatBytes, decodeJsonString, isSpace, openArray, utf8 } from './json-bytes.js';

const enum StringState { Open, First, Next, In, After, Done }

/**
 * StringArrayReader reads the snapshot's "strings" array, chunk by chunk,
 * decoding each string on its own (a string split across chunks is joined
 * first). Strings without a backslash skip JSON's escape decoding.
 */
export class StringArrayReader {
  private state = StringState.Open;
  private pieces: Uint8Array[] = [];
  private escaped = false;
  private hasEscape = false;

  /** strings receives the decoded strings, in order. */
  constructor(private readonly strings: string[], private readonly inputName: string, private readonly errors: ParseFailures) {}

  /** done tells that the array's "]" has been read. */
  get done(): boolean {
    return this.state === StringState.Done;
  }

  /** read consumes chunk from i until the array ends or the chunk does, and returns where it stopped. */
  read(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    if (this.state === StringState.Open) {
      i = openArray(chunk, i, 'strings', this.errors);
      if (i < 0) return n;
      this.state = StringState.First;
    }
    while (i < n) {
      if (this.state === StringState.In) {
        const start = i;
        let escaped = this.escaped;
        let end = -1;
        for (; i < n; i++) {
          const b = chunk[i]!;
          if (escaped) escaped = false;
          else if (b === Byte.Backslash) {
            escaped = true;
            this.hasEscape = true;
          } else if (b === Byte.Quote) {
            end = i;
            break;
          }
        }
        this.escaped = escaped;
        if (end < 0) {
          this.pieces.push(chunk.slice(start, n));
          break;
        }
        let bytes: Uint8Array;
        if (this.pieces.length === 0) bytes = chunk.subarray(start, end);
        else {
          this.pieces.push(chunk.subarray(start, end));
          bytes = concatBytes(this.pieces);
          this.pieces = [];
        }
        this.strings.push(this.hasEscape ? decodeJsonString(bytes, this.inputName) : utf8(bytes));
        this.state = StringState.After;
        i = end + 1;
        continue;
      }
      const b = chunk[i]!;
      if (isSpace(b)) {
        i++;
        continue;
      }
      if (b === Byte.Quote && this.state !== StringState.After) {
        this.state = StringState.In;
        this.escaped = false;
        this.hasEscape = false;
        i++;
        continue;
      }
      if (b === Byte.Comma && this.state === StringState.After) {
        this.state = StringState.Next;
        i++;
        continue;
      }
      if (b === Byte.RBracket && (this.state === StringState.After || this.state === StringState.First)) {
        this.state = StringState.Done;
        return i + 1;
      }
      throw this.errors.fail(chunk, i, '"strings" holds a non-string');
    }
    return i;
  }
}
