import { TsprofError } from '../errors.js';
import { checkCompatible } from './merge.js';
import type { Profile, ValueType } from './profile.js';
import { selectSamples } from './sample-builder.js';
import { commonValueType, scaleValue } from './units.js';

/** goRound is Go's math.Round: halves away from zero. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * scaleProfileN multiplies value k of every sample by ratios[k] (rounded as
 * pprof) and drops samples left all-zero in the scaled columns.
 */
export function scaleProfileN(p: Profile, ratios: number[]): Profile {
  if (ratios.length !== p.sampleTypes.length) throw new TsprofError(`mismatched scale ratios, got ${ratios.length}, want ${p.sampleTypes.length}`);
  if (ratios.every((r) => r === 1)) return p;
  const s = p.samples;
  const vc = s.valueCount;
  const values = new Float64Array(s.values);
  const keep = new Uint8Array(s.count);
  for (let i = 0; i < s.count; i++) {
    let k = 0;
    for (let j = 0; j < vc; j++) {
      const r = ratios[j]!;
      if (r === 1) continue;
      const v = goRound(values[i * vc + j]! * r);
      values[i * vc + j] = v === 0 ? 0 : v;
      if (v !== 0) k = 1;
    }
    keep[i] = k;
  }
  return { ...p, samples: selectSamples({ ...s, values }, keep) };
}

/** scaleProfile multiplies every value by ratio. */
export function scaleProfile(p: Profile, ratio: number): Profile {
  return scaleProfileN(p, p.sampleTypes.map(() => ratio));
}

/** sampleTotals sums each value column over all samples. */
export function sampleTotals(p: Profile): number[] {
  const s = p.samples;
  const totals = new Array<number>(s.valueCount).fill(0);
  for (let i = 0; i < s.count; i++) for (let j = 0; j < s.valueCount; j++) totals[j]! += s.values[i * s.valueCount + j]!;
  return totals;
}

/** normalizeProfile scales p so each value column totals the same as in base (pprof -normalize). */
export function normalizeProfile(p: Profile, base: Profile): Profile {
  checkCompatible(p, base);
  const baseTotals = sampleTotals(base);
  const srcTotals = sampleTotals(p);
  return scaleProfileN(p, baseTotals.map((b, i) => (srcTotals[i] === 0 ? 0 : b / srcTotals[i]!)));
}

/**
 * scaleProfilesToCommonUnits converts profiles recorded in different but
 * compatible units (ms vs ns) to the finest one, so they can be merged.
 */
export function scaleProfilesToCommonUnits(profiles: Profile[]): Profile[] {
  if (profiles.length === 0) return profiles;
  const periodTypes = profiles.map((p) => p.periodType).filter((t): t is ValueType => t !== undefined);
  let periodType: ValueType | undefined;
  try {
    periodType = commonValueType(periodTypes);
  } catch (err) {
    throw new TsprofError(`period type: ${(err as Error).message}`);
  }
  const n = profiles[0]!.sampleTypes.length;
  for (const p of profiles.slice(1)) {
    if (p.sampleTypes.length !== n) throw new TsprofError(`inconsistent samples type count: ${n} != ${p.sampleTypes.length}`);
  }
  const common: (ValueType | undefined)[] = [];
  for (let i = 0; i < n; i++) {
    try {
      common.push(commonValueType(profiles.map((p) => p.sampleTypes[i]!)));
    } catch (err) {
      throw new TsprofError(`sample types: ${(err as Error).message}`);
    }
  }
  return profiles.map((p) => {
    let q = p;
    if (p.periodType && periodType && p.periodType.unit !== periodType.unit) {
      q = { ...q, period: Math.trunc(scaleValue(p.period, p.periodType.unit, periodType.unit)[0]), periodType: { type: p.periodType.type, unit: periodType.unit } };
    }
    const ratios = p.sampleTypes.map((st, i) => (common[i] ? scaleValue(1, st.unit, common[i]!.unit)[0] : 1));
    const sampleTypes = p.sampleTypes.map((st, i) => (common[i] ? { type: st.type, unit: common[i]!.unit } : st));
    return scaleProfileN({ ...q, sampleTypes }, ratios);
  });
}
