import type { Graphviz } from '@hpcc-js/wasm-graphviz';
import { TsprofError } from '../errors.js';

/**
 * The Graphviz WebAssembly module, loaded on the first `-svg` and kept for the
 * rest of the process: compiling it costs ~100 ms and a few MB, which every
 * other report should not pay, and a shell that renders many graphs should pay
 * only once.
 */
let graphvizLoading: Promise<Graphviz> | undefined;

function loadGraphviz(): Promise<Graphviz> {
  if (graphvizLoading === undefined) {
    graphvizLoading = import('@hpcc-js/wasm-graphviz')
      .then((module) => module.Graphviz.load())
      .catch((err: unknown) => {
        // Let a later call try again rather than caching a failure forever.
        graphvizLoading = undefined;
        throw new TsprofError(`svg: cannot load the Graphviz WebAssembly module: ${oneLine(err)}`);
      });
  }
  return graphvizLoading;
}

/**
 * renderSvg lays out a Graphviz DOT graph (as the `-dot` report writes it) with
 * the `dot` engine and returns it as an SVG document, in-process through
 * Graphviz compiled to WebAssembly, so users need no Graphviz install.
 * Invalid DOT throws a TsprofError naming the Graphviz syntax error.
 */
export async function renderSvg(dot: string): Promise<string> {
  if (dot.trim() === '') throw new TsprofError('svg: the DOT graph is empty');
  const graphviz = await loadGraphviz();
  let svg: string;
  try {
    svg = graphviz.dot(dot, 'svg');
  } catch (err) {
    // Graphviz reports e.g. "syntax error in line 3 near '->'".
    throw new TsprofError(`svg: invalid DOT graph: ${oneLine(err)}`);
  }
  if (!svg.includes('<svg')) throw new TsprofError('svg: Graphviz produced no SVG for the DOT graph');
  return fitToWindow(svg);
}

/**
 * fitToWindow makes the drawing fill the browser window, as pprof's SVGs do,
 * instead of opening at Graphviz's natural point size (often several screens
 * tall for a profile); the viewBox keeps the aspect ratio and lets the browser
 * scale it, and the pan/zoom script lets the reader go into the detail. It
 * also repairs the one escaping slip Graphviz is known for: an ampersand left
 * bare before a semicolon, which makes the XML unparseable.
 */
function fitToWindow(svg: string): string {
  const repaired = svg.replaceAll('&;', '&amp;;');
  const sized = repaired.replace(/<svg\s+width="[^"]*"\s+height="[^"]*"/, '<svg width="100%" height="100%"');
  // The script goes right after the opening <svg ...> tag, before the drawing.
  return sized.replace(/(<svg\b[^>]*>)/, `$1\n<script type="text/javascript"><![CDATA[${PAN_ZOOM_SCRIPT}]]></script>`);
}

/**
 * PAN_ZOOM_SCRIPT lets a reader of a large call graph zoom with the mouse
 * wheel (around the pointer) and pan by dragging, as in pprof's SVGs. It only
 * moves the root viewBox, so the drawing itself stays untouched Graphviz
 * output; it works both when the SVG is opened as a file and when embedded.
 */
const PAN_ZOOM_SCRIPT = `
(function () {
  var script = document.currentScript;
  var svg = (script && script.ownerSVGElement) || document.documentElement;
  if (!svg || !svg.viewBox || !svg.createSVGPoint) return;
  function userPoint(event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }
  svg.addEventListener('wheel', function (event) {
    event.preventDefault();
    var box = svg.viewBox.baseVal;
    var at = userPoint(event);
    var factor = event.deltaY > 0 ? 1.2 : 1 / 1.2;
    box.x = at.x - (at.x - box.x) * factor;
    box.y = at.y - (at.y - box.y) * factor;
    box.width *= factor;
    box.height *= factor;
  }, { passive: false });
  var grabbed = null;
  svg.addEventListener('mousedown', function (event) { grabbed = userPoint(event); });
  svg.addEventListener('mousemove', function (event) {
    if (!grabbed) return;
    var box = svg.viewBox.baseVal;
    var at = userPoint(event);
    box.x -= at.x - grabbed.x;
    box.y -= at.y - grabbed.y;
  });
  window.addEventListener('mouseup', function () { grabbed = null; });
})();
`;

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.trim().split('\n')[0] ?? text;
}
