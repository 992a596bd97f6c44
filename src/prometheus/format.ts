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
    const name = isLegacyMetricName(metric) ? metric : quoteName(metric);
    if (meta?.help !== undefined) parts.push(`# HELP ${name} ${escapeHelp(meta.help)}\n`);
    if (meta?.type !== undefined) parts.push(`# TYPE ${name} ${meta.type}\n`);
  };
  for (const row of rows) {
    describe(row.metric);
    parts.push(formatPrometheusRow(row), '\n');
  }
  for (const metric of metadata.keys()) describe(metric);
  return parts.join('');
}

/**
 * formatPrometheusRow writes one sample line, without the newline. Names outside
 * the legacy character sets are written in Prometheus 3's quoted syntax: a quoted
 * metric name goes first inside the braces, `{"my.metric","label.name"="v"}`.
 */
export function formatPrometheusRow(row: PrometheusRow): string {
  const labels = row.labels.map((l) => `${isLegacyLabelName(l.name) ? l.name : quoteName(l.name)}="${escapeLabelValue(l.value)}"`);
  let line: string;
  if (isLegacyMetricName(row.metric)) line = row.metric + (labels.length > 0 ? '{' + labels.join(',') + '}' : '');
  else line = '{' + [quoteName(row.metric), ...labels].join(',') + '}';
  line += ' ' + formatSampleNumber(row.value);
  if (row.timestamp !== undefined) line += ' ' + formatSampleNumber(row.timestamp);
  return line;
}

/** isLegacyMetricName tells whether a metric name may be written bare: `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
export function isLegacyMetricName(name: string): boolean {
  return /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name);
}

/** isLegacyLabelName tells whether a label name may be written bare: `[a-zA-Z_][a-zA-Z0-9_]*`. */
export function isLegacyLabelName(name: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name);
}

/** quoteName writes a name in double quotes with `\\`, `\"` and `\n` escaped. */
function quoteName(name: string): string {
  return `"${escapeLabelValue(name)}"`;
}
