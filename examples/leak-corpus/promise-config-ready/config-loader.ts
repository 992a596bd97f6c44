/**
 * A pricing service waits for its remote configuration before it prices a
 * quote. The loader's promise is created at start-up and settles only when
 * the config server answers; here it never does, so every request's await
 * hangs on that one promise, with the quote it was building.
 */

let markReady: (config: { currency: string }) => void = () => {};

/** configReady settles when the remote configuration has loaded (never, in this service). */
export const configReady = new Promise<{ currency: string }>((resolve) => {
  markReady = resolve;
});

/** loadConfig would call markReady once the config server answers; the answer never comes. */
export function loadConfig(): void {
  void markReady;
}

/** QuoteDraft is a quote being priced. */
interface QuoteDraft {
  quoteId: string;
  items: { sku: string; listPriceCents: number; discountCode: string }[];
}

/** draftQuote builds the items of a quote before pricing. */
export function draftQuote(quoteId: string): QuoteDraft {
  const items: QuoteDraft['items'] = [];
  for (let i = 0; i < 350; i++) items.push({ sku: `${quoteId}-${i}`, listPriceCents: 1000 + i, discountCode: `D${i % 9}` });
  return { quoteId, items };
}

/** priceQuote drafts a quote, then waits for the config to price it. */
export async function priceQuote(quoteId: string): Promise<string> {
  const draft = draftQuote(quoteId);
  const config = await configReady;
  return JSON.stringify({ quoteId, currency: config.currency, items: draft.items.length });
}
