/** The orders database client as a corpus service: one query per request. */
import { runCorpusService } from '../corpus-service.js';
import { queryOrder } from './connection-pool.js';

await runCorpusService({ name: 'class-connection-pool', handle: ({ requestId }) => queryOrder(requestId), requestsPerSecond: 20 });
