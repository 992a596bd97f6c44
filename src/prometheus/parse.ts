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
 * The parser scans with charCodeAt and cuts names and values out with
 * slice(): no regular expression and no split() per line, so the only
 * allocations are the rows themselves. V8 makes a slice of 13 or more
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
  const rows = result.rows;
  backslashAt = text.indexOf('\\', start);
  let previous: PrometheusRow | undefined;
  let line = firstLine;
  let pos = start;
  while (pos < end) {
    let newline = text.indexOf('\n', pos);
    if (newline < 0 || newline > end) newline = end;
    let lineEnd = newline;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--; // CRLF
    let i = pos;
    while (i < lineEnd && isBlank(text.charCodeAt(i))) i++;
    if (i < lineEnd) {
      const parsed = text.charCodeAt(i) === 35 ? parseCommentLine(text, i, lineEnd, result.metadata) : parseSampleLine(text, i, lineEnd, previous);
      if (typeof parsed === 'string') result.errors.push({ line, message: parsed });
      else if (parsed !== undefined) rows.push((previous = parsed));
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

/** startsWithAt tells whether text holds `word` at position at (a charCodeAt loop: cheaper than startsWith here). */
function startsWithAt(text: string, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (text.charCodeAt(at + k) !== word.charCodeAt(k)) return false;
  return true;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function skipBlanks(text: string, i: number, end: number): number {
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  return i;
}

function found(text: string, i: number, end: number): string {
  return i >= end ? 'end of line' : JSON.stringify(text[i]);
}

/** short cuts a name for an error message. */
function short(name: string): string {
  return name.length > 60 ? name.slice(0, 60) + '...' : name;
}

/** quoted shows text[start, end) in an error message, cut short so a huge line makes a short message. */
function quoted(text: string, start: number, end: number): string {
  return end - start > 40 ? JSON.stringify(text.slice(start, start + 40)) + '...' : JSON.stringify(text.slice(start, end));
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
function parseSampleLine(text: string, start: number, end: number, previous: PrometheusRow | undefined): PrometheusRow | string {
  let i = start;
  let c = text.charCodeAt(i);
  if (c >= 128 || (charClass[c]! & METRIC_START) === 0) return `expected a metric name at column ${i - start + 1}, found ${found(text, i, end)}`;
  let metric: string;
  const previousMetric = previous?.metric;
  if (previousMetric !== undefined && startsWithAt(text, i, previousMetric) && !isMetricChar(text.charCodeAt(i + previousMetric.length))) {
    metric = previousMetric;
    i += metric.length;
  } else {
    i++;
    while (i < end && isMetricChar(text.charCodeAt(i))) i++;
    metric = text.slice(start, i);
  }
  const previousLabels = previous?.labels;
  i = skipBlanks(text, i, end);
  let labels: PrometheusLabel[] = [];
  if (i < end && text.charCodeAt(i) === 123) {
    // '{'
    i++;
    labels = [];
    for (;;) {
      i = skipBlanks(text, i, end);
      if (i >= end) return `unterminated label set of ${short(metric)}: missing "}"`;
      c = text.charCodeAt(i);
      if (c === 125) {
        // '}' (also after a trailing comma)
        i++;
        break;
      }
      if (c >= 128 || (charClass[c]! & LABEL_START) === 0) return `expected a label name or "}" after ${short(metric)}{ at column ${i - start + 1}, found ${found(text, i, end)}`;
      const nameStart = i;
      const same = previousLabels?.[labels.length];
      let name: string;
      if (same !== undefined && startsWithAt(text, i, same.name) && !isLabelChar(text.charCodeAt(i + same.name.length))) {
        // The same name as the row before at this position (the usual case): no scan, no slice.
        name = same.name;
        i += name.length;
      } else {
        i++;
        while (i < end && isLabelChar(text.charCodeAt(i))) i++;
        name = text.slice(nameStart, i);
      }
      i = skipBlanks(text, i, end);
      if (text.charCodeAt(i) !== 61 || i >= end) return `expected "=" after label name ${short(name)} of ${short(metric)}, found ${found(text, i, end)}`;
      i = skipBlanks(text, i + 1, end);
      if (text.charCodeAt(i) !== 34 || i >= end) return `expected a quoted value for label ${short(name)} of ${short(metric)}, found ${found(text, i, end)}`;
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
          c = text.charCodeAt(i);
          if (c === 34) break;
          i += c === 92 ? 2 : 1;
        }
        value = unescapeLabelValue(text, valueStart, i);
      }
      labels.push({ name, value });
      i = skipBlanks(text, i + 1, end);
      c = i < end ? text.charCodeAt(i) : -1;
      if (c === 44) i++; // ','
      else if (c !== 125 || i >= end) return `expected "," or "}" after label ${short(name)} of ${short(metric)}, found ${found(text, i, end)}`;
    }
    i = skipBlanks(text, i, end);
  }
  if (i >= end) return `missing value for ${short(metric)}`;
  const valueStart = i;
  while (i < end && !isBlank(text.charCodeAt(i))) i++;
  const value = parseSampleNumber(text, valueStart, i);
  if (value === undefined) return `invalid value ${quoted(text, valueStart, i)} for ${short(metric)}`;
  i = skipBlanks(text, i, end);
  if (i >= end) return { metric, labels, value };
  if (text.charCodeAt(i) === 35) return { metric, labels, value }; // OpenMetrics exemplar: tolerated, ignored
  const timestampStart = i;
  while (i < end && !isBlank(text.charCodeAt(i))) i++;
  const timestamp = parseSampleNumber(text, timestampStart, i);
  if (timestamp === undefined || !Number.isFinite(timestamp)) {
    return `invalid timestamp ${quoted(text, timestampStart, i)} for ${short(metric)}`;
  }
  i = skipBlanks(text, i, end);
  if (i < end && text.charCodeAt(i) !== 35) return `unexpected ${quoted(text, i, end)} after the timestamp of ${short(metric)}`;
  return { metric, labels, value, timestamp };
}

/**
 * parseCommentLine reads `# HELP name text` and `# TYPE name type` into
 * metadata. Other comments, and OpenMetrics' `# EOF`, are ignored. Returns
 * an error string for a broken HELP or TYPE line, else undefined.
 */
function parseCommentLine(
  text: string,
  start: number,
  end: number,
  metadata: Map<string, PrometheusMetadata>,
): string | undefined {
  let i = skipBlanks(text, start + 1, end);
  const keywordStart = i;
  while (i < end && !isBlank(text.charCodeAt(i))) i++;
  const keywordLength = i - keywordStart;
  if (keywordLength !== 4) return undefined;
  const isHelp = text.startsWith('HELP', keywordStart);
  if (!isHelp && !text.startsWith('TYPE', keywordStart)) return undefined;
  const keyword = isHelp ? 'HELP' : 'TYPE';
  i = skipBlanks(text, i, end);
  const nameStart = i;
  let c = text.charCodeAt(i);
  if (i >= end || c >= 128 || (charClass[c]! & METRIC_START) === 0) return `# ${keyword}: expected a metric name, found ${found(text, i, end)}`;
  i++;
  while (i < end && (c = text.charCodeAt(i)) < 128 && (charClass[c]! & METRIC_CHAR) !== 0) i++;
  if (i < end && !isBlank(c)) return `# ${keyword}: invalid character ${found(text, i, end)} in metric name`;
  const metric = text.slice(nameStart, i);
  let entry = metadata.get(metric);
  if (isHelp) {
    // As Go's expfmt: the text starts after the blanks that follow the name.
    const help = unescapeHelp(text, skipBlanks(text, i, end), end);
    if (entry) entry.help = help;
    else metadata.set(metric, (entry = { metric, help }));
    return undefined;
  }
  i = skipBlanks(text, i, end);
  let typeEnd = end;
  while (typeEnd > i && isBlank(text.charCodeAt(typeEnd - 1))) typeEnd--;
  const type = text.slice(i, typeEnd);
  if (!metricTypes.has(type)) return `# TYPE ${short(metric)}: unknown metric type ${quoted(type, 0, type.length)}`;
  if (entry) entry.type = type as PrometheusMetricType;
  else metadata.set(metric, { metric, type: type as PrometheusMetricType });
  return undefined;
}
