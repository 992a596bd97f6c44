import { type Config, setConfigValue } from '../driver/config.js';
import { UsageError } from '../errors.js';

/**
 * urlParameters maps each setting (by its pprof name) to the URL parameter
 * pprof's web UI keeps it in, so a link works in both tools.
 */
export const urlParameters: Readonly<Record<string, string>> = {
  drop_negative: 'dropneg',
  call_tree: 'calltree',
  relative_percentages: 'rel',
  unit: 'unit',
  compact_labels: 'compact',
  nodecount: 'n',
  nodefraction: 'nf',
  edgefraction: 'ef',
  trim: 'trim',
  focus: 'f',
  ignore: 'i',
  prune_from: 'prunefrom',
  hide: 'h',
  show: 's',
  show_from: 'sf',
  tagfocus: 'tf',
  tagignore: 'ti',
  tagshow: 'ts',
  taghide: 'th',
  mean: 'mean',
  sample_index: 'si',
  normalize: 'norm',
  sort: 'sort',
  granularity: 'g',
  noinlines: 'noinlines',
};

/** refineParameters are the URL parameters the Refine menu sets, and "reset" clears. */
export const refineParameters = ['f', 'i', 'h', 's', 'sf', 'prunefrom', 'tf', 'ti', 'ts', 'th'] as const;

/**
 * configFromQuery applies the URL's settings on top of base (the command
 * line's Config), as pprof's applyURL: a parameter that is absent or empty
 * leaves the setting as it was. A bad value is a UsageError naming it.
 */
export function configFromQuery(base: Config, query: URLSearchParams): Config {
  let cfg = base;
  for (const [name, param] of Object.entries(urlParameters)) {
    const value = query.get(param);
    if (value === null || value === '') continue;
    try {
      cfg = setConfigValue(cfg, name, value);
    } catch (err) {
      throw new UsageError(`URL parameter ${param}=${JSON.stringify(value)}: ${(err as Error).message}`);
    }
  }
  return cfg;
}
