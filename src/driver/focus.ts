import { filterSamplesByName, filterSamplesByTag, filterTagsByName, pruneFrom, showFrom, type TagMatch } from '../profile/filter.js';
import type { Profile } from '../profile/profile.js';
import { sampleLabels } from '../profile/profile.js';
import { scaleValue } from '../profile/units.js';
import type { Config } from './config.js';
import { compileRegexp } from './regexp.js';

/** Warn receives the non-fatal messages of filtering ("Focus expression matched no samples"). */
export type Warn = (message: string) => void;

/** numLabelUnits finds the unit of each numeric label key, as pprof's NumLabelUnits. */
export function numLabelUnits(p: Profile): { units: Map<string, string>; ignored: Map<string, string[]> } {
  const units = new Map<string, string>();
  const ignored = new Map<string, Set<string>>();
  const keys = new Set<string>();
  const t = p.samples.labels;
  if (t) {
    for (let j = 0; j < t.key.length; j++) {
      if (t.str[j] !== 0) continue;
      const key = p.strings[t.key[j]!]!;
      keys.add(key);
      const unit = t.unit[j] !== 0 ? p.strings[t.unit[j]!]! : '';
      if (unit === '') continue;
      const want = units.get(key);
      if (want === undefined) units.set(key, unit);
      else if (want !== unit) {
        const set = ignored.get(key) ?? new Set<string>();
        set.add(unit);
        ignored.set(key, set);
      }
    }
  }
  for (const key of keys) {
    if ((units.get(key) ?? '') === '') units.set(key, key === 'alignment' || key === 'request' ? 'bytes' : key);
  }
  return { units, ignored: new Map([...ignored].map(([k, v]) => [k, [...v].sort()])) };
}

const tagRangeRx = /([+-]?[0-9]+)([A-Za-z]+)?/g;

/** parseTagRange reads a numeric tag filter ("1kb", "1kb:", ":10mb", "1kb:10kb") into a predicate. */
function parseTagRange(filter: string): ((v: number, unit: string) => boolean) | undefined {
  const ranges = [...filter.matchAll(tagRangeRx)].slice(0, 2);
  if (ranges.length === 0) return undefined;
  const v1 = Number.parseInt(ranges[0]![1]!, 10);
  const u1 = ranges[0]![2] ?? '';
  const [scaled, unit] = scaleValue(v1, u1, u1);
  if (ranges.length === 1) {
    const match = ranges[0]![0];
    const cmp = (pred: (sv: number) => boolean) => (v: number, u: string) => {
      const [sv, su] = scaleValue(v, u, unit);
      return su === unit && pred(sv);
    };
    if (filter === match) return cmp((sv) => sv === scaled);
    if (filter === match + ':') return cmp((sv) => sv >= scaled);
    if (filter === ':' + match) return cmp((sv) => sv <= scaled);
    return undefined;
  }
  if (filter !== ranges[0]![0] + ':' + ranges[1]![0]) return undefined;
  const [scaled2, unit2] = scaleValue(Number.parseInt(ranges[1]![1]!, 10), ranges[1]![2] ?? '', unit);
  if (unit !== unit2) return undefined;
  return (v, u) => {
    const [sv, su] = scaleValue(v, u, unit);
    return su === unit && sv >= scaled && sv <= scaled2;
  };
}

/** compileTagFilter builds a -tagfocus/-tagignore predicate: a numeric range or comma-separated regexps, optionally key=. */
export function compileTagFilter(name: string, value: string, units: Map<string, string>, warn: Warn): TagMatch | undefined {
  if (value === '') return undefined;
  let wantKey = '';
  const eq = value.indexOf('=');
  if (eq >= 0) {
    wantKey = value.slice(0, eq);
    value = value.slice(eq + 1);
  }
  const range = parseTagRange(value);
  if (range) {
    warn(`${name}:Interpreted '${value}' as range, not regexp`);
    const any = (vals: number[], unit: string) => vals.some((v) => range(v, unit));
    return (p, i) => {
      const labels = sampleLabels(p, i);
      if (wantKey === '') {
        for (const [key, vals] of labels.numLabel) if (any(vals, units.get(key) ?? key)) return true;
        return false;
      }
      const vals = labels.numLabel.get(wantKey);
      return vals !== undefined && any(vals, units.get(wantKey) ?? wantKey);
    };
  }
  const rxs = value.split(',').map((s) => compileRegexp(name, s));
  if (wantKey === '') {
    return (p, i) => {
      const labels = sampleLabels(p, i);
      return rxs.every((rx) => {
        for (const [key, vals] of labels.label) for (const v of vals) if (rx.test(key + ':' + v)) return true;
        return false;
      });
    };
  }
  return (p, i) => {
    const vals = sampleLabels(p, i).label.get(wantKey);
    if (!vals) return false;
    return rxs.some((rx) => vals.some((v) => rx.test(v)));
  };
}

function optionalRegexp(name: string, value: string): RegExp | undefined {
  return value === '' ? undefined : compileRegexp(name, value);
}

/**
 * applyFocus applies the sample filters of cfg (focus, ignore, hide, show,
 * show_from, tagfocus, tagignore, tagshow, taghide, prune_from) and returns
 * the filtered profile; p is unchanged.
 */
export function applyFocus(p: Profile, units: Map<string, string>, cfg: Config, warn: Warn): Profile {
  const focus = optionalRegexp('focus', cfg.focus);
  const ignore = optionalRegexp('ignore', cfg.ignore);
  const hide = optionalRegexp('hide', cfg.hide);
  const show = optionalRegexp('show', cfg.show);
  const showFromRx = optionalRegexp('show_from', cfg.showFrom);
  const tagFocus = compileTagFilter('tagfocus', cfg.tagFocus, units, warn);
  const tagIgnore = compileTagFilter('tagignore', cfg.tagIgnore, units, warn);
  const pruneFromRx = optionalRegexp('prune_from', cfg.pruneFrom);
  const tagShow = optionalRegexp('tagshow', cfg.tagShow);
  const tagHide = optionalRegexp('taghide', cfg.tagHide);
  const noMatch = (matched: boolean, option: string) => { if (!matched) warn(`${option} expression matched no samples`); };

  let q = p;
  if (focus || ignore || hide || show) {
    const r = filterSamplesByName(q, focus, ignore, hide, show);
    q = r.profile;
    noMatch(!focus || r.focusMatched, 'Focus');
    noMatch(!ignore || r.ignoreMatched, 'Ignore');
    noMatch(!hide || r.hideMatched, 'Hide');
    noMatch(!show || r.showMatched, 'Show');
  }
  if (showFromRx) {
    const r = showFrom(q, showFromRx);
    q = r.profile;
    noMatch(r.matched, 'ShowFrom');
  }
  if (tagFocus || tagIgnore) {
    const r = filterSamplesByTag(q, tagFocus, tagIgnore);
    q = r.profile;
    noMatch(!tagFocus || r.focusMatched, 'TagFocus');
    noMatch(!tagIgnore || r.ignoreMatched, 'TagIgnore');
  }
  if (tagShow || tagHide) {
    const r = filterTagsByName(q, tagShow, tagHide);
    q = r.profile;
    noMatch(!tagShow || r.showMatched, 'TagShow');
    noMatch(!tagHide || r.hideMatched, 'TagHide');
  }
  if (pruneFromRx) q = pruneFrom(q, pruneFromRx);
  return q;
}
