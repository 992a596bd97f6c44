import { parseExpositionRange } from './parse.js';
import type { PrometheusMetadata, PrometheusParseError, PrometheusParseResult, PrometheusRow } from './types.js';

/** PrometheusStreamOptions receives what a streamed parse finds besides rows. */
export interface PrometheusStreamOptions {
  /** Called for each malformed line (the line is skipped). */
  onError?: (error: PrometheusParseError) => void;
  /** Called with the metadata table whenever a block added to it; the same Map each time. */
  metadata?: Map<string, PrometheusMetadata>;
  /** Longest line accepted, in characters (default 1 MiB); a longer one is one error, and memory stays bounded. */
  maxLineLength?: number;
}

/**
 * parsePrometheusStream parses an exposition that arrives in chunks (bytes
 * as UTF-8, or strings), for responses too large to hold as one string. It
 * parses each run of complete lines as soon as it has arrived, so only the
 * current chunk and one partial line are held; rows are slices of their
 * chunk's text, so a kept row keeps only its chunk alive.
 */
export async function* parsePrometheusStream(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: PrometheusStreamOptions = {},
): AsyncGenerator<PrometheusRow, void, undefined> {
  const decoder = new TextDecoder('utf-8');
  const maxLineLength = options.maxLineLength ?? 1 << 20;
  const result: PrometheusParseResult = { rows: [], errors: [], metadata: options.metadata ?? new Map() };
  let line = 1;
  let pending = '';
  let skippingLongLine = false;

  function* drain(): Generator<PrometheusRow> {
    for (const error of result.errors) options.onError?.(error);
    result.errors.length = 0;
    const rows = result.rows;
    result.rows = [];
    yield* rows;
  }

  for await (const chunk of chunks) {
    let text = pending + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (skippingLongLine) {
      const newline = text.indexOf('\n');
      if (newline < 0) {
        pending = '';
        continue;
      }
      skippingLongLine = false;
      line++;
      text = text.slice(newline + 1);
    }
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline < 0) {
      pending = text;
    } else {
      line = parseExpositionRange(text, 0, lastNewline + 1, line, result);
      pending = text.slice(lastNewline + 1);
    }
    if (pending.length > maxLineLength) {
      result.errors.push({ line, message: `line longer than ${maxLineLength} characters` });
      pending = '';
      skippingLongLine = true;
    }
    yield* drain();
  }
  const rest = pending + decoder.decode();
  if (rest.length > 0 && !skippingLongLine) parseExpositionRange(rest, 0, rest.length, line, result);
  yield* drain();
}
