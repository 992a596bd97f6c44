import type { Profile } from 'pprof-format';

/**
 * profileText renders a profile as readable text for `?debug=1`, in the spirit
 * of Go's legacy heap format: a header with the totals, then each sample
 * (largest last value first) with its values and its stack, one frame a line.
 */
export function profileText(profile: Profile, title: string): string {
  const strings = profile.stringTable.strings;
  const str = (i: number | bigint) => strings[Number(i)] ?? '';
  const functions = new Map(profile.function.map((f) => [Number(f.id), f]));
  const locations = new Map(profile.location.map((l) => [Number(l.id), l]));
  const types = profile.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`);
  const totals = types.map((_, i) => profile.sample.reduce((sum, s) => sum + Number(s.value[i] ?? 0), 0));
  const last = types.length - 1;
  const samples = [...profile.sample].sort((a, b) => Number(b.value[last] ?? 0) - Number(a.value[last] ?? 0));
  const lines = [`${title} profile: ${totals.join(': ')} @ ${types.join(', ')}; period ${Number(profile.period)}`];
  for (const sample of samples) {
    lines.push(`${sample.value.map(Number).join(': ')} @`);
    for (const id of sample.locationId) {
      for (const line of locations.get(Number(id))?.line ?? []) {
        const fn = functions.get(Number(line.functionId));
        lines.push(`#\t${fn ? str(fn.name) : '?'}\t${fn ? str(fn.filename) : '?'}:${Number(line.line)}`);
      }
    }
    lines.push('');
  }
  return lines.join('\n') + '\n';
}
