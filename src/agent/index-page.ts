/** ProfileEntry is one row of the index page. */
export interface ProfileEntry {
  name: string;
  description: string;
  /** Query that makes the link useful in a browser (e.g. `?debug=1`). */
  linkQuery: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** indexPage is the HTML of `/debug/pprof/`, listing what the agent serves, as Go's index does. */
export function indexPage(prefix: string, entries: readonly ProfileEntry[]): string {
  const rows = entries
    .map((e) => `<tr><td><a href="${escapeHtml(e.name + e.linkQuery)}">${escapeHtml(e.name)}</a></td><td>${escapeHtml(e.description)}</td></tr>`)
    .join('\n');
  return `<!DOCTYPE html>
<html><head><title>${escapeHtml(prefix)}/</title></head>
<body>
<h1>${escapeHtml(prefix)}/</h1>
<p>Profiles of this Node.js process (tsprof agent). Read them with
<code>npx tsprof -top http://HOST:PORT${escapeHtml(prefix)}/heap</code> or <code>go tool pprof</code>.</p>
<table>
<thead><tr><th>Profile</th><th>Description</th></tr></thead>
${rows}
</table>
</body></html>
`;
}
