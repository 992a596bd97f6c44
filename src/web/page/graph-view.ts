import { el } from './dom.js';

/** mountGraph shows the server's Graphviz SVG, with wheel zoom around the pointer and drag to pan. */
export function mountGraph(root: HTMLElement, svgText: string): void {
  const box = el('div', { class: 'graph', id: 'graph' });
  box.innerHTML = svgText;
  root.append(el('div', { class: 'muted small' }, 'Wheel to zoom, drag to pan, double-click to fit.'), box);
  const svg = box.querySelector('svg');
  if (!svg) return;
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  const initial = svg.viewBox.baseVal;
  const home = { x: initial.x, y: initial.y, w: initial.width, h: initial.height };
  let view = { ...home };
  const apply = () => svg.setAttribute('viewBox', `${view.x} ${view.y} ${view.w} ${view.h}`);
  const fit = () => { box.style.height = `${Math.max(300, window.innerHeight - box.getBoundingClientRect().top - 8)}px`; };
  fit();
  window.addEventListener('resize', fit);
  const toGraph = (clientX: number, clientY: number) => {
    const r = svg.getBoundingClientRect();
    // preserveAspectRatio meet: the graph is centred at one scale.
    const s = Math.max(view.w / r.width, view.h / r.height);
    const ox = (r.width * s - view.w) / 2, oy = (r.height * s - view.h) / 2;
    return { x: view.x - ox + (clientX - r.left) * s, y: view.y - oy + (clientY - r.top) * s, s };
  };
  svg.addEventListener('wheel', (e) => {
    e.preventDefault();
    const at = toGraph(e.clientX, e.clientY);
    const k = Math.exp(e.deltaY * 0.0015);
    view = { x: at.x - (at.x - view.x) * k, y: at.y - (at.y - view.y) * k, w: view.w * k, h: view.h * k };
    apply();
  }, { passive: false });
  let drag: { x: number; y: number } | undefined;
  svg.addEventListener('pointerdown', (e) => { drag = { x: e.clientX, y: e.clientY }; svg.setPointerCapture(e.pointerId); });
  svg.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const { s } = toGraph(e.clientX, e.clientY);
    view = { ...view, x: view.x - (e.clientX - drag.x) * s, y: view.y - (e.clientY - drag.y) * s };
    drag = { x: e.clientX, y: e.clientY };
    apply();
  });
  svg.addEventListener('pointerup', () => { drag = undefined; });
  svg.addEventListener('dblclick', () => { view = { ...home }; apply(); });
}
