import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/**
 * Time zone abbreviations as Go prints them ("CET", "EST", "-03"): Go reads
 * them from the system's TZif files, which Intl does not expose for most
 * zones ("GMT+1"). This reads the same files; Intl is the fallback.
 */

const cache = new Map<string, Map<number, string> | null>();

/** zoneFile is the TZif file of the process's zone ($TZ or /etc/localtime), or undefined for UTC. */
function zoneFile(): string | undefined {
  let tz = process.env.TZ;
  if (tz === undefined) return '/etc/localtime';
  if (tz === '' || tz === 'UTC') return undefined;
  if (tz.startsWith(':')) tz = tz.slice(1);
  return isAbsolute(tz) ? tz : join('/usr/share/zoneinfo', tz);
}

/** abbreviationsByOffset reads a TZif file into UTC offset (seconds) → abbreviation, the newest rules winning. */
function abbreviationsByOffset(path: string): Map<number, string> | null {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return null;
  }
  if (data.length < 44 || data.toString('latin1', 0, 4) !== 'TZif') return null;
  const version = data[4]!;
  const readHeader = (at: number) => ({
    isut: data.readUInt32BE(at + 20), isstd: data.readUInt32BE(at + 24), leap: data.readUInt32BE(at + 28),
    time: data.readUInt32BE(at + 32), type: data.readUInt32BE(at + 36), char: data.readUInt32BE(at + 40),
  });
  let h = readHeader(0);
  let at = 44;
  let timeSize = 4;
  if (version >= 0x32) {
    // Skip the 32-bit block to the 64-bit one.
    at += h.time * 5 + h.type * 6 + h.char + h.leap * 8 + h.isstd + h.isut;
    if (at + 44 > data.length) return null;
    h = readHeader(at);
    at += 44;
    timeSize = 8;
  }
  const out = new Map<number, string>();
  const typesAt = at + h.time * timeSize + h.time;
  const charsAt = typesAt + h.type * 6;
  if (charsAt + h.char > data.length) return null;
  const abbreviation = (index: number) => {
    const start = charsAt + index;
    let end = start;
    while (end < charsAt + h.char && data[end] !== 0) end++;
    return data.toString('latin1', start, end);
  };
  const typeAt = (k: number) => typesAt + k * 6;
  // Types in order of use by transitions, so later rules overwrite earlier ones.
  const order: number[] = [];
  for (let k = 0; k < h.type; k++) order.push(k);
  for (let t = 0; t < h.time; t++) order.push(data[at + h.time * timeSize + t]!);
  for (const k of order) {
    if (k >= h.type) continue;
    out.set(data.readInt32BE(typeAt(k)), abbreviation(data[typeAt(k) + 5]!));
  }
  // The footer's POSIX TZ string holds the current rules, e.g. "CET-1CEST,M3.5.0,M10.5.0/3".
  const footer = data.toString('latin1', charsAt + h.char + h.leap * (timeSize + 4) + h.isstd + h.isut).trim();
  const m = /^(<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})(?:(<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})?)?/.exec(footer);
  if (m) {
    const seconds = (text: string) => {
      const [hh, mm = '0', ss = '0'] = text.replace(/^[+-]/, '').split(':');
      const v = Number(hh) * 3600 + Number(mm) * 60 + Number(ss);
      return text.startsWith('-') ? v : -v; // POSIX offsets are west-positive
    };
    const name = (text: string) => text.replace(/^<|>$/g, '');
    const std = seconds(m[2]!);
    out.set(std, name(m[1]!));
    if (m[3]) out.set(m[4] ? seconds(m[4]) : std + 3600, name(m[3]));
  }
  return out;
}

/** zoneName is the abbreviation of the local zone at date, as Go's time.Format "MST" prints it. */
export function zoneName(date: Date): string {
  const file = zoneFile();
  if (file === undefined) return 'UTC';
  let table = cache.get(file);
  if (table === undefined) {
    table = abbreviationsByOffset(file);
    cache.set(file, table);
  }
  const offset = -date.getTimezoneOffset() * 60;
  const name = table?.get(offset);
  if (name !== undefined) return name;
  if (!table && offset === 0) return 'UTC';
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((x) => x.type === 'timeZoneName');
  return part?.value ?? 'UTC';
}
