/**
 * The render cache of a storefront: rendered product pages are cached in a
 * plain object keyed by the full request URL, query string included. Every
 * tracking parameter makes a new key, so the cache never stops growing.
 */

/** renderedPages is an object used as a map: URL → rendered HTML. Never evicted. */
export const renderedPages: Record<string, string> = {};

/** renderProductPage renders the HTML of one product page. */
export function renderProductPage(productId: number, campaign: string): string {
  const rows: string[] = [];
  for (let i = 0; i < 700; i++) {
    rows.push(`<tr><td>${productId}-${i}</td><td>variant ${i} of product ${productId}</td><td>${(i * 1.37).toFixed(2)} EUR</td></tr>`);
  }
  return `<html><body data-campaign="${campaign}"><table>${rows.join('\n')}</table></body></html>`;
}

/** servePage answers from the cache, rendering on a miss. */
export function servePage(url: string, productId: number, campaign: string): string {
  let html = renderedPages[url];
  if (html === undefined) {
    html = renderProductPage(productId, campaign);
    renderedPages[url] = html;
  }
  return html.length.toString();
}
