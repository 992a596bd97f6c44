import { goFixed } from '../profile/go-format.js';
import { sampleLabels } from '../profile/profile.js';
import { scaleValue, scaledLabel } from '../profile/units.js';
import { type Report, percentage } from './report.js';
import { alignColumns } from './tabwriter.js';

interface Weighted { name: string; flat: number }

function sortByWeight(ts: Weighted[]): Weighted[] {
  return ts.sort((a, b) => {
    if (a.flat !== b.flat) return Math.abs(b.flat) - Math.abs(a.flat);
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** printTags renders -tags: for each label key, the weight of each of its values. */
export function printTags(rpt: Report): string {
  const p = rpt.profile;
  const o = rpt.options;
  const tagMap = new Map<string, Map<string, number>>();
  const s = p.samples;
  const vc = s.valueCount;
  const bump = (key: string, val: string, v: number) => {
    let m = tagMap.get(key);
    if (!m) { m = new Map(); tagMap.set(key, m); }
    m.set(val, (m.get(val) ?? 0) + v);
  };
  for (let i = 0; i < s.count; i++) {
    const labels = sampleLabels(p, i);
    const v = s.values[i * vc + o.sampleIndex]!;
    for (const [key, vals] of labels.label) for (const val of vals) bump(key, val, v);
    for (const [key, vals] of labels.numLabel) {
      const unit = o.numLabelUnits.get(key) ?? key;
      for (const n of vals) bump(key, scaledLabel(n, unit, rpt.outputUnit), v);
    }
  }
  const keys = sortByWeight([...tagMap.keys()].map((k) => ({ name: k, flat: 0 })));
  let text = '';
  for (const { name: key } of keys) {
    const values = tagMap.get(key)!;
    let total = 0;
    const tags: Weighted[] = [];
    for (const [t, c] of values) { total += c; tags.push({ name: t, flat: c }); }
    const [f, u] = scaleValue(total, o.sampleUnit, rpt.outputUnit);
    text += `${key}:\t Total ${goFixed(f, 1)}${u}\n`;
    for (const t of sortByWeight(tags)) {
      const [tf, tu] = scaleValue(t.flat, o.sampleUnit, rpt.outputUnit);
      if (total > 0) text += ` \t${goFixed(tf, 1)}${tu} (${percentage(t.flat, total)}):\t ${t.name}\n`;
      else text += ` \t${goFixed(tf, 1)}${tu}:\t ${t.name}\n`;
    }
    text += '\n';
  }
  return alignColumns(text, true);
}
