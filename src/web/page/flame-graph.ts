import { type FlameTree, type Pivot, flameTreeOf, hideFrames, layoutX, pivotOn, searchTotal } from '../flame-model.js';
import { type CodeArea, type PageData, codeAreas } from '../view-data.js';
import { el } from './dom.js';
import { formatPercent, formatValue } from './format.js';
import { exactMatch, viewLink } from './url-state.js';

const rowHeight = 18;
/** Boxes narrower than this many pixels are not drawn (nor is anything under them). */
const minBoxPixels = 0.4;

const areaLabels: Record<CodeArea, string> = { app: 'app', node_modules: 'node_modules', node: 'Node core', native: 'V8 / native' };
const areaHues: Record<CodeArea, [number, number]> = { app: [8, 40], node_modules: [195, 230], node: [95, 140], native: [200, 260] };
/** How saturated each area's colours are: V8 and native code stays greyish, so the app stands out. */
const areaSaturation: Record<CodeArea, number> = { app: 70, node_modules: 60, node: 50, native: 12 };

/** FlameStats are what the page measures of itself, for the benchmark and the tests. */
export interface FlameStats {
  nodeCount: number;
  drawCount: number;
  lastDrawMs: number;
  /** When the first draw ended (performance.now(): milliseconds since navigation started). */
  firstDrawAt: number;
  /** Where frame name's widest visible box is, in client coordinates (for tests and automation). */
  locate(name: string): { x: number; y: number } | undefined;
}

interface Hit {
  x0: number;
  x1: number;
  tree: FlameTree;
  k: number;
}

function hashOf(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

/** mountFlameGraph renders the page's flame graph on a canvas into root, with its toolbar, tooltip and menu. */
export function mountFlameGraph(root: HTMLElement, page: PageData): FlameStats {
  const data = page.flame!;
  const full = flameTreeOf(data);
  const names = data.frameNames;
  const fmt = (v: number) => formatValue(v, page.format);
  const pct = (v: number) => formatPercent(v, page.total);

  // Toolbar.
  const back = el('button', { type: 'button', title: 'Back (previous pivot)', id: 'flame-back' }, '◀');
  const forward = el('button', { type: 'button', title: 'Forward', id: 'flame-forward' }, '▶');
  const resetPivot = el('button', { type: 'button', title: 'Show the whole tree', id: 'flame-reset' }, 'Reset pivot');
  const search = el('input', { type: 'search', placeholder: 'Search (regexp)', id: 'flame-search', spellcheck: 'false' });
  const searchResult = el('span', { id: 'flame-search-result', class: 'muted' });
  const orientation = el('button', { type: 'button', id: 'flame-orientation', title: 'Switch between icicle (root at top) and flame (root at bottom)' }, '⇅ icicle');
  const areas = el('span', { class: 'areas' });
  const areaEnabled = codeAreas.map(() => true);
  const areaSelf = new Float64Array(codeAreas.length);
  for (let k = 1; k < full.frame.length; k++) areaSelf[data.frameAreas[full.frame[k]!]!]! += Math.abs(full.self[k]!);
  codeAreas.forEach((area, i) => {
    if (areaSelf[i] === 0) return;
    const box = el('input', { type: 'checkbox', 'data-area': area });
    box.checked = true;
    box.addEventListener('change', () => { areaEnabled[i] = box.checked; refilter(); relayout(); draw(); });
    const [h0, h1] = areaHues[area];
    const swatch = el('span', { class: 'swatch', style: `background:hsl(${(h0 + h1) / 2},${areaSaturation[area]}%,62%)` });
    areas.append(el('label', { title: `show ${areaLabels[area]} frames; unchecked, they leave every stack and their callees join their callers (self ${formatPercent(areaSelf[i]!, full.width[0]!)})` }, box, swatch, `${areaLabels[area]} ${formatPercent(areaSelf[i]!, full.width[0]!)}`));
  });
  const toolbar = el('div', { class: 'toolbar' }, back, forward, resetPivot, search, searchResult, orientation, areas);
  const note = el('div', { class: 'muted small' });
  if (data.diff) note.append('Diff against the base: red grew, green shrank; a box\'s width is the size of the change under it. ');
  if (data.prunedNodes > 0) note.append(`${data.prunedNodes.toLocaleString('en')} nodes narrower than ${Number((data.minWidthFraction * 100).toPrecision(2))}% of the total are left out. `);
  note.append('Click a frame to pivot on it (callers above, callees below); right-click for more.');

  const scroller = el('div', { class: 'flame-scroll', id: 'flame-scroll' });
  const spacer = el('div', { class: 'flame-spacer' });
  const canvas = el('canvas', { id: 'flame-canvas' });
  scroller.append(canvas, spacer);
  const tooltip = el('div', { class: 'tooltip', id: 'flame-tooltip', hidden: '' });
  const menu = el('div', { class: 'menu', id: 'flame-menu', hidden: '' });
  root.append(toolbar, note, scroller, tooltip, menu);
  const ctx = canvas.getContext('2d')!;

  // State: the pivot is in the URL's fragment, so the browser's history walks through pivots.
  // `shown` is the tree without the code areas unchecked in the toolbar.
  let shown = full;
  let pivot: Pivot | undefined;
  let upward = false;
  let matches: Uint8Array | undefined;
  let frameColours: string[] = [];
  let calleeX: Float64Array = new Float64Array(0), callerX: Float64Array = new Float64Array(0);
  let callerRows = 0, rows = 1;
  let hits: Hit[][] = [];
  const stats: FlameStats = { nodeCount: full.frame.length, drawCount: 0, lastDrawMs: 0, firstDrawAt: 0, locate };

  function pivotFromHash(): number | undefined {
    const m = /pivot=(\d+)/.exec(location.hash);
    const f = m ? Number(m[1]) : NaN;
    return Number.isInteger(f) && f >= 0 && f < names.length ? f : undefined;
  }

  function maxDepth(tree: FlameTree): number {
    let d = 0;
    for (let k = 0; k < tree.depth.length; k++) if (tree.depth[k]! > d && tree.width[k]! > 0) d = tree.depth[k]!;
    return d;
  }

  function relayout(): void {
    const f = pivotFromHash();
    pivot = f === undefined ? undefined : pivotOn(shown, f, names);
    const callees = pivot ? pivot.callees : shown;
    calleeX = layoutX(callees);
    callerX = pivot ? layoutX(pivot.callers) : new Float64Array(0);
    callerRows = pivot ? maxDepth(pivot.callers) : 0;
    rows = callerRows + 1 + maxDepth(callees);
    resetPivot.disabled = pivot === undefined;
  }

  function refilter(): void {
    shown = areaEnabled.every(Boolean) ? full : hideFrames(full, (f) => !areaEnabled[data.frameAreas[f]!], names);
    stats.nodeCount = shown.frame.length;
  }

  function recolour(): void {
    frameColours = names.map((name, f) => {
      const area = data.frameAreas[f]!;
      if (matches?.[f]) return '#e040fb';
      const [h0, h1] = areaHues[codeAreas[area]!];
      const r = hashOf(name);
      return `hsl(${(h0 + (h1 - h0) * r).toFixed(0)},${(areaSaturation[codeAreas[area]!] + 12 * r).toFixed(0)}%,${(60 + 10 * (1 - r)).toFixed(0)}%)`;
    });
  }

  function diffColour(tree: FlameTree, k: number): string {
    const w = tree.width[k]!;
    const change = tree.total[k]!;
    const strength = w > 0 ? Math.min(1, Math.abs(change) / w) : 0;
    const light = (92 - 42 * strength).toFixed(0);
    return change > 0 ? `hsl(0,85%,${light}%)` : change < 0 ? `hsl(125,60%,${light}%)` : 'hsl(0,0%,88%)';
  }

  function colourOf(tree: FlameTree, k: number): string {
    const f = tree.frame[k]!;
    if (f < 0) return '#cfcfcf';
    if (matches?.[f]) return '#e040fb';
    if (data.diff) return diffColour(tree, k);
    return frameColours[f]!;
  }

  function rowY(row: number): number {
    return (upward ? rows - 1 - row : row) * rowHeight;
  }

  function draw(): void {
    const t0 = performance.now();
    const dpr = window.devicePixelRatio || 1;
    const width = scroller.clientWidth;
    const height = scroller.clientHeight;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    const charWidth = ctx.measureText('abcdefghijklmnopqrstuvwxyz').width / 26;
    spacer.style.height = `${Math.max(0, rows * rowHeight - height)}px`;
    const top = scroller.scrollTop;
    hits = Array.from({ length: rows }, () => []);
    const callees = pivot ? pivot.callees : shown;
    const scale = callees.width[0]! > 0 ? width / callees.width[0]! : 0;
    const drawTree = (tree: FlameTree, xs: Float64Array, rowOf: (depth: number) => number, start: number) => {
      const n = tree.frame.length;
      for (let k = start; k < n;) {
        const w = tree.width[k]! * scale;
        if (w < minBoxPixels) { k = tree.end[k]!; continue; }
        const row = rowOf(tree.depth[k]!);
        const y = rowY(row) - top;
        if (y > -rowHeight && y < height) {
          const x = xs[k]! * scale;
          ctx.fillStyle = colourOf(tree, k);
          ctx.fillRect(x, y, Math.max(w - 0.5, 0.4), rowHeight - 1);
          if (w > 3 * charWidth) {
            const f = tree.frame[k]!;
            const name = f < 0 ? 'root' : names[f]!;
            const fit = Math.floor((w - 6) / charWidth);
            ctx.fillStyle = '#111';
            ctx.fillText(name.length <= fit ? name : name.slice(0, Math.max(fit - 1, 1)) + '…', x + 3, y + rowHeight / 2);
          }
          hits[row]!.push({ x0: x, x1: x + w, tree, k });
        }
        k++;
      }
    };
    drawTree(callees, calleeX, (d) => callerRows + d, 0);
    if (pivot) drawTree(pivot.callers, callerX, (d) => callerRows - d, 1);
    stats.drawCount++;
    const t1 = performance.now();
    stats.lastDrawMs = t1 - t0;
    if (stats.drawCount === 1) stats.firstDrawAt = t1;
  }

  function hitAt(clientX: number, clientY: number): Hit | undefined {
    const r = canvas.getBoundingClientRect();
    const x = clientX - r.left;
    const yInTree = clientY - r.top + scroller.scrollTop;
    let row = Math.floor(yInTree / rowHeight);
    if (upward) row = rows - 1 - row;
    const list = hits[row];
    if (!list) return undefined;
    let lo = 0, hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const h = list[mid]!;
      if (x < h.x0) hi = mid - 1;
      else if (x >= h.x1) lo = mid + 1;
      else return h;
    }
    return undefined;
  }

  function locate(name: string): { x: number; y: number } | undefined {
    let best: Hit | undefined, bestRow = 0;
    hits.forEach((list, row) => {
      for (const h of list) {
        const f = h.tree.frame[h.k]!;
        if ((f < 0 ? 'root' : names[f]) === name && (!best || h.x1 - h.x0 > best.x1 - best.x0)) { best = h; bestRow = row; }
      }
    });
    if (!best) return undefined;
    const r = canvas.getBoundingClientRect();
    const hit: Hit = best;
    return { x: r.left + (hit.x0 + hit.x1) / 2, y: r.top + rowY(bestRow) - scroller.scrollTop + rowHeight / 2 };
  }

  function describe(h: Hit): string[] {
    const { tree, k } = h;
    const f = tree.frame[k]!;
    const lines = [f < 0 ? 'root' : names[f]!];
    if (f >= 0 && data.frameFiles[f]) lines.push(`${data.frameFiles[f]}${data.frameLines[f] ? ':' + data.frameLines[f] : ''}`);
    if (f >= 0) lines.push(`area: ${areaLabels[codeAreas[data.frameAreas[f]!]!]}`);
    const isCaller = pivot !== undefined && tree === pivot.callers;
    lines.push(`total: ${fmt(tree.total[k]!)} (${pct(tree.total[k]!)})${isCaller ? ' through the pivot' : ''}`);
    if (!isCaller) lines.push(`self: ${fmt(tree.self[k]!)} (${pct(tree.self[k]!)})`);
    if (tree.base) {
      const base = tree.base[k]!;
      lines.push(`base: ${fmt(base)}, now: ${fmt(tree.total[k]! + base)}, change: ${tree.total[k]! > 0 ? '+' : ''}${fmt(tree.total[k]!)}`);
    }
    return lines;
  }

  canvas.addEventListener('mousemove', (e) => {
    const h = hitAt(e.clientX, e.clientY);
    if (!h) { tooltip.hidden = true; return; }
    tooltip.replaceChildren(...describe(h).map((line, i) => el('div', i === 0 ? { class: 'name' } : {}, line)));
    tooltip.hidden = false;
    const left = Math.min(e.clientX + 14, window.innerWidth - tooltip.offsetWidth - 4);
    const topPx = e.clientY + 16 + tooltip.offsetHeight > window.innerHeight ? e.clientY - tooltip.offsetHeight - 8 : e.clientY + 16;
    tooltip.style.left = `${Math.max(left, 0)}px`;
    tooltip.style.top = `${Math.max(topPx, 0)}px`;
  });
  canvas.addEventListener('mouseleave', () => { tooltip.hidden = true; });

  function pivotTo(frame: number): void {
    location.hash = frame < 0 ? '' : `pivot=${frame}`;
  }

  canvas.addEventListener('click', (e) => {
    menu.hidden = true;
    const h = hitAt(e.clientX, e.clientY);
    if (!h) return;
    const f = h.tree.frame[h.k]!;
    if (pivot && f === pivot.frame && h.tree === pivot.callees && h.k === 0) return;
    pivotTo(f);
  });

  canvas.addEventListener('contextmenu', (e) => {
    const h = hitAt(e.clientX, e.clientY);
    if (!h) return;
    const f = h.tree.frame[h.k]!;
    if (f < 0) return;
    e.preventDefault();
    const re = exactMatch(names[f]!);
    const item = (label: string, act: () => void) => {
      const b = el('button', { type: 'button', 'data-action': label.toLowerCase().replace(/ /g, '-') }, label);
      b.addEventListener('click', () => { menu.hidden = true; act(); });
      return b;
    };
    const go = (view: string, param: string) => () => { location.href = viewLink(view, (p) => p.set(param, re)); };
    const items = [item('Pivot here', () => pivotTo(f))];
    if (page.mode === 'server') {
      items.push(
        item('Show source', go('source', 'f')),
        item('Peek', go('peek', 'f')),
        item('Focus', go('flamegraph', 'f')),
        item('Ignore', go('flamegraph', 'i')),
        item('Hide', go('flamegraph', 'h')),
        item('Show from', go('flamegraph', 'sf')),
      );
    }
    menu.replaceChildren(el('div', { class: 'name' }, names[f]!), ...items);
    menu.hidden = false;
    menu.style.left = `${Math.min(e.clientX, window.innerWidth - menu.offsetWidth - 4)}px`;
    menu.style.top = `${Math.min(e.clientY, window.innerHeight - menu.offsetHeight - 4)}px`;
  });
  document.addEventListener('click', (e) => { if (!menu.contains(e.target as Node)) menu.hidden = true; });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') menu.hidden = true; });

  search.addEventListener('input', () => {
    const text = search.value;
    matches = undefined;
    search.classList.remove('bad');
    searchResult.textContent = '';
    if (text !== '') {
      let rx: RegExp;
      try {
        rx = new RegExp(text);
      } catch {
        search.classList.add('bad');
        recolour();
        draw();
        return;
      }
      const m = new Uint8Array(names.length);
      let any = false;
      names.forEach((name, f) => { if (rx.test(name)) { m[f] = 1; any = true; } });
      matches = m;
      const matched = any ? searchTotal(shown, (f) => f >= 0 && m[f] === 1) : 0;
      searchResult.textContent = `matched ${pct(matched)} (${fmt(matched)})`;
    }
    recolour();
    draw();
  });

  orientation.addEventListener('click', () => {
    upward = !upward;
    orientation.textContent = upward ? '⇅ flame' : '⇅ icicle';
    draw();
    if (upward) scroller.scrollTop = scroller.scrollHeight;
  });
  back.addEventListener('click', () => history.back());
  forward.addEventListener('click', () => history.forward());
  resetPivot.addEventListener('click', () => pivotTo(-1));
  window.addEventListener('hashchange', () => { relayout(); draw(); });
  scroller.addEventListener('scroll', () => draw(), { passive: true });
  const fit = () => {
    scroller.style.height = `${Math.max(200, window.innerHeight - scroller.getBoundingClientRect().top - 8)}px`;
    draw();
  };
  window.addEventListener('resize', fit);

  relayout();
  recolour();
  fit();
  return stats;
}
