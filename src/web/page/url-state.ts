/**
 * The page's state lives in the URL, under pprof's parameter names (si, f, i,
 * h, s, sf, g, ...): every link is relative, so the UI works behind a path
 * prefix, and a link opens the same view in pprof.
 */

/** Parameters the Refine menu sets and its reset clears, as pprof's. */
export const refineParams = ['f', 'i', 'h', 's', 'sf', 'prunefrom', 'tf', 'ti', 'ts', 'th'];

/** viewLink is a relative link to view (flamegraph, top, ...) with the current parameters, changed by edit. */
export function viewLink(view: string, edit: (params: URLSearchParams) => void = () => {}): string {
  const params = new URLSearchParams(location.search);
  edit(params);
  const q = params.toString();
  return `./${view}${q === '' ? '' : '?' + q}`;
}

/** currentView is the view name in the path (the flame graph for /ui/). */
export function currentView(): string {
  const last = location.pathname.slice(location.pathname.lastIndexOf('/') + 1);
  return last === '' ? 'flamegraph' : last;
}

/** escapeRegExp makes a name match itself exactly (anchored), for focus=^name$ and friends. */
export function exactMatch(name: string): string {
  return '^' + name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$';
}
