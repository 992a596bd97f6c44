import type { Profile } from '../profile/profile.js';

/**
 * profileText renders a profile as readable text for `?debug=1`, in the spirit
 * of Go's legacy heap format: a header with the totals, then each sample
 * (largest last value first) with its values and its stack, one frame a line.
 */
export function profileText(profile: Profile, title: string): string {
  const { samples } = profile;
  const types = profile.sampleTypes.map((t) => `${t.type}/${t.unit}`);
  const n = samples.valueCount;
  const value = (i: number, k: number) => samples.values[i * n + k] ?? 0;
  const totals = types.map((_, k) => {
    let sum = 0;
    for (let i = 0; i < samples.count; i++) sum += value(i, k);
    return sum;
  });
  const last = types.length - 1;
  const order = Array.from({ length: samples.count }, (_, i) => i).sort((a, b) => value(b, last) - value(a, last));
  const lines = [`${title} profile: ${totals.join(': ')} @ ${types.join(', ')}; period ${profile.period}`];
  for (const i of order) {
    lines.push(`${Array.from({ length: n }, (_, k) => value(i, k)).join(': ')} @`);
    for (let j = samples.locationStarts[i]!; j < samples.locationStarts[i + 1]!; j++) {
      for (const line of profile.locations[samples.locationIndexes[j]!]!.lines) {
        lines.push(`#\t${line.function.name}\t${line.function.filename}:${line.line}`);
      }
    }
    lines.push('');
  }
  return lines.join('\n') + '\n';
}
