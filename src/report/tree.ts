import { TsprofError } from '../errors.js';
import { sortEdges } from '../graph/node.js';
import { padLeft } from '../profile/go-format.js';
import { type Report, newTrimmedGraph, percentage, reportLabels, selectOutputUnit } from './report.js';

const separator = '----------------------------------------------------------+-------------';
const legend = '      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t ';

/** printTree renders -tree, and -peek when the report has a symbol regexp: each node with its callers and callees. */
export function printTree(rpt: Report): string {
  const { graph: g, origCount, droppedNodes } = newTrimmedGraph(rpt);
  selectOutputUnit(rpt, g);
  const out: string[] = [reportLabels(rpt, g, origCount, droppedNodes, 0, false).join('\n') + '\n'];
  out.push(separator + '\n', legend + '\n');
  const rx = rpt.options.symbol;
  let flatSum = 0;
  let matched = 0;
  for (const n of g.nodes) {
    const name = n.name(), flat = n.flatValue(), cum = n.cumValue();
    if (rx && !rx.test(name)) continue;
    matched++;
    out.push(separator + '\n');
    for (const e of sortEdges(n.in.values())) {
      const inline = e.inline ? ' (inline)' : '';
      out.push(`${padLeft(rpt.formatValue(e.weight), 50)} ${percentage(e.weight, cum)} |   ${e.src.name()}${inline}\n`);
    }
    flatSum += flat;
    out.push(`${padLeft(rpt.formatValue(flat), 10)} ${percentage(flat, rpt.total)} ${percentage(flatSum, rpt.total)} ${padLeft(rpt.formatValue(cum), 10)} ${percentage(cum, rpt.total)}                | ${name}\n`);
    for (const e of sortEdges(n.out.values())) {
      const inline = e.inline ? ' (inline)' : '';
      out.push(`${padLeft(rpt.formatValue(e.weight), 50)} ${percentage(e.weight, cum)} |   ${e.dest.name()}${inline}\n`);
    }
  }
  if (g.nodes.length > 0) out.push(separator + '\n');
  if (rx && matched === 0) throw new TsprofError(`no matches found for regexp: ${rx.source}`);
  return out.join('');
}
