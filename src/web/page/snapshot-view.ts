import type { SnapshotPageData } from '../view-data.js';
import { el } from './dom.js';

const reportLabels: [SnapshotPageData['report'], string][] = [['summary', 'Summary'], ['dominators', 'Dominators'], ['leaks', 'Leaks'], ['retainers', 'Retainers'], ['diff', 'Diff']];

const retainersOf = (target: string) => `./retainers?target=${encodeURIComponent(target)}`;
const dominatorsOf = (target: string) => `./dominators?target=${encodeURIComponent(target)}`;

/**
 * linkified is a line of the CLI's report with every object id (@123) a
 * link to its retainers; on the dominator tree's page, every id but the
 * opened object's opens that object's level of the tree instead.
 */
function linkified(line: string, page: SnapshotPageData): (Node | string)[] {
  const parts: (Node | string)[] = [];
  const opened = page.target.replace(/^@/, '');
  let last = 0;
  for (const m of line.matchAll(/@(\d+)\b/g)) {
    parts.push(line.slice(last, m.index));
    const down = page.report === 'dominators' && m[1] !== opened;
    parts.push(down
      ? el('a', { href: dominatorsOf('@' + m[1]!), 'data-node': m[1]!, title: 'open its level of the dominator tree' }, m[0])
      : el('a', { href: retainersOf('@' + m[1]!), 'data-node': m[1]!, 'data-retainers': m[1]!, title: 'why it is alive: its retainers' }, m[0]));
    last = m.index! + m[0].length;
  }
  parts.push(line.slice(last));
  return parts;
}

/**
 * mountSnapshot renders a heap snapshot page: the CLI's report text, in
 * which every object id links to its retainers (so a retainer path is a
 * chain of links) and, in the summary, every constructor to its largest
 * instances' retainers.
 */
export function mountSnapshot(root: HTMLElement, page: SnapshotPageData): void {
  const nav = el('nav', {});
  for (const [report, label] of reportLabels) {
    if (report === 'diff' && !page.canDiff) continue;
    nav.append(el('a', { href: `./${report}`, class: report === page.report ? 'current' : '', 'data-view': report }, label));
  }
  const target = el('input', { type: 'text', name: 'target', id: 'snapshot-target', value: page.target, placeholder: '@id or constructor' });
  const find = el('form', { method: 'get', action: './retainers', class: 'refine' }, el('span', { class: 'muted' }, 'Retainers of '), target, el('button', { type: 'submit' }, 'Show'));
  root.append(el('header', {}, el('span', { class: 'brand' }, 'tsprof snapshot'), nav, find), el('div', { class: 'legend muted' }, page.files.join(' → ')));
  const constructors = page.report === 'summary' ? ((page.json as { constructors?: { className: string }[] } | undefined)?.constructors ?? []) : [];
  const pre = el('pre', { class: 'text', id: 'report-text' });
  const lines = page.text.replace(/\n$/, '').split('\n');
  const headerAt = lines.findIndex((l) => /^\s*count\s+shallow/.test(l));
  lines.forEach((line, i) => {
    const row = headerAt >= 0 && i > headerAt ? constructors[i - headerAt - 1] : undefined;
    if (row && line.endsWith(row.className)) {
      const cut = line.length - row.className.length;
      pre.append(line.slice(0, cut), el('a', { href: retainersOf(row.className), 'data-constructor': row.className }, row.className), '\n');
    } else {
      pre.append(...linkified(line, page), '\n');
    }
  });
  root.append(el('main', { id: `snapshot-${page.report}` }, pre));
}
