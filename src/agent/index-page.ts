/** ProfileEntry is one row of the index page. */
export interface ProfileEntry {
  name: string;
  description: string;
  /** Query that makes the link useful in a browser (e.g. `?debug=1`). */
  linkQuery: string;
  /** Whether `?thread=` selects a worker thread's profile. */
  perThread?: boolean;
}

/** ThreadRow is one JavaScript thread of the process, for the index's thread table. */
export interface ThreadRow {
  threadId: number;
  name: string;
  /** The thread's script. */
  url: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** threadTable lists the threads with links to their profiles (`?thread=N`). */
function threadTable(entries: readonly ProfileEntry[], threads: readonly ThreadRow[]): string {
  const perThread = entries.filter((e) => e.perThread);
  const rows = threads.map((t, i) => {
    const links = perThread.map((e) => {
      // The first row is the agent's own thread: the default, with no parameter.
      const query = i === 0 ? e.linkQuery : `${e.linkQuery}${e.linkQuery === '' ? '?' : '&'}thread=${t.threadId}`;
      return `<a href="${escapeHtml(e.name + query)}">${escapeHtml(e.name)}</a>`;
    });
    return `<tr><td>${t.threadId}</td><td>${escapeHtml(t.name)}</td><td>${escapeHtml(t.url)}</td><td>${links.join(' ')}</td></tr>`;
  });
  return `<h2>Threads</h2>
<p><code>?thread=N</code> selects the worker whose threadId is N; <code>?thread=all</code> merges every thread,
each sample labelled <code>thread</code> (and <code>thread_name</code>). Without it, the main thread.</p>
<table>
<thead><tr><th>threadId</th><th>Name</th><th>Script</th><th>Profiles</th></tr></thead>
${rows.join('\n')}
</table>
`;
}

/**
 * indexPage is the HTML of `/debug/pprof/`, listing what the agent serves, as
 * Go's index does, and the process's threads (the agent's own first).
 */
export function indexPage(prefix: string, entries: readonly ProfileEntry[], threads: readonly ThreadRow[] = []): string {
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
${threads.length > 0 ? threadTable(entries, threads) : ''}</body></html>
`;
}
