import type { Location, Mapping, Profile } from '../profile/profile.js';
import { sampleLabels } from '../profile/profile.js';
import { zoneName } from './zone-name.js';

function hex(v: bigint | number): string {
  return '0x' + v.toString(16);
}

/** goDuration formats nanoseconds as Go's time.Duration String ("709.781153ms"). */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let s: string;
  if (u < 1e3) s = `${u}ns`;
  else if (u < 1e6) s = `${trimZeros((u / 1e3).toFixed(3))}µs`;
  else if (u < 1e9) s = `${trimZeros((u / 1e6).toFixed(6))}ms`;
  else {
    const h = Math.floor(u / 3600e9);
    u -= h * 3600e9;
    const m = Math.floor(u / 60e9);
    u -= m * 60e9;
    const sec = trimZeros((u / 1e9).toFixed(9)) + 's';
    s = h > 0 ? `${h}h${m}m${sec}` : m > 0 ? `${m}m${sec}` : sec;
  }
  return (neg ? '-' : '') + s;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** goTime formats a time as Go's time.Time String in the local zone. */
function goTime(ns: bigint): string {
  const d = new Date(Number(ns / 1000000n));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const frac = (ns % 1000000000n).toString().padStart(9, '0').replace(/0+$/, '');
  const off = -d.getTimezoneOffset();
  const offText = (off >= 0 ? '+' : '-') + pad(Math.floor(Math.abs(off) / 60)) + pad(Math.abs(off) % 60);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${frac ? '.' + frac : ''} ${offText} ${zoneName(d)}`;
}

function mappingString(m: Mapping): string {
  let bits = '';
  if (m.hasFunctions) bits += '[FN]';
  if (m.hasFilenames) bits += '[FL]';
  if (m.hasLineNumbers) bits += '[LN]';
  if (m.hasInlineFrames) bits += '[IN]';
  return `${m.id}: ${hex(m.start)}/${hex(m.limit)}/${hex(m.offset)} ${m.file} ${m.buildId} ${bits}`;
}

function locationString(l: Location): string {
  const out: string[] = [];
  let locStr = `${String(l.id).padStart(6)}: ${hex(l.address)} `;
  if (l.mapping) locStr += `M=${l.mapping.id} `;
  if (l.isFolded) locStr += '[F] ';
  if (l.lines.length === 0) out.push(locStr);
  for (const ln of l.lines) {
    const fn = ln.function;
    let s = `${fn.name} ${fn.filename}:${ln.line} s=${fn.startLine}`;
    if (fn.name !== fn.systemName) s += '(' + fn.systemName + ')';
    out.push(locStr + s);
    locStr = '             ';
  }
  return out.join('\n');
}

/** printRaw renders -raw: the profile's own text form (pprof's Profile.String). */
export function printRaw(p: Profile): string {
  return [...rawChunks(p)].join('');
}

/** rawChunks renders -raw piece by piece (a big profile's text may not fit one string). */
export function* rawChunks(p: Profile): Generator<string> {
  let ss: string[] = [];
  let size = 0;
  const flush = function* (): Generator<string> {
    if (ss.length === 0) return;
    yield ss.join('\n') + '\n';
    ss = [];
    size = 0;
  };
  for (const c of p.comments) ss.push('Comment: ' + c);
  if (p.periodType) ss.push(`PeriodType: ${p.periodType.type} ${p.periodType.unit}`);
  ss.push(`Period: ${p.period}`);
  if (p.timeNanos !== 0n) ss.push(`Time: ${goTime(p.timeNanos)}`);
  if (p.durationNanos !== 0) ss.push(`Duration: ${[...goDuration(p.durationNanos)].slice(0, 4).join('')}`);
  ss.push('Samples:');
  ss.push(p.sampleTypes.map((t) => `${t.type}/${t.unit}${t.type === p.defaultSampleType ? '[dflt]' : ''}`).join(' '));
  const s = p.samples;
  for (let i = 0; i < s.count; i++) {
    let sv = '';
    for (let k = 0; k < s.valueCount; k++) sv += ' ' + String(s.values[i * s.valueCount + k]).padStart(10);
    sv += ': ';
    for (let j = s.locationStarts[i]!; j < s.locationStarts[i + 1]!; j++) sv += `${p.locations[s.locationIndexes[j]!]!.id} `;
    const lines = [sv];
    const labels = sampleLabels(p, i);
    const header = '                ';
    if (labels.label.size > 0) {
      lines.push(header + [...labels.label].map(([k, v]) => `${k}:[${v.join(' ')}]`).sort().join(' '));
    }
    if (labels.numLabel.size > 0) {
      lines.push(header + [...labels.numLabel].map(([k, v]) => {
        const units = labels.numUnit.get(k);
        if (units && units.length === v.length) return `${k}:[${v.map((x, j) => `${x} ${units[j]}`).join(' ')}]`;
        return `${k}:[${v.join(' ')}]`;
      }).sort().join(' '));
    }
    const text = lines.join('\n');
    ss.push(text);
    size += text.length;
    if (size >= 1 << 20) yield* flush();
  }
  ss.push('Locations');
  for (const l of p.locations) ss.push(locationString(l));
  ss.push('Mappings');
  for (const m of p.mappings) ss.push(mappingString(m));
  yield* flush();
}
