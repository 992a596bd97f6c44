import { TsprofError } from '../errors.js';

/**
 * Byte is the ASCII code of each character the snapshot tokenizers look at.
 * They work on raw UTF-8 bytes: every JSON syntax character is ASCII, and no
 * byte of a multi-byte UTF-8 sequence is below 0x80, so none is taken for one.
 */
export const enum Byte {
  Tab = 9, Newline = 10, Return = 13, Space = 32, Quote = 34, Plus = 43, Comma = 44, Minus = 45, Dot = 46,
  Zero = 48, Nine = 57, Colon = 58, UpperE = 69, LBracket = 91, Backslash = 92, RBracket = 93, LowerE = 101,
  LBrace = 123, RBrace = 125,
}

/**
 * ParseFailures makes the parser's errors for the section readers, so every
 * message names the input and, for a syntax error, the byte and its offset
 * in the whole input.
 */
export interface ParseFailures {
  /** fail reports what is wrong at chunk[i]. */
  fail(chunk: Uint8Array, i: number, what: string): TsprofError;
  /** bad reports a malformed snapshot where no single byte is to blame. */
  bad(what: string): TsprofError;
}

/** isSpace tells JSON's four whitespace bytes. */
export function isSpace(b: number): boolean {
  return b === Byte.Space || b === Byte.Newline || b === Byte.Return || b === Byte.Tab;
}

/** skipSpace returns the index of the first non-space byte at or after i (or chunk.length). */
export function skipSpace(chunk: Uint8Array, i: number): number {
  while (i < chunk.length && isSpace(chunk[i]!)) i++;
  return i;
}

/**
 * openArray skips space and the "[" that opens the array value of `key`: it
 * returns the index after the "[", or -1 when the chunk ends first. Anything
 * else there is an error.
 */
export function openArray(chunk: Uint8Array, i: number, key: string, errors: ParseFailures): number {
  i = skipSpace(chunk, i);
  if (i >= chunk.length) return -1;
  if (chunk[i] !== Byte.LBracket) throw errors.fail(chunk, i, `"${key}" is not an array`);
  return i + 1;
}

/** concatBytes joins the pieces of a token split across chunks (no copy for one piece). */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  return Buffer.concat(parts);
}

const decoder = new TextDecoder('utf-8');

/** utf8 decodes bytes to a string. */
export function utf8(bytes: Uint8Array): string {
  // Buffer's native slice is the fastest decoder for the many short strings.
  return Buffer.isBuffer(bytes) ? bytes.toString('utf8') : decoder.decode(bytes);
}

/** decodeJsonString decodes the raw bytes between a JSON string's quotes, escapes included. */
export function decodeJsonString(raw: Uint8Array, inputName: string): string {
  const text = utf8(raw);
  if (!text.includes('\\')) return text;
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    throw new TsprofError(`${inputName}: malformed heap snapshot: bad string escape in "${text.slice(0, 40)}"`);
  }
}
