/** The log shipper as a corpus service: one batch per request. */
import { runCorpusService } from '../corpus-service.js';
import { ingestBatch } from './trace-index.js';

await runCorpusService({ name: 'sliced-trace-ids', handle: ({ requestId }) => ingestBatch(requestId), requestsPerSecond: 20 });
