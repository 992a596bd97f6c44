import { escapeHelp, escapeLabelValue } from './escape.js';
import { formatSampleNumber } from './number.js';
import type { PrometheusMetadata, PrometheusRow } from './types.js';

/**
 * formatPrometheusText writes rows as a text exposition that
 * parsePrometheusText reads back to the same rows. Each metric's HELP and
 * TYPE lines (from metadata) come before its first row.
 */
export function formatPrometheusText(
  rows: readonly PrometheusRow[],
  metadata: ReadonlyMap<string, PrometheusMetadata> = new Map(),
): string {
  const parts: string[] = [];
  const described = new Set<string>();
  const describe = (metric: string) => {
    if (described.has(metric)) return;
    described.add(metric);
    const meta = metadata.get(metric);
    if (meta?.help !== undefined) parts.push(`# HELP ${metric} ${escapeHelp(meta.help)}\n`);
    if (meta?.type !== undefined) parts.push(`# TYPE ${metric} ${meta.type}\n`);
  };
  for (const row of rows) {
    describe(row.metric);
    parts.push(formatPrometheusRow(row), '\n');
  }
  for (const metric of metadata.keys()) describe(metric);
  return parts.join('');
}

/** formatPrometheusRow writes one sample line, without the newline. */
export function formatPrometheusRow(row: PrometheusRow): string {
  let line = row.metric;
  if (row.labels.length > 0) {
    line += '{' + row.labels.map((l) => `${l.name}="${escapeLabelValue(l.value)}"`).join(',') + '}';
  }
  line += ' ' + formatSampleNumber(row.value);
  if (row.timestamp !== undefined) line += ' ' + formatSampleNumber(row.timestamp);
  return line;
}
