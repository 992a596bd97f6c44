import { UsageError } from '../errors.js';

/** Granularity choices, as pprof's -functions/-filefunctions/-files/-lines/-addresses. */
export const granularities = ['functions', 'filefunctions', 'files', 'lines', 'addresses'] as const;
/** Sort choices, as pprof's -flat/-cum. */
export const sortOrders = ['flat', 'cum'] as const;

/**
 * Config is every setting that shapes a report, as pprof's config: the
 * CLI flags, the shell's variables and saved settings all map onto these
 * fields (by their snake_case names, see configFields).
 */
export interface Config {
  output: string;
  callTree: boolean;
  relativePercentages: boolean;
  unit: string;
  compactLabels: boolean;
  sourcePath: string;
  trimPath: string;
  mean: boolean;
  sampleIndex: string;
  divideBy: number;
  normalize: boolean;
  sort: (typeof sortOrders)[number];
  dropNegative: boolean;
  /** -1 means "the command's default" (all for top, 80 for graphs). */
  nodeCount: number;
  nodeFraction: number;
  edgeFraction: number;
  trim: boolean;
  focus: string;
  ignore: string;
  pruneFrom: string;
  hide: string;
  show: string;
  showFrom: string;
  tagFocus: string;
  tagIgnore: string;
  tagShow: string;
  tagHide: string;
  noInlines: boolean;
  granularity: (typeof granularities)[number];
}

/** defaultConfig is pprof's default configuration. */
export function defaultConfig(): Config {
  return {
    output: '',
    callTree: false,
    relativePercentages: false,
    unit: 'minimum',
    compactLabels: false,
    sourcePath: '',
    trimPath: '',
    mean: false,
    sampleIndex: '',
    divideBy: 1,
    normalize: false,
    sort: 'flat',
    dropNegative: false,
    nodeCount: -1,
    nodeFraction: 0.005,
    edgeFraction: 0.001,
    trim: true,
    focus: '',
    ignore: '',
    pruneFrom: '',
    hide: '',
    show: '',
    showFrom: '',
    tagFocus: '',
    tagIgnore: '',
    tagShow: '',
    tagHide: '',
    noInlines: false,
    granularity: 'functions',
  };
}

/** ConfigField describes one setting: its pprof (snake_case) name, Config key, kind and help. */
export interface ConfigField {
  name: string;
  key: keyof Config;
  kind: 'bool' | 'int' | 'float' | 'string';
  /** For choice fields (sort, granularity): the values, each also a boolean flag of its own. */
  choices?: readonly string[];
  help: string;
}

/** configFields lists every setting under the name pprof uses for the flag and the shell variable. */
export const configFields: readonly ConfigField[] = [
  { name: 'output', key: 'output', kind: 'string', help: 'Output filename for file-based outputs' },
  { name: 'call_tree', key: 'callTree', kind: 'bool', help: 'Create a context-sensitive call tree' },
  { name: 'relative_percentages', key: 'relativePercentages', kind: 'bool', help: 'Show percentages relative to focused subgraph' },
  { name: 'unit', key: 'unit', kind: 'string', help: 'Measurement units to display (minimum, auto, bytes, MB, ms, ...)' },
  { name: 'compact_labels', key: 'compactLabels', kind: 'bool', help: 'Show minimal headers' },
  { name: 'source_path', key: 'sourcePath', kind: 'string', help: 'Search path for source files' },
  { name: 'trim_path', key: 'trimPath', kind: 'string', help: 'Path to trim from source paths before search' },
  { name: 'mean', key: 'mean', kind: 'bool', help: 'Average sample value over first value (count)' },
  { name: 'sample_index', key: 'sampleIndex', kind: 'string', help: 'Sample value to report (0-based index or name)' },
  { name: 'divide_by', key: 'divideBy', kind: 'float', help: 'Ratio to divide all samples before visualization' },
  { name: 'normalize', key: 'normalize', kind: 'bool', help: 'Scales profile based on the base profile' },
  { name: 'sort', key: 'sort', kind: 'string', choices: sortOrders, help: 'Sort entries by flat or cum weight' },
  { name: 'drop_negative', key: 'dropNegative', kind: 'bool', help: 'Ignore negative differences' },
  { name: 'nodecount', key: 'nodeCount', kind: 'int', help: 'Max number of nodes to show' },
  { name: 'nodefraction', key: 'nodeFraction', kind: 'float', help: 'Hide nodes below <f>*total' },
  { name: 'edgefraction', key: 'edgeFraction', kind: 'float', help: 'Hide edges below <f>*total' },
  { name: 'trim', key: 'trim', kind: 'bool', help: 'Honor nodefraction/edgefraction/nodecount defaults' },
  { name: 'focus', key: 'focus', kind: 'string', help: 'Restricts to samples going through a node matching regexp' },
  { name: 'ignore', key: 'ignore', kind: 'string', help: 'Skips paths going through any nodes matching regexp' },
  { name: 'prune_from', key: 'pruneFrom', kind: 'string', help: 'Drops any functions below the matched frame' },
  { name: 'hide', key: 'hide', kind: 'string', help: 'Skips nodes matching regexp' },
  { name: 'show', key: 'show', kind: 'string', help: 'Only show nodes matching regexp' },
  { name: 'show_from', key: 'showFrom', kind: 'string', help: 'Drops functions above the highest matched frame' },
  { name: 'tagfocus', key: 'tagFocus', kind: 'string', help: 'Restricts to samples with tags in range or matched by regexp' },
  { name: 'tagignore', key: 'tagIgnore', kind: 'string', help: 'Discard samples with tags in range or matched by regexp' },
  { name: 'tagshow', key: 'tagShow', kind: 'string', help: 'Only consider tags matching this regexp' },
  { name: 'taghide', key: 'tagHide', kind: 'string', help: 'Skip tags matching this regexp' },
  { name: 'noinlines', key: 'noInlines', kind: 'bool', help: 'Ignore inlines' },
  { name: 'granularity', key: 'granularity', kind: 'string', choices: granularities, help: 'Aggregate by functions, filefunctions, files, lines or addresses' },
];

/** configFieldByName finds a setting by its pprof name, or by one of its choices ("cum", "lines"). */
export function configFieldByName(name: string): ConfigField | undefined {
  return configFields.find((f) => f.name === name || (f.choices?.includes(name) ?? false));
}

/**
 * setConfigValue returns cfg with the named setting set from text, as the
 * shell's `name=value` (a choice name alone, like `cum`, selects it). Throws
 * UsageError for unknown names and bad values.
 */
export function setConfigValue(cfg: Config, name: string, text: string): Config {
  const field = configFieldByName(name);
  if (!field) throw new UsageError(`unrecognized config variable: ${name}`);
  const next = { ...cfg } as Record<keyof Config, unknown>;
  if (field.choices && field.name !== name) {
    if (text !== '' && text !== 'true' && text !== '1') throw new UsageError(`${name}: choice flags take no value`);
    next[field.key] = name;
    return next as unknown as Config;
  }
  switch (field.kind) {
    case 'bool': {
      const v = ({ '': true, '1': true, t: true, T: true, true: true, TRUE: true, True: true, '0': false, f: false, F: false, false: false, FALSE: false, False: false } as Record<string, boolean>)[text];
      if (v === undefined) throw new UsageError(`invalid boolean value ${JSON.stringify(text)} for ${name}`);
      next[field.key] = v;
      break;
    }
    case 'int': {
      if (!/^[+-]?\d+$/.test(text.trim())) throw new UsageError(`invalid value ${JSON.stringify(text)} for ${name}: want an integer`);
      next[field.key] = Number.parseInt(text, 10);
      break;
    }
    case 'float': {
      const v = Number(text);
      if (text.trim() === '' || Number.isNaN(v)) throw new UsageError(`invalid value ${JSON.stringify(text)} for ${name}: want a number`);
      next[field.key] = v;
      break;
    }
    default:
      if (field.choices && !field.choices.includes(text)) throw new UsageError(`invalid "${name}" value ${JSON.stringify(text)}: want one of ${field.choices.join(', ')}`);
      next[field.key] = text;
  }
  return next as unknown as Config;
}
