/** The storefront render cache as a corpus service: each request carries a new campaign id. */
import { runCorpusService } from '../corpus-service.js';
import { servePage } from './page-cache.js';

await runCorpusService({
  name: 'cache-rendered-pages',
  handle: ({ seq, requestId }) => servePage(`/products/${seq % 50}?utm_campaign=${requestId}`, seq % 50, requestId),
});
