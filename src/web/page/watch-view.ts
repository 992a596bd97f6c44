import type { WatchHolder, WatchPageData, WatchSeries } from '../view-data.js';
import { formatValue } from './format.js';
import { el } from './dom.js';

const svgNs = 'http://www.w3.org/2000/svg';
const bytes = (v: number) => formatValue(v, { sampleUnit: 'bytes', outputUnit: 'auto', ratio: 1 });

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * chart plots one series over time (minutes from the first reading): the
 * readings as dots and line, and the fit's rate drawn through their median
 * offset (the Theil–Sen line's intercept), so a steady rise shows as a slope.
 */
function chart(times: number[], series: WatchSeries): SVGSVGElement {
  const w = 560, h = 160, left = 64, bottom = 22, top = 8, right = 10;
  const t0 = times[0] ?? 0;
  const minutes = times.map((t) => (t - t0) / 60_000);
  const ys = series.bytes;
  const maxX = Math.max(1e-9, ...minutes), maxY = Math.max(1, ...ys), minY = Math.min(0, ...ys);
  const x = (m: number) => left + (m / maxX) * (w - left - right);
  const y = (b: number) => top + (1 - (b - minY) / (maxY - minY || 1)) * (h - top - bottom);
  const box = svg('svg', { viewBox: `0 0 ${w} ${h}`, width: w, height: h, class: 'chart', 'data-series': series.label });
  box.append(svg('line', { x1: left, y1: y(minY), x2: w - right, y2: y(minY), stroke: '#999' }), svg('line', { x1: left, y1: top, x2: left, y2: y(minY), stroke: '#999' }));
  for (const [v, label] of [[maxY, bytes(maxY)], [minY, bytes(minY)]] as const) {
    const t = svg('text', { x: left - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10 });
    t.textContent = label;
    box.append(t);
  }
  const tx = svg('text', { x: w - right, y: h - 6, 'text-anchor': 'end', 'font-size': 10 });
  tx.textContent = `${maxX.toFixed(1)} min`;
  box.append(tx);
  box.append(svg('polyline', { points: minutes.map((m, i) => `${x(m)},${y(ys[i]!)}`).join(' '), fill: 'none', stroke: '#2f6fd6', 'stroke-width': 1.5 }));
  for (let i = 0; i < ys.length; i++) box.append(svg('circle', { cx: x(minutes[i]!), cy: y(ys[i]!), r: 2, fill: '#2f6fd6' }));
  if (ys.length >= 2) {
    const offset = median(ys.map((b, i) => b - series.slopePerMinute * minutes[i]!));
    box.append(svg('line', { x1: x(0), y1: y(offset), x2: x(maxX), y2: y(offset + series.slopePerMinute * maxX), stroke: '#d03030', 'stroke-dasharray': '4 3', 'stroke-width': 1.5, class: 'fit' }));
  }
  return box;
}

/**
 * holderSection is why the memory is held: each holder with its path from the
 * roots as a chain of links, every object to its retainers in the end
 * snapshot (whose ids link on), and its fix.
 */
function holderSection(page: WatchPageData): HTMLElement {
  const section = el('section', { id: 'watch-holders' }, el('h2', {}, 'Why it is held'));
  const retainers = (id: number) => `./snapshot/retainers?target=${encodeURIComponent('@' + id)}`;
  page.holders.forEach((h: WatchHolder, i) => {
    const chain = el('div', { class: 'chain', 'data-holder': String(i) });
    h.steps.forEach((step, k) => {
      if (k > 0) chain.append(' → ');
      chain.append(page.snapshotPages && step.id !== undefined ? el('a', { href: retainers(step.id), 'data-node': String(step.id), title: `@${step.id}: why it is alive` }, step.label) : step.label);
      if (step.edge && k < h.steps.length - 1) chain.append(el('span', { class: 'muted' }, step.edge === '[]' ? '[]' : `.${step.edge}`));
    });
    const heading = el('div', { class: 'name' }, h.site ? `${h.site}: ` : '', 'held by ', h.text);
    if (page.snapshotPages && h.nodeId !== undefined) {
      heading.append(' ', el('a', { href: `./snapshot/dominators?target=${encodeURIComponent('@' + h.nodeId)}`, 'data-dominators': String(h.nodeId), class: 'small' }, 'what it holds'));
    }
    section.append(el('div', { class: 'holder' }, heading, chain, h.remedy ? el('div', { class: 'muted small' }, `fix: ${h.remedy}`) : ''));
  });
  if (page.snapshotPages) {
    section.append(el('p', { class: 'small' }, 'The watch\'s snapshots: ',
      el('a', { href: './snapshot/summary' }, 'summary'), ' · ', el('a', { href: './snapshot/dominators' }, 'dominator tree'), ' · ', el('a', { href: './snapshot/diff' }, 'what is new and still alive')));
  }
  return section;
}

/** seriesSection is one series: its name, rate and verdict, and its plot against its fit. */
function seriesSection(times: number[], s: WatchSeries): HTMLElement {
  return el('section', { class: 'series' },
    el('div', { class: 'name' }, s.label),
    el('div', { class: 'muted small' }, `${bytes(s.slopePerMinute)}/min — ${s.verdict}`),
    chart(times, s));
}

/** mountWatch renders the watch: progress while it runs (the page reloads itself), then each series against its fit, and the report. */
export function mountWatch(root: HTMLElement, page: WatchPageData): void {
  root.append(el('header', {}, el('span', { class: 'brand' }, 'tsprof watch'), el('span', { class: 'muted' }, page.watching)));
  const main = el('main', { id: page.live ? 'watch-live' : 'watch-report' });
  root.append(main);
  if (page.live) {
    const n = page.progress.totalBytes.length;
    main.append(el('p', {}, n === 0 ? 'waiting for the first heap profile…' : `${n} profile${n === 1 ? '' : 's'}, in use ${bytes(page.progress.totalBytes[n - 1]!)}${page.progress.leader ? `; most: ${page.progress.leader}` : ''}`));
    const { series, seriesTimes } = page.progress;
    if (series && seriesTimes) series.forEach((s) => main.append(seriesSection(seriesTimes, s)));
    else if (n > 0) main.append(chart(page.progress.times, { label: 'in use', bytes: page.progress.totalBytes, slopePerMinute: 0, verdict: '' }));
    main.append(el('p', { class: 'muted small' }, `This page reloads every ${page.reloadMs / 1000} s until the watch ends.`));
    setTimeout(() => location.reload(), page.reloadMs);
    return;
  }
  main.append(el('p', { class: 'conclusion', id: 'watch-conclusion' }, page.conclusion));
  for (const s of page.series) main.append(seriesSection(page.times, s));
  if (page.holders.length > 0) main.append(holderSection(page));
  main.append(el('pre', { class: 'text', id: 'report-text' }, page.text));
}
