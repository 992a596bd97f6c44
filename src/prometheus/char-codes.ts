/**
 * Reading a string with charCodeAt costs a dispatch on V8's string
 * representation for every character; a byte array indexed the same way
 * costs a plain load. The parser reads the text's character codes from such
 * an array (about 10% faster on a 20 MB response, conversion included) and
 * still cuts names and values out of the string itself.
 */

/** Where a character outside ASCII stands in the codes: no part of the syntax uses it. */
export const NON_ASCII = 0x80;

/**
 * charCodes returns the codes of text[0, end), one byte per character (ASCII
 * as is, anything else as NON_ASCII), followed by one 0 for "past the end".
 * Index k of the result is character k of the text.
 */
export function charCodes(text: string, end: number): Uint8Array {
  const codes = Buffer.allocUnsafe(end + 1);
  const range = end === text.length ? text : text.slice(0, end);
  if (Buffer.byteLength(range, 'utf8') === end) {
    // Pure ASCII (the usual exposition): one native copy.
    codes.write(range, 0, end, 'latin1');
  } else {
    for (let k = 0; k < end; k++) {
      const c = text.charCodeAt(k);
      codes[k] = c < 128 ? c : NON_ASCII;
    }
  }
  codes[end] = 0;
  return codes;
}
