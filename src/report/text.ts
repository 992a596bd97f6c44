import { padLeft } from '../profile/go-format.js';
import { type Report, newTrimmedGraph, percentage, reportLabels, selectOutputUnit } from './report.js';

/** TextItem is one row of -top: a node's name, inline marker and values. */
export interface TextItem {
  name: string;
  inlineLabel: string;
  flat: number;
  cum: number;
  flatFormat: string;
  cumFormat: string;
}

/** textItems computes the -top rows and the legend lines above them. */
export function textItems(rpt: Report): { items: TextItem[]; labels: string[] } {
  const { graph: g, origCount, droppedNodes } = newTrimmedGraph(rpt);
  selectOutputUnit(rpt, g);
  const labels = reportLabels(rpt, g, origCount, droppedNodes, 0, false);
  const items: TextItem[] = [];
  for (const n of g.nodes) {
    const flat = n.flatValue(), cum = n.cumValue();
    let inline = false, noinline = false;
    for (const e of n.in.values()) {
      if (e.inline) inline = true;
      else noinline = true;
    }
    const inlineLabel = inline ? (noinline ? '(partial-inline)' : '(inline)') : '';
    items.push({ name: n.name(), inlineLabel, flat, cum, flatFormat: rpt.formatValue(flat), cumFormat: rpt.formatValue(cum) });
  }
  return { items, labels };
}

/** printText renders -top / -text. */
export function printText(rpt: Report): string {
  const { items, labels } = textItems(rpt);
  const out: string[] = [labels.join('\n') + '\n'];
  out.push(`${padLeft('flat', 10)} ${padLeft('flat', 5)}% ${padLeft('sum', 5)}% ${padLeft('cum', 10)} ${padLeft('cum', 5)}%\n`);
  let flatSum = 0;
  for (const item of items) {
    const inl = item.inlineLabel !== '' ? ' ' + item.inlineLabel : '';
    flatSum += item.flat;
    out.push(`${padLeft(item.flatFormat, 10)} ${percentage(item.flat, rpt.total)} ${percentage(flatSum, rpt.total)} ${padLeft(item.cumFormat, 10)} ${percentage(item.cum, rpt.total)}  ${item.name}${inl}\n`);
  }
  return out.join('');
}
