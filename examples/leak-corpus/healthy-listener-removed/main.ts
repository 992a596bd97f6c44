/** The stock service as a corpus service: one reservation per request. */
import { runCorpusService } from '../corpus-service.js';
import { reserveStock } from './inventory-bus.js';

await runCorpusService({ name: 'healthy-listener-removed', handle: ({ requestId }) => reserveStock(requestId) });
