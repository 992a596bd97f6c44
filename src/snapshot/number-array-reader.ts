import { Byte, type ParseFailures, isSpace, openArray } from './json-bytes.js';
import type { NumberTarget } from './snapshot-columns.js';

/** Numbers collected before a target takes them in bulk (a multiple of every record size V8 uses). */
const batchSize = 7 * 6 * 5 * 4 * 3 * 2 * 256;

const enum NumberState { Open, First, Next, In, After, Text, Done }

/**
 * NumberArrayReader reads one flat JSON array of non-negative integers
 * ("nodes", "edges", "locations") into a NumberTarget, chunk by chunk: the
 * hot loop of the parser, since a snapshot is mostly digits and commas.
 * Values go into a batch buffer that the target de-interleaves in bulk, so
 * the loop stays small and monomorphic. One reader serves every array of a
 * parse (begin() starts the next), so its batch is allocated once.
 */
export class NumberArrayReader {
  private state = NumberState.Done;
  private key = '';
  private target: NumberTarget | undefined;
  private acc = 0;
  private numberText = '';
  private readonly batch = new Float64Array(batchSize);
  private batchLen = 0;

  constructor(private readonly errors: ParseFailures) {}

  /** begin starts reading the array value of `key` (the next bytes hold its "[") into target. */
  begin(key: string, target: NumberTarget): void {
    this.key = key;
    this.target = target;
    this.acc = 0;
    this.batchLen = 0;
    this.state = NumberState.Open;
  }

  /** done tells that the array's "]" has been read and every number handed to the target. */
  get done(): boolean {
    return this.state === NumberState.Done;
  }

  /** read consumes chunk from i until the array ends or the chunk does, and returns where it stopped. */
  read(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    if (this.state === NumberState.Open) {
      i = openArray(chunk, i, this.key, this.errors);
      if (i < 0) return n;
      this.state = NumberState.First;
    }
    const batch = this.batch;
    let len = this.batchLen;
    let acc = this.acc;
    let state = this.state;
    while (i < n) {
      let b = chunk[i]!;
      if (state === NumberState.In) {
        while (b >= Byte.Zero && b <= Byte.Nine) {
          acc = acc * 10 + (b - Byte.Zero);
          if (++i === n) break;
          b = chunk[i]!;
        }
        if (i === n) break;
        if (b === Byte.Dot || b === Byte.LowerE || b === Byte.UpperE) {
          // Rare: not a plain integer; collect its text.
          this.numberText = String(acc) + String.fromCharCode(b);
          acc = 0;
          state = NumberState.Text;
          i++;
          continue;
        }
        batch[len++] = acc;
        acc = 0;
        if (len === batch.length) {
          this.target!.pushBatch(batch, len);
          len = 0;
        }
        if (b === Byte.Comma) {
          // The common case, "12,34": go straight on to the next number's digits.
          const next = chunk[i + 1];
          if (next !== undefined && next >= Byte.Zero && next <= Byte.Nine) {
            i++;
            continue;
          }
          state = NumberState.Next;
        } else if (b === Byte.RBracket) state = NumberState.Done;
        else if (isSpace(b)) state = NumberState.After;
        else {
          this.save(len, acc, state);
          throw this.errors.fail(chunk, i, `"${this.key}" holds a non-number`);
        }
        i++;
        if (state === NumberState.Done) break;
        continue;
      }
      if (state === NumberState.Text) {
        if ((b >= Byte.Zero && b <= Byte.Nine) || b === Byte.Dot || b === Byte.LowerE || b === Byte.UpperE || b === Byte.Minus || b === Byte.Plus) {
          this.numberText += String.fromCharCode(b);
          if (this.numberText.length > 64) throw this.errors.fail(chunk, i, `"${this.key}" holds a malformed number`);
          i++;
          continue;
        }
        const v = Number(this.numberText);
        if (!Number.isFinite(v)) throw this.errors.fail(chunk, i, `"${this.key}" holds a malformed number "${this.numberText}"`);
        // Negative or fractional values do not fit the unsigned columns; V8 never writes them.
        batch[len++] = v < 0 ? 0 : Math.round(v);
        if (len === batch.length) {
          this.target!.pushBatch(batch, len);
          len = 0;
        }
        state = NumberState.After;
        continue;
      }
      if (b >= Byte.Zero && b <= Byte.Nine) {
        if (state === NumberState.After) {
          this.save(len, acc, state);
          throw this.errors.fail(chunk, i, `"${this.key}" is missing a ","`);
        }
        acc = 0;
        state = NumberState.In;
        continue;
      }
      if (isSpace(b)) {
        i++;
        continue;
      }
      if (b === Byte.Comma && state === NumberState.After) {
        state = NumberState.Next;
        i++;
        continue;
      }
      if (b === Byte.RBracket && (state === NumberState.After || state === NumberState.First)) {
        state = NumberState.Done;
        i++;
        break;
      }
      if (b === Byte.Minus && state !== NumberState.After) {
        this.numberText = '-';
        state = NumberState.Text;
        i++;
        continue;
      }
      this.save(len, acc, state);
      throw this.errors.fail(chunk, i, `"${this.key}" holds a non-number`);
    }
    if (state === NumberState.Done && len > 0) {
      // The array is complete: hand over the rest of the batch.
      this.target!.pushBatch(batch, len);
      len = 0;
    }
    this.save(len, acc, state);
    return i;
  }

  private save(len: number, acc: number, state: NumberState) {
    this.batchLen = len;
    this.acc = acc;
    this.state = state;
  }
}
