import { TsprofError } from '../errors.js';

/**
 * compileRegexp compiles a Go (RE2) regular expression as a JavaScript one:
 * the syntax users give pprof mostly carries over; leading flag groups like
 * (?i) become flags. A bad expression is a TsprofError naming the option.
 */
export function compileRegexp(option: string, source: string): RegExp {
  let body = source;
  let flags = '';
  const m = /^\(\?([imsU]+)\)/.exec(body);
  if (m) {
    body = body.slice(m[0].length);
    for (const f of m[1]!) if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) flags += f;
  }
  // RE2 character classes that JavaScript spells differently.
  body = body
    .replace(/\[\[:alpha:\]\]/g, '[A-Za-z]')
    .replace(/\[\[:digit:\]\]/g, '[0-9]')
    .replace(/\[\[:alnum:\]\]/g, '[0-9A-Za-z]')
    .replace(/\[\[:space:\]\]/g, '[\\t\\n\\v\\f\\r ]')
    .replace(/\\z/g, '$')
    .replace(/\(\?P</g, '(?<');
  try {
    return new RegExp(body, flags);
  } catch (err) {
    throw new TsprofError(`parsing ${option} regexp ${JSON.stringify(source)}: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}
