import type { PageData } from '../view-data.js';
import { el } from './dom.js';
import { exactMatch, viewLink } from './url-state.js';

/**
 * mountTopTable renders the -top rows as the server computed them. Clicking
 * a row selects its function for the Refine menu; the flat and cum headers
 * sort through the URL (pprof's sort parameter), on the server.
 */
export function mountTopTable(root: HTMLElement, page: PageData, select: (regexp: string) => void): void {
  const sortLink = (label: string, order: string) => page.mode === 'server'
    ? el('a', { href: viewLink('top', (p) => p.set('sort', order)), title: `sort by ${label}` }, label)
    : label;
  const head = el('tr', {}, el('th', {}, sortLink('flat', 'flat')), el('th', {}, 'flat%'), el('th', {}, 'sum%'), el('th', {}, sortLink('cum', 'cum')), el('th', {}, 'cum%'), el('th', { class: 'name' }, 'name'));
  const body = el('tbody');
  for (const row of page.top ?? []) {
    const tr = el('tr', {},
      el('td', {}, row.flat), el('td', {}, row.flatPercent), el('td', {}, row.sumPercent),
      el('td', {}, row.cum), el('td', {}, row.cumPercent),
      el('td', { class: 'name' }, row.name + (row.inline !== '' ? ' ' + row.inline : '')));
    tr.addEventListener('click', () => {
      for (const other of body.querySelectorAll('tr.selected')) other.classList.remove('selected');
      tr.classList.add('selected');
      select(exactMatch(row.name));
    });
    if (page.mode === 'server') tr.addEventListener('dblclick', () => { location.href = viewLink('source', (p) => p.set('f', exactMatch(row.name))); });
    body.append(tr);
  }
  root.append(el('table', { class: 'top', id: 'top-table' }, el('thead', {}, head), body));
}
