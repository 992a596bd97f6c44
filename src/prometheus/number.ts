/**
 * Sample values and timestamps are read straight from the text's character
 * codes (see char-codes.ts): the common case (a plain integer of up to 15 digits, exact in a
 * double) needs neither a substring nor Number(); anything else is checked
 * for the characters a Go float may have and handed to Number(), which rounds
 * exactly as Go's strconv.ParseFloat does.
 */

const MAX_EXACT_DIGITS = 15;

/**
 * parseSampleNumber reads the number in text[start, end), whose character
 * codes are `codes`: a decimal or exponent float, or NaN / Inf / +Inf / -Inf
 * (any case, as Go accepts). Returns undefined when the token is not a number.
 */
export function parseSampleNumber(codes: Uint8Array, text: string, start: number, end: number): number | undefined {
  let i = start;
  let c = codes[i]!;
  const negative = c === 45; // '-'
  if (negative || c === 43) i++; // '+'
  let value = 0;
  const digitsStart = i;
  while (i < end) {
    c = codes[i]!;
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  let digits = i - digitsStart;
  if (i === end && digits > 0 && digits <= MAX_EXACT_DIGITS) return negative ? -value : value;
  if (c === 46 && digits <= MAX_EXACT_DIGITS) {
    // '.': a decimal with at most 15 significant digits is mantissa / 10^k with both
    // exact in a double, and one IEEE division rounds correctly: Number()'s result.
    const fractionStart = ++i;
    while (i < end) {
      c = codes[i]!;
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
      i++;
    }
    digits += i - fractionStart;
    if (i === end && digits > 0 && digits <= MAX_EXACT_DIGITS) {
      const quotient = value / POWERS_OF_TEN[i - fractionStart]!;
      return negative ? -quotient : quotient;
    }
    i = fractionStart - 1;
  }
  return parseGeneralNumber(text, start, end, i);
}

const POWERS_OF_TEN = Array.from({ length: MAX_EXACT_DIGITS + 1 }, (_, k) => 10 ** k);

function parseGeneralNumber(text: string, start: number, end: number, firstNonDigit: number): number | undefined {
  const c = text.charCodeAt(firstNonDigit);
  if (firstNonDigit < end && (c | 0x20) >= 97 && (c | 0x20) <= 122 && (c | 0x20) !== 101) {
    return parseSpecialNumber(text.slice(start, end));
  }
  for (let i = firstNonDigit; i < end; i++) {
    const d = text.charCodeAt(i);
    // Only digits, '.', 'e'/'E', '+' and '-': Number() would also take hex, binary and "Infinity".
    if (!((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45)) return undefined;
  }
  const n = Number(text.slice(start, end));
  return Number.isNaN(n) ? undefined : n;
}

function parseSpecialNumber(token: string): number | undefined {
  switch (token.toLowerCase()) {
    case 'nan':
      return NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      return undefined;
  }
}

/** formatSampleNumber writes a value so that parseSampleNumber reads back the same double (NaN, ±Inf, -0 included). */
export function formatSampleNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0 && 1 / value < 0) return '-0';
  return String(value);
}
