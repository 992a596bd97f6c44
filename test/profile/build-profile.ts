import type { Location, Mapping, Profile, ProfileFunction, ValueType } from '../../src/profile/profile.js';
import { SampleBuilder } from '../../src/profile/sample-builder.js';

/** SampleSpec is a test sample: its stack leaf first, each frame "fn" or "fn;inlinedFn" (inlined callee first), values, labels. */
export interface SampleSpec {
  stack: string[];
  values: number[];
  labels?: Record<string, string>;
  numLabels?: Record<string, [number, string]>;
}

/** buildProfile makes a small Profile from readable sample specs, one location per distinct frame. */
export function buildProfile(sampleTypes: ValueType[], samples: SampleSpec[], extra: Partial<Profile> = {}): Profile {
  const mapping: Mapping = {
    id: 1, start: 0x1000n, limit: 0x9000n, offset: 0n, file: '/bin/app', buildId: '',
    hasFunctions: true, hasFilenames: true, hasLineNumbers: true, hasInlineFrames: true,
  };
  const functions: ProfileFunction[] = [];
  const fnByName = new Map<string, ProfileFunction>();
  const fn = (name: string) => {
    let f = fnByName.get(name);
    if (!f) {
      f = { id: functions.length + 1, name, systemName: name, filename: `src/${name.split('.')[0]}.go`, startLine: 0 };
      functions.push(f);
      fnByName.set(name, f);
    }
    return f;
  };
  const locations: Location[] = [];
  const locByFrame = new Map<string, number>();
  const strings = [''];
  const stringIndex = new Map([['', 0]]);
  const str = (s: string) => {
    let i = stringIndex.get(s);
    if (i === undefined) { i = strings.length; strings.push(s); stringIndex.set(s, i); }
    return i;
  };
  const b = new SampleBuilder(sampleTypes.length);
  for (const s of samples) {
    b.startSample();
    for (const frame of s.stack) {
      let li = locByFrame.get(frame);
      if (li === undefined) {
        li = locations.length;
        const names = frame.split(';');
        locations.push({
          id: li + 1, mapping, address: BigInt(0x1000 + 16 * (li + 1)), isFolded: false,
          lines: names.map((n, k) => ({ function: fn(n), line: 10 + k })),
        });
        locByFrame.set(frame, li);
      }
      b.addLocation(li);
    }
    s.values.forEach((v, k) => b.setValue(k, v));
    for (const [k, v] of Object.entries(s.labels ?? {})) b.addLabel(str(k), str(v), 0, 0);
    for (const [k, [v, u]] of Object.entries(s.numLabels ?? {})) b.addLabel(str(k), 0, v, str(u));
  }
  return {
    sampleTypes, defaultSampleType: '', samples: b.build(), mappings: [mapping], locations, functions, strings,
    comments: [], dropFrames: '', keepFrames: '', timeNanos: 0n, durationNanos: 0, periodType: undefined, period: 0,
    ...extra,
  };
}
