import { charCodes } from './char-codes.js';
import { unescapeHelp, unescapeLabelValue } from './escape.js';
import { parseSampleNumber } from './number.js';
import type {
  PrometheusLabel,
  PrometheusMetadata,
  PrometheusMetricType,
  PrometheusParseError,
  PrometheusParseResult,
  PrometheusRow,
} from './types.js';

/**
 * The parser scans the text's character codes (see char-codes.ts) and cuts
 * names and values out of the text with slice(): no regular expression and
 * no split() per line, so the only allocations are the rows themselves. V8 makes a slice of 13 or more
 * characters a "sliced string" that points into the parsed text instead of
 * copying it (shorter ones are copied, which is cheaper than pointing).
 * That is what makes the parser fast, and it is also the trap of the story:
 * keep one such slice and the whole text stays alive.
 */

const METRIC_START = 1;
const METRIC_CHAR = 2;
const LABEL_START = 4;
const LABEL_CHAR = 8;

/** charClass[c] holds the name classes ASCII character c belongs to. */
const charClass = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95; // A-Z a-z _
  const digit = c >= 48 && c <= 57;
  const colon = c === 58;
  charClass[c] =
    (letter || colon ? METRIC_START : 0) |
    (letter || digit || colon ? METRIC_CHAR : 0) |
    (letter ? LABEL_START : 0) |
    (letter || digit ? LABEL_CHAR : 0);
}

const metricTypes: ReadonlySet<string> = new Set<PrometheusMetricType>([
  'counter', 'gauge', 'histogram', 'summary', 'untyped', 'unknown', 'info', 'stateset', 'gaugehistogram',
]);

/**
 * parsePrometheusText parses a whole Prometheus (or OpenMetrics) text
 * exposition. Each malformed line becomes one entry of `errors` with its
 * 1-based line number and is skipped; the rest is parsed.
 */
export function parsePrometheusText(text: string): PrometheusParseResult {
  const result: PrometheusParseResult = { rows: [], errors: [], metadata: new Map() };
  parseExpositionRange(text, 0, text.length, 1, result);
  return result;
}

/**
 * parseExpositionRange parses the lines of text[start, end) into result,
 * numbering the first line firstLine, and returns the number of the line
 * after the last one read. The streaming parser calls it once per block of
 * complete lines.
 */
export function parseExpositionRange(
  text: string,
  start: number,
  end: number,
  firstLine: number,
  result: PrometheusParseResult,
): number {
  let line = firstLine;
  let pos = start;
  while (pos < end) {
    // A block of whole lines: up to blockChars, or one longer line.
    let blockEnd = pos + blockChars >= end ? end : text.lastIndexOf('\n', pos + blockChars - 1) + 1;
    if (blockEnd <= pos) {
      const newline = text.indexOf('\n', pos + blockChars);
      blockEnd = newline < 0 || newline >= end ? end : newline + 1;
    }
    const length = blockEnd - pos;
    const codes = length < blockCodes.length ? blockCodes : new Uint8Array(length + 1);
    charCodes(text, pos, blockEnd, codes);
    // Positions within the block: a slice of a slice is still a slice of the text itself.
    line = parseBlock(pos === 0 && blockEnd === text.length ? text : text.slice(pos, blockEnd), codes, length, line, result);
    pos = blockEnd;
  }
  return line;
}

/** Characters per block of lines; their codes (one byte each) stay in the CPU cache. */
const blockChars = 1 << 16;
const blockCodes = new Uint8Array(blockChars + 1);

/** parseBlock parses the lines of text[0, end), whose codes are codes, as parseExpositionRange. */
function parseBlock(text: string, codes: Uint8Array, end: number, firstLine: number, result: PrometheusParseResult): number {
  const rows = result.rows;
  backslashAt = text.indexOf('\\');
  let previous: PrometheusRow | undefined;
  let previousAt = 0;
  let line = firstLine;
  let pos = 0;
  while (pos < end) {
    let newline = text.indexOf('\n', pos);
    if (newline < 0 || newline > end) newline = end;
    let lineEnd = newline;
    if (lineEnd > pos && codes[lineEnd - 1]! === 13) lineEnd--; // CRLF
    let i = pos;
    while (i < lineEnd && isBlank(codes[i]!)) i++;
    if (i < lineEnd) {
      const parsed = codes[i]! === 35 ? parseCommentLine(text, codes, i, lineEnd, result.metadata) : parseSampleLine(text, codes, i, lineEnd, previous, previousAt);
      if (typeof parsed === 'string') result.errors.push({ line, message: parsed });
      else if (parsed !== undefined) {
        // A row: remember where its names are for the next one.
        rows.push((previous = parsed));
        previousAt = i;
        const swap = previousNameAt;
        previousNameAt = nameAt;
        nameAt = swap;
      }
    }
    pos = newline + 1;
    line++;
  }
  return line;
}

function isLabelChar(c: number): boolean {
  return c < 128 && (charClass[c]! & LABEL_CHAR) !== 0;
}

function isMetricChar(c: number): boolean {
  return c < 128 && (charClass[c]! & METRIC_CHAR) !== 0;
}

/** sameCodes tells whether text[at, at + length) holds the same characters as text[from, from + length), before end. */
function sameCodes(codes: Uint8Array, at: number, end: number, from: number, length: number): boolean {
  if (at + length > end) return false;
  for (let k = 0; k < length; k++) if (codes[at + k] !== codes[from + k]) return false;
  return true;
}

/**
 * Where the names of the previous row's first labels start in the text, and
 * the current row's (swapped when a row is taken): comparing a name with the
 * one before then reads two byte arrays, not a string.
 */
const trackedLabels = 32;
let previousNameAt = new Int32Array(trackedLabels);
let nameAt = new Int32Array(trackedLabels);

/** startsWithAt tells whether the text holds `word` at position at, before end. */
function startsWithAt(codes: Uint8Array, at: number, end: number, word: string): boolean {
  if (at + word.length > end) return false;
  for (let k = 0; k < word.length; k++) if (codes[at + k] !== word.charCodeAt(k)) return false;
  return true;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function skipBlanks(codes: Uint8Array, i: number, end: number): number {
  while (i < end && isBlank(codes[i]!)) i++;
  return i;
}

function found(text: string, i: number, end: number): string {
  return i >= end ? 'end of line' : JSON.stringify(text[i]);
}

/** short cuts a name for an error message. */
function short(name: string): string {
  const cut = name.length > 60 ? name.slice(0, 60) : name;
  // Quoted names (Prometheus 3) may hold any character; an error message stays one printable line.
  const shown = /[\u0000-\u001f\u007f-\u009f\u2028\u2029"\\]/.test(cut) ? JSON.stringify(cut) : cut;
  return name.length > 60 ? shown + '...' : shown;
}

/** quoted shows text[start, end) in an error message, cut short so a huge line makes a short message. */
function quoted(text: string, start: number, end: number): string {
  return end - start > 40 ? JSON.stringify(text.slice(start, start + 40)) + '...' : JSON.stringify(text.slice(start, end));
}

/** Where the quoted name read last by readQuotedName ends: the position after its closing quote. */
let quotedNameEnd = 0;

/**
 * readQuotedName reads a Prometheus 3 quoted metric or label name whose opening
 * quote is at codes[at]: any UTF-8 text, with `\\`, `\"` and `\n` escaped (as in
 * label values; an unknown escape is kept as written). It returns the name (a
 * slice of the text unless escapes had to be undone) and sets quotedNameEnd,
 * or returns undefined when the closing quote is missing.
 */
function readQuotedName(text: string, codes: Uint8Array, at: number, end: number): string | undefined {
  let i = at + 1;
  let escaped = false;
  for (;;) {
    if (i >= end) return undefined;
    const c = codes[i]!;
    if (c === 34) break;
    if (c === 92) {
      escaped = true;
      i += 2;
    } else i++;
  }
  quotedNameEnd = i + 1;
  return escaped ? unescapeLabelValue(text, at + 1, i) : text.slice(at + 1, i);
}

/** Where the next backslash of the text being parsed is (-1: none), so values without escapes skip the escape check. */
let backslashAt = -1;

/**
 * parseSampleLine reads `metric{labels} value [timestamp] [# exemplar]`; a
 * string result is the error. `previous` is the row before: consecutive
 * rows repeat the metric and label names, so where they match its strings
 * are handed out again, saving the scan and the allocation (they are slices
 * of the same input all the same). Values are not reused: comparing them
 * costs more than slicing.
 */
function parseSampleLine(
  text: string,
  codes: Uint8Array,
  start: number,
  end: number,
  previous: PrometheusRow | undefined,
  previousAt: number,
): PrometheusRow | string {
  let i = start;
  let c = codes[i]!;
  let metric: string;
  let inBraces = false;
  const previousLabels = previous?.labels;
  if (c === 123) {
    // Prometheus 3: `{"name", labels}`, the quoted metric name first inside the braces.
    i = skipBlanks(codes, i + 1, end);
    if (i >= end || codes[i]! !== 34) return `expected a metric name (quoted, first inside "{") at column ${i - start + 1}, found ${found(text, i, end)}`;
    const name = readQuotedName(text, codes, i, end);
    if (name === undefined) return `unterminated quoted metric name at column ${i - start + 1}: missing closing quote`;
    if (name === '') return `empty quoted metric name at column ${i - start + 1}`;
    metric = name;
    i = skipBlanks(codes, quotedNameEnd, end);
    c = i < end ? codes[i]! : -1;
    if (c === 44) {
      i++; // ','
      inBraces = true;
    } else if (c === 125) i = skipBlanks(codes, i + 1, end); // '}'
    else return `expected "," or "}" after the metric name ${short(metric)}, found ${found(text, i, end)}`;
  } else {
    if (c >= 128 || (charClass[c]! & METRIC_START) === 0) return `expected a metric name at column ${i - start + 1}, found ${found(text, i, end)}`;
    const previousMetric = previous?.metric;
    if (previousMetric !== undefined && sameCodes(codes, i, end, previousAt, previousMetric.length) && !isMetricChar(codes[i + previousMetric.length]!)) {
      metric = previousMetric;
      i += metric.length;
    } else {
      i++;
      while (i < end && isMetricChar(codes[i]!)) i++;
      metric = text.slice(start, i);
    }
    i = skipBlanks(codes, i, end);
    if (i < end && codes[i]! === 123) {
      i++; // '{'
      inBraces = true;
    }
  }
  let labels: PrometheusLabel[] = [];
  if (inBraces) {
    for (;;) {
      i = skipBlanks(codes, i, end);
      if (i >= end) return `unterminated label set of ${short(metric)}: missing "}"`;
      c = codes[i]!;
      if (c === 125) {
        // '}' (also after a trailing comma)
        i++;
        break;
      }
      const nameStart = i;
      const k = labels.length;
      let name: string;
      if (c === 34) {
        // Prometheus 3: a quoted label name, any UTF-8.
        const quoted = readQuotedName(text, codes, i, end);
        if (quoted === undefined) return `unterminated quoted label name of ${short(metric)}: missing closing quote`;
        if (quoted === '') return `empty quoted label name of ${short(metric)} at column ${i - start + 1}`;
        name = quoted;
        i = quotedNameEnd;
        // Not compared by position with the next row: its quotes and escapes are not the name's characters.
        if (k < trackedLabels) nameAt[k] = -1;
      } else {
        if (c >= 128 || (charClass[c]! & LABEL_START) === 0) return `expected a label name or "}" after ${short(metric)}{ at column ${i - start + 1}, found ${found(text, i, end)}`;
        const same = previousLabels?.[k];
        if (
          same !== undefined &&
          (k < trackedLabels ? sameCodes(codes, i, end, previousNameAt[k]!, same.name.length) : startsWithAt(codes, i, end, same.name)) &&
          !isLabelChar(codes[i + same.name.length]!)
        ) {
          // The same name as the row before at this position (the usual case): no scan, no slice.
          name = same.name;
          i += name.length;
        } else {
          i++;
          while (i < end && isLabelChar(codes[i]!)) i++;
          name = text.slice(nameStart, i);
        }
        if (k < trackedLabels) nameAt[k] = nameStart;
      }
      i = skipBlanks(codes, i, end);
      if (codes[i]! !== 61 || i >= end) return `expected "=" after label name ${short(name)} of ${short(metric)}, found ${found(text, i, end)}`;
      i = skipBlanks(codes, i + 1, end);
      if (codes[i]! !== 34 || i >= end) return `expected a quoted value for label ${short(name)} of ${short(metric)}, found ${found(text, i, end)}`;
      const valueStart = ++i;
      // Most values hold no escape: find the closing quote with indexOf (native,
      // much faster than a loop) when the next backslash of the text lies beyond it.
      const close = text.indexOf('"', valueStart);
      if (backslashAt !== -1 && backslashAt < valueStart) backslashAt = text.indexOf('\\', valueStart);
      let value: string;
      if (close >= 0 && close < end && (backslashAt === -1 || backslashAt > close)) {
        i = close;
        value = text.slice(valueStart, i);
      } else {
        for (;;) {
          if (i >= end) return `unterminated value of label ${short(name)} of ${short(metric)}: missing closing quote`;
          c = codes[i]!;
          if (c === 34) break;
          i += c === 92 ? 2 : 1;
        }
        value = unescapeLabelValue(text, valueStart, i);
      }
      labels.push({ name, value });
      i = skipBlanks(codes, i + 1, end);
      c = i < end ? codes[i]! : -1;
      if (c === 44) i++; // ','
      else if (c !== 125 || i >= end) return `expected "," or "}" after label ${short(name)} of ${short(metric)}, found ${found(text, i, end)}`;
    }
    i = skipBlanks(codes, i, end);
  }
  if (i >= end) return `missing value for ${short(metric)}`;
  const valueStart = i;
  while (i < end && !isBlank(codes[i]!)) i++;
  const value = parseSampleNumber(codes, text, valueStart, i);
  if (value === undefined) return `invalid value ${quoted(text, valueStart, i)} for ${short(metric)}`;
  i = skipBlanks(codes, i, end);
  if (i >= end) return { metric, labels, value };
  if (codes[i]! === 35) return { metric, labels, value }; // OpenMetrics exemplar: tolerated, ignored
  const timestampStart = i;
  while (i < end && !isBlank(codes[i]!)) i++;
  const timestamp = parseSampleNumber(codes, text, timestampStart, i);
  if (timestamp === undefined || !Number.isFinite(timestamp)) {
    return `invalid timestamp ${quoted(text, timestampStart, i)} for ${short(metric)}`;
  }
  i = skipBlanks(codes, i, end);
  if (i < end && codes[i]! !== 35) return `unexpected ${quoted(text, i, end)} after the timestamp of ${short(metric)}`;
  return { metric, labels, value, timestamp };
}

/**
 * parseCommentLine reads `# HELP name text` and `# TYPE name type` into
 * metadata. Other comments, and OpenMetrics' `# EOF`, are ignored. Returns
 * an error string for a broken HELP or TYPE line, else undefined.
 */
function parseCommentLine(
  text: string,
  codes: Uint8Array,
  start: number,
  end: number,
  metadata: Map<string, PrometheusMetadata>,
): string | undefined {
  let i = skipBlanks(codes, start + 1, end);
  const keywordStart = i;
  while (i < end && !isBlank(codes[i]!)) i++;
  const keywordLength = i - keywordStart;
  if (keywordLength !== 4) return undefined;
  const isHelp = text.startsWith('HELP', keywordStart);
  if (!isHelp && !text.startsWith('TYPE', keywordStart)) return undefined;
  const keyword = isHelp ? 'HELP' : 'TYPE';
  i = skipBlanks(codes, i, end);
  const nameStart = i;
  let c = codes[i]!;
  let metric: string;
  if (i < end && c === 34) {
    // Prometheus 3: `# HELP "my.metric" ...`
    const quoted = readQuotedName(text, codes, i, end);
    if (quoted === undefined) return `# ${keyword}: unterminated quoted metric name: missing closing quote`;
    if (quoted === '') return `# ${keyword}: empty quoted metric name`;
    metric = quoted;
    i = quotedNameEnd;
    if (i < end && !isBlank(codes[i]!)) return `# ${keyword}: expected a blank after the quoted metric name, found ${found(text, i, end)}`;
  } else {
    if (i >= end || c >= 128 || (charClass[c]! & METRIC_START) === 0) return `# ${keyword}: expected a metric name, found ${found(text, i, end)}`;
    i++;
    while (i < end && (c = codes[i]!) < 128 && (charClass[c]! & METRIC_CHAR) !== 0) i++;
    if (i < end && !isBlank(c)) return `# ${keyword}: invalid character ${found(text, i, end)} in metric name`;
    metric = text.slice(nameStart, i);
  }
  let entry = metadata.get(metric);
  if (isHelp) {
    // As Go's expfmt: the text starts after the blanks that follow the name.
    const help = unescapeHelp(text, skipBlanks(codes, i, end), end);
    if (entry) entry.help = help;
    else metadata.set(metric, (entry = { metric, help }));
    return undefined;
  }
  i = skipBlanks(codes, i, end);
  let typeEnd = end;
  while (typeEnd > i && isBlank(codes[typeEnd - 1]!)) typeEnd--;
  const type = text.slice(i, typeEnd);
  if (!metricTypes.has(type)) return `# TYPE ${short(metric)}: unknown metric type ${quoted(type, 0, type.length)}`;
  if (entry) entry.type = type as PrometheusMetricType;
  else metadata.set(metric, { metric, type: type as PrometheusMetricType });
  return undefined;
}
