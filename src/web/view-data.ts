/**
 * The JSON the web UI's server computes and its page renders: one shape per
 * view. Shared by the server (src/web) and the page code (src/web/page), so it
 * imports nothing.
 */

/** ViewName is a page of the web UI, as pprof's /ui/ paths. */
export type ViewName = 'flamegraph' | 'top' | 'graph' | 'peek' | 'source';

/** CodeArea is where a frame's code lives, for the flame graph's colours and filters. */
export type CodeArea = 'app' | 'node_modules' | 'node' | 'native';

/** codeAreas lists the areas in the order the page shows them (an area's number is its index). */
export const codeAreas: readonly CodeArea[] = ['app', 'node_modules', 'node', 'native'];

/** ValueFormat is what the page needs to print a value exactly as the report's formatValue does. */
export interface ValueFormat {
  sampleUnit: string;
  /** The report's output unit ("auto" when the CLI would pick a minimum unit per report). */
  outputUnit: string;
  /** Multiplies values before printing (1/divide_by). */
  ratio: number;
}

/**
 * FlameData is the call tree of the filtered profile, in preorder: node i has
 * depth[i] and frame[i] (an index into the frame columns, -1 for the root).
 * total and self are signed sums (negative where a base outweighs); width is
 * |self| plus the children's widths, so children always nest in their parent
 * (for -diff_base it is the size of the change under the node).
 */
export interface FlameData {
  frameNames: string[];
  frameFiles: string[];
  frameLines: number[];
  /** Index into codeAreas. */
  frameAreas: number[];
  depth: number[];
  frame: number[];
  total: number[];
  self: number[];
  /** Only for diff profiles; otherwise every width is its total. */
  width: number[];
  /** For -diff_base: the base's part of each node's total (as a positive value), else empty. */
  base: number[];
  diff: boolean;
  /** Nodes left out because they are narrower than minWidthFraction of the root (too small to see, or over the node budget). */
  prunedNodes: number;
  minWidthFraction: number;
}

/** TopRow is one row of -top, with the cells as the CLI prints them. */
export interface TopRow {
  flat: string;
  flatPercent: string;
  sumPercent: string;
  cum: string;
  cumPercent: string;
  name: string;
  inline: string;
}

/** PageData is everything one page shows, embedded in it as JSON. */
export interface PageData {
  view: ViewName;
  /** "server" pages link to the other views and refine through the URL; "static" pages are one file. */
  mode: 'server' | 'static';
  title: string;
  /** The report's header lines (File, Type, Active filters, Showing nodes...). */
  legend: string[];
  /** Warnings from the report (e.g. "Focus expression matched no samples"). */
  errors: string[];
  sampleTypes: string[];
  /** The sample type shown. */
  sampleType: string;
  total: number;
  format: ValueFormat;
  flame?: FlameData;
  top?: TopRow[];
  /** The graph view's SVG. */
  svg?: string;
  /** The peek and source views' text. */
  text?: string;
  /** Named configurations saved in the settings file (server pages only). */
  configs?: { name: string; query: string }[];
}

/** SnapshotReportName is a page of `tsprof snapshot -http`, one per `tsprof snapshot` subcommand. */
export type SnapshotReportName = 'summary' | 'leaks' | 'retainers' | 'dominators' | 'diff';

/** SnapshotPageData is one heap snapshot page: the CLI's report, as text and as its -json data. */
export interface SnapshotPageData {
  kind: 'snapshot';
  report: SnapshotReportName;
  title: string;
  files: string[];
  /** The retainers page's object: a node id (@123) or a constructor name. */
  target: string;
  text: string;
  json: unknown;
  /** Whether there are two or three snapshots to diff. */
  canDiff: boolean;
}

/** WatchSeries is one plotted line of the watch page: in-use bytes at each reading, with its fit and verdict. */
export interface WatchSeries {
  label: string;
  bytes: number[];
  /** The robust growth rate (bytes per minute), drawn through the readings' median offset. */
  slopePerMinute: number;
  verdict: string;
}

/** WatchPageData is `tsprof watch -http`'s page: the progress while watching, then the report with a plot per series. */
export interface WatchPageData {
  kind: 'watch';
  title: string;
  watching: string;
  /** Still watching: the page reloads itself every reloadMs. */
  live: boolean;
  reloadMs: number;
  /**
   * While watching: reading times (ms since the epoch) and in-use totals, and the site that rose most;
   * from the third reading, the series judged so far (total, external, growing sites) on their own times.
   */
  progress: { times: number[]; totalBytes: number[]; leader: string; seriesTimes?: number[]; series?: WatchSeries[] };
  /** When done: the times of the readings, the series (total, external, growing sites) and the report's text. */
  times: number[];
  series: WatchSeries[];
  conclusion: string;
  text: string;
  /** When done, with snapshots: why the memory is held, each holder with its path from the roots. */
  holders: WatchHolder[];
  /** The watch's two snapshots are browsable under snapshot/ (summary, dominators, retainers, diff). */
  snapshotPages: boolean;
}

/** WatchHolder is one answer to "why is it held" on the watch's page. */
export interface WatchHolder {
  /** The growing allocation site it holds the memory of, when joined with one. */
  site?: string;
  /** The holder as the report says it: "`sessionIndex` in src/sessions.ts (a Map, 10 → 2000 entries …)". */
  text: string;
  /** The path from the roots, one step per object, with its id in the end snapshot and the edge to the next step when known. */
  steps: { label: string; id?: number; edge?: string }[];
  /** The holding object's id in the end snapshot. */
  nodeId?: number;
  remedy?: string;
}
