/**
 * tsprof/prometheus: a zero-copy parser for the Prometheus text exposition
 * format (and what OpenMetrics adds to it), usable on its own.
 */
export { parsePrometheusText } from './parse.js';
export { parsePrometheusStream, type PrometheusStreamOptions } from './stream.js';
export { formatPrometheusText, formatPrometheusRow } from './format.js';
export type {
  PrometheusLabel,
  PrometheusMetadata,
  PrometheusMetricType,
  PrometheusParseError,
  PrometheusParseResult,
  PrometheusRow,
} from './types.js';
