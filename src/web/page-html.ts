import { readPageBundle } from './page-bundle.js';
import type { PageData, SnapshotPageData, WatchPageData } from './view-data.js';

/**
 * The page's Content-Security-Policy: scripts and styles only inline (they
 * ship in the page), images only as data: URLs, and no connection anywhere,
 * so nothing on the page can fetch from outside even by mistake.
 */
export const contentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'self'";

/** embeddedJson writes data as JSON that is safe inside a <script> element. */
function embeddedJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** renderPage is one complete HTML page: the data as JSON and the page code that renders it, both inline. */
export function renderPage(data: PageData | SnapshotPageData | WatchPageData): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)} — tsprof</title>
</head>
<body>
<div id="app"></div>
<script type="application/json" id="tsprof-data">${embeddedJson(data)}</script>
<script>${readPageBundle().replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}
