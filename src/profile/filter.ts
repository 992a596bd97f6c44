import type { Line, Location, Profile, SampleTable } from './profile.js';
import { SampleBuilder, selectSamples } from './sample-builder.js';

/** NameFilterResult is the filtered profile and which of the expressions matched anything. */
export interface NameFilterResult {
  profile: Profile;
  focusMatched: boolean;
  ignoreMatched: boolean;
  hideMatched: boolean;
  showMatched: boolean;
}

function lineMatches(ln: Line, re: RegExp): boolean {
  return re.test(ln.function.name) || re.test(ln.function.filename);
}

function locationMatches(l: Location, re: RegExp): boolean {
  for (const ln of l.lines) if (lineMatches(ln, re)) return true;
  return l.mapping !== undefined && re.test(l.mapping.file);
}

/** copySample appends sample i of s to b with only the stack entries [from, to). */
function copySample(b: SampleBuilder, s: SampleTable, i: number, from: number, to: number): void {
  b.startSample();
  b.addLocations(s.locationIndexes, from, to);
  for (let k = 0; k < s.valueCount; k++) b.setValue(k, s.values[i * s.valueCount + k]!);
  const t = s.labels;
  if (t) for (let q = t.starts[i]!; q < t.starts[i + 1]!; q++) b.addLabel(t.key[q]!, t.str[q]!, t.num[q]!, t.unit[q]!);
}

/** rebuildStacks keeps, for each sample, only locations with keepLoc[index] set, dropping samples left empty. */
function dropHiddenLocations(s: SampleTable, hidden: Uint8Array, keepSample: Uint8Array): SampleTable {
  const b = new SampleBuilder(s.valueCount, s.count, s.locationIndexes.length);
  const t = s.labels;
  for (let i = 0; i < s.count; i++) {
    if (!keepSample[i]) continue;
    const a = s.locationStarts[i]!, e = s.locationStarts[i + 1]!;
    let any = false;
    for (let j = a; j < e; j++) if (!hidden[s.locationIndexes[j]!]) { any = true; break; }
    if (!any) continue;
    b.startSample();
    for (let j = a; j < e; j++) {
      const li = s.locationIndexes[j]!;
      if (!hidden[li]) b.addLocation(li);
    }
    for (let k = 0; k < s.valueCount; k++) b.setValue(k, s.values[i * s.valueCount + k]!);
    if (t) for (let j = t.starts[i]!; j < t.starts[i + 1]!; j++) b.addLabel(t.key[j]!, t.str[j]!, t.num[j]!, t.unit[j]!);
  }
  return b.build();
}

/**
 * filterSamplesByName applies pprof's -focus, -ignore, -hide and -show:
 * focus keeps samples through a matching location, ignore drops them, hide
 * removes matching frames, show keeps only matching frames. Matching is on
 * function name, file name or mapping file.
 */
export function filterSamplesByName(
  p: Profile,
  focus: RegExp | undefined,
  ignore: RegExp | undefined,
  hide: RegExp | undefined,
  show: RegExp | undefined,
): NameFilterResult {
  const result = { focusMatched: false, ignoreMatched: false, hideMatched: false, showMatched: false };
  const n = p.locations.length;
  // 0: neither, 1: focused, 2: ignored.
  const mark = new Uint8Array(n);
  const hidden = new Uint8Array(n);
  let anyHidden = false;
  const locations = p.locations.slice();
  let locationsChanged = false;
  for (let i = 0; i < n; i++) {
    let l = locations[i]!;
    if (ignore && locationMatches(l, ignore)) {
      result.ignoreMatched = true;
      mark[i] = 2;
    } else if (!focus || locationMatches(l, focus)) {
      result.focusMatched = true;
      mark[i] = 1;
    }
    if (hide && locationMatches(l, hide)) {
      result.hideMatched = true;
      const lines = l.mapping && hide.test(l.mapping.file) ? [] : l.lines.filter((ln) => !lineMatches(ln, hide));
      l = { ...l, lines };
      locations[i] = l;
      locationsChanged = true;
      if (lines.length === 0) { hidden[i] = 1; anyHidden = true; }
    }
    if (show) {
      const lines = l.mapping && show.test(l.mapping.file) ? l.lines : l.lines.filter((ln) => lineMatches(ln, show));
      if (lines.length !== l.lines.length) {
        l = { ...l, lines };
        locations[i] = l;
        locationsChanged = true;
      }
      if (lines.length === 0) { hidden[i] = 1; anyHidden = true; } else result.showMatched = true;
    }
  }
  const s = p.samples;
  const keep = new Uint8Array(s.count);
  for (let i = 0; i < s.count; i++) {
    let f = 0;
    for (let j = s.locationStarts[i]!; j < s.locationStarts[i + 1]!; j++) {
      const m = mark[s.locationIndexes[j]!]!;
      if (m === 2) { f = 0; break; }
      if (m === 1) f = 1;
    }
    keep[i] = f;
  }
  const samples = anyHidden ? dropHiddenLocations(s, hidden, keep) : selectSamples(s, keep);
  const profile = { ...p, samples, locations: locationsChanged ? locations : p.locations };
  return { profile, ...result };
}

/**
 * showFrom drops every frame above the highest (root-most) frame matching re
 * and samples with no match (pprof -show_from).
 */
export function showFrom(p: Profile, re: RegExp): { profile: Profile; matched: boolean } {
  const n = p.locations.length;
  const matchLoc = new Uint8Array(n);
  const locations = p.locations.slice();
  let matched = false;
  for (let i = 0; i < n; i++) {
    const l = locations[i]!;
    if (l.mapping && re.test(l.mapping.file)) { matchLoc[i] = 1; matched = true; continue; }
    for (let k = l.lines.length - 1; k >= 0; k--) {
      if (lineMatches(l.lines[k]!, re)) {
        if (k + 1 !== l.lines.length) locations[i] = { ...l, lines: l.lines.slice(0, k + 1) };
        matchLoc[i] = 1;
        matched = true;
        break;
      }
    }
  }
  const s = p.samples;
  const b = new SampleBuilder(s.valueCount, s.count, s.locationIndexes.length);
  for (let i = 0; i < s.count; i++) {
    const a = s.locationStarts[i]!;
    for (let j = s.locationStarts[i + 1]! - 1; j >= a; j--) {
      if (matchLoc[s.locationIndexes[j]!]) {
        copySample(b, s, i, a, j + 1);
        break;
      }
    }
  }
  return { profile: { ...p, locations, samples: b.build() }, matched };
}

/** TagMatch decides whether sample i of p matches a tag filter. */
export type TagMatch = (p: Profile, i: number) => boolean;

/** filterSamplesByTag keeps samples matching focus (if any) and not matching ignore (pprof -tagfocus/-tagignore). */
export function filterSamplesByTag(p: Profile, focus: TagMatch | undefined, ignore: TagMatch | undefined): { profile: Profile; focusMatched: boolean; ignoreMatched: boolean } {
  const s = p.samples;
  const keep = new Uint8Array(s.count);
  let fm = false, im = false;
  for (let i = 0; i < s.count; i++) {
    const focused = focus ? focus(p, i) : true;
    const ignored = ignore ? ignore(p, i) : false;
    fm ||= focused;
    im ||= ignored;
    keep[i] = focused && !ignored ? 1 : 0;
  }
  return { profile: { ...p, samples: selectSamples(s, keep) }, focusMatched: fm, ignoreMatched: im };
}

/** filterTagsByName removes label keys not matching show or matching hide (pprof -tagshow/-taghide). */
export function filterTagsByName(p: Profile, show: RegExp | undefined, hide: RegExp | undefined): { profile: Profile; showMatched: boolean; hideMatched: boolean } {
  let sm = false, hm = false;
  const s = p.samples;
  const t = s.labels;
  if (!t || (!show && !hide)) return { profile: p, showMatched: sm, hideMatched: hm };
  const b = new SampleBuilder(s.valueCount, s.count, s.locationIndexes.length);
  for (let i = 0; i < s.count; i++) {
    b.startSample();
    b.addLocations(s.locationIndexes, s.locationStarts[i]!, s.locationStarts[i + 1]!);
    for (let k = 0; k < s.valueCount; k++) b.setValue(k, s.values[i * s.valueCount + k]!);
    for (let j = t.starts[i]!; j < t.starts[i + 1]!; j++) {
      const name = p.strings[t.key[j]!]!;
      const matchShow = !show || show.test(name);
      const matchHide = hide !== undefined && hide.test(name);
      if (matchShow) sm = true;
      if (matchHide) hm = true;
      if (!matchShow || matchHide) continue;
      b.addLabel(t.key[j]!, t.str[j]!, t.num[j]!, t.unit[j]!);
    }
  }
  return { profile: { ...p, samples: b.build() }, showMatched: sm, hideMatched: hm };
}

/** simplifyFunctionName strips argument lists from C++-style names so prune regexes see the bare name. */
function simplifyFunctionName(f: string): string {
  let name = f.startsWith('.') ? f.slice(1) : f;
  const re = /\(anonymous namespace\)|operator\(\)|\(/g;
  for (let m = re.exec(name); m; m = re.exec(name)) {
    if (m[0] === '(') {
      name = name.slice(0, m.index);
      break;
    }
  }
  return name;
}

/** pruneFrom drops every frame below (callee side of) the first frame matching re (pprof -prune_from). */
export function pruneFrom(p: Profile, re: RegExp): Profile {
  const n = p.locations.length;
  const pruneBeneath = new Uint8Array(n);
  const locations = p.locations.slice();
  for (let i = 0; i < n; i++) {
    const l = locations[i]!;
    for (let k = 0; k < l.lines.length; k++) {
      const fn = l.lines[k]!.function;
      if (fn.name !== '' && re.test(simplifyFunctionName(fn.name))) {
        pruneBeneath[i] = 1;
        if (k > 0) locations[i] = { ...l, lines: l.lines.slice(k) };
        break;
      }
    }
  }
  const s = p.samples;
  const b = new SampleBuilder(s.valueCount, s.count, s.locationIndexes.length);
  for (let i = 0; i < s.count; i++) {
    const a = s.locationStarts[i]!, e = s.locationStarts[i + 1]!;
    let from = a;
    for (let j = a; j < e; j++) if (pruneBeneath[s.locationIndexes[j]!]) { from = j; break; }
    copySample(b, s, i, from, e);
  }
  return { ...p, locations, samples: b.build() };
}

/** pruneByFrameRules applies the profile's own drop_frames/keep_frames (pprof RemoveUninteresting). */
export function pruneByFrameRules(p: Profile, compile: (source: string) => RegExp): Profile {
  if (p.dropFrames === '') return p;
  const drop = compile(`^(?:${p.dropFrames})$`);
  const keep = p.keepFrames !== '' ? compile(`^(?:${p.keepFrames})$`) : undefined;
  const n = p.locations.length;
  const prune = new Uint8Array(n);
  const pruneBeneath = new Uint8Array(n);
  const locations = p.locations.slice();
  for (let i = 0; i < n; i++) {
    const l = locations[i]!;
    let k: number;
    for (k = l.lines.length - 1; k >= 0; k--) {
      const fn = l.lines[k]!.function;
      if (fn.name === '') continue;
      const name = simplifyFunctionName(fn.name);
      if (drop.test(name) && !(keep && keep.test(name))) break;
    }
    if (k >= 0) {
      pruneBeneath[i] = 1;
      if (k === l.lines.length - 1) prune[i] = 1;
      else locations[i] = { ...l, lines: l.lines.slice(k + 1) };
    }
  }
  const s = p.samples;
  const b = new SampleBuilder(s.valueCount, s.count, s.locationIndexes.length);
  for (let i = 0; i < s.count; i++) {
    const a = s.locationStarts[i]!, e = s.locationStarts[i + 1]!;
    let from = a;
    let foundUser = false;
    for (let j = e - 1; j >= a; j--) {
      const li = s.locationIndexes[j]!;
      if (!prune[li] && !pruneBeneath[li]) { foundUser = true; continue; }
      if (!foundUser) continue;
      from = prune[li] ? j + 1 : j;
      break;
    }
    copySample(b, s, i, from, e);
  }
  return { ...p, locations, samples: b.build() };
}
