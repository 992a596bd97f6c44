/** The order service as a corpus service: one checkout per request. */
import { runCorpusService } from '../corpus-service.js';
import { checkout } from './order-bus.js';

await runCorpusService({ name: 'listeners-order-bus', handle: ({ requestId, seq }) => checkout(requestId, seq) });
