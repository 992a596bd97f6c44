import { Byte, type ParseFailures, concatBytes } from './json-bytes.js';

/** Bytes a captured value (the "snapshot" header) may take: it is a few kB in practice. */
const maxCaptureBytes = 16 << 20;

/**
 * JsonValueScanner walks over any JSON value, chunk by chunk, tracking only
 * nesting and strings: it skips the sections the parser does not use (trace
 * trees, samples) without keeping them, and captures the small "snapshot"
 * header whole for JSON.parse. It stops before the "," or "}" that follows
 * the value.
 */
export class JsonValueScanner {
  private key = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private capture: Uint8Array[] | undefined;
  private captureBytes = 0;
  private finished = true;
  /** A value kept only if it fits (the allocation traces): past the bound it is dropped, not an error. */
  private optional = false;

  constructor(private readonly errors: ParseFailures) {}

  /**
   * begin starts scanning the value of `key`, keeping its bytes when capture is
   * set; an `optional` capture over the bound is dropped (captured() is then
   * undefined) where the header's would be an error.
   */
  begin(key: string, capture: boolean, optional = false): void {
    this.optional = optional;
    this.key = key;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.capture = capture ? [] : undefined;
    this.captureBytes = 0;
    this.finished = false;
  }

  /** done tells that the value has ended. */
  get done(): boolean {
    return this.finished;
  }

  /** read consumes chunk from i until the value ends or the chunk does, and returns where it stopped. */
  read(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    const start = i;
    for (; i < n; i++) {
      const b = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === Byte.Backslash) this.escaped = true;
        else if (b === Byte.Quote) this.inString = false;
        continue;
      }
      if (b === Byte.Quote) this.inString = true;
      else if (b === Byte.LBrace || b === Byte.LBracket) this.depth++;
      else if (b === Byte.RBrace || b === Byte.RBracket) {
        if (this.depth === 0) {
          this.finished = true;
          break;
        }
        this.depth--;
      } else if (b === Byte.Comma && this.depth === 0) {
        this.finished = true;
        break;
      }
    }
    if (this.capture) {
      this.captureBytes += i - start;
      if (this.captureBytes > maxCaptureBytes) {
        if (!this.optional) throw this.errors.bad(`the "${this.key}" header is over ${maxCaptureBytes} bytes`);
        this.capture = undefined;
      } else {
        this.capture.push(chunk.slice(start, i));
      }
    }
    return i;
  }

  /** captured returns the text of a finished captured value, once. */
  captured(): string | undefined {
    if (!this.finished || !this.capture) return undefined;
    const text = Buffer.from(concatBytes(this.capture)).toString('utf8');
    this.capture = undefined;
    return text;
  }
}
