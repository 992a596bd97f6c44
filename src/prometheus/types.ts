/** PrometheusLabel is one `name="value"` pair of a sample, as written. */
export interface PrometheusLabel {
  name: string;
  value: string;
}

/**
 * PrometheusRow is one sample line. `metric` and the label names and values
 * are slices of the parsed text (V8 shares the characters with it), copied
 * only where a label value holds escapes that had to be undone.
 */
export interface PrometheusRow {
  metric: string;
  /** Labels in the order they appear on the line. */
  labels: PrometheusLabel[];
  value: number;
  /** Milliseconds since the epoch, present only when the line carries one. */
  timestamp?: number;
}

/** PrometheusParseError is one malformed line: its 1-based number and what is wrong with it. */
export interface PrometheusParseError {
  line: number;
  message: string;
}

/** The metric types a `# TYPE` line may name (Prometheus text format plus OpenMetrics). */
export type PrometheusMetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'summary'
  | 'untyped'
  | 'unknown'
  | 'info'
  | 'stateset'
  | 'gaugehistogram';

/** PrometheusMetadata is what `# HELP` and `# TYPE` lines said about one metric family. */
export interface PrometheusMetadata {
  metric: string;
  /** The HELP text with its escapes (`\\`, `\n`) undone. */
  help?: string;
  type?: PrometheusMetricType;
}

/** PrometheusParseResult is everything parsePrometheusText found in one exposition. */
export interface PrometheusParseResult {
  rows: PrometheusRow[];
  errors: PrometheusParseError[];
  /** HELP/TYPE metadata by metric family name, in order of first mention. */
  metadata: Map<string, PrometheusMetadata>;
}
