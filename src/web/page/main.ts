/**
 * The web UI's page: reads the JSON the server (or the static export)
 * embedded, and renders the view it names. It fetches nothing; changing a
 * setting is a navigation to a new URL, which the server computes.
 */
import type { PageData, SnapshotPageData, WatchPageData } from '../view-data.js';
import { configMenu } from './config-menu.js';
import { el } from './dom.js';
import { type FlameStats, mountFlameGraph } from './flame-graph.js';
import { mountGraph } from './graph-view.js';
import style from './page.css';
import { mountSnapshot } from './snapshot-view.js';
import { mountTopTable } from './top-table.js';
import { mountWatch } from './watch-view.js';
import { refineParams, viewLink } from './url-state.js';

declare global {
  interface Window {
    /** The flame graph's self-measurements (frame times, node count), for the benchmark and tests. */
    tsprofFlame?: FlameStats;
  }
}

const viewLabels: [string, string][] = [['flamegraph', 'Flame graph'], ['top', 'Top'], ['graph', 'Graph'], ['peek', 'Peek'], ['source', 'Source']];

function header(page: PageData, refine: HTMLInputElement): HTMLElement {
  const nav = el('nav', {});
  if (page.mode === 'server') {
    for (const [view, label] of viewLabels) nav.append(el('a', { href: viewLink(view), class: view === page.view ? 'current' : '', 'data-view': view }, label));
    nav.append(el('a', { href: viewLink('download'), 'data-view': 'download', title: 'the filtered profile as .pb.gz' }, 'Download'));
  }
  const bar = el('header', {}, el('span', { class: 'brand' }, 'tsprof'), nav);
  if (page.mode === 'server') {
    const sample = el('select', { id: 'sample-type', title: 'Sample type (si)' });
    for (const t of page.sampleTypes) {
      const o = el('option', { value: t }, t);
      if (page.sampleType === t || page.sampleType === 'mean_' + t) o.selected = true;
      sample.append(o);
    }
    sample.addEventListener('change', () => { location.href = viewLink(page.view, (p) => p.set('si', sample.value)); });
    const refineBox = el('span', { class: 'refine' }, refine);
    const button = (label: string, param: string) => {
      const b = el('button', { type: 'button', 'data-refine': param }, label);
      b.addEventListener('click', () => {
        if (refine.value === '') { refine.focus(); return; }
        location.href = viewLink(page.view, (p) => p.set(param, refine.value));
      });
      return b;
    };
    refineBox.append(button('Focus', 'f'), button('Ignore', 'i'), button('Hide', 'h'), button('Show', 's'), button('Show from', 'sf'));
    const reset = el('button', { type: 'button', 'data-refine': 'reset' }, 'Reset');
    reset.addEventListener('click', () => { location.href = viewLink(page.view, (p) => { for (const k of refineParams) p.delete(k); }); });
    refineBox.append(reset);
    bar.append(el('label', {}, 'Sample ', sample), el('span', { class: 'muted' }, 'Refine '), refineBox, configMenu(page));
  }
  return bar;
}

function main(): void {
  const node = document.getElementById('tsprof-data');
  const app = document.getElementById('app');
  if (!node || !app) return;
  const data = JSON.parse(node.textContent ?? '{}') as PageData | SnapshotPageData | WatchPageData;
  document.head.append(el('style', {}, style));
  if ('kind' in data && data.kind === 'snapshot') {
    mountSnapshot(app, data);
    return;
  }
  if ('kind' in data && data.kind === 'watch') {
    mountWatch(app, data);
    return;
  }
  const page = data as PageData;
  const refine = el('input', { type: 'text', id: 'refine-regexp', placeholder: 'regexp (select a row or frame)', spellcheck: 'false' });
  const current = new URLSearchParams(location.search).get('f');
  if (current) refine.value = current;
  app.append(header(page, refine));
  const legend = el('details', { class: 'legend', id: 'legend' }, el('summary', {}, page.title), el('pre', {}, page.legend.join('\n')));
  app.append(legend);
  for (const e of page.errors) app.append(el('div', { class: 'error' }, e));
  const body = el('main', { id: 'view-' + page.view });
  app.append(body);
  const select = (re: string) => { refine.value = re; };
  switch (page.view) {
    case 'flamegraph':
      if (page.mode === 'static') {
        // One file: the flame graph and the top table, as tabs.
        const flamePane = el('div', { id: 'pane-flamegraph' });
        const topPane = el('div', { id: 'pane-top', hidden: '' });
        const tab = (label: string, show: HTMLElement, hide: HTMLElement) => {
          const b = el('button', { type: 'button', class: 'tab', 'data-tab': show.id }, label);
          b.addEventListener('click', () => { show.hidden = false; hide.hidden = true; if (show === flamePane) window.dispatchEvent(new Event('resize')); });
          return b;
        };
        body.append(el('div', { class: 'tabs' }, tab('Flame graph', flamePane, topPane), tab('Top', topPane, flamePane)), flamePane, topPane);
        window.tsprofFlame = mountFlameGraph(flamePane, page);
        mountTopTable(topPane, page, select);
      } else {
        window.tsprofFlame = mountFlameGraph(body, page);
      }
      break;
    case 'top':
      mountTopTable(body, page, select);
      break;
    case 'graph':
      mountGraph(body, page.svg ?? '');
      break;
    default:
      body.append(el('pre', { class: 'text', id: 'report-text' }, page.text ?? ''));
  }
}

main();
