import { createLocationNodes } from '../graph/graph.js';
import { padLeft } from '../profile/go-format.js';
import { sampleLabels } from '../profile/profile.js';
import { autoLabel } from '../profile/units.js';
import { type Report, profileLabels, trimPath } from './report.js';

const separator = '-----------+-------------------------------------------------------';

/** chunkSize is roughly how many characters a report chunk holds before it is handed out. */
const chunkSize = 1 << 20;

/** printTraces renders -traces: every sample with its labels, value and stack. */
export function printTraces(rpt: Report): string {
  return [...traceChunks(rpt)].join('');
}

/**
 * traceChunks renders -traces piece by piece: a big profile's traces can be
 * gigabytes of text, more than one string may hold, so the CLI streams them.
 */
export function* traceChunks(rpt: Report): Generator<string> {
  const p = rpt.profile;
  const o = rpt.options;
  let out: string[] = [profileLabels(rpt).join('\n') + '\n'];
  let size = 0;
  const { locationNodes } = createLocationNodes(p, { sampleIndex: o.sampleIndex, granularity: o.granularity, noInlines: o.noInlines, mapFilename: (f) => trimPath(f, o.trimPath, o.sourcePath) });
  const s = p.samples;
  const vc = s.valueCount;
  for (let i = 0; i < s.count; i++) {
    const stack: { name: string; inline: boolean }[] = [];
    for (let j = s.locationStarts[i]!; j < s.locationStarts[i + 1]!; j++) {
      const nodes = locationNodes[s.locationIndexes[j]!]!;
      nodes.forEach((n, k) => stack.push({ name: n!.name(), inline: k !== nodes.length - 1 }));
    }
    if (stack.length === 0) continue;
    out.push(separator + '\n');
    const labels = sampleLabels(p, i);
    const lines: string[] = [];
    for (const [key, vs] of labels.label) lines.push(`${padLeft(key, 10)}:  ${vs.join(' ')}\n`);
    lines.sort();
    out.push(lines.join(''));
    const numLines: string[] = [];
    for (const [key, vals] of labels.numLabel) {
      const unit = o.numLabelUnits.get(key) ?? key;
      numLines.push(`${padLeft(key, 10)}:  ${vals.map((v) => autoLabel(v, unit)).join(' ')}\n`);
    }
    numLines.sort();
    out.push(numLines.join(''));
    let v = s.values[i * vc + o.sampleIndex]!;
    const d = o.meanIndex !== undefined ? s.values[i * vc + o.meanIndex]! : 0;
    if (d !== 0) v = Math.trunc(v / d);
    stack.forEach((f, k) => {
      const line = `${padLeft(k === 0 ? rpt.formatValue(v) : '', 10)}   ${f.name}${f.inline ? ' (inline)' : ''}\n`;
      out.push(line);
      size += line.length;
    });
    if (size >= chunkSize) {
      yield out.join('');
      out = [];
      size = 0;
    }
  }
  out.push(separator + '\n');
  yield out.join('');
}
