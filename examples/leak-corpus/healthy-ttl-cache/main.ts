/** The rate-quote service as a corpus service, with its sweeper. */
import { runCorpusService } from '../corpus-service.js';
import { getQuote, quoteCache } from './ttl-cache.js';

setInterval(() => quoteCache.sweep(), 1000).unref();
await runCorpusService({ name: 'healthy-ttl-cache', handle: ({ requestId }) => getQuote(requestId) });
