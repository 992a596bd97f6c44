/** The pricing service as a corpus service: one quote per request; the requests never get an answer. */
import { runCorpusService } from '../corpus-service.js';
import { loadConfig, priceQuote } from './config-loader.js';

loadConfig();
await runCorpusService({ name: 'promise-config-ready', handle: ({ requestId }) => priceQuote(requestId), awaitsResponse: false });
