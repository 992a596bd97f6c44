/**
 * The text format's escapes. Label values escape `\\`, `\"` and `\n`; HELP
 * text escapes `\\` and `\n`. An unknown escape is kept as written (backslash
 * and all), as VictoriaMetrics does, rather than failing the whole line.
 */

/** unescapeLabelValue returns text[start, end) (the inside of the quotes) with its escapes undone. */
export function unescapeLabelValue(text: string, start: number, end: number): string {
  return unescape(text, start, end, true);
}

/** unescapeHelp returns the HELP text in text[start, end) with `\\` and `\n` undone. */
export function unescapeHelp(text: string, start: number, end: number): string {
  return unescape(text, start, end, false);
}

function unescape(text: string, start: number, end: number, quotes: boolean): string {
  let out = '';
  let runStart = start;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) !== 92 || i + 1 >= end) continue; // '\\'
    const next = text.charCodeAt(i + 1);
    const replacement = next === 92 ? '\\' : next === 110 ? '\n' : quotes && next === 34 ? '"' : undefined;
    if (replacement === undefined) continue;
    out += text.slice(runStart, i) + replacement;
    i++;
    runStart = i + 1;
  }
  return runStart === start ? text.slice(start, end) : out + text.slice(runStart, end);
}

/** escapeLabelValue escapes a label value for writing between double quotes. */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c)) : value;
}

/** escapeHelp escapes HELP text. */
export function escapeHelp(help: string): string {
  return /[\\\n]/.test(help) ? help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\')) : help;
}
