/**
 * Reading a string with charCodeAt costs a dispatch on V8's string
 * representation for every character; a byte array indexed the same way
 * costs a plain load. The parser reads the text's character codes from such
 * an array, one block of lines at a time through one small reused buffer
 * (so it stays in the CPU cache and no memory is allocated per parse), and
 * still cuts names and values out of the string itself.
 */

/** Where a character outside ASCII stands in the codes: no part of the syntax uses it. */
export const NON_ASCII = 0x80;

const encoder = new TextEncoder();

/**
 * charCodes writes the codes of text[start, end) to codes[0, end - start), one
 * byte per character (ASCII as is, anything else as NON_ASCII), followed by
 * one 0 for "past the end". codes must hold end - start + 1 bytes.
 */
export function charCodes(text: string, start: number, end: number, codes: Uint8Array): void {
  const length = end - start;
  const range = start === 0 && end === text.length ? text : text.slice(start, end);
  // UTF-8 of pure ASCII (the usual exposition) is the codes themselves: one native copy.
  const { read, written } = encoder.encodeInto(range, codes.subarray(0, length));
  if (read !== length || written !== length) {
    for (let k = 0; k < length; k++) {
      const c = text.charCodeAt(start + k);
      codes[k] = c < 128 ? c : NON_ASCII;
    }
  }
  codes[length] = 0;
}
