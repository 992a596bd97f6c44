import type { PageData } from '../view-data.js';
import { el } from './dom.js';

/**
 * configMenu is pprof's Config menu: the saved configurations as links to
 * this view with their settings, each with a delete button, and a form that
 * saves the current settings under a name. Saving and deleting are form
 * posts (the page fetches nothing); the server answers with a redirect.
 */
export function configMenu(page: PageData): HTMLElement {
  const form = (action: string, name: string, label: string, extra: HTMLElement[] = []) => {
    const f = el('form', { method: 'post', action: `./${action}`, class: 'config-form' },
      el('input', { type: 'hidden', name: 'view', value: page.view }),
      el('input', { type: 'hidden', name: 'query', value: location.search.replace(/^\?/, '') }),
      ...extra);
    if (name !== '') f.append(el('input', { type: 'hidden', name: 'config', value: name }));
    f.append(el('button', { type: 'submit', 'data-config-action': action }, label));
    return f;
  };
  const list = el('div', { class: 'config-list', id: 'config-list' });
  for (const c of page.configs ?? []) {
    list.append(el('div', { class: 'config-item' },
      el('a', { href: `./${page.view}${c.query === '' ? '' : '?' + c.query}`, 'data-config': c.name }, c.name),
      form('deleteconfig', c.name, '×')));
  }
  if ((page.configs ?? []).length === 0) list.append(el('div', { class: 'muted' }, 'no saved configurations'));
  const save = form('saveconfig', '', 'Save', [el('input', { type: 'text', name: 'config', id: 'config-name', placeholder: 'name', required: '' })]);
  return el('details', { class: 'config-menu', id: 'config-menu' }, el('summary', {}, 'Config'), el('div', { class: 'config-pop' }, list, save));
}
