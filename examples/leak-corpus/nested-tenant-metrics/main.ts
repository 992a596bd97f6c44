/** The gateway's statistics as a corpus service: one sample per request. */
import { runCorpusService } from '../corpus-service.js';
import { recordRequest } from './metrics-state.js';

await runCorpusService({ name: 'nested-tenant-metrics', handle: ({ requestId, seq }) => recordRequest(requestId, seq) });
