import { gzipSync } from 'node:zlib';
import type { Profile, ValueType } from './profile.js';
import { ProtoWriter } from './proto-writer.js';

/**
 * encodeProfile writes p as uncompressed profile.proto bytes. The string
 * table is rebuilt so that only referenced strings are written.
 */
export function encodeProfile(p: Profile): Uint8Array {
  const table: string[] = [''];
  const index = new Map<string, number>([['', 0]]);
  const add = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = table.length;
      table.push(s);
      index.set(s, i);
    }
    return i;
  };
  // Labels refer to p.strings; translate each used index once.
  const labelMap = new Int32Array(p.strings.length).fill(-1);
  const mapLabel = (x: number): number => {
    if (x === 0) return 0;
    let y = labelMap[x]!;
    if (y < 0) { y = add(p.strings[x]!); labelMap[x] = y; }
    return y;
  };

  const w = new ProtoWriter();
  const valueType = (field: number, vt: ValueType): void => {
    const m = w.begin(field);
    w.int(1, add(vt.type));
    w.int(2, add(vt.unit));
    w.end(m);
  };
  for (const st of p.sampleTypes) valueType(1, st);

  const s = p.samples;
  const locs = p.locations;
  const t = s.labels;
  for (let i = 0; i < s.count; i++) {
    const m = w.begin(2);
    const ls = s.locationStarts[i]!, le = s.locationStarts[i + 1]!;
    if (le > ls) {
      const pm = w.begin(1);
      for (let j = ls; j < le; j++) w.varint(locs[s.locationIndexes[j]!]!.id);
      w.end(pm);
    }
    if (s.valueCount > 0) {
      const pm = w.begin(2);
      const base = i * s.valueCount;
      for (let k = 0; k < s.valueCount; k++) w.varint(s.values[base + k]!);
      w.end(pm);
    }
    if (t) {
      for (let j = t.starts[i]!; j < t.starts[i + 1]!; j++) {
        const lm = w.begin(3);
        w.int(1, mapLabel(t.key[j]!));
        if (t.str[j] !== 0) w.int(2, mapLabel(t.str[j]!));
        else {
          w.int(3, t.num[j]!);
          w.int(4, mapLabel(t.unit[j]!));
        }
        w.end(lm);
      }
    }
    w.end(m);
  }
  for (const mp of p.mappings) {
    const m = w.begin(3);
    w.int(1, mp.id);
    w.big(2, mp.start);
    w.big(3, mp.limit);
    w.big(4, mp.offset);
    w.int(5, add(mp.file));
    w.int(6, add(mp.buildId));
    w.bool(7, mp.hasFunctions);
    w.bool(8, mp.hasFilenames);
    w.bool(9, mp.hasLineNumbers);
    w.bool(10, mp.hasInlineFrames);
    w.end(m);
  }
  for (const l of p.locations) {
    const m = w.begin(4);
    w.int(1, l.id);
    w.int(2, l.mapping ? l.mapping.id : 0);
    w.big(3, l.address);
    for (const ln of l.lines) {
      const lm = w.begin(4);
      w.int(1, ln.function.id);
      w.int(2, ln.line);
      w.end(lm);
    }
    w.bool(5, l.isFolded);
    w.end(m);
  }
  for (const f of p.functions) {
    const m = w.begin(5);
    w.int(1, f.id);
    w.int(2, add(f.name));
    w.int(3, add(f.systemName));
    w.int(4, add(f.filename));
    w.int(5, f.startLine);
    w.end(m);
  }
  const dropX = add(p.dropFrames);
  const keepX = add(p.keepFrames);
  const periodX = p.periodType ? [add(p.periodType.type), add(p.periodType.unit)] : undefined;
  const commentX = p.comments.map(add);
  const defaultX = add(p.defaultSampleType);

  for (const str of table) w.string(6, str);
  w.int(7, dropX);
  w.int(8, keepX);
  w.big(9, p.timeNanos);
  w.int(10, p.durationNanos);
  if (periodX && (periodX[0] !== 0 || periodX[1] !== 0)) {
    const m = w.begin(11);
    w.int(1, periodX[0]!);
    w.int(2, periodX[1]!);
    w.end(m);
  }
  w.int(12, p.period);
  if (commentX.length > 0) {
    const m = w.begin(13);
    for (const c of commentX) w.varint(c);
    w.end(m);
  }
  w.int(14, defaultX);
  return w.done();
}

/** encodeProfileGzip writes p as gzip-compressed profile.proto, as pprof writes files. */
export function encodeProfileGzip(p: Profile): Uint8Array {
  return gzipSync(encodeProfile(p), { level: 1 });
}
